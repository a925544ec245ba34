"""Programme fulfilment: allocation persisted, hand adjustments within limits, packing, totals.

The rules are the pure ``distribution.allocation`` and ``distribution.packing``; this module
feeds them from the database and stores what they decide. Every write first takes the
programme's lock (``lock_programme``) and re-reads received, ordered and allocated inside that
transaction, so two staff allocating at once can never over-allocate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, BinaryIO

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.allocation import OrderLine, Plan, Policy, allocate, check_adjustment
from distribution.errors import AllocationLimitExceeded, InvalidProgrammeData, LibraryNotFound
from distribution.libraries import Library
from distribution.models import (
    SURPLUS_DESTINATIONS,
    AllocationLine,
    Delivery,
    DeliveryLine,
    Order,
    Parcel,
    ParcelLine,
    ProgrammeTitle,
)
from distribution.packing import CarrierLimits, pack
from distribution.programmes import _advance, get_programme, lock_programme, received_by_title
from distribution.tables import write_sheets

# --- allocation --------------------------------------------------------------------------------


def _ordered(session: Session, programme_id: int) -> dict[tuple[str, int], int]:
    stmt = (
        select(Library.code, Order.title_id, Order.quantity)
        .join(Library, Library.id == Order.library_id)
        .where(Order.programme_id == programme_id)
    )
    return {(code, title_id): quantity for code, title_id, quantity in session.execute(stmt)}


def _allocated(session: Session, programme_id: int) -> dict[tuple[str, int], int]:
    stmt = (
        select(Library.code, AllocationLine.title_id, AllocationLine.quantity)
        .join(Library, Library.id == AllocationLine.library_id)
        .where(AllocationLine.programme_id == programme_id)
    )
    return {(code, title_id): quantity for code, title_id, quantity in session.execute(stmt)}


def allocate_programme(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    surplus_destination: str | None = None,
    priority_statuses: Iterable[str] = (),
) -> Plan:
    """Allocate everything received over the orders and store it (replacing the previous plan).

    Hand adjustments and planned parcels of the previous plan are discarded: allocating again
    starts from the rules. The surplus stays undecided unless ``surplus_destination`` says
    where it goes (own fund or exchange fund). The plan's keys are (library code, title id).
    """
    if surplus_destination not in (None, *SURPLUS_DESTINATIONS):
        raise InvalidProgrammeData(N_("Недопустиме значення"), field="surplus_destination")
    get_programme(session, programme_id)
    programme = lock_programme(session, programme_id)
    received = received_by_title(session, programme_id)
    ordered = _ordered(session, programme_id)
    statuses = dict(session.execute(select(Library.code, Library.status)).all())
    library_ids = dict(session.execute(select(Library.code, Library.id)).all())
    plan = allocate(
        {str(t): q for t, q in received.items()},
        (OrderLine(code, str(title), q) for (code, title), q in ordered.items()),
        Policy(frozenset(priority_statuses), surplus_destination),
        statuses,
    )
    before = sum(_allocated(session, programme_id).values())
    session.execute(
        delete(ParcelLine).where(
            ParcelLine.parcel_id.in_(
                select(Parcel.id).where(Parcel.programme_id == programme_id, Parcel.state == "planned")
            )
        )
    )
    session.execute(delete(Parcel).where(Parcel.programme_id == programme_id, Parcel.state == "planned"))
    session.execute(delete(AllocationLine).where(AllocationLine.programme_id == programme_id))
    now = now_utc()
    rows = [
        {
            "programme_id": programme_id,
            "library_id": library_ids[code],
            "title_id": int(title),
            "quantity": quantity,
            "adjusted_by": "",
            "updated_at": now,
        }
        for (code, title), quantity in plan.allocations.items()
    ]
    if rows:
        session.execute(insert(AllocationLine), rows)
    old_destination = programme.surplus_destination
    programme.surplus_destination = surplus_destination
    _advance(programme, "allocating")
    after = sum(plan.allocations.values())
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="programme",
        obj_id=programme_id,
        changes={
            "allocated": [before, after],
            "surplus": [None, sum(plan.surplus.values())],
            "surplus_destination": [old_destination, surplus_destination],
        },
    )
    session.commit()
    return plan


def _state(session: Session, programme_id: int) -> tuple[Plan, dict[str, int], dict[tuple[str, str], int]]:
    """The stored plan, received and ordered, keyed as the pure rules expect (title ids as text)."""
    plan = Plan(allocations={(c, str(t)): q for (c, t), q in _allocated(session, programme_id).items()})
    received = {str(t): q for t, q in received_by_title(session, programme_id).items()}
    ordered = {(c, str(t)): q for (c, t), q in _ordered(session, programme_id).items()}
    return plan, received, ordered


def adjust_allocation(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    changes: Mapping[tuple[str, int], int],
    allow_over_order: bool = False,
) -> None:
    """Set some (library code, title id) quantities by hand, within the limits, audited each.

    The limits are checked inside the locked transaction against what is stored now, so a
    colleague's adjustment committed a moment earlier counts.
    """
    get_programme(session, programme_id)
    lock_programme(session, programme_id)
    plan, received, ordered = _state(session, programme_id)
    wanted = {(code.upper(), str(title)): quantity for (code, title), quantity in changes.items()}
    problems = check_adjustment(plan, received, ordered, wanted, allow_over_order=allow_over_order)
    if problems:
        session.rollback()
        raise AllocationLimitExceeded(
            N_("Розподіл виходить за межі: {problems}"),
            params={"problems": "; ".join(problems)},
            errors={"allocation": "; ".join(problems)},
        )
    library_ids = dict(
        session.execute(
            select(Library.code, Library.id).where(Library.code.in_({c for c, _ in wanted}))
        ).all()
    )
    lines = {
        (line.library_id, line.title_id): line
        for line in session.scalars(select(AllocationLine).where(AllocationLine.programme_id == programme_id))
    }
    for (code, title), quantity in sorted(wanted.items()):
        if code not in library_ids:
            session.rollback()
            raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": code})
        line = lines.get((library_ids[code], int(title)))
        old = line.quantity if line else 0
        if old == quantity:
            continue
        if line is None:
            session.add(
                AllocationLine(
                    programme_id=programme_id,
                    library_id=library_ids[code],
                    title_id=int(title),
                    quantity=quantity,
                    adjusted_by=actor.username,
                )
            )
        else:
            line.quantity, line.adjusted_by, line.updated_at = quantity, actor.username, now_utc()
        record_change(
            session,
            actor=actor,
            action="update",
            obj_type="allocation",
            obj_id=f"{programme_id}/{code}/{title}",
            changes={"quantity": [old, quantity]},
        )
    session.commit()


def allocation_rows(session: Session, programme_id: int) -> list[dict[str, Any]]:
    """One row per ordered or allocated library × title: code, ISBN, title id, ordered, allocated."""
    get_programme(session, programme_id)
    ordered = _ordered(session, programme_id)
    allocated = _allocated(session, programme_id)
    isbn_of = dict(
        session.execute(
            select(ProgrammeTitle.id, ProgrammeTitle.isbn).where(ProgrammeTitle.programme_id == programme_id)
        ).all()
    )
    return [
        {
            "library_code": code,
            "isbn": isbn_of.get(title) or "",
            "title_id": title,
            "ordered": ordered.get((code, title), 0),
            "allocated": allocated.get((code, title), 0),
        }
        for code, title in sorted(set(ordered) | set(allocated))
    ]


# --- packing -----------------------------------------------------------------------------------


def pack_programme(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    limits: CarrierLimits = CarrierLimits(),  # noqa: B008 - immutable default
) -> dict[str, list[Parcel]]:
    """Plan parcels for every library from the stored allocation (replacing planned ones)."""
    get_programme(session, programme_id)
    programme = lock_programme(session, programme_id)
    allocations = {(c, str(t)): q for (c, t), q in _allocated(session, programme_id).items()}
    weights = {
        str(t): w
        for t, w in session.execute(
            select(ProgrammeTitle.id, ProgrammeTitle.copy_weight).where(
                ProgrammeTitle.programme_id == programme_id
            )
        )
    }
    planned = select(Parcel.id).where(Parcel.programme_id == programme_id, Parcel.state == "planned")
    session.execute(delete(ParcelLine).where(ParcelLine.parcel_id.in_(planned)))
    session.execute(delete(Parcel).where(Parcel.programme_id == programme_id, Parcel.state == "planned"))
    library_ids = dict(session.execute(select(Library.code, Library.id)).all())
    stored: dict[str, list[Parcel]] = {}
    for code, parcels in pack(allocations, weights, limits).items():
        for number, planned_parcel in enumerate(parcels, start=1):
            parcel = Parcel(
                programme_id=programme_id,
                library_id=library_ids[code],
                number=number,
                weight=planned_parcel.weight,
                copies=planned_parcel.copies,
                oversize=planned_parcel.oversize,
            )
            parcel.lines = [
                ParcelLine(title_id=int(title), copies=copies)
                for title, copies in sorted(planned_parcel.lines.items())
                if copies
            ]
            session.add(parcel)
            stored.setdefault(code, []).append(parcel)
    _advance(programme, "dispatching")
    session.flush()
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="programme",
        obj_id=programme_id,
        changes={
            "parcels": [None, sum(len(p) for p in stored.values())],
            "packed": [None, sum(p.copies for ps in stored.values() for p in ps)],
        },
    )
    session.commit()
    return stored


# --- totals ------------------------------------------------------------------------------------

COUNTS = ("ordered", "received", "allocated", "packed", "dispatched", "confirmed")


def programme_report(session: Session, programme_id: int) -> dict[str, Any]:
    """Per title and per library: ordered, received, allocated, packed, dispatched, confirmed.

    A title's ``received`` is what suppliers delivered (``damaged`` and ``wrong_title`` apart,
    ``surplus`` = usable received − allocated); a library's ``received`` is what it confirmed
    it got. Dispatched and confirmed stay 0 until the dispatch step exists.
    """
    programme = get_programme(session, programme_id)
    titles = list(
        session.scalars(
            select(ProgrammeTitle)
            .where(ProgrammeTitle.programme_id == programme_id)
            .order_by(ProgrammeTitle.id)
        )
    )
    per_title: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_library: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(stmt: Any, name: str, table: dict[int, dict[str, int]]) -> None:
        for key, total in session.execute(stmt):
            table[key][name] += int(total or 0)

    for key_col, table in ((Order.title_id, per_title), (Order.library_id, per_library)):
        add(
            select(key_col, func.sum(Order.quantity))
            .where(Order.programme_id == programme_id)
            .group_by(key_col),
            "ordered",
            table,
        )
    for key_col, table in ((AllocationLine.title_id, per_title), (AllocationLine.library_id, per_library)):
        add(
            select(key_col, func.sum(AllocationLine.quantity))
            .where(AllocationLine.programme_id == programme_id)
            .group_by(key_col),
            "allocated",
            table,
        )
    packed = (
        select(ParcelLine.title_id, Parcel.library_id, ParcelLine.copies)
        .join(Parcel)
        .where(Parcel.programme_id == programme_id)
    ).subquery()
    add(select(packed.c.title_id, func.sum(packed.c.copies)).group_by(packed.c.title_id), "packed", per_title)
    add(
        select(packed.c.library_id, func.sum(packed.c.copies)).group_by(packed.c.library_id),
        "packed",
        per_library,
    )
    for name, column in (
        ("received", DeliveryLine.received),
        ("damaged", DeliveryLine.damaged),
        ("wrong_title", DeliveryLine.wrong_title),
    ):
        add(
            select(DeliveryLine.title_id, func.sum(column))
            .join(Delivery)
            .where(Delivery.programme_id == programme_id)
            .group_by(DeliveryLine.title_id),
            name,
            per_title,
        )
    title_rows = []
    for title in titles:
        counts = per_title[title.id]
        row = {
            "title_id": title.id,
            "isbn": title.isbn or "",
            "title": title.title,
            "publisher": title.publisher,
            **{name: counts[name] for name in COUNTS},
            "damaged": counts["damaged"],
            "wrong_title": counts["wrong_title"],
        }
        row["surplus"] = max(0, row["received"] - row["damaged"] - row["allocated"])
        title_rows.append(row)
    libraries = (
        session.execute(
            select(Library.id, Library.code, Library.name, Library.district)
            .where(Library.id.in_(list(per_library)))
            .order_by(Library.code)
        ).all()
        if per_library
        else []
    )
    library_rows = [
        {
            "library_code": code,
            "name": name,
            "district": district,
            **{n: per_library[lib_id][n] for n in COUNTS},
        }
        for lib_id, code, name, district in libraries
    ]
    totals = {name: sum(r[name] for r in title_rows) for name in COUNTS}
    totals["surplus"] = sum(r["surplus"] for r in title_rows)
    return {
        "programme": {
            "id": programme.id,
            "name": programme.name,
            "year": programme.year,
            "kind": programme.kind,
            "state": programme.state,
            "surplus_destination": programme.surplus_destination,
        },
        "titles": title_rows,
        "libraries": library_rows,
        "totals": totals,
    }


TITLE_REPORT_COLUMNS = (
    "title_id",
    "isbn",
    "title",
    "publisher",
    *COUNTS,
    "damaged",
    "wrong_title",
    "surplus",
)
LIBRARY_REPORT_COLUMNS = ("library_code", "name", "district", *COUNTS)


def write_report(report: Mapping[str, Any], stream: BinaryIO, fmt: str) -> None:
    """The report as an xlsx workbook (sheets titles, libraries) or csv (both tables in turn)."""

    def rows(items: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> list[list[Any]]:
        return [[item[c] for c in columns] for item in items]

    write_sheets(stream, fmt, [
        ("titles", TITLE_REPORT_COLUMNS, rows(report["titles"], TITLE_REPORT_COLUMNS)),
        ("libraries", LIBRARY_REPORT_COLUMNS, rows(report["libraries"], LIBRARY_REPORT_COLUMNS)),
    ])  # fmt: skip


def parcel_weight_total(parcels: Iterable[Parcel]) -> Decimal:
    """Total weight of parcels, kg."""
    return sum((p.weight for p in parcels), Decimal("0"))
