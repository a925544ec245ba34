"""``/api/v1/programmes/{id}/…``: a programme's later steps — deliveries, allocation, packing, report.

Same access as ``api.routes.programmes`` (its ``Reader`` / ``Writer``), and the same prefix and tag,
so the URLs and the OpenAPI operations are those the single module had.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile as StarletteUpload

from api.deps import SessionDep, TranslatorDep
from api.presenters.downloads import XLSX, file_response
from api.presenters.programme_report import ProgrammeReportOut, report_out
from api.presenters.programmes import (
    AdjustedOut,
    AllocationRowOut,
    AllocationSummaryOut,
    DeliveryDetailOut,
    DeliveryOut,
    LoadSummaryOut,
    PackingTotalsOut,
    Page,
    ParcelOut,
    allocation_summary,
    delivery_detail_out,
    delivery_out,
    packing_totals_out,
    parcels_out,
)
from api.routes.programmes import (
    LOAD_RESPONSES,
    ErrorReport,
    Limit,
    Offset,
    Reader,
    Writer,
    load_response,
    readable_upload,
)
from collection.errors import N_, NotFoundError
from distribution.allocation.adjustments import resolve_adjustments
from distribution.allocation.services import adjust_allocation, allocate_programme, allocation_rows
from distribution.errors import InvalidProgrammeData
from distribution.libraries.models import STATUSES
from distribution.programmes import queries
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.report import programme_report, write_report
from distribution.programmes.services import get_programme
from distribution.shipping.packing import pack_programme
from distribution.shipping.rules import CarrierLimits
from distribution.spreadsheets import ROW_FIELD, RowError

DEFAULT_LIMITS = CarrierLimits()

router = APIRouter(prefix="/programmes", tags=["programmes"])


# --- shapes ---------------------------------------------------------------------------------------


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
    held_statuses: list[str] = Field(
        default=[], description="Statuses whose libraries get nothing (e.g. occupied)"
    )
    reset: bool = Field(default=False, description="Discard hand adjustments (packed or sent copies stay)")


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
    max_weight: Decimal = Field(default=DEFAULT_LIMITS.max_weight, description="kg")
    max_copies: int = DEFAULT_LIMITS.max_copies
    packaging_weight: Decimal = Field(default=DEFAULT_LIMITS.packaging_weight, description="kg")


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


@router.post("/{programme_id}/deliveries", status_code=201, response_model=LoadSummaryOut,
             responses={**LOAD_RESPONSES, 409: {}}, openapi_extra=DELIVERY_BODY)  # fmt: skip
def create_delivery(
    programme_id: int, session: SessionDep, user: Writer, t: TranslatorDep,
    delivery: Annotated[DeliveryUpload, Depends(delivery_input)], error_report: ErrorReport = None,
) -> Any:  # fmt: skip
    """Register a supplier's delivery; one document number is counted once per programme."""
    get_programme(session, programme_id)
    lines = parse_delivery_file(delivery.stream, delivery.filename)  # files are parsed here, at the edge
    result = receive_delivery(
        session, actor=user.actor, programme_id=programme_id, lines=lines, number=delivery.number,
        delivered_on=delivery.on, supplier=delivery.supplier,
    )  # fmt: skip
    session.commit()
    if result.ok or delivery.field_of_row is None or error_report:
        return load_response(result, t, error_report, status_code=201)
    errors = [{"field": delivery.field_of_row(e), "message": e.message(t.gettext)} for e in result.errors]
    return JSONResponse({"detail": t.gettext(N_("Перевірте виділені поля")), "errors": errors}, 422)


@router.get("/{programme_id}/deliveries", responses={404: {}})
def list_deliveries(programme_id: int, session: SessionDep, _user: Reader) -> list[DeliveryOut]:
    """Deliveries in the order they were registered, with their totals."""
    get_programme(session, programme_id)
    return [delivery_out(row) for row in queries.list_deliveries(session, programme_id, newest_first=False)]


@router.get("/{programme_id}/deliveries/{delivery_id}", responses={404: {}})
def get_delivery(
    programme_id: int, delivery_id: int, session: SessionDep, _user: Reader
) -> DeliveryDetailOut:
    """A delivery and its lines (title, received, damaged, wrong title)."""
    get_programme(session, programme_id)
    row = queries.delivery_totals(session, programme_id, delivery_id)
    if row is None:
        raise NotFoundError(N_("Надходження {id} не знайдено"), params={"id": delivery_id})
    return delivery_detail_out(session, row)


# --- allocation -----------------------------------------------------------------------------------


@router.post("/{programme_id}/allocation", responses={404: {}, 422: {}})
def allocate(
    programme_id: int, session: SessionDep, user: Writer,
    body: Annotated[AllocationIn | None, Body()] = None,
) -> AllocationSummaryOut:  # fmt: skip
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
    session.commit()
    return allocation_summary(session, programme_id)


@router.get("/{programme_id}/allocation", responses={404: {}})
def list_allocation(
    programme_id: int, session: SessionDep, _user: Reader, library_code: str | None = None,
    title_id: int | None = None, limit: Limit = 1000, offset: Offset = 0,
) -> Page[AllocationRowOut]:  # fmt: skip
    """Library × title rows: ordered and allocated, a page at a time."""
    rows = allocation_rows(session, programme_id)
    if library_code:
        rows = [r for r in rows if r["library_code"] == library_code.strip().upper()]
    if title_id is not None:
        rows = [r for r in rows if r["title_id"] == title_id]
    items = [AllocationRowOut(**row) for row in rows[offset : offset + limit]]
    return Page[AllocationRowOut](items=items, total=len(rows), limit=limit, offset=offset)


@router.patch("/{programme_id}/allocation", response_model=AdjustedOut, responses={404: {}, 409: {}, 422: {}})
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
    session.commit()
    changed = set(changes)
    rows = [r for r in allocation_rows(session, programme_id)
            if (r["library_code"], r["title_id"]) in changed]  # fmt: skip
    items = [AllocationRowOut(**row) for row in rows]
    return AdjustedOut(items=items, summary=allocation_summary(session, programme_id))


# --- packing --------------------------------------------------------------------------------------


@router.post("/{programme_id}/packing", responses={404: {}, 422: {}})
def pack(
    programme_id: int, session: SessionDep, user: Writer, body: Annotated[PackingIn | None, Body()] = None
) -> PackingTotalsOut:
    """Plan parcels per library from the stored allocation, within the carrier's limits."""
    body = body or PackingIn()
    get_programme(session, programme_id)
    limits = CarrierLimits(max_weight=body.max_weight, max_copies=body.max_copies,
                           packaging_weight=body.packaging_weight)  # fmt: skip
    pack_programme(session, actor=user.actor, programme_id=programme_id, limits=limits)
    session.commit()
    totals = queries.parcel_totals(session, programme_id)
    return packing_totals_out(totals)


@router.get("/{programme_id}/parcels", responses={404: {}})
def list_parcels(
    programme_id: int, session: SessionDep, _user: Reader, library_code: str | None = None,
    limit: Limit = 1000, offset: Offset = 0,
) -> Page[ParcelOut]:  # fmt: skip
    """Parcels with their packing lists, by library and number."""
    get_programme(session, programme_id)
    page, total = queries.parcel_rows(
        session, programme_id, library_code=library_code or "", limit=limit, offset=offset
    )
    return Page[ParcelOut](items=parcels_out(session, page), total=total, limit=limit, offset=offset)


# --- report ---------------------------------------------------------------------------------------


@router.get("/{programme_id}/report", response_model=ProgrammeReportOut, responses={
    200: {"description": "The report as JSON, or as a csv or xlsx file (``format``)",
          "content": {"text/csv": {}, XLSX: {}}},
    404: {},
})  # fmt: skip
def report(
    programme_id: int, session: SessionDep, _user: Reader,
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
) -> Any:  # fmt: skip
    """Per title and per library: ordered, received, allocated, packed, dispatched, confirmed."""
    data = programme_report(session, programme_id)
    if fmt == "json":
        return report_out(data)
    out = io.BytesIO()
    write_report(data, out, fmt)
    return file_response(out.getvalue(), fmt, f"programme-{programme_id}-report.{fmt}")
