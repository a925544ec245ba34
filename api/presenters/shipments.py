"""What a shipment looks like outside: in REST answers and in ``komplekt shipment … --json``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from distribution.libraries.models import Library
from distribution.programmes.models import ProgrammeTitle
from distribution.shipping import queries as shipping_queries
from distribution.shipping.models import Shipment, ShipmentLine


class ShipmentOut(BaseModel):
    """A shipment as lists show it."""

    id: int
    number: str
    kind: str
    state: str
    programme_id: int
    library_code: str
    library_name: str
    carrier: str
    tracking_number: str
    dispatched_on: datetime.date | None
    delivered_on: datetime.date | None
    accepted_on: datetime.date | None
    acceptance_number: str
    corrects_id: int | None
    copies: int
    note: str


class ShipmentLineOut(BaseModel):
    """A line as sent (frozen) or, before dispatch, described from the title list as it is now."""

    title_id: int
    isbn: str
    title: str
    author: str
    price: Decimal | None
    copies: int
    sum: Decimal | None


class ParcelLineOut(BaseModel):
    """Copies of one title in a parcel."""

    title_id: int
    isbn: str
    title: str
    copies: int


class ShipmentParcelOut(BaseModel):
    """A parcel of the shipment with its packing list."""

    number: int
    weight: Decimal
    copies: int
    oversize: bool
    state: str
    tracking_number: str
    lines: list[ParcelLineOut]


class DiscrepancyOut(BaseModel):
    """What the library reported wrong with one title."""

    id: int
    title_id: int
    isbn: str
    title: str
    kind: str
    quantity: int
    reopened: int
    written_off: int
    note: str
    reported_by: str


class CorrectionOut(BaseModel):
    """A correction document issued for the shipment."""

    id: int
    number: str
    state: str
    dispatched_on: datetime.date | None
    tracking_number: str
    copies: int
    note: str


class ShipmentRef(BaseModel):
    """The shipment a correction corrects."""

    id: int
    number: str


class ShipmentDetailOut(ShipmentOut):
    """A shipment with its lines, parcels, discrepancies and correction documents."""

    total: Decimal | None
    lines: list[ShipmentLineOut]
    parcels: list[ShipmentParcelOut]
    discrepancies: list[DiscrepancyOut]
    corrections: list[CorrectionOut]
    corrects: ShipmentRef | None


def libraries_by_id(session: Session, ids: Iterable[int]) -> dict[int, Library]:
    """The libraries with these ids, loaded in one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {lib.id: lib for lib in session.scalars(select(Library).where(Library.id.in_(wanted)))}


def titles_by_id(session: Session, ids: Iterable[int]) -> dict[int, ProgrammeTitle]:
    """The programme titles with these ids, loaded in one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {t.id: t for t in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.id.in_(wanted)))}


def shipment_out(shipment: Shipment, library: Library) -> ShipmentOut:
    """A shipment as lists show it."""
    return ShipmentOut(
        id=shipment.id, number=shipment.number, kind=shipment.kind, state=shipment.state,
        programme_id=shipment.programme_id, library_code=library.code, library_name=library.name,
        carrier=shipment.carrier, tracking_number=shipment.tracking_number,
        dispatched_on=shipment.dispatched_on, delivered_on=shipment.delivered_on,
        accepted_on=shipment.accepted_on, acceptance_number=shipment.acceptance_number,
        corrects_id=shipment.corrects_id, copies=shipment.copies, note=shipment.note,
    )  # fmt: skip


def shipments_out(session: Session, shipments: Sequence[Shipment]) -> list[ShipmentOut]:
    """Shipments as lists show them (their libraries loaded at once)."""
    libraries = libraries_by_id(session, (s.library_id for s in shipments))
    return [shipment_out(s, libraries[s.library_id]) for s in shipments]


def _line_out(line: ShipmentLine, title: ProgrammeTitle | None, frozen: bool) -> ShipmentLineOut:
    """A line as sent (frozen) or, before dispatch, described from the title list as it is now."""
    isbn, text, author, price = (
        (line.isbn, line.title, line.author, line.price) if frozen or title is None
        else (title.isbn or "", title.title, title.author, title.price)
    )  # fmt: skip
    total = None if price is None else price * line.copies
    return ShipmentLineOut(title_id=line.title_id, isbn=isbn, title=text, author=author, price=price,
                           copies=line.copies, sum=total)  # fmt: skip


def shipment_detail_out(session: Session, shipment: Shipment) -> ShipmentDetailOut:
    """A shipment with its lines, parcels, discrepancies and correction documents."""
    library = shipping_queries.library_of(session, shipment)
    parcels = shipping_queries.shipment_parcels(session, shipment.id)
    corrections = shipping_queries.corrections_of(session, shipment.id)
    corrected = session.get(Shipment, shipment.corrects_id) if shipment.corrects_id else None
    titles = titles_by_id(session, [
        *(line.title_id for line in shipment.lines), *(d.title_id for d in shipment.discrepancies),
        *(pl.title_id for parcel in parcels for pl in parcel.lines),
    ])  # fmt: skip
    lines = [_line_out(line, titles.get(line.title_id), shipment.frozen) for line in shipment.lines]
    described = {line.title_id: line for line in lines}

    def title_of(title_id: int) -> dict[str, str]:
        if title_id in described:
            return {"isbn": described[title_id].isbn, "title": described[title_id].title}
        title = titles.get(title_id)
        return {"isbn": (title.isbn or "") if title else "", "title": title.title if title else ""}

    totals = [line.sum for line in lines if line.sum is not None]
    return ShipmentDetailOut(
        **shipment_out(shipment, library).model_dump(),
        total=sum(totals, Decimal("0.00")) if totals else None,
        lines=lines,
        parcels=[
            ShipmentParcelOut(
                number=parcel.number, weight=parcel.weight, copies=parcel.copies, oversize=parcel.oversize,
                state=parcel.state, tracking_number=parcel.tracking_number,
                lines=[ParcelLineOut(title_id=pl.title_id, **title_of(pl.title_id), copies=pl.copies)
                       for pl in sorted(parcel.lines, key=lambda pl: pl.title_id)])
            for parcel in parcels
        ],
        discrepancies=[
            DiscrepancyOut(id=d.id, title_id=d.title_id, **title_of(d.title_id), kind=d.kind,
                           quantity=d.quantity, reopened=d.reopened, written_off=d.written_off,
                           note=d.note, reported_by=d.reported_by)
            for d in shipment.discrepancies
        ],
        corrections=[
            CorrectionOut(id=c.id, number=c.number, state=c.state, dispatched_on=c.dispatched_on,
                          tracking_number=c.tracking_number, copies=c.copies, note=c.note)
            for c in corrections
        ],
        corrects=ShipmentRef(id=corrected.id, number=corrected.number) if corrected else None,
    )  # fmt: skip
