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

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.db import now_utc
from collection.errors import N_, Message, Messages
from distribution.allocation import LimitProblem, OrderLine, Plan, Policy, allocate, check_adjustment
from distribution.dispatch import carrier_code, committed, lost_in_transit, next_shipment_number
from distribution.dispatch_models import (
    ACCEPTED_STATES,
    FROZEN_STATES,
    REOPENING_KINDS,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentLine,
)
from distribution.errors import AllocationLimitExceeded, InvalidProgrammeData, LibraryNotFound
from distribution.libraries import Library
from distribution.models import (
    SURPLUS_DESTINATIONS,
    AllocationLine,
    Delivery,
    DeliveryLine,
    ExchangeOffer,
    Order,
    Parcel,
    ParcelLine,
    ProgrammeTitle,
)
from distribution.own_fund import available_by_title, taken_into_fund
from distribution.packing import CarrierLimits, pack
from distribution.programmes import _advance, get_programme, lock_programme
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


def _kept(session: Session, programme_id: int, reset: bool) -> dict[tuple[str, int], tuple[int, bool]]:
    """What a new allocation run must keep per (library code, title id): (copies, fixed).

    Copies already packed or sent are always kept; a hand-adjusted line is kept whole and
    ``fixed`` (the rules do not touch it) unless ``reset`` asks to start from the rules again.
    """
    codes = dict(session.execute(select(Library.id, Library.code)).all())
    kept = {
        (codes[lib], title): (copies, False)
        for (lib, title), copies in committed(session, programme_id).items()
    }
    if not reset:
        adjusted = session.execute(
            select(Library.code, AllocationLine.title_id, AllocationLine.quantity)
            .join(Library, Library.id == AllocationLine.library_id)
            .where(AllocationLine.programme_id == programme_id, AllocationLine.adjusted_by != "")
        )
        for code, title, quantity in adjusted:
            kept[(code, title)] = (max(quantity, kept.get((code, title), (0, False))[0]), True)
    return kept


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
    kept = _kept(session, programme_id, reset)
    statuses = dict(session.execute(select(Library.code, Library.status)).all())
    library_ids = dict(session.execute(select(Library.code, Library.id)).all())
    kept_by_title: dict[int, int] = defaultdict(int)
    for (_, title), (copies, _fixed) in kept.items():
        kept_by_title[title] += copies
    wanted = (
        OrderLine(code, str(title), max(0, quantity - kept.get((code, title), (0, False))[0]))
        for (code, title), quantity in ordered.items()
        if not kept.get((code, title), (0, False))[1]
    )
    rules = allocate(
        {str(t): max(0, q - kept_by_title[t]) for t, q in received.items()},
        wanted,
        Policy(
            priority_statuses=frozenset(priority_statuses),
            surplus_destination=surplus_destination,
            held_statuses=frozenset(held_statuses),
        ),
        statuses,
    )
    allocations = {(code, str(title)): copies for (code, title), (copies, _fixed) in kept.items()}
    for key, copies in rules.allocations.items():
        allocations[key] = allocations.get(key, 0) + copies
    plan = Plan(allocations=allocations, surplus=rules.surplus, surplus_destination=rules.surplus_destination)
    adjusted_by = {
        (code, title): by
        for code, title, by in session.execute(
            select(Library.code, AllocationLine.title_id, AllocationLine.adjusted_by)
            .join(Library, Library.id == AllocationLine.library_id)
            .where(AllocationLine.programme_id == programme_id, AllocationLine.adjusted_by != "")
        )
        if not reset
    }
    before = sum(_allocated(session, programme_id).values())
    _drop_planned(session, programme_id)
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
            "reset_adjustments": [None, reset],
            "held_statuses": [None, sorted(held_statuses)],
        },
    )
    session.commit()
    return plan


def _drop_planned(session: Session, programme_id: int) -> None:
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
    plan = Plan(allocations={(c, str(t)): q for (c, t), q in _allocated(session, programme_id).items()})
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
        session.rollback()
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
    """Plan a shipment with parcels for every library, for what is allocated and not yet packed.

    Planned shipments are replaced; packed and dispatched ones stay as they are. Parcel
    numbers continue the library's earlier parcels of the programme.
    """
    get_programme(session, programme_id)
    programme = lock_programme(session, programme_id)
    _drop_planned(session, programme_id)
    codes = dict(session.execute(select(Library.id, Library.code)).all())
    library_ids = {code: lib for lib, code in codes.items()}
    carriers = {
        lib: carrier_code(text)
        for lib, text in session.execute(select(Library.id, Library.carrier).where(Library.carrier != ""))
    }
    done = {(codes[lib], title): copies for (lib, title), copies in committed(session, programme_id).items()}
    allocations = {
        (c, str(t)): q - done.get((c, t), 0)
        for (c, t), q in _allocated(session, programme_id).items()
        if q > done.get((c, t), 0)
    }
    weights = {
        str(t): w
        for t, w in session.execute(
            select(ProgrammeTitle.id, ProgrammeTitle.copy_weight).where(
                ProgrammeTitle.programme_id == programme_id
            )
        )
    }
    last_parcel = dict(
        session.execute(
            select(Parcel.library_id, func.max(Parcel.number))
            .where(Parcel.programme_id == programme_id)
            .group_by(Parcel.library_id)
        ).all()
    )
    stored: dict[str, list[Parcel]] = {}
    now = now_utc()
    for code, parcels in sorted(pack(allocations, weights, limits).items()):
        library_id = library_ids[code]
        shipment = Shipment(
            programme_id=programme_id, library_id=library_id, number=next_shipment_number(programme),
            carrier=carriers.get(library_id, ""), created_by=actor.username, updated_at=now,
        )  # fmt: skip
        copies_by_title: dict[int, int] = defaultdict(int)
        for planned_parcel in parcels:
            for title, copies in planned_parcel.lines.items():
                copies_by_title[int(title)] += copies
        shipment.lines = [ShipmentLine(title_id=t, copies=c) for t, c in sorted(copies_by_title.items()) if c]
        session.add(shipment)
        first = (last_parcel.get(library_id) or 0) + 1
        for number, planned_parcel in enumerate(parcels, start=first):
            parcel = Parcel(
                programme_id=programme_id,
                library_id=library_id,
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
            shipment.parcels.append(parcel)
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
    """Per title and per library (and summed per publisher and per district): ordered,
    received, allocated, packed, dispatched, confirmed.

    A title's ``received`` is what suppliers delivered (``damaged`` and ``wrong_title`` apart;
    ``to_fund`` went into the own fund, ``lost`` was written off in transit; ``surplus`` =
    usable received − allocated − to_fund − lost).
    ``dispatched`` counts shipments from dispatch on (corrections included); ``confirmed`` what
    libraries accepted, less the shortages and wrong titles they reported (a library's
    ``received`` is the same: what reached it, by its own word).
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
    sent = (
        select(ShipmentLine.title_id, Shipment.library_id, Shipment.state, ShipmentLine.copies)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.programme_id == programme_id, Shipment.state.in_(FROZEN_STATES))
    ).subquery()
    missing = (
        select(
            ShipmentDiscrepancy.title_id, Shipment.library_id, (-ShipmentDiscrepancy.quantity).label("copies")
        )
        .join(Shipment, Shipment.id == ShipmentDiscrepancy.shipment_id)
        .where(Shipment.programme_id == programme_id, ShipmentDiscrepancy.kind.in_(REOPENING_KINDS))
    ).subquery()
    accepted = sent.c.state.in_(ACCEPTED_STATES)
    for key, table in (("title_id", per_title), ("library_id", per_library)):
        add(select(sent.c[key], func.sum(sent.c.copies)).group_by(sent.c[key]), "dispatched", table)
        add(
            select(sent.c[key], func.sum(sent.c.copies)).where(accepted).group_by(sent.c[key]),
            "confirmed",
            table,
        )
        add(select(missing.c[key], func.sum(missing.c.copies)).group_by(missing.c[key]), "confirmed", table)
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
    if programme.kind == "exchange":  # an exchange round's offered copies are what it received
        add(
            select(ExchangeOffer.title_id, func.sum(ExchangeOffer.quantity))
            .where(ExchangeOffer.programme_id == programme_id)
            .group_by(ExchangeOffer.title_id),
            "received",
            per_title,
        )
    to_fund = taken_into_fund(session, programme_id)
    lost = lost_in_transit(session, programme_id)
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
            "to_fund": to_fund.get(title.id, 0),
            "lost": lost.get(title.id, 0),
        }
        row["surplus"] = max(
            0, row["received"] - row["damaged"] - row["allocated"] - row["to_fund"] - row["lost"]
        )
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
            "received": per_library[lib_id]["confirmed"],  # what reached the library, by its word
        }
        for lib_id, code, name, district in libraries
    ]
    totals = {name: sum(r[name] for r in title_rows) for name in COUNTS}
    totals["surplus"] = sum(r["surplus"] for r in title_rows)
    totals["to_fund"] = sum(r["to_fund"] for r in title_rows)
    totals["lost"] = sum(r["lost"] for r in title_rows)
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
        "publishers": _grouped(title_rows, "publisher", "titles"),
        "districts": _grouped(library_rows, "district", "libraries"),
        "totals": totals,
    }


def _grouped(rows: Iterable[Mapping[str, Any]], key: str, count_name: str) -> list[dict[str, Any]]:
    """Rows summed by ``key`` (a publisher, a district), with how many rows each sums."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row[key] or "", {key: row[key] or "", count_name: 0, **dict.fromkeys(COUNTS, 0)}
        )
        group[count_name] += 1
        for name in COUNTS:
            group[name] += row[name]
    return [groups[name] for name in sorted(groups)]


TITLE_REPORT_COLUMNS = (
    "title_id",
    "isbn",
    "title",
    "publisher",
    *COUNTS,
    "damaged",
    "wrong_title",
    "to_fund",
    "lost",
    "surplus",
)
LIBRARY_REPORT_COLUMNS = ("library_code", "name", "district", *COUNTS)
PUBLISHER_REPORT_COLUMNS = ("publisher", "titles", *COUNTS)
DISTRICT_REPORT_COLUMNS = ("district", "libraries", *COUNTS)


def write_report(report: Mapping[str, Any], stream: BinaryIO, fmt: str) -> None:
    """The report as an xlsx workbook (sheets titles, libraries, publishers, districts) or csv
    (the tables in turn)."""

    def rows(items: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> list[list[Any]]:
        return [[item[c] for c in columns] for item in items]

    write_sheets(stream, fmt, [
        ("titles", TITLE_REPORT_COLUMNS, rows(report["titles"], TITLE_REPORT_COLUMNS)),
        ("libraries", LIBRARY_REPORT_COLUMNS, rows(report["libraries"], LIBRARY_REPORT_COLUMNS)),
        ("publishers", PUBLISHER_REPORT_COLUMNS, rows(report["publishers"], PUBLISHER_REPORT_COLUMNS)),
        ("districts", DISTRICT_REPORT_COLUMNS, rows(report["districts"], DISTRICT_REPORT_COLUMNS)),
    ])  # fmt: skip


def parcel_weight_total(parcels: Iterable[Parcel]) -> Decimal:
    """Total weight of parcels, kg."""
    return sum((p.weight for p in parcels), Decimal("0"))
