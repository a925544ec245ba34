"""Reading shipments: lists, one shipment with its parcels and lines, what a library receives."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from collection.errors import N_
from distribution.allocation.models import AllocationLine
from distribution.errors import ShipmentNotFound
from distribution.libraries.models import Library
from distribution.programmes.models import Programme, ProgrammeTitle
from distribution.programmes.queries import PER_PAGE, Page, titles_of
from distribution.shipping.models import (
    FROZEN_STATES,
    SHIPMENT_STATES,
    Parcel,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentLine,
)

# --- reading -----------------------------------------------------------------------------------


def committed(session: Session, programme_id: int) -> dict[tuple[int, int], int]:
    """Copies per (library id, title id) already packed or sent, less what was reported missing.

    Planned shipments do not count: packing again replaces them. Allocation may never go below
    these quantities, and packing only plans what is allocated beyond them.
    """
    result: dict[tuple[int, int], int] = defaultdict(int)
    sent = (
        select(Shipment.library_id, ShipmentLine.title_id, func.sum(ShipmentLine.copies))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.programme_id == programme_id, Shipment.state != "planned")
        .group_by(Shipment.library_id, ShipmentLine.title_id)
    )
    for library_id, title_id, copies in session.execute(sent):
        result[(library_id, title_id)] += int(copies or 0)
    reopened = (
        select(Shipment.library_id, ShipmentDiscrepancy.title_id, func.sum(ShipmentDiscrepancy.reopened))
        .join(Shipment, Shipment.id == ShipmentDiscrepancy.shipment_id)
        .where(Shipment.programme_id == programme_id)
        .group_by(Shipment.library_id, ShipmentDiscrepancy.title_id)
    )
    for library_id, title_id, copies in session.execute(reopened):
        result[(library_id, title_id)] -= int(copies or 0)
    return {key: copies for key, copies in result.items() if copies}


def list_shipments(
    session: Session,
    *,
    programme_id: int | None = None,
    library_id: int | None = None,
    states: Iterable[str] | None = None,
) -> list[Shipment]:
    """Shipments, newest first, with their lines; filtered by programme, library and states."""
    stmt = select(Shipment).options(selectinload(Shipment.lines)).order_by(Shipment.id.desc())
    if programme_id is not None:
        stmt = stmt.where(Shipment.programme_id == programme_id)
    if library_id is not None:
        stmt = stmt.where(Shipment.library_id == library_id)
    if states is not None:
        stmt = stmt.where(Shipment.state.in_(list(states)))
    return list(session.scalars(stmt))


def incoming_shipments(session: Session, library_id: int) -> list[Shipment]:
    """What a receiving library sees: its shipments from dispatch on (planned ones are internal)."""
    return list_shipments(session, library_id=library_id, states=FROZEN_STATES)


def get_shipment(session: Session, shipment_id: int, *, library_id: int | None = None) -> Shipment:
    """The shipment, or ``ShipmentNotFound``; a library (``library_id``) sees only its own, sent ones."""
    shipment = session.get(Shipment, shipment_id)
    if shipment is None or (
        library_id is not None and (shipment.library_id != library_id or not shipment.frozen)
    ):
        raise ShipmentNotFound(N_("Відправлення {id} не знайдено"), params={"id": shipment_id})
    return shipment


def shipment_parcels(session: Session, shipment_id: int) -> list[Parcel]:
    """The shipment's parcels in number order, with their lines."""
    return list(
        session.scalars(
            select(Parcel)
            .options(selectinload(Parcel.lines))
            .where(Parcel.shipment_id == shipment_id)
            .order_by(Parcel.number)
        )
    )


def corrections_of(session: Session, shipment_id: int) -> list[Shipment]:
    """Correction documents issued for a shipment, oldest first."""
    return list(
        session.scalars(select(Shipment).where(Shipment.corrects_id == shipment_id).order_by(Shipment.id))
    )


def library_of(session: Session, shipment: Shipment) -> Library:
    """The receiving library."""
    library = session.get(Library, shipment.library_id)
    assert library is not None
    return library


@dataclass(frozen=True, slots=True)
class ShipmentRow:
    """A shipment in the programme's list, with its library and totals."""

    shipment: Shipment
    library: Library
    copies: int
    parcels: int
    weight: Decimal


def shipment_rows(
    session: Session,
    programme_id: int,
    *,
    state: str = "",
    library: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of the programme's shipments by library code; ``library`` matches code prefix or name."""
    copies = (
        select(ShipmentLine.shipment_id, func.sum(ShipmentLine.copies).label("copies"))
        .group_by(ShipmentLine.shipment_id)
        .subquery()
    )
    parcels = (
        select(
            Parcel.shipment_id,
            func.count(Parcel.id).label("parcels"),
            func.sum(Parcel.weight).label("weight"),
        )
        .where(Parcel.shipment_id.is_not(None))
        .group_by(Parcel.shipment_id)
        .subquery()
    )
    where = [Shipment.programme_id == programme_id]
    if state in SHIPMENT_STATES:
        where.append(Shipment.state == state)
    if library:
        pattern = like_text(library)
        where.append(
            or_(
                Library.code.ilike(f"{pattern}%", escape="\\"),
                Library.name.ilike(f"%{pattern}%", escape="\\"),
            )
        )
    total = session.scalar(
        select(func.count(Shipment.id)).join(Library, Library.id == Shipment.library_id).where(*where)
    )
    page = max(1, page)
    stmt = (
        select(
            Shipment,
            Library,
            func.coalesce(copies.c.copies, 0),
            func.coalesce(parcels.c.parcels, 0),
            func.coalesce(parcels.c.weight, 0),
        )
        .join(Library, Library.id == Shipment.library_id)
        .outerjoin(copies, copies.c.shipment_id == Shipment.id)
        .outerjoin(parcels, parcels.c.shipment_id == Shipment.id)
        .where(*where)
        .order_by(Library.code, Shipment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        ShipmentRow(shipment, lib, int(n or 0), int(p or 0), Decimal(w or 0))
        for shipment, lib, n, p, w in session.execute(stmt)
    ]
    return Page(rows, page, per_page, int(total or 0))


def like_text(value: str) -> str:
    """User text for a LIKE pattern: its own % and _ match themselves."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def state_counts(session: Session, programme_id: int) -> dict[str, int]:
    """How many of the programme's shipments are in each state (every state, zeros included)."""
    counts = Counter({state: 0 for state in SHIPMENT_STATES})
    stmt = (
        select(Shipment.state, func.count(Shipment.id))
        .where(Shipment.programme_id == programme_id)
        .group_by(Shipment.state)
    )
    counts.update({state: int(n) for state, n in session.execute(stmt)})
    return dict(counts)


def planned_ids(session: Session, programme_id: int) -> list[int]:
    """Ids of the programme's planned shipments (for "mark all packed")."""
    stmt = select(Shipment.id).where(Shipment.programme_id == programme_id, Shipment.state == "planned")
    return list(session.scalars(stmt.order_by(Shipment.id)))


def unsent(session: Session, programme_id: int) -> list[tuple[str, str, str, str]]:
    """(number, library code, library name, library's carrier) of shipments not yet dispatched."""
    stmt = (
        select(Shipment.number, Library.code, Library.name, Library.carrier)
        .join(Library, Library.id == Shipment.library_id)
        .where(Shipment.programme_id == programme_id, Shipment.state.in_(("planned", "packed")))
        .order_by(Library.code, Shipment.id)
    )
    return [(number, code, name, carrier) for number, code, name, carrier in session.execute(stmt)]


# --- one shipment ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineRow:
    """A shipment line as the page shows it: the snapshot once sent, the title list before."""

    title_id: int
    title: str
    author: str
    isbn: str
    copies: int
    price: Decimal | None

    @property
    def total(self) -> Decimal | None:
        return None if self.price is None else self.price * self.copies


def line_rows(session: Session, shipment: Shipment) -> list[LineRow]:
    """The shipment's lines with title, ISBN and price (as sent when it has left)."""
    titles = titles_of(session, [line.title_id for line in shipment.lines])
    rows = []
    for line in shipment.lines:
        title = titles.get(line.title_id)
        if shipment.frozen or title is None:
            rows.append(LineRow(line.title_id, line.title, line.author, line.isbn, line.copies, line.price))
        else:
            rows.append(
                LineRow(line.title_id, title.title, title.author, title.isbn or "", line.copies, title.price)
            )
    return rows


def title_names(session: Session, shipment: Shipment, extra_ids: list[int] | None = None) -> dict[int, str]:
    """Title id → "title (ISBN)" for the shipment's lines, discrepancies and parcels."""
    ids = {line.title_id for line in shipment.lines} | {d.title_id for d in shipment.discrepancies}
    ids |= set(extra_ids or [])
    names = {}
    for title_id, title in titles_of(session, ids).items():
        names[title_id] = f"{title.title} ({title.isbn})" if title.isbn else title.title
    return names


def parcels_of(session: Session, shipment: Shipment) -> list[Parcel]:
    """The shipment's parcels in number order, with their lines."""
    return shipment_parcels(session, shipment.id)


def allocated_titles(session: Session, shipment: Shipment) -> list[tuple[int, str, int]]:
    """(title id, name, allocated) of titles allocated to the shipment's library but not in it:
    the titles a correction may add."""
    listed = {line.title_id for line in shipment.lines}
    stmt = (
        select(ProgrammeTitle.id, ProgrammeTitle.title, ProgrammeTitle.isbn, AllocationLine.quantity)
        .join(AllocationLine, AllocationLine.title_id == ProgrammeTitle.id)
        .where(
            AllocationLine.programme_id == shipment.programme_id,
            AllocationLine.library_id == shipment.library_id,
            AllocationLine.quantity > 0,
        )
        .order_by(ProgrammeTitle.title)
    )
    return [
        (title_id, f"{title} ({isbn})" if isbn else title, quantity)
        for title_id, title, isbn, quantity in session.execute(stmt)
        if title_id not in listed
    ]


def programme_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Programme id → name (for a library's incoming list)."""
    if not ids:
        return {}
    stmt = select(Programme.id, Programme.name).where(Programme.id.in_(ids))
    return {programme_id: name for programme_id, name in session.execute(stmt)}
