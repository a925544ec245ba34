"""Allocation persisted: run the pure rule over what was received and ordered, keep what is packed
or sent and the hand adjustments, adjust by hand within limits.

Every write first takes the programme's lock (``lock_programme``) and re-reads received, ordered
and allocated inside that transaction, so two staff allocating at once never over-allocate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.db import now_utc
from collection.errors import N_, Message, Messages
from distribution.allocation.models import AllocationLine
from distribution.allocation.rules import (
    SURPLUS_DESTINATIONS,
    LimitProblem,
    Plan,
    Policy,
    check_adjustment,
    reallocate,
)
from distribution.errors import AllocationLimitExceeded, InvalidProgrammeData, LibraryNotFound
from distribution.libraries.models import Library
from distribution.programmes.models import Order, ProgrammeTitle
from distribution.programmes.own_fund import available_by_title
from distribution.programmes.services import advance, get_programme, lock_programme
from distribution.shipping.models import (
    Parcel,
    ParcelLine,
    Shipment,
    ShipmentLine,
)
from distribution.shipping.queries import committed

# --- allocation --------------------------------------------------------------------------------


def _ordered(session: Session, programme_id: int) -> dict[tuple[str, int], int]:
    stmt = (
        select(Library.code, Order.title_id, Order.quantity)
        .join(Library, Library.id == Order.library_id)
        .where(Order.programme_id == programme_id)
    )
    return {(code, title_id): quantity for code, title_id, quantity in session.execute(stmt)}


def allocated_copies(session: Session, programme_id: int) -> dict[tuple[str, int], int]:
    stmt = (
        select(Library.code, AllocationLine.title_id, AllocationLine.quantity)
        .join(Library, Library.id == AllocationLine.library_id)
        .where(AllocationLine.programme_id == programme_id)
    )
    return {(code, title_id): quantity for code, title_id, quantity in session.execute(stmt)}


def _kept(
    session: Session, programme_id: int, reset: bool
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """What a new allocation run must keep per (library code, title id as text): the copies
    packed or sent, and the hand-adjusted lines (none when ``reset`` starts from the rules)."""
    codes = dict(session.execute(select(Library.id, Library.code)).all())
    committed_copies = {
        (codes[lib], str(title)): copies for (lib, title), copies in committed(session, programme_id).items()
    }
    adjusted: dict[tuple[str, str], int] = {}
    if not reset:
        rows = session.execute(
            select(Library.code, AllocationLine.title_id, AllocationLine.quantity)
            .join(Library, Library.id == AllocationLine.library_id)
            .where(AllocationLine.programme_id == programme_id, AllocationLine.adjusted_by != "")
        )
        adjusted = {(code, str(title)): quantity for code, title, quantity in rows}
    return committed_copies, adjusted


def allocate_programme(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    surplus_destination: str | None = None,
    priority_statuses: Iterable[str] = (),
    held_statuses: Iterable[str] = (),
    reset: bool = False,
) -> Plan:
    """Allocate everything received over the orders and store it, replacing the previous plan.

    What is already packed or sent stays allocated, and hand-adjusted lines stay as they were
    set (``reset`` discards the adjustments); the rules share out the rest: received copies
    not yet kept, over what each library still wants. Planned parcels are dropped (pack again).
    The surplus stays undecided unless ``surplus_destination`` says where it goes (own fund or
    exchange fund). Libraries of ``held_statuses`` (e.g. in occupied territory) get nothing new.
    The plan's keys are (library code, title id as text).
    """
    if surplus_destination not in (None, *SURPLUS_DESTINATIONS):
        raise InvalidProgrammeData(N_("Недопустиме значення"), field="surplus_destination")
    get_programme(session, programme_id)
    programme = lock_programme(session, programme_id)
    received = available_by_title(session, programme_id)
    ordered = _ordered(session, programme_id)
    committed_copies, adjusted = _kept(session, programme_id, reset)
    statuses = dict(session.execute(select(Library.code, Library.status)).all())
    library_ids = dict(session.execute(select(Library.code, Library.id)).all())
    plan = reallocate(
        {str(title): quantity for title, quantity in received.items()},
        {(code, str(title)): quantity for (code, title), quantity in ordered.items()},
        committed_copies,
        adjusted,
        Policy(
            priority_statuses=frozenset(priority_statuses),
            surplus_destination=surplus_destination,
            held_statuses=frozenset(held_statuses),
        ),
        statuses,
    )
    adjusted_by = {
        (code, title): by
        for code, title, by in session.execute(
            select(Library.code, AllocationLine.title_id, AllocationLine.adjusted_by)
            .join(Library, Library.id == AllocationLine.library_id)
            .where(AllocationLine.programme_id == programme_id, AllocationLine.adjusted_by != "")
        )
        if not reset
    }
    before = sum(allocated_copies(session, programme_id).values())
    drop_planned(session, programme_id)
    session.execute(delete(AllocationLine).where(AllocationLine.programme_id == programme_id))
    now = now_utc()
    rows = [
        {
            "programme_id": programme_id,
            "library_id": library_ids[code],
            "title_id": int(title),
            "quantity": quantity,
            "adjusted_by": adjusted_by.get((code, int(title)), ""),
            "updated_at": now,
        }
        for (code, title), quantity in plan.allocations.items()
        if quantity or (code, int(title)) in adjusted_by
    ]
    if rows:
        session.execute(insert(AllocationLine), rows)
    old_destination = programme.surplus_destination
    programme.surplus_destination = surplus_destination
    advance(programme, "allocating")
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
            "reset_adjustments": [None, reset],
            "held_statuses": [None, sorted(held_statuses)],
        },
    )
    session.flush()
    return plan


def drop_planned(session: Session, programme_id: int) -> None:
    """Delete planned shipments and their parcels (and planned parcels of no shipment)."""
    planned = select(Shipment.id).where(Shipment.programme_id == programme_id, Shipment.state == "planned")
    parcels = select(Parcel.id).where(
        Parcel.programme_id == programme_id,
        or_(Parcel.shipment_id.in_(planned), and_(Parcel.shipment_id.is_(None), Parcel.state == "planned")),
    )
    session.execute(delete(ParcelLine).where(ParcelLine.parcel_id.in_(parcels)))
    session.execute(delete(Parcel).where(Parcel.id.in_(parcels)))
    session.execute(delete(ShipmentLine).where(ShipmentLine.shipment_id.in_(planned)))
    session.execute(delete(Shipment).where(Shipment.id.in_(planned)))


def _state(session: Session, programme_id: int) -> tuple[Plan, dict[str, int], dict[tuple[str, str], int]]:
    """The stored plan, received and ordered, keyed as the pure rules expect (title ids as text)."""
    plan = Plan(allocations={(c, str(t)): q for (c, t), q in allocated_copies(session, programme_id).items()})
    received = {str(t): q for t, q in available_by_title(session, programme_id).items()}
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
    problems += _below_committed(session, programme_id, wanted)
    if problems:
        described = _describe(session, problems)
        raise AllocationLimitExceeded(
            N_("Розподіл виходить за межі: {problems}"),
            params={"problems": described},
            errors={"allocation": N_("Розподіл виходить за межі: {problems}")},
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
    unknown = sorted(code for code, _title in wanted if code not in library_ids)
    if unknown:  # refused before any line is written, so nothing half-adjusted is left behind
        raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": unknown[0]})
    for (code, title), quantity in sorted(wanted.items()):
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
    session.flush()


def _below_committed(
    session: Session, programme_id: int, wanted: Mapping[tuple[str, str], int]
) -> list[LimitProblem]:
    """Problems where a hand adjustment would go below copies already packed or sent."""
    codes = dict(session.execute(select(Library.id, Library.code)).all())
    done = {(codes[lib], str(title)): c for (lib, title), c in committed(session, programme_id).items()}
    return [
        LimitProblem("below_sent", code, title, quantity, done[(code, title)])
        for (code, title), quantity in sorted(wanted.items())
        if quantity < done.get((code, title), 0)
    ]


LIMIT_MESSAGES = {
    "negative": N_("{library}, «{title}»: кількість не може бути від'ємною"),
    "over_order": N_("{library}, «{title}»: {quantity} — більше, ніж замовлено ({limit})"),
    "over_received": N_("«{title}»: розподілено {quantity}, а отримано лише {limit}"),
    "below_sent": N_("{library}, «{title}»: {quantity} — менше, ніж уже спаковано чи надіслано ({limit})"),
}


def _describe(session: Session, problems: Iterable[LimitProblem]) -> Messages:
    """The problems as messages naming each title by its name and ISBN."""
    problems = list(problems)
    ids = {int(p.title) for p in problems if str(p.title).isdigit()}
    names = {
        t.id: f"{t.title} ({t.isbn})" if t.isbn else t.title
        for t in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.id.in_(ids)))
    } if ids else {}  # fmt: skip
    return Messages(
        Message(
            LIMIT_MESSAGES[p.kind],
            {
                "library": p.library or "",
                "title": names.get(int(p.title), p.title) if str(p.title).isdigit() else p.title,
                "quantity": p.quantity,
                "limit": p.limit,
            },
        )  # fmt: skip
        for p in problems
    )


def allocation_rows(session: Session, programme_id: int) -> list[dict[str, Any]]:
    """One row per ordered or allocated library × title: code, ISBN, title id, ordered, allocated."""
    get_programme(session, programme_id)
    ordered = _ordered(session, programme_id)
    allocated = allocated_copies(session, programme_id)
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
