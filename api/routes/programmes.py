"""``/api/v1/programmes``: programmes, their title lists and orders (later steps: ``programme_steps``).

admin, programme and acquisitions write; methodologist reads; a library user finds nothing here
(404) and sees its own shipments through the dispatch endpoints. Every write goes through a
``distribution`` service, which audits it; routes only parse, call and render.
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from api.access import PROGRAMME_READ, PROGRAMME_WRITE, require_staff_area
from api.auth.models import User
from api.deps import CurrentUser, SessionDep, TranslatorDep
from api.i18n import Translator
from api.presenters.downloads import XLSX, file_response
from api.presenters.programmes import (
    LoadRefusedOut,
    LoadSummaryOut,
    OrderOut,
    Page,
    ProgrammeDetailOut,
    ProgrammeOut,
    TitleOut,
    load_json,
    order_out,
    programme_detail_out,
    programme_out,
    title_out,
)
from collection.errors import N_
from distribution.errors import InvalidProgrammeData
from distribution.programmes import queries
from distribution.programmes.marc_titles import is_marc_file
from distribution.programmes.models import PROGRAMME_KINDS, PROGRAMME_STATES
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import load_orders
from distribution.programmes.services import LoadResult, create_programme, get_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles, programme_titles
from distribution.spreadsheets import CellError, isbn, read_rows, table_format, write_error_report

router = APIRouter(prefix="/programmes", tags=["programmes"])


def _reader(user: CurrentUser) -> User:
    require_staff_area(user, PROGRAMME_READ)  # a library user does not see programmes at all (404)
    return user


def _writer(user: CurrentUser) -> User:
    require_staff_area(user, PROGRAMME_WRITE)
    return user


Reader = Annotated[User, Depends(_reader)]
Writer = Annotated[User, Depends(_writer)]
Upload = Annotated[UploadFile, File(description="csv or xlsx (English or Ukrainian headers)")]
# The answers of a file load: the summary, or 422 with every refused row (JSON or the error report).
LOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {},
    422: {"model": LoadRefusedOut, "description": "Rows refused (nothing loaded); with ``error_report`` "
          "the report as csv or xlsx", "content": {"text/csv": {}, XLSX: {}}},
}
ErrorReport = Annotated[
    Literal["csv", "xlsx"] | None,
    Query(description="On row errors, answer 422 with the error report as this file instead of JSON"),
]
Limit = Annotated[int, Query(ge=1, le=100_000)]
Offset = Annotated[int, Query(ge=0)]


# --- shapes ---------------------------------------------------------------------------------------


class ProgrammeIn(BaseModel):
    """A new programme (it starts collecting orders)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    year: int
    kind: str = "state"


def load_response(
    result: LoadResult, t: Translator, error_report: str | None, status_code: int = 200
) -> Response:
    """The summary; with errors 422 and every error, as JSON or as the error report file."""
    if result.ok:
        return JSONResponse(load_json(result, t.gettext).model_dump(mode="json"), status_code=status_code)
    if error_report:
        out = io.BytesIO()
        write_error_report(out, result.errors, error_report, t.gettext)
        return file_response(
            out.getvalue(), error_report, f"{PurePath(result.file).stem}-errors.{error_report}", 422
        )
    summary = load_json(result, t.gettext).model_dump()
    body = LoadRefusedOut(detail=t.gettext(N_("У файлі є помилки; нічого не завантажено")), **summary)
    return JSONResponse(body.model_dump(mode="json"), status_code=422)


def readable_upload(upload: UploadFile) -> tuple[BinaryIO, str]:
    """The upload's stream and name once it is known to be a csv or xlsx file that opens."""
    filename = PurePath(upload.filename or "").name
    try:
        fmt = table_format(filename)
    except ValueError:
        raise InvalidProgrammeData(N_("Файл має бути .csv або .xlsx"), field="file") from None
    try:
        next(read_rows(upload.file, filename), None)
    except Exception:  # noqa: BLE001 - whatever breaks the reader, the answer is "cannot read it"
        raise InvalidProgrammeData(
            N_("Не вдалося прочитати файл як {format}"), field="file", params={"format": fmt}
        ) from None
    upload.file.seek(0)
    return upload.file, filename


def _isbn_filter(value: str) -> str:
    """An ISBN typed as a filter, as the tables store it (a bad one is the caller's error)."""
    try:
        return isbn()(value.strip()) or ""
    except CellError as error:
        raise InvalidProgrammeData(error.problem, field="isbn", params=error.params) from None


# --- programmes -----------------------------------------------------------------------------------


@router.get("")
def list_programmes(
    session: SessionDep, _user: Reader, kind: Literal[PROGRAMME_KINDS] | None = None,  # type: ignore[valid-type]
    year: int | None = None, state: Literal[PROGRAMME_STATES] | None = None,  # type: ignore[valid-type]
) -> list[ProgrammeOut]:  # fmt: skip
    """Programmes, newest year first."""
    programmes = queries.find_programmes(session, kind=kind or "", year=year, state=state or "")
    return [programme_out(p) for p in programmes]


@router.post("", status_code=201, responses={422: {}})
def create(body: ProgrammeIn, session: SessionDep, user: Writer) -> ProgrammeOut:
    """Start a programme (state replenishment, exchange fund or gift campaign)."""
    programme = create_programme(session, actor=user.actor, name=body.name, year=body.year, kind=body.kind)
    session.commit()
    return programme_out(programme)


@router.get("/{programme_id}", responses={404: {}})
def programme_detail(programme_id: int, session: SessionDep, _user: Reader) -> ProgrammeDetailOut:
    """A programme with its totals: ordered, received, allocated, packed, dispatched, surplus."""
    return programme_detail_out(session, get_programme(session, programme_id))


# --- title list -----------------------------------------------------------------------------------


@router.post("/{programme_id}/titles", response_model=LoadSummaryOut, responses=LOAD_RESPONSES)
def upload_titles(
    programme_id: int, file: Upload, session: SessionDep, user: Writer, t: TranslatorDep,
    error_report: ErrorReport = None,
) -> Any:  # fmt: skip
    """Load the title list (csv/xlsx: isbn, title, author, publisher, year, price, weight; or a
    MARC file of records); all or nothing."""
    get_programme(session, programme_id)
    if is_marc_file(file.filename or ""):  # records: the loader reads and reports them itself
        stream, filename = file.file, PurePath(file.filename or "").name
    else:
        stream, filename = readable_upload(file)
    titles = parse_title_file(stream, filename)  # files are parsed here, at the edge
    result = load_titles(session, actor=user.actor, programme_id=programme_id, titles=titles)
    session.commit()
    return load_response(result, t, error_report)


@router.get("/{programme_id}/titles", responses={404: {}})
def list_titles(programme_id: int, session: SessionDep, _user: Reader) -> list[TitleOut]:
    """The title list in the order it was loaded."""
    get_programme(session, programme_id)
    return [title_out(title) for title in programme_titles(session, programme_id)]


# --- orders ---------------------------------------------------------------------------------------


@router.post("/{programme_id}/orders", response_model=LoadSummaryOut, responses=LOAD_RESPONSES)
def upload_orders(
    programme_id: int, file: Upload, session: SessionDep, user: Writer, t: TranslatorDep,
    error_report: ErrorReport = None,
) -> Any:  # fmt: skip
    """Load orders (library_code, isbn or title_id, quantity); the same file again changes nothing."""
    get_programme(session, programme_id)
    orders = parse_order_file(*readable_upload(file))  # files are parsed here, at the edge
    result = load_orders(session, actor=user.actor, programme_id=programme_id, orders=orders)
    session.commit()
    return load_response(result, t, error_report)


@router.get("/{programme_id}/orders", responses={404: {}, 422: {}})
def list_orders(
    programme_id: int, session: SessionDep, _user: Reader, library_code: str | None = None,
    isbn: str | None = None, title_id: int | None = None, limit: Limit = 1000, offset: Offset = 0,
) -> Page[OrderOut]:  # fmt: skip
    """Orders by library and title, a page at a time."""
    get_programme(session, programme_id)
    rows, total = queries.order_rows(
        session, programme_id, library_code=library_code or "", isbn=_isbn_filter(isbn) if isbn else None,
        title_id=title_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Page[OrderOut](items=[order_out(row) for row in rows], total=total, limit=limit, offset=offset)
