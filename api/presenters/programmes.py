"""What a programme and its steps look like in REST answers: titles, orders, deliveries, parcels."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from api.presenters.programme_report import ReportTotalsOut
from api.presenters.shipments import ParcelLineOut
from distribution.allocation.services import allocation_rows
from distribution.libraries.models import Library
from distribution.programmes import queries
from distribution.programmes.models import Delivery, Programme, ProgrammeTitle
from distribution.programmes.report import programme_report
from distribution.programmes.services import LoadResult
from distribution.shipping.models import Parcel


class ProgrammeOut(BaseModel):
    """A programme as the API shows it."""

    id: int
    kind: str
    year: int
    name: str
    state: str
    surplus_destination: str | None
    created_by: str
    created_at: str | None  # ISO, as stored (with its zone where the database keeps one)


class ProgrammeDetailOut(ProgrammeOut):
    """A programme with its totals: ordered, received, allocated, packed, dispatched, surplus."""

    titles: int
    libraries: int
    deliveries: int
    totals: ReportTotalsOut


class TitleOut(BaseModel):
    """A programme title (money and weight as exact decimal strings)."""

    id: int
    edition_id: int
    isbn: str
    title: str
    author: str
    publisher: str
    year: str
    price: Decimal | None
    copy_weight: Decimal | None
    source_row: int | None


class OrderOut(BaseModel):
    """One library's order of one title."""

    id: int
    library_code: str
    title_id: int
    isbn: str
    title: str
    quantity: int
    source_file: str
    source_row: int | None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of rows and how many there are in all."""

    items: list[T]
    total: int
    limit: int
    offset: int


class LoadErrorOut(BaseModel):
    """A refused row of a loaded file: row number (header = 1), column, message, the cell's text."""

    row: int
    column: str
    message: str
    value: str


class LoadSummaryOut(BaseModel):
    """What loading a file did; loaders add their own counters (a delivery's id and totals, …)."""

    model_config = ConfigDict(extra="allow")

    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[LoadErrorOut]


class LoadRefusedOut(LoadSummaryOut):
    """A file with errors: nothing was loaded; every refused row is listed."""

    detail: str


class DeliveryOut(BaseModel):
    """A delivery's document fields and its totals."""

    id: int
    number: str
    date: datetime.date
    supplier: str
    note: str
    created_by: str
    created_at: str | None
    received: int
    damaged: int
    wrong_title: int
    line_count: int


class DeliveryLineOut(BaseModel):
    """Copies of one title in a delivery."""

    title_id: int
    isbn: str
    title: str
    received: int
    damaged: int
    wrong_title: int


class DeliveryDetailOut(DeliveryOut):
    """A delivery and its lines."""

    lines: list[DeliveryLineOut]


class AllocationRowOut(BaseModel):
    """One library × title: ordered and allocated copies."""

    library_code: str
    isbn: str
    title_id: int
    ordered: int
    allocated: int


class AllocationSummaryOut(BaseModel):
    """Ordered, allocated and surplus copies now stored for the programme."""

    ordered: int
    allocated: int
    libraries: int
    titles: int
    surplus: int
    surplus_destination: str | None
    state: str


class AdjustedOut(BaseModel):
    """The rows a hand adjustment changed, and the allocation's summary after it."""

    items: list[AllocationRowOut]
    summary: AllocationSummaryOut


class PackingTotalsOut(BaseModel):
    """What packing planned: parcels, libraries, copies, weight (kg) and oversize parcels."""

    parcels: int
    libraries: int
    copies: int
    weight: Decimal
    oversize: int


class ParcelOut(BaseModel):
    """A planned or sent parcel with its packing list."""

    id: int
    library_code: str
    shipment_id: int | None
    number: int
    weight: Decimal
    copies: int
    oversize: bool
    state: str
    lines: list[ParcelLineOut]


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def programme_out(programme: Programme) -> ProgrammeOut:
    """A programme as the API shows it."""
    return ProgrammeOut(
        id=programme.id, kind=programme.kind, year=programme.year, name=programme.name,
        state=programme.state, surplus_destination=programme.surplus_destination,
        created_by=programme.created_by, created_at=_iso(programme.created_at),
    )  # fmt: skip


def programme_detail_out(session: Session, programme: Programme) -> ProgrammeDetailOut:
    """A programme with the counts and totals of its report."""
    report = programme_report(session, programme.id)
    deliveries = queries.count_in_programme(session, Delivery, programme.id)
    return ProgrammeDetailOut(
        **programme_out(programme).model_dump(), titles=len(report["titles"]),
        libraries=len(report["libraries"]), deliveries=deliveries, totals=report["totals"],
    )  # fmt: skip


def title_out(title: ProgrammeTitle) -> TitleOut:
    """A programme title as the API shows it."""
    return TitleOut(
        id=title.id, edition_id=title.edition_id, isbn=title.isbn or "", title=title.title,
        author=title.author, publisher=title.publisher, year=title.year, price=title.price,
        copy_weight=title.copy_weight, source_row=title.source_row,
    )  # fmt: skip


def order_out(row: queries.OrderRow) -> OrderOut:
    """An order row as the API lists it."""
    return OrderOut(**asdict(row))


def load_json(result: LoadResult, gettext: Callable[[str], str] = str) -> LoadSummaryOut:
    """A load's summary with its errors translated by ``gettext`` (row, column, message, cell's text).

    REST passes the request's translation; the CLI prints the Ukrainian messages as they are.
    """
    summary = result.summary()
    summary["errors"] = [
        LoadErrorOut(row=e.row, column=e.column, message=e.message(gettext), value=e.value)
        for e in result.errors
    ]
    return LoadSummaryOut(**summary)


def delivery_out(row: queries.DeliveryRow) -> DeliveryOut:
    """A delivery's document fields and its totals."""
    delivery = row.delivery
    return DeliveryOut(
        id=delivery.id, number=delivery.number, date=delivery.date, supplier=delivery.supplier,
        note=delivery.note, created_by=delivery.created_by, created_at=_iso(delivery.created_at),
        received=row.received, damaged=row.damaged, wrong_title=row.wrong_title, line_count=row.lines,
    )  # fmt: skip


def delivery_detail_out(session: Session, row: queries.DeliveryRow) -> DeliveryDetailOut:
    """A delivery and its lines (title, received, damaged, wrong title)."""
    titles = queries.titles_of(session, (line.title_id for line in row.delivery.lines))
    lines = [
        DeliveryLineOut(title_id=line.title_id, isbn=titles[line.title_id].isbn or "",
                        title=titles[line.title_id].title, received=line.received, damaged=line.damaged,
                        wrong_title=line.wrong_title)
        for line in sorted(row.delivery.lines, key=lambda line: line.id)
    ]  # fmt: skip
    return DeliveryDetailOut(**delivery_out(row).model_dump(), lines=lines)


def allocation_summary(session: Session, programme_id: int) -> AllocationSummaryOut:
    """Ordered, allocated and surplus copies now stored for the programme."""
    rows = allocation_rows(session, programme_id)
    report = programme_report(session, programme_id)
    return AllocationSummaryOut(
        ordered=sum(r["ordered"] for r in rows), allocated=sum(r["allocated"] for r in rows),
        libraries=len({r["library_code"] for r in rows if r["allocated"]}),
        titles=len({r["title_id"] for r in rows if r["allocated"]}),
        surplus=report["totals"]["surplus"],
        surplus_destination=report["programme"]["surplus_destination"],
        state=report["programme"]["state"],
    )  # fmt: skip


def packing_totals_out(totals: queries.ParcelTotals) -> PackingTotalsOut:
    """What packing planned, added up."""
    return PackingTotalsOut(**asdict(totals))


def parcels_out(session: Session, page: list[tuple[Parcel, Library]]) -> list[ParcelOut]:
    """Parcels with their packing lists (titles loaded at once)."""
    titles = queries.titles_of(session, (line.title_id for parcel, _ in page for line in parcel.lines))
    return [
        ParcelOut(
            id=parcel.id, library_code=library.code, shipment_id=parcel.shipment_id, number=parcel.number,
            weight=parcel.weight, copies=parcel.copies, oversize=parcel.oversize, state=parcel.state,
            lines=[ParcelLineOut(title_id=line.title_id, isbn=titles[line.title_id].isbn or "",
                                 title=titles[line.title_id].title, copies=line.copies)
                   for line in sorted(parcel.lines, key=lambda line: line.title_id)])
        for parcel, library in page
    ]  # fmt: skip
