"""Uploads on the programme pages: reading the file, typed lines, and the kept error reports.

A refused upload stores nothing in the database, yet staff want its error report as a file.
The errors (not the uploaded data) are kept as JSON under the data directory, named by a
random token that only the page showing them knows; a day later they are swept away.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile

from api.settings import Settings, default_data_dir
from collection.errors import N_
from distribution.programmes.marc_titles import is_marc_file
from distribution.spreadsheets import RowError, table_format

MAX_UPLOAD_BYTES = 50_000_000  # an order file of a national programme runs to tens of MB
KEEP_SECONDS = 24 * 60 * 60
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_SEPARATORS = re.compile(r"[;,\t ]+")


class UploadProblem(ValueError):
    """The upload cannot be read at all (no file, too big, not csv/xlsx): a field message."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


async def table_upload(
    form: Any, name: str = "file", *, required: bool = True, marc: bool = False
) -> tuple[bytes, str] | None:
    """The bytes and name of an uploaded csv/xlsx table (or MARC file, when ``marc`` allows
    it), or None when none was chosen."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        if required:
            raise UploadProblem(N_("Оберіть файл csv або xlsx"))
        return None
    if not (marc and is_marc_file(upload.filename)):
        try:
            table_format(upload.filename)
        except ValueError:
            if marc:
                raise UploadProblem(
                    N_("Файл {name}: потрібен csv, xlsx або MARC"), name=upload.filename
                ) from None
            raise UploadProblem(N_("Файл {name}: потрібен csv або xlsx"), name=upload.filename) from None
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadProblem(N_("Файл завеликий (до {mb} МБ)"), mb=MAX_UPLOAD_BYTES // 1_000_000)
    if not data:
        raise UploadProblem(N_("Файл {name} порожній"), name=upload.filename)
    return data, Path(upload.filename).name


def typed_lines_csv(text: str, header: Iterable[str]) -> bytes:
    """Lines typed into a textarea ("ISBN received damaged", any of ; , tab or space between)
    as a csv with ``header``. Blank lines stay as blank rows, so the service's row numbers
    are the typed line numbers plus one (its header is row 1)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(list(header))
    for line in text.splitlines():
        writer.writerow(_SEPARATORS.split(line.strip()) if line.strip() else [])
    return out.getvalue().encode("utf-8")


# --- kept error reports ----------------------------------------------------------------------------


def _folder(settings: Settings) -> Path:
    if settings.data_dir:
        base = Path(settings.data_dir)
    elif settings.database_url.startswith("sqlite"):
        base = Path(default_data_dir(settings.database_url))
    else:  # settings built without a data directory (tests on PostgreSQL)
        base = Path(tempfile.gettempdir()) / "komplekt-data"
    return base / "programme-errors"


def keep_errors(settings: Settings, programme_id: int, file: str, errors: Iterable[RowError]) -> str:
    """Keep a refused upload's errors for download; returns the token that names them."""
    folder = _folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # a colleague's request swept it first
            pass
    token = secrets.token_urlsafe(24)
    payload = {
        "programme": programme_id,
        "file": file,
        "errors": [[e.row, e.column, e.problem, dict(e.params), e.value] for e in errors],
    }
    (folder / f"{token}.json").write_text(json.dumps(payload, ensure_ascii=False, default=str), "utf-8")
    return token


def kept_errors(settings: Settings, programme_id: int, token: str) -> tuple[str, list[RowError]] | None:
    """The file name and errors kept under ``token`` for this programme, or None."""
    if not TOKEN.fullmatch(token):
        return None
    path = _folder(settings) / f"{token}.json"
    try:
        payload = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("programme") != programme_id:
        return None
    errors = [
        RowError(row, column, problem, params, value)
        for row, column, problem, params, value in payload["errors"]
    ]
    return payload["file"], errors
