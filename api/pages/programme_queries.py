"""Read-only look-ups the programme pages need and the service layer does not offer yet.

Lists with filters and pages (programmes with their totals, orders, deliveries, parcels with
their packing lists). Every write goes through ``distribution.programmes`` and
``distribution.fulfilment``; nothing here changes data. These belong in ``distribution`` as
list services once its owners are free to take them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from distribution.libraries import Library
from distribution.models import (
    AllocationLine,
    Delivery,
    DeliveryLine,
    Order,
    Parcel,
    Programme,
    ProgrammeTitle,
)
from marc.isbn import parse_isbn

PER_PAGE = 100


@dataclass(slots=True)
class Page:
    """One page of a longer list: its items, where it is, how many there are in all."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_of(items: Sequence[Any], page: int, per_page: int = PER_PAGE) -> Page:
    """A page cut from a list already in memory."""
    page = max(1, page)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))


# --- programmes ------------------------------------------------------------------------------------


@dataclass(slots=True)
class ProgrammeRow:
    """A programme in the list, with its ordered / received / allocated copies."""

    programme: Programme
    ordered: int = 0
    received: int = 0
    allocated: int = 0


def list_programmes(
    session: Session, *, kind: str = "", year: int | None = None, state: str = "", q: str = ""
) -> list[ProgrammeRow]:
    """Programmes, newest year first, filtered by kind, year, state and a word of the name."""
    stmt = select(Programme).order_by(Programme.year.desc(), Programme.id.desc())
    if kind:
        stmt = stmt.where(Programme.kind == kind)
    if year:
        stmt = stmt.where(Programme.year == year)
    if state:
        stmt = stmt.where(Programme.state == state)
    programmes = list(session.scalars(stmt))
    words = q.strip().casefold()
    if words:  # in Python: SQLite's LIKE folds only ASCII, and there are few programmes
        programmes = [p for p in programmes if words in p.name.casefold()]
    rows = {p.id: ProgrammeRow(p) for p in programmes}
    if not rows:
        return []
    ids = list(rows)
    sums = (
        (
            "ordered",
            select(Order.programme_id, func.sum(Order.quantity))
            .where(Order.programme_id.in_(ids))
            .group_by(Order.programme_id),
        ),
        (
            "received",
            select(Delivery.programme_id, func.sum(DeliveryLine.received))
            .join(DeliveryLine)
            .where(Delivery.programme_id.in_(ids))
            .group_by(Delivery.programme_id),
        ),
        (
            "allocated",
            select(AllocationLine.programme_id, func.sum(AllocationLine.quantity))
            .where(AllocationLine.programme_id.in_(ids))
            .group_by(AllocationLine.programme_id),
        ),
    )
    for name, stmt in sums:
        for programme_id, total in session.execute(stmt):
            setattr(rows[programme_id], name, int(total or 0))
    return list(rows.values())


def programme_years(session: Session) -> list[int]:
    """The years programmes exist for (the list's year filter)."""
    return list(session.scalars(select(Programme.year).distinct().order_by(Programme.year.desc())))


def step_counts(session: Session, programme_id: int) -> dict[str, int]:
    """How many titles, orders, deliveries, allocation lines and parcels the programme has."""
    tables = {
        "titles": ProgrammeTitle,
        "orders": Order,
        "deliveries": Delivery,
        "allocation": AllocationLine,
        "parcels": Parcel,
    }
    return {
        name: int(
            session.scalar(select(func.count()).select_from(table).where(table.programme_id == programme_id))
            or 0
        )
        for name, table in tables.items()
    }


# --- titles and orders -----------------------------------------------------------------------------


def search_titles(titles: Sequence[ProgrammeTitle], q: str) -> list[ProgrammeTitle]:
    """Titles whose ISBN, title, author or publisher contains ``q`` (any case, any alphabet)."""
    words = q.strip().casefold()
    if not words:
        return list(titles)
    digits = words.replace("-", "").replace(" ", "")
    return [
        t
        for t in titles
        if (digits and digits in (t.isbn or ""))
        or words in f"{t.title}\n{t.author}\n{t.publisher}".casefold()
    ]


def normalised_isbn(value: str) -> str:
    """An ISBN as the tables store it (ISBN-13 digits); what cannot parse, only de-hyphenated."""
    value = value.strip()
    if not value:
        return ""
    parsed = parse_isbn(value)
    return parsed.value if parsed.valid else value.replace("-", "").replace(" ", "")


def orders_page(
    session: Session,
    programme_id: int,
    *,
    library: str = "",
    isbn: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """The programme's orders by library code and title, filtered by code prefix and ISBN."""
    stmt = (
        select(
            Library.code,
            Library.name,
            ProgrammeTitle.id,
            ProgrammeTitle.isbn,
            ProgrammeTitle.title,
            Order.quantity,
            Order.source_file,
            Order.source_row,
        )
        .join(Library, Library.id == Order.library_id)
        .join(ProgrammeTitle, ProgrammeTitle.id == Order.title_id)
        .where(Order.programme_id == programme_id)
    )
    code = library.strip().upper()
    if code:
        stmt = stmt.where(Library.code.startswith(code, autoescape=True))
    wanted = normalised_isbn(isbn)
    if wanted:
        stmt = stmt.where(ProgrammeTitle.isbn.contains(wanted, autoescape=True))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    page = max(1, page)
    rows = session.execute(
        stmt.order_by(Library.code, ProgrammeTitle.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(rows, page, per_page, total)


# --- deliveries ------------------------------------------------------------------------------------


def list_deliveries(session: Session, programme_id: int) -> list[Any]:
    """Deliveries, newest first, each with its line count and received / damaged / wrong copies."""
    stmt = (
        select(
            Delivery,
            func.count(DeliveryLine.id),
            func.sum(DeliveryLine.received),
            func.sum(DeliveryLine.damaged),
            func.sum(DeliveryLine.wrong_title),
        )
        .outerjoin(DeliveryLine, DeliveryLine.delivery_id == Delivery.id)
        .where(Delivery.programme_id == programme_id)
        .group_by(Delivery.id)
        .order_by(Delivery.date.desc(), Delivery.id.desc())
    )
    return [(d, n, int(r or 0), int(dm or 0), int(w or 0)) for d, n, r, dm, w in session.execute(stmt)]


def get_delivery(session: Session, programme_id: int, delivery_id: int) -> Delivery | None:
    """One delivery of the programme (None when it is not this programme's)."""
    delivery = session.get(Delivery, delivery_id)
    return delivery if delivery is not None and delivery.programme_id == programme_id else None


def titles_by_id(session: Session, programme_id: int) -> dict[int, ProgrammeTitle]:
    """The programme's titles by id (to name the titles of lines)."""
    stmt = select(ProgrammeTitle).where(ProgrammeTitle.programme_id == programme_id)
    return {t.id: t for t in session.scalars(stmt)}


# --- allocation and parcels ------------------------------------------------------------------------


def adjusted_by(session: Session, programme_id: int) -> dict[tuple[str, int], str]:
    """Who changed an allocation line by hand, per (library code, title id)."""
    stmt = (
        select(Library.code, AllocationLine.title_id, AllocationLine.adjusted_by)
        .join(Library, Library.id == AllocationLine.library_id)
        .where(AllocationLine.programme_id == programme_id, AllocationLine.adjusted_by != "")
    )
    return {(code, title): who for code, title, who in session.execute(stmt)}


@dataclass(slots=True)
class LibraryParcels:
    """One library's parcels, in number order, with its totals."""

    library: Library
    parcels: list[Parcel] = field(default_factory=list)

    @property
    def copies(self) -> int:
        return sum(p.copies for p in self.parcels)

    @property
    def weight(self) -> Decimal:
        return sum((p.weight for p in self.parcels), Decimal(0))


def parcels_by_library(session: Session, programme_id: int, *, library: str = "") -> list[LibraryParcels]:
    """The programme's parcels (with lines) by library code; ``library`` filters by code prefix."""
    stmt = (
        select(Parcel, Library)
        .join(Library, Library.id == Parcel.library_id)
        .where(Parcel.programme_id == programme_id)
        .options(selectinload(Parcel.lines))
        .order_by(Library.code, Parcel.number)
    )
    code = library.strip().upper()
    if code:
        stmt = stmt.where(Library.code.startswith(code, autoescape=True))
    grouped: dict[str, LibraryParcels] = {}
    for parcel, owner in session.execute(stmt):
        grouped.setdefault(owner.code, LibraryParcels(owner)).parcels.append(parcel)
    return list(grouped.values())


def parcel_states(groups: Sequence[LibraryParcels]) -> dict[str, int]:
    """How many parcels are in each state."""
    counts: dict[str, int] = defaultdict(int)
    for group in groups:
        for parcel in group.parcels:
            counts[parcel.state] += 1
    return dict(counts)
