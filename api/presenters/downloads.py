"""File answers (xlsx, csv) shared by REST routes and pages: media types and attachment headers."""

from __future__ import annotations

from fastapi.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def file_response(content: bytes, fmt: str, filename: str, status_code: int = 200) -> Response:
    """A csv or xlsx download."""
    return Response(
        content, status_code=status_code, media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


def xlsx_response(content: bytes, filename: str) -> Response:
    """An xlsx download."""
    return file_response(content, "xlsx", filename)
