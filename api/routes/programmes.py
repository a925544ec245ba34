"""``/api/v1/programmes``: a programme from title list and orders to allocation, parcels and report.

admin, programme and acquisitions write; methodologist reads; a library user finds nothing here
(404) and sees its own shipments through the dispatch endpoints. Every write goes through a
``distribution`` service, which audits it; routes only parse, call and render.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from api.access import PROGRAMME_READ, PROGRAMME_WRITE, require_staff_area
from api.auth.models import User
from api.deps import CurrentUser, SessionDep, TranslatorDep
from api.i18n import Translator
from collection.errors import N_, NotFoundError
from distribution.allocation.adjustments import resolve_adjustments
from distribution.allocation.services import adjust_allocation, allocate_programme, allocation_rows
from distribution.errors import InvalidProgrammeData
from distribution.libraries.models import STATUSES
from distribution.programmes import queries
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.marc_titles import is_marc_file
from distribution.programmes.models import (
    PROGRAMME_KINDS,
    PROGRAMME_STATES,
    Delivery,
    Programme,
    ProgrammeTitle,
)
from distribution.programmes.orders import load_orders
from distribution.programmes.report import programme_report, write_report
from distribution.programmes.services import LoadResult, create_programme, get_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles, programme_titles
from distribution.shipping.packing import pack_programme
from distribution.shipping.rules import CarrierLimits
from distribution.spreadsheets import (
    ROW_FIELD,
    CellError,
    RowError,
    isbn,
    read_rows,
    table_format,
    write_error_report,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
DEFAULT_LIMITS = CarrierLimits()

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


class DeliveryLineIn(BaseModel):
    """Copies of one title in a delivery, named by ISBN or programme title id."""

    model_config = ConfigDict(extra="forbid")
    isbn: str | None = None
    title_id: int | None = None
    received: int = Field(ge=0)
    damaged: int = Field(0, ge=0)
    wrong_title: int = Field(0, ge=0)


class DeliveryIn(BaseModel):
    """A supplier's delivery typed in rather than uploaded."""

    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=64)
    date: datetime.date | None = None
    supplier: str = ""
    lines: list[DeliveryLineIn] = Field(min_length=1)


class AllocationIn(BaseModel):
    """How to allocate: surplus destination, library statuses served first, keep hand changes?"""

    model_config = ConfigDict(extra="forbid")
    surplus_destination: str | None = None
    priority_statuses: list[str] = []
    held_statuses: list[str] = Field([], description="Statuses whose libraries get nothing (e.g. occupied)")
    reset: bool = Field(False, description="Discard hand adjustments (packed or sent copies stay)")


class AdjustmentIn(BaseModel):
    """One hand adjustment: this library gets ``quantity`` copies of the title."""

    model_config = ConfigDict(extra="forbid")
    library_code: str = Field(min_length=1, max_length=32)
    title_id: int | None = Field(None, ge=1)
    isbn: str | None = None
    quantity: int = Field(ge=0)


class AdjustmentsIn(BaseModel):
    """Hand adjustments, checked and stored together (all or nothing)."""

    model_config = ConfigDict(extra="forbid")
    changes: list[AdjustmentIn] = Field(min_length=1)
    allow_over_order: bool = False


class PackingIn(BaseModel):
    """The carrier's limits per parcel."""

    model_config = ConfigDict(extra="forbid")
    # Loose types only: CarrierLimits checks the bounds, the same for REST, pages and the CLI.
    max_weight: Decimal = Field(DEFAULT_LIMITS.max_weight, description="kg")
    max_copies: int = DEFAULT_LIMITS.max_copies
    session.commit()
    packaging_weight: Decimal = Field(DEFAULT_LIMITS.packaging_weight, description="kg")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def programme_json(programme: Programme) -> dict[str, Any]:
    """A programme as the API shows it."""
    return {
        "id": programme.id, "kind": programme.kind, "year": programme.year, "name": programme.name,
        "state": programme.state, "surplus_destination": programme.surplus_destination,
        "created_by": programme.created_by,
        "created_at": programme.created_at.isoformat() if programme.created_at else None,
    }  # fmt: skip


def title_json(title: ProgrammeTitle) -> dict[str, Any]:
    """A programme title as the API shows it (money and weight as exact decimal strings)."""
    return {
        "id": title.id, "edition_id": title.edition_id, "isbn": title.isbn or "", "title": title.title,
        "author": title.author, "publisher": title.publisher, "year": title.year,
        "price": _money(title.price), "copy_weight": _money(title.copy_weight),
        "source_row": title.source_row,
    session.commit()
    }  # fmt: skip


def load_json(result: LoadResult, t: Translator) -> dict[str, Any]:
    """A load's summary with its errors translated (row, column, message, the cell's text)."""
    summary = result.summary()
    summary["errors"] = [
        {"row": e.row, "column": e.column, "message": e.message(t.gettext), "value": e.value}
        for e in result.errors
    ]
    return summary


def file_response(content: bytes, fmt: str, filename: str, status_code: int = 200) -> Response:
    """A csv or xlsx download."""
    return Response(
        content, status_code=status_code, media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


def load_response(
    result: LoadResult, t: Translator, error_report: str | None, status_code: int = 200
) -> Response:
    """The summary; with errors 422 and every error, as JSON or as the error report file."""
    if result.ok:
        return JSONResponse(load_json(result, t), status_code=status_code)
    if error_report:
        out = io.BytesIO()
        write_error_report(out, result.errors, error_report, t.gettext)
        return file_response(
            out.getvalue(), error_report, f"{PurePath(result.file).stem}-errors.{error_report}", 422
        )
    body = {"detail": t.gettext(N_("У файлі є помилки; нічого не завантажено")), **load_json(result, t)}
    return JSONResponse(body, status_code=422)


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


def _delivery_json(row: queries.DeliveryRow) -> dict[str, Any]:
    """A delivery's document fields and its totals."""
    delivery = row.delivery
    return {
        "id": delivery.id, "number": delivery.number, "date": delivery.date.isoformat(),
        "supplier": delivery.supplier, "note": delivery.note, "created_by": delivery.created_by,
        "created_at": delivery.created_at.isoformat() if delivery.created_at else None,
        "received": row.received, "damaged": row.damaged, "wrong_title": row.wrong_title,
        "line_count": row.lines,
    }  # fmt: skip


# --- programmes -----------------------------------------------------------------------------------


@router.get("")
def list_programmes(
    session: SessionDep, _user: Reader, kind: Literal[PROGRAMME_KINDS] | None = None,  # type: ignore[valid-type]
    year: int | None = None, state: Literal[PROGRAMME_STATES] | None = None,  # type: ignore[valid-type]
) -> list[dict[str, Any]]:  # fmt: skip
    """Programmes, newest year first."""
    programmes = queries.find_programmes(session, kind=kind or "", year=year, state=state or "")
    return [programme_json(p) for p in programmes]


@router.post("", status_code=201, responses={422: {}})
def create(body: ProgrammeIn, session: SessionDep, user: Writer) -> dict[str, Any]:
    """Start a programme (state replenishment, exchange fund or gift campaign)."""
    programme = create_programme(session, actor=user.actor, name=body.name, year=body.year, kind=body.kind)
    return programme_json(programme)


@router.get("/{programme_id}", responses={404: {}})
def programme_detail(programme_id: int, session: SessionDep, _user: Reader) -> dict[str, Any]:
    """A programme with its totals: ordered, received, allocated, packed, dispatched, surplus."""
    programme = get_programme(session, programme_id)
    report = programme_report(session, programme_id)
    deliveries = queries.count_in_programme(session, Delivery, programme_id)
    return programme_json(programme) | {
        "titles": len(report["titles"]), "libraries": len(report["libraries"]),
        "deliveries": deliveries, "totals": report["totals"],
    }  # fmt: skip


# --- title list -----------------------------------------------------------------------------------


@router.post("/{programme_id}/titles", responses={404: {}, 422: {}})
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
def list_titles(programme_id: int, session: SessionDep, _user: Reader) -> list[dict[str, Any]]:
    """The title list in the order it was loaded."""
    get_programme(session, programme_id)
    return [title_json(title) for title in programme_titles(session, programme_id)]


# --- orders ---------------------------------------------------------------------------------------


@router.post("/{programme_id}/orders", responses={404: {}, 422: {}})
def upload_orders(
    programme_id: int, file: Upload, session: SessionDep, user: Writer, t: TranslatorDep,
    error_report: ErrorReport = None,
) -> Any:  # fmt: skip
    """Load orders (library_code, isbn or title_id, quantity); the same file again changes nothing."""
    get_programme(session, programme_id)
    stream, filename = readable_upload(file)
    result = load_orders(
        session, actor=user.actor, programme_id=programme_id, stream=stream, filename=filename
    )
    session.commit()
    return load_response(result, t, error_report)


@router.get("/{programme_id}/orders", responses={404: {}, 422: {}})
def list_orders(
    programme_id: int, session: SessionDep, _user: Reader, library_code: str | None = None,
    isbn: str | None = None, title_id: int | None = None, limit: Limit = 1000, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Orders by library and title, a page at a time."""
    get_programme(session, programme_id)
    rows, total = queries.order_rows(
        session, programme_id, library_code=library_code or "", isbn=_isbn_filter(isbn) if isbn else None,
        title_id=title_id, limit=limit, offset=offset,
    )  # fmt: skip
    return {"items": [asdict(row) for row in rows], "total": total, "limit": limit, "offset": offset}


# --- deliveries -----------------------------------------------------------------------------------


@dataclass(slots=True)
class DeliveryUpload:
    """A delivery as it arrived: a file with its form fields, or JSON lines turned into a csv."""

    stream: BinaryIO
    filename: str
    number: str | None
    on: datetime.date | None
    supplier: str
    field_of_row: Callable[[RowError], str] | None = None  # JSON: names a csv row's line and field


def _lines_csv(lines: Sequence[DeliveryLineIn]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["isbn", "title_id", "received", "damaged", "wrong_title"])
    for line in lines:
        writer.writerow([line.isbn or "", line.title_id or "", line.received, line.damaged, line.wrong_title])
    return buffer.getvalue().encode("utf-8")


async def delivery_input(request: Request) -> DeliveryUpload:
    """Read a delivery from multipart (file, number, date, supplier) or from JSON (``DeliveryIn``)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, StarletteUpload):
            raise InvalidProgrammeData(N_("Додайте файл"), field="file")
        on = None
        if form.get("date"):
            try:
                on = datetime.date.fromisoformat(str(form["date"]).strip())
            except ValueError:
                raise InvalidProgrammeData(N_("Дата у форматі РРРР-ММ-ДД"), field="date") from None
        stream, filename = readable_upload(upload)  # type: ignore[arg-type]
        return DeliveryUpload(stream, filename, str(form.get("number") or "") or None, on,
                              str(form.get("supplier") or ""))  # fmt: skip
    try:
        body = DeliveryIn.model_validate_json(await request.body())
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None
    return DeliveryUpload(
        io.BytesIO(_lines_csv(body.lines)),
        f"{body.number}.csv",
        body.number,
        body.date,
        body.supplier,
        lambda e: f"lines[{e.row - 2}].{e.column}",  # csv row 2 is the first line
    )


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` references replaced by the definitions (for openapi_extra)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


DELIVERY_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": _inline(DeliveryIn.model_json_schema())},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "csv or xlsx: isbn, received, damaged"},
        "number": {"type": "string", "description": "document number (default: the file's name)"},
        "date": {"type": "string", "format": "date"}, "supplier": {"type": "string"}}}},
}}}  # fmt: skip


@router.post("/{programme_id}/deliveries", status_code=201, responses={404: {}, 409: {}, 422: {}},
             openapi_extra=DELIVERY_BODY)  # fmt: skip
def create_delivery(
    programme_id: int, session: SessionDep, user: Writer, t: TranslatorDep,
    delivery: Annotated[DeliveryUpload, Depends(delivery_input)], error_report: ErrorReport = None,
) -> Any:  # fmt: skip
    """Register a supplier's delivery; one document number is counted once per programme."""
    get_programme(session, programme_id)
    result = receive_delivery(
        session, actor=user.actor, programme_id=programme_id, stream=delivery.stream,
        filename=delivery.filename, number=delivery.number, delivered_on=delivery.on,
        supplier=delivery.supplier,
    )  # fmt: skip
    if result.ok or delivery.field_of_row is None or error_report:
        return load_response(result, t, error_report, status_code=201)
    errors = [{"field": delivery.field_of_row(e), "message": e.message(t.gettext)} for e in result.errors]
    return JSONResponse({"detail": t.gettext(N_("Перевірте виділені поля")), "errors": errors}, 422)


@router.get("/{programme_id}/deliveries", responses={404: {}})
def list_deliveries(programme_id: int, session: SessionDep, _user: Reader) -> list[dict[str, Any]]:
    """Deliveries in the order they were registered, with their totals."""
    get_programme(session, programme_id)
    return [_delivery_json(row) for row in queries.list_deliveries(session, programme_id, newest_first=False)]


@router.get("/{programme_id}/deliveries/{delivery_id}", responses={404: {}})
def get_delivery(programme_id: int, delivery_id: int, session: SessionDep, _user: Reader) -> dict[str, Any]:
    """A delivery and its lines (title, received, damaged, wrong title)."""
    get_programme(session, programme_id)
    row = queries.delivery_totals(session, programme_id, delivery_id)
    if row is None:
        raise NotFoundError(N_("Надходження {id} не знайдено"), params={"id": delivery_id})
    titles = queries.titles_of(session, (line.title_id for line in row.delivery.lines))
    lines = [
        {"title_id": line.title_id, "isbn": titles[line.title_id].isbn or "",
         "title": titles[line.title_id].title, "received": line.received, "damaged": line.damaged,
         "wrong_title": line.wrong_title}
        for line in sorted(row.delivery.lines, key=lambda line: line.id)
    ]  # fmt: skip
    return _delivery_json(row) | {"lines": lines}


# --- allocation -----------------------------------------------------------------------------------


def allocation_summary(session: Session, programme_id: int) -> dict[str, Any]:
    """Ordered, allocated and surplus copies now stored for the programme."""
    rows = allocation_rows(session, programme_id)
    report = programme_report(session, programme_id)
    return {
        "ordered": sum(r["ordered"] for r in rows), "allocated": sum(r["allocated"] for r in rows),
        "libraries": len({r["library_code"] for r in rows if r["allocated"]}),
        "titles": len({r["title_id"] for r in rows if r["allocated"]}),
        "surplus": report["totals"]["surplus"],
        "surplus_destination": report["programme"]["surplus_destination"],
        "state": report["programme"]["state"],
    }  # fmt: skip


@router.post("/{programme_id}/allocation", responses={404: {}, 422: {}})
def allocate(
    programme_id: int, session: SessionDep, user: Writer,
    body: Annotated[AllocationIn | None, Body()] = None,
) -> dict[str, Any]:  # fmt: skip
    """Allocate what was received over the orders (largest remainder); hand changes are kept."""
    body = body or AllocationIn()
    for name in ("priority_statuses", "held_statuses"):
        unknown = sorted(set(getattr(body, name)) - set(STATUSES))
        if unknown:
            raise InvalidProgrammeData(N_("Невідомий статус бібліотеки {status}"), field=name,
                                       params={"status": ", ".join(unknown)})  # fmt: skip
    get_programme(session, programme_id)
    allocate_programme(
        session, actor=user.actor, programme_id=programme_id,
        surplus_destination=body.surplus_destination, priority_statuses=body.priority_statuses,
        held_statuses=body.held_statuses, reset=body.reset,
    )  # fmt: skip
    return allocation_summary(session, programme_id)


@router.get("/{programme_id}/allocation", responses={404: {}})
def list_allocation(
    programme_id: int, session: SessionDep, _user: Reader, library_code: str | None = None,
    title_id: int | None = None, limit: Limit = 1000, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Library × title rows: ordered and allocated, a page at a time."""
    rows = allocation_rows(session, programme_id)
    if library_code:
        rows = [r for r in rows if r["library_code"] == library_code.strip().upper()]
    if title_id is not None:
        rows = [r for r in rows if r["title_id"] == title_id]
    return {"items": rows[offset : offset + limit], "total": len(rows), "limit": limit, "offset": offset}


@router.patch("/{programme_id}/allocation", responses={404: {}, 409: {}, 422: {}})
def adjust(
    programme_id: int, body: AdjustmentsIn, session: SessionDep, user: Writer, t: TranslatorDep
) -> Any:
    """Set quantities by hand: never more than received, nor than ordered unless allowed (409)."""
    get_programme(session, programme_id)
    rows = [{ROW_FIELD: i, **change.model_dump()} for i, change in enumerate(body.changes)]
    changes, errors = resolve_adjustments(session, programme_id, rows, lambda i: f"changes[{i}]")
    if errors:
        return JSONResponse({
            "detail": t.gettext(N_("Перевірте виділені поля")),
            "errors": [{"field": f"changes[{e.row}].{e.column}", "message": e.message(t.gettext)}
                       for e in errors],
        }, status_code=422)  # fmt: skip
    adjust_allocation(session, actor=user.actor, programme_id=programme_id, changes=changes,
                      allow_over_order=body.allow_over_order)  # fmt: skip
    changed = set(changes)
    rows = [r for r in allocation_rows(session, programme_id)
            if (r["library_code"], r["title_id"]) in changed]  # fmt: skip
    return {"items": rows, "summary": allocation_summary(session, programme_id)}


# --- packing --------------------------------------------------------------------------------------


@router.post("/{programme_id}/packing", responses={404: {}, 422: {}})
def pack(
    programme_id: int, session: SessionDep, user: Writer, body: Annotated[PackingIn | None, Body()] = None
) -> dict[str, Any]:
    """Plan parcels per library from the stored allocation, within the carrier's limits."""
    body = body or PackingIn()
    get_programme(session, programme_id)
    limits = CarrierLimits(max_weight=body.max_weight, max_copies=body.max_copies,
                           packaging_weight=body.packaging_weight)  # fmt: skip
    pack_programme(session, actor=user.actor, programme_id=programme_id, limits=limits)
    totals = queries.parcel_totals(session, programme_id)
    return asdict(totals) | {"weight": str(totals.weight)}


@router.get("/{programme_id}/parcels", responses={404: {}})
def list_parcels(
    programme_id: int, session: SessionDep, _user: Reader, library_code: str | None = None,
    limit: Limit = 1000, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Parcels with their packing lists, by library and number."""
    get_programme(session, programme_id)
    page, total = queries.parcel_rows(
        session, programme_id, library_code=library_code or "", limit=limit, offset=offset
    )
    titles = queries.titles_of(session, (line.title_id for parcel, _ in page for line in parcel.lines))
    items = [
        {"id": parcel.id, "library_code": library.code, "shipment_id": parcel.shipment_id,
         "number": parcel.number, "weight": str(parcel.weight),
         "copies": parcel.copies, "oversize": parcel.oversize, "state": parcel.state,
         "lines": [{"title_id": line.title_id, "isbn": titles[line.title_id].isbn or "",
                    "title": titles[line.title_id].title, "copies": line.copies}
                   for line in sorted(parcel.lines, key=lambda line: line.title_id)]}
        for parcel, library in page
    ]  # fmt: skip
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# --- report ---------------------------------------------------------------------------------------


@router.get("/{programme_id}/report", responses={404: {}})
def report(
    programme_id: int, session: SessionDep, _user: Reader,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
) -> Any:  # fmt: skip
    """Per title and per library: ordered, received, allocated, packed, dispatched, confirmed."""
    data = programme_report(session, programme_id)
    if fmt == "json":
        return data
    out = io.BytesIO()
    write_report(data, out, fmt)
    return file_response(out.getvalue(), fmt, f"programme-{programme_id}-report.{fmt}")
