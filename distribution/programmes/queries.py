"""Read-only lists of a programme for the pages and the REST API: programmes with their totals,
titles, orders, deliveries, hand adjustments and parcels.

Pages cut lists into numbered pages (``Page``), the REST API into ``limit``/``offset`` slices
(``(rows, total)``); both filter and count in SQL, since a national programme has thousands of
libraries. Nothing here writes: changes go through ``distribution.programmes.services`` and
``distribution.allocation.services``. A shipment's lists are in ``distribution.shipping.queries``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from collection.paging import PER_PAGE, Page, page_of
from distribution.allocation.models import AllocationLine
from distribution.libraries.models import Library
from distribution.programmes.models import Delivery, DeliveryLine, Order, Programme, ProgrammeTitle
from distribution.programmes.services import in_chunks
from distribution.shipping.models import Parcel
from marc.isbn import parse_isbn

__all__ = ["PER_PAGE", "Page", "page_of"]  # the one page type, re-exported for this package's callers


def count_rows(session: Session, stmt: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``stmt`` selects (before any limit)."""
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


# --- programmes ------------------------------------------------------------------------------------


@dataclass(slots=True)
class ProgrammeRow:
    """A programme in the list, with its ordered / received / allocated copies."""

    programme: Programme
    ordered: int = 0
    received: int = 0
    allocated: int = 0


def find_programmes(
    session: Session, *, kind: str = "", year: int | None = None, state: str = ""
) -> list[Programme]:
    """Programmes, newest year first, of a kind, year and state (blank or None: any)."""
    stmt = select(Programme).order_by(Programme.year.desc(), Programme.id.desc())
    if kind:
        stmt = stmt.where(Programme.kind == kind)
    if year is not None:
        stmt = stmt.where(Programme.year == year)
    if state:
        stmt = stmt.where(Programme.state == state)
    return list(session.scalars(stmt))


def list_programmes(
    session: Session, *, kind: str = "", year: int | None = None, state: str = "", q: str = ""
) -> list[ProgrammeRow]:
    """Programmes, newest year first, filtered by kind, year, state and a word of the name."""
    programmes = find_programmes(session, kind=kind, year=year or None, state=state)
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


STEP_TABLES: dict[str, Any] = {
    "titles": ProgrammeTitle,
    "orders": Order,
    "deliveries": Delivery,
    "allocation": AllocationLine,
    "parcels": Parcel,
}


def count_in_programme(session: Session, table: Any, programme_id: int) -> int:
    """How many rows of ``table`` (a model with a ``programme_id``) belong to the programme."""
    stmt = select(func.count()).select_from(table).where(table.programme_id == programme_id)
    return int(session.scalar(stmt) or 0)


def step_counts(session: Session, programme_id: int) -> dict[str, int]:
    """How many titles, orders, deliveries, allocation lines and parcels the programme has."""
    return {name: count_in_programme(session, table, programme_id) for name, table in STEP_TABLES.items()}


# --- titles --------------------------------------------------------------------------------------


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


def titles_by_id(session: Session, programme_id: int) -> dict[int, ProgrammeTitle]:
    """The programme's titles by id (to name the titles of lines)."""
    stmt = select(ProgrammeTitle).where(ProgrammeTitle.programme_id == programme_id)
    return {t.id: t for t in session.scalars(stmt)}


def titles_of(session: Session, title_ids: Iterable[int]) -> dict[int, ProgrammeTitle]:
    """The titles with these ids (to name the titles of a page of lines)."""
    found: dict[int, ProgrammeTitle] = {}
    for chunk in in_chunks(sorted(set(title_ids))):
        found.update(
            (t.id, t) for t in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.id.in_(chunk)))
        )
    return found


# --- orders --------------------------------------------------------------------------------------


def _orders(programme_id: int, *columns: Any) -> Select[Any]:
    """``columns`` of the programme's orders joined to their library and title."""
    return (
        select(*columns)
        .join(Library, Library.id == Order.library_id)
        .join(ProgrammeTitle, ProgrammeTitle.id == Order.title_id)
        .where(Order.programme_id == programme_id)
    )


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
    stmt = _orders(
        programme_id, Library.code, Library.name, ProgrammeTitle.id, ProgrammeTitle.isbn,
        ProgrammeTitle.title, Order.quantity, Order.source_file, Order.source_row,
    )  # fmt: skip
    code = library.strip().upper()
    if code:
        stmt = stmt.where(Library.code.startswith(code, autoescape=True))
    wanted = normalised_isbn(isbn)
    if wanted:
        stmt = stmt.where(ProgrammeTitle.isbn.contains(wanted, autoescape=True))
    total = count_rows(session, stmt)
    page = max(1, page)
    rows = session.execute(
        stmt.order_by(Library.code, ProgrammeTitle.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(rows, page, per_page, total)


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One library's order of one title, as the REST API lists it."""

    id: int
    library_code: str
    title_id: int
    isbn: str
    title: str
    quantity: int
    source_file: str
    source_row: int | None


def order_rows(
    session: Session,
    programme_id: int,
    *,
    library_code: str = "",
    isbn: str | None = None,
    title_id: int | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[OrderRow], int]:
    """A slice of the orders by library code and title, and how many match in all.

    The filters are exact: a library code, an ISBN as stored (ISBN-13), a title id.
    """
    stmt = _orders(programme_id, Order, Library.code, ProgrammeTitle.isbn, ProgrammeTitle.title)
    if library_code:
        stmt = stmt.where(Library.code == library_code.strip().upper())
    if isbn is not None:
        stmt = stmt.where(ProgrammeTitle.isbn == isbn)
    if title_id is not None:
        stmt = stmt.where(Order.title_id == title_id)
    total = count_rows(session, stmt)
    rows = [
        OrderRow(order.id, code, order.title_id, own_isbn or "", text, order.quantity, order.source_file,
                 order.source_row)
        for order, code, own_isbn, text in session.execute(
            stmt.order_by(Library.code, Order.title_id).limit(limit).offset(offset)
        )
    ]  # fmt: skip
    return rows, total


# --- deliveries ----------------------------------------------------------------------------------


class DeliveryRow(NamedTuple):
    """A delivery with its line count and its received / damaged / wrong-title copies."""

    delivery: Delivery
    lines: int
    received: int
    damaged: int
    wrong_title: int


def _delivery_rows(
    session: Session, programme_id: int, *order_by: Any, delivery_id: int | None = None
) -> list[DeliveryRow]:
    """The programme's deliveries (or the one ``delivery_id``) with totals counted in SQL."""
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
        .order_by(*order_by)
    )
    if delivery_id is not None:
        stmt = stmt.where(Delivery.id == delivery_id)
    return [
        DeliveryRow(d, n, int(r or 0), int(dm or 0), int(w or 0)) for d, n, r, dm, w in session.execute(stmt)
    ]


def list_deliveries(session: Session, programme_id: int, *, newest_first: bool = True) -> list[DeliveryRow]:
    """Deliveries with their totals: newest first, or in the order they were registered."""
    if newest_first:
        return _delivery_rows(session, programme_id, Delivery.date.desc(), Delivery.id.desc())
    return _delivery_rows(session, programme_id, Delivery.id)


def delivery_totals(session: Session, programme_id: int, delivery_id: int) -> DeliveryRow | None:
    """One delivery of the programme with its totals (None when it is not this programme's)."""
    found = _delivery_rows(session, programme_id, delivery_id=delivery_id)
    return found[0] if found else None


def get_delivery(session: Session, programme_id: int, delivery_id: int) -> Delivery | None:
    """One delivery of the programme (None when it is not this programme's)."""
    delivery = session.get(Delivery, delivery_id)
    return delivery if delivery is not None and delivery.programme_id == programme_id else None


# --- allocation and parcels ----------------------------------------------------------------------


def adjusted_by(session: Session, programme_id: int) -> dict[tuple[str, int], str]:
    """Who changed an allocation line by hand, per (library code, title id)."""
    stmt = (
        select(Library.code, AllocationLine.title_id, AllocationLine.adjusted_by)
        .join(Library, Library.id == AllocationLine.library_id)
        .where(AllocationLine.programme_id == programme_id, AllocationLine.adjusted_by != "")
    )
    return {(code, title): who for code, title, who in session.execute(stmt)}


def _parcels(programme_id: int) -> Select[Parcel, Library]:
    """The programme's parcels, each with its library."""
    return (
        select(Parcel, Library)
        .join(Library, Library.id == Parcel.library_id)
        .where(Parcel.programme_id == programme_id)
    )


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
    stmt = _parcels(programme_id).options(selectinload(Parcel.lines)).order_by(Library.code, Parcel.number)
    code = library.strip().upper()
    if code:
        stmt = stmt.where(Library.code.startswith(code, autoescape=True))
    grouped: dict[str, LibraryParcels] = {}
    for parcel, owner in session.execute(stmt):
        grouped.setdefault(owner.code, LibraryParcels(owner)).parcels.append(parcel)
    return list(grouped.values())


def parcel_rows(
    session: Session, programme_id: int, *, library_code: str = "", limit: int, offset: int = 0
) -> tuple[list[tuple[Parcel, Library]], int]:
    """A slice of the parcels (with lines) by library code and number, and how many in all."""
    stmt = _parcels(programme_id)
    if library_code:
        stmt = stmt.where(Library.code == library_code.strip().upper())
    page = session.execute(
        stmt.options(selectinload(Parcel.lines))
        .order_by(Library.code, Parcel.number).limit(limit).offset(offset)
    ).all()  # fmt: skip
    return [(parcel, owner) for parcel, owner in page], count_rows(session, stmt)


def parcel_states(groups: Sequence[LibraryParcels]) -> dict[str, int]:
    """How many parcels are in each state."""
    counts: dict[str, int] = defaultdict(int)
    for group in groups:
        for parcel in group.parcels:
            counts[parcel.state] += 1
    return dict(counts)


@dataclass(frozen=True, slots=True)
class ParcelTotals:
    """What packing planned: parcels, libraries, copies, weight (kg) and oversize parcels."""

    parcels: int
    libraries: int
    copies: int
    weight: Decimal
    oversize: int


def parcel_totals(session: Session, programme_id: int) -> ParcelTotals:
    """The programme's parcels added up."""
    count, libraries, copies, weight, oversize = session.execute(
        select(func.count(Parcel.id), func.count(func.distinct(Parcel.library_id)),
               func.coalesce(func.sum(Parcel.copies), 0), func.coalesce(func.sum(Parcel.weight), 0),
               func.coalesce(func.sum(case((Parcel.oversize, 1), else_=0)), 0))
        .where(Parcel.programme_id == programme_id)
    ).one()  # fmt: skip
    weight = Decimal(str(weight)).quantize(Decimal("0.001"))  # SQLite may sum Numeric as a float
    return ParcelTotals(count, libraries, int(copies), weight, int(oversize))
