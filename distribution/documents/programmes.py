"""A programme's documents as plain data: the shipment register and the per-library summary.

Both add up many shipments, so copies, parcels and sums are counted in the database where they
can be. Sums are as sent for dispatched shipments and at current prices for unsent ones (see
``distribution.documents.parts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from collection.errors import N_
from distribution.allocation.models import AllocationLine
from distribution.documents.parts import ZERO, Party, ProgrammeRef, line_sum, money, party_of, programme_ref
from distribution.errors import InvalidShipmentData, LibraryNotFound
from distribution.libraries.models import Library
from distribution.programmes.models import Order, ProgrammeTitle
from distribution.programmes.services import get_programme
from distribution.shipping.models import (
    ACCEPTED_STATES,
    FROZEN_STATES,
    REOPENING_KINDS,
    SHIPMENT_STATES,
    Parcel,
    Shipment,
    ShipmentLine,
)

# --- shipment register (реєстр відправлень) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterRow:
    shipment_id: int
    number: str
    kind: str
    correction_of: str
    library_code: str
    library_name: str
    district: str
    carrier: str
    tracking_number: str
    parcels: int
    copies: int
    weight: Decimal
    total_sum: Decimal
    state: str
    dispatched_on: date | None
    delivered_on: date | None
    accepted_on: date | None


@dataclass(frozen=True, slots=True)
class RegisterTotals:
    shipments: int
    parcels: int
    copies: int
    weight: Decimal
    total_sum: Decimal


@dataclass(frozen=True, slots=True)
class ShipmentRegister:
    """A programme's shipments, one row each, filtered by state and dispatch date."""

    programme: ProgrammeRef
    states: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    rows: tuple[RegisterRow, ...]
    totals: RegisterTotals


def shipment_register(
    session: Session,
    programme_id: int,
    *,
    states: Iterable[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
) -> ShipmentRegister:
    """The register of the programme's shipments; a date range filters on the dispatch date.

    Sums are as sent for dispatched shipments and at current prices for unsent ones; copies,
    parcels and weight are added up in the database (a national programme has many shipments).
    """
    programme = get_programme(session, programme_id)
    states = tuple(dict.fromkeys(states))
    unknown = [s for s in states if s not in SHIPMENT_STATES]
    if unknown:
        raise InvalidShipmentData(N_("Недопустиме значення"), field="state")
    corrected = aliased(Shipment)
    stmt = (
        select(Shipment, Library.code, Library.name, Library.district, corrected.number)
        .join(Library, Library.id == Shipment.library_id)
        .outerjoin(corrected, corrected.id == Shipment.corrects_id)
        .where(Shipment.programme_id == programme_id)
        .order_by(Shipment.number)
    )
    if states:
        stmt = stmt.where(Shipment.state.in_(states))
    if date_from is not None:
        stmt = stmt.where(Shipment.dispatched_on >= date_from)
    if date_to is not None:
        stmt = stmt.where(Shipment.dispatched_on <= date_to)
    found = session.execute(stmt).all()
    copies, sums = _line_totals(session, programme_id)
    parcels = {
        sid: (count, weight)
        for sid, count, weight in session.execute(
            select(Parcel.shipment_id, func.count(Parcel.id), func.sum(Parcel.weight))
            .where(Parcel.programme_id == programme_id, Parcel.shipment_id.is_not(None))
            .group_by(Parcel.shipment_id)
        )
    }
    rows = []
    for shipment, code, name, district, corrected_number in found:
        count, weight = parcels.get(shipment.id, (0, 0))
        rows.append(RegisterRow(
            shipment_id=shipment.id, number=shipment.number, kind=shipment.kind,
            correction_of=corrected_number or "", library_code=code, library_name=name, district=district,
            carrier=shipment.carrier, tracking_number=shipment.tracking_number, parcels=int(count or 0),
            copies=copies.get(shipment.id, 0), weight=Decimal(str(weight or 0)),
            total_sum=sums.get(shipment.id, ZERO), state=shipment.state, dispatched_on=shipment.dispatched_on,
            delivered_on=shipment.delivered_on, accepted_on=shipment.accepted_on,
        ))  # fmt: skip
    totals = RegisterTotals(
        shipments=len(rows), parcels=sum(r.parcels for r in rows), copies=sum(r.copies for r in rows),
        weight=sum((r.weight for r in rows), Decimal("0")), total_sum=sum((r.total_sum for r in rows), ZERO),
    )  # fmt: skip
    return ShipmentRegister(programme_ref(programme), states, date_from, date_to, tuple(rows), totals)


def _line_totals(session: Session, programme_id: int) -> tuple[dict[int, int], dict[int, Decimal]]:
    """Copies and sums per shipment: frozen ones at the prices they left with, others at today's."""
    copies: dict[int, int] = {}
    sums: dict[int, Decimal] = {}
    frozen = Shipment.state.in_(FROZEN_STATES)
    for condition, price in ((frozen, ShipmentLine.price), (~frozen, ProgrammeTitle.price)):
        stmt = (
            select(
                ShipmentLine.shipment_id, func.sum(ShipmentLine.copies), func.sum(ShipmentLine.copies * price)
            )
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .join(ProgrammeTitle, ProgrammeTitle.id == ShipmentLine.title_id)
            .where(Shipment.programme_id == programme_id, condition)
            .group_by(ShipmentLine.shipment_id)
        )
        for sid, count, total in session.execute(stmt):
            copies[sid], sums[sid] = int(count or 0), money(total)
    return copies, sums


# --- per-library summary (зведення по бібліотеці) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryTotals:
    """Copies one library ordered … confirmed, what it reported missing, and sums: for one title
    (``SummaryLine``) or for all of them.

    ``shortage`` counts copies reported not received (shortage or wrong title); ``allocated_sum``
    is at the current price, ``dispatched_sum`` and ``confirmed_sum`` at the prices as sent.
    """

    ordered: int
    allocated: int
    dispatched: int
    confirmed: int
    shortage: int
    damaged: int
    allocated_sum: Decimal
    dispatched_sum: Decimal
    confirmed_sum: Decimal


SUMMARY_COPIES = ("ordered", "allocated", "dispatched", "confirmed", "shortage", "damaged")
SUMMARY_SUMS = ("allocated_sum", "dispatched_sum", "confirmed_sum")


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryLine(SummaryTotals):
    """One title for one library, with its totals."""

    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    price: Decimal | None


@dataclass(frozen=True, slots=True)
class LibrarySummary:
    """What one library ordered, was allocated, was sent and confirmed in a programme."""

    programme: ProgrammeRef
    library: Party
    shipments: tuple[str, ...]  # numbers of its shipments from dispatch on
    lines: tuple[SummaryLine, ...]
    totals: SummaryTotals


def library_summary(session: Session, programme_id: int, library_code: str) -> LibrarySummary:
    """The summary for the library ``library_code`` in the programme."""
    programme = get_programme(session, programme_id)
    library = session.scalars(select(Library).where(Library.code == library_code.strip().upper())).first()
    if library is None:
        raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": library_code})
    where = (Order.programme_id == programme_id, Order.library_id == library.id)
    ordered = dict(session.execute(select(Order.title_id, Order.quantity).where(*where)).all())
    allocated = dict(
        session.execute(
            select(AllocationLine.title_id, AllocationLine.quantity).where(
                AllocationLine.programme_id == programme_id, AllocationLine.library_id == library.id
            )
        ).all()
    )
    shipments = list(
        session.scalars(
            select(Shipment)
            .options(selectinload(Shipment.lines), selectinload(Shipment.discrepancies))
            .where(Shipment.programme_id == programme_id, Shipment.library_id == library.id,
                   Shipment.state.in_(FROZEN_STATES))
            .order_by(Shipment.number)
        )
    )  # fmt: skip
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for shipment in shipments:
        accepted = shipment.state in ACCEPTED_STATES
        price_sent = {line.title_id: line.price for line in shipment.lines}
        for line in shipment.lines:
            counts[line.title_id]["dispatched"] += line.copies
            sums[line.title_id]["dispatched"] += line_sum(line.price, line.copies)
            if accepted:
                counts[line.title_id]["confirmed"] += line.copies
                sums[line.title_id]["confirmed"] += line_sum(line.price, line.copies)
        for item in shipment.discrepancies:
            if item.kind in REOPENING_KINDS:
                counts[item.title_id]["shortage"] += item.quantity
                counts[item.title_id]["confirmed"] -= item.quantity
                sums[item.title_id]["confirmed"] -= line_sum(price_sent.get(item.title_id), item.quantity)
            elif item.kind == "damaged":
                counts[item.title_id]["damaged"] += item.quantity
    title_ids = set(ordered) | set(allocated) | set(counts)
    titles = (
        session.scalars(
            select(ProgrammeTitle).where(ProgrammeTitle.id.in_(title_ids)).order_by(ProgrammeTitle.id)
        ).all()
        if title_ids
        else []
    )
    lines = tuple(
        SummaryLine(
            number=n,
            title_id=t.id,
            author=t.author,
            title=t.title,
            isbn=t.isbn or "",
            price=t.price,
            ordered=ordered.get(t.id, 0),
            allocated=allocated.get(t.id, 0),
            dispatched=counts[t.id]["dispatched"],
            confirmed=counts[t.id]["confirmed"],
            shortage=counts[t.id]["shortage"],
            damaged=counts[t.id]["damaged"],
            allocated_sum=line_sum(t.price, allocated.get(t.id, 0)),
            dispatched_sum=sums[t.id]["dispatched"],
            confirmed_sum=sums[t.id]["confirmed"],
        )  # fmt: skip
        for n, t in enumerate(titles, start=1)
    )
    totals = SummaryTotals(
        *(sum(getattr(line, name) for line in lines) for name in SUMMARY_COPIES),
        *(sum((getattr(line, name) for line in lines), ZERO) for name in SUMMARY_SUMS),
    )
    return LibrarySummary(
        programme_ref(programme), party_of(library), tuple(s.number for s in shipments), lines, totals
    )
