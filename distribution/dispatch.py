"""Dispatch and acceptance: shipments move planned → packed → dispatched → delivered →
confirmed / discrepancy.

Packing (``distribution.fulfilment.pack_programme``) plans one shipment per library with its
parcels. Staff mark it packed, then dispatch it with the carrier and tracking number: from then
on it is frozen — its lines keep the title, ISBN and price as sent, so the transfer act printed
later is the act that travelled. A mistake found afterwards is put right by a correction: a new
shipment pointing at the old one, with signed quantities. The receiving library confirms
receipt (its act of acceptance gets a number) or reports discrepancies per title; a shortage or
a wrong title gives that quantity back to allocation, so it can be sent again.

Every step holds the programme's lock (``lock_programme``) and is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from collection.audit import Actor, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.dispatch_models import (
    ACCEPTED_STATES,
    CARRIERS,
    DISCREPANCY_KINDS,
    FROZEN_STATES,
    REOPENING_KINDS,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentLine,
)
from distribution.errors import InvalidShipmentData, ShipmentNotFound, ShipmentStateError
from distribution.libraries import Library
from distribution.models import AllocationLine, Parcel, Programme, ProgrammeTitle
from distribution.programmes import lock_programme

DISPATCHABLE_STATES = ("planned", "packed")
NO_TRACKING_CARRIERS = ("own",)  # own transport or pick-up: nothing to track
CARRIER_ALIASES = {
    "nova_poshta": ("нова пошта", "новапошта", "нп", "nova poshta", "novaposhta", "np"),
    "ukrposhta": ("укрпошта", "укр пошта", "ukrposhta", "ukr poshta", "ukrpost"),
    "meest": ("meest", "міст", "міст експрес", "meest express"),
    "own": ("власний транспорт", "самовивіз", "own", "own transport", "pickup", "pick-up"),
}


def carrier_code(text: str) -> str:
    """A carrier code from how a registry or a carrier's list spells it ("" when unknown)."""
    key = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
    for code, aliases in CARRIER_ALIASES.items():
        if key == code.replace("_", " ") or key in aliases:
            return code
    return ""


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One title's discrepancy as the receiving library reports it."""

    title_id: int
    kind: str
    quantity: int
    note: str = ""


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


# --- writing -----------------------------------------------------------------------------------


def next_shipment_number(programme: Programme) -> str:
    """The programme's next shipment number ("<programme id>-0001"); never given twice."""
    programme.shipment_seq = (programme.shipment_seq or 0) + 1
    return f"{programme.id}-{programme.shipment_seq:04d}"


def _locked(session: Session, shipment_id: int, library_id: int | None = None) -> Shipment:
    """The shipment, read again after taking its programme's lock."""
    shipment = get_shipment(session, shipment_id, library_id=library_id)
    lock_programme(session, shipment.programme_id)
    session.refresh(shipment)
    return shipment


def _require_state(session: Session, shipment: Shipment, allowed: Sequence[str]) -> None:
    if shipment.state not in allowed:
        session.rollback()
        raise ShipmentStateError(
            N_("Відправлення {number} має стан «{state}»: цей крок неможливий"),
            params={"number": shipment.number, "state": shipment.state},
        )


def _audit(
    session: Session,
    actor: Actor,
    shipment: Shipment,
    changes: Mapping[str, Sequence[Any]],
    action: str = "update",
) -> None:
    """Audit a step of the shipment; the audit log names a shipment by its number."""
    record_change(session, actor=actor, action=action, obj_type="shipment", obj_id=shipment.number,
                  changes=changes)  # fmt: skip


def _set_state(shipment: Shipment, state: str) -> None:
    shipment.state = state
    shipment.updated_at = now_utc()
    for parcel in shipment.parcels:
        parcel.state = state


def mark_packed(session: Session, *, actor: Actor, shipment_id: int) -> Shipment:
    """Planned → packed: the parcels are physically packed; packing again keeps them."""
    shipment = _locked(session, shipment_id)
    _require_state(session, shipment, ("planned",))
    _set_state(shipment, "packed")
    shipment.packed_by = actor.username
    _audit(session, actor, shipment, {"state": ["planned", "packed"]})
    session.commit()
    return shipment


def unpack(session: Session, *, actor: Actor, shipment_id: int) -> Shipment:
    """Packed → planned, while it has not left: e.g. to repack after a hand adjustment."""
    shipment = _locked(session, shipment_id)
    _require_state(session, shipment, ("packed",))
    _set_state(shipment, "planned")
    _audit(session, actor, shipment, {"state": ["packed", "planned"]})
    session.commit()
    return shipment


def _snapshot_lines(session: Session, shipment: Shipment) -> None:
    """Copy each title's description and price onto the lines, as they are when it leaves."""
    titles = {
        t.id: t
        for t in session.scalars(
            select(ProgrammeTitle).where(ProgrammeTitle.id.in_([line.title_id for line in shipment.lines]))
        )
    }
    for line in shipment.lines:
        title = titles[line.title_id]
        line.isbn, line.title, line.author, line.price = (
            title.isbn or "",
            title.title,
            title.author,
            title.price,
        )


def carrier_errors(carrier: str, tracking_number: str) -> dict[str, str]:
    """Field → message for a carrier not on the list or a missing or too long tracking number."""
    errors: dict[str, str] = {}
    if carrier not in CARRIERS:
        errors["carrier"] = N_("Оберіть перевізника зі списку")
    elif carrier not in NO_TRACKING_CARRIERS and not tracking_number.strip():
        errors["tracking_number"] = N_("Вкажіть номер відстеження (ТТН)")
    if len(tracking_number) > 64:
        errors["tracking_number"] = N_("Не довше {max} символів")
    return errors


def apply_dispatch(
    session: Session,
    shipment: Shipment,
    *,
    actor: Actor,
    carrier: str,
    tracking_number: str,
    dispatched_on: date,
    parcel_tracking: Mapping[int, str] | None = None,
    note: str = "",
) -> None:
    """Dispatch a shipment already checked under its programme's lock; audited, not committed.

    The one meaning of "dispatched" that ``dispatch_shipment`` and the bulk dispatch share:
    lines frozen as sent, carrier and tracking number on the shipment and its parcels.
    """
    old_state = shipment.state
    _snapshot_lines(session, shipment)
    shipment.carrier, shipment.tracking_number = carrier, tracking_number
    shipment.dispatched_on, shipment.dispatched_by = dispatched_on, actor.username
    shipment.note = note or shipment.note
    _set_state(shipment, "dispatched")
    for parcel in shipment.parcels:
        parcel.tracking_number = (parcel_tracking or {}).get(parcel.number, "").strip() or tracking_number
    _audit(session, actor, shipment, {
        "state": [old_state, "dispatched"],
        "carrier": [None, carrier],
        "tracking_number": [None, tracking_number],
        "dispatched_on": [None, dispatched_on.isoformat()],
    })  # fmt: skip


def dispatch_shipment(
    session: Session,
    *,
    actor: Actor,
    shipment_id: int,
    carrier: str,
    tracking_number: str = "",
    dispatched_on: date,
    parcel_tracking: Mapping[int, str] | None = None,
    note: str = "",
) -> Shipment:
    """Packed (or planned) → dispatched: record carrier and tracking; the documents freeze.

    ``parcel_tracking`` gives a tracking number per parcel number where the carrier issues one
    per parcel; parcels without one get the shipment's.
    """
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    errors = carrier_errors(carrier, tracking_number)
    if errors:
        raise InvalidShipmentData(next(iter(errors.values())), errors=errors, params={"max": 64})
    shipment = _locked(session, shipment_id)
    _require_state(session, shipment, DISPATCHABLE_STATES)
    apply_dispatch(
        session, shipment, actor=actor, carrier=carrier, tracking_number=tracking_number,
        dispatched_on=dispatched_on, parcel_tracking=parcel_tracking, note=note,
    )  # fmt: skip
    session.commit()
    return shipment


def mark_delivered(
    session: Session, *, actor: Actor, shipment_id: int, delivered_on: date, library_id: int | None = None
) -> Shipment:
    """Dispatched → delivered: the carrier handed it over (staff or the library may say so)."""
    shipment = _locked(session, shipment_id, library_id)
    _require_state(session, shipment, ("dispatched",))
    _set_state(shipment, "delivered")
    shipment.delivered_on = delivered_on
    _audit(session, actor, shipment, {"state": ["dispatched", "delivered"],
                                      "delivered_on": [None, delivered_on.isoformat()]})  # fmt: skip
    session.commit()
    return shipment


def _check_discrepancies(shipment: Shipment, items: Sequence[Discrepancy]) -> dict[str, str]:
    """Errors keyed ``discrepancy.<n>.<field>`` (n from 1): unknown title, kind, bad quantity."""
    sent = {line.title_id: line.copies for line in shipment.lines}
    missing: dict[int, int] = defaultdict(int)
    errors: dict[str, str] = {}
    for n, item in enumerate(items, start=1):
        where = f"discrepancy.{n}"
        if item.kind not in DISCREPANCY_KINDS:
            errors[f"{where}.kind"] = N_("Недопустиме значення")
        if item.quantity <= 0:
            errors[f"{where}.quantity"] = N_("Кількість має бути додатною")
        if item.kind != "surplus" and item.title_id not in sent:
            errors[f"{where}.title_id"] = N_("Цієї назви немає у відправленні")
            continue
        if item.kind in (*REOPENING_KINDS, "damaged"):
            missing[item.title_id] += item.quantity
            if missing[item.title_id] > sent.get(item.title_id, 0):
                errors[f"{where}.quantity"] = N_("Більше, ніж надіслано")
        if len(item.note) > 255:
            errors[f"{where}.note"] = N_("Не довше {max} символів")
    return errors


def accept_shipment(
    session: Session,
    *,
    actor: Actor,
    shipment_id: int,
    accepted_on: date,
    discrepancies: Sequence[Discrepancy] = (),
    library_id: int | None = None,
) -> Shipment:
    """The receiving library's answer: confirmed, or discrepancy with what was wrong per title.

    The act of acceptance gets the shipment's number with "-П". A shortage or a wrong title
    lowers the library's allocation of that title by the missing copies, so the quantity is
    open again for re-allocation; damaged copies and surpluses are recorded only.
    """
    shipment = _locked(session, shipment_id, library_id)
    _require_state(session, shipment, ("dispatched", "delivered"))
    errors = _check_discrepancies(shipment, discrepancies)
    if errors:
        session.rollback()
        raise InvalidShipmentData(N_("Розбіжності заповнено з помилками"), errors=errors, params={"max": 255})
    old_state = shipment.state
    for item in discrepancies:
        reopened = _reopen(session, shipment, item) if item.kind in REOPENING_KINDS else 0
        shipment.discrepancies.append(
            ShipmentDiscrepancy(
                title_id=item.title_id, kind=item.kind, quantity=item.quantity, reopened=reopened,
                note=item.note.strip(), reported_by=actor.username,
            )
        )  # fmt: skip
    _set_state(shipment, "discrepancy" if discrepancies else "confirmed")
    shipment.accepted_on, shipment.accepted_by = accepted_on, actor.username
    shipment.acceptance_number = f"{shipment.number}-П"
    if shipment.delivered_on is None:
        shipment.delivered_on = accepted_on
    _audit(session, actor, shipment, {
        "state": [old_state, shipment.state],
        "accepted_on": [None, accepted_on.isoformat()],
        "discrepancies": [None, [f"{d.title_id}:{d.kind}:{d.quantity}" for d in discrepancies]],
    })  # fmt: skip
    session.commit()
    return shipment


def _reopen(session: Session, shipment: Shipment, item: Discrepancy) -> int:
    """Lower the library's allocation of the title by the missing copies; return how many."""
    line = session.scalars(
        select(AllocationLine).where(
            AllocationLine.programme_id == shipment.programme_id,
            AllocationLine.library_id == shipment.library_id,
            AllocationLine.title_id == item.title_id,
        )
    ).one_or_none()
    if line is None:
        return 0
    reopened = min(item.quantity, line.quantity)
    line.quantity -= reopened
    line.updated_at = now_utc()
    return reopened


def correct_shipment(
    session: Session,
    *,
    actor: Actor,
    shipment_id: int,
    lines: Mapping[int, int] | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
    note: str,
) -> Shipment:
    """A correction document for a dispatched shipment: signed copies per title and/or a new
    carrier or tracking number. It is issued at once (dispatched) and the library answers it
    like any shipment. Added copies must fit the library's allocation; removed copies can't
    exceed what the shipment (with earlier corrections) listed.
    """
    if not note.strip():
        raise InvalidShipmentData(N_("Вкажіть причину виправлення"), field="note")
    changes = {title_id: copies for title_id, copies in (lines or {}).items() if copies}
    original = _locked(session, shipment_id)
    if not original.frozen or original.kind == "correction":
        session.rollback()
        raise ShipmentStateError(
            N_("Виправити можна лише відправлене відправлення, а не чернетку чи виправлення ({number})"),
            params={"number": original.number},
        )
    new_carrier = (carrier if carrier is not None else original.carrier).strip()
    new_tracking = (tracking_number if tracking_number is not None else original.tracking_number).strip()
    errors = carrier_errors(new_carrier, new_tracking)
    errors.update(_check_correction(session, original, changes))
    if not changes and (new_carrier, new_tracking) == (original.carrier, original.tracking_number):
        errors["lines"] = N_("Виправлення нічого не змінює")
    if errors:
        session.rollback()
        raise InvalidShipmentData(next(iter(errors.values())), errors=errors, params={"max": 64})
    programme = session.get(Programme, original.programme_id)
    assert programme is not None
    correction = Shipment(
        programme_id=original.programme_id, library_id=original.library_id,
        number=next_shipment_number(programme), kind="correction", corrects_id=original.id,
        state="dispatched", carrier=new_carrier, tracking_number=new_tracking,
        dispatched_on=date.today(), dispatched_by=actor.username, created_by=actor.username,
        note=note.strip(), updated_at=now_utc(),
    )  # fmt: skip
    correction.lines = [ShipmentLine(title_id=t, copies=c) for t, c in sorted(changes.items())]
    session.add(correction)
    session.flush()
    _snapshot_lines(session, correction)
    _audit(session, actor, correction, {
        "corrects": [None, original.number],
        "lines": [None, {str(t): c for t, c in sorted(changes.items())}],
        "tracking_number": [original.tracking_number, new_tracking],
        "note": [None, correction.note],
    }, action="create")  # fmt: skip
    session.commit()
    return correction


def _check_correction(session: Session, original: Shipment, changes: Mapping[int, int]) -> dict[str, str]:
    """Removed copies within what was listed; added copies within the library's allocation."""
    listed: dict[int, int] = defaultdict(int)
    for shipment in (original, *corrections_of(session, original.id)):
        for line in shipment.lines:
            listed[line.title_id] += line.copies
    allocated = dict(
        session.execute(
            select(AllocationLine.title_id, AllocationLine.quantity).where(
                AllocationLine.programme_id == original.programme_id,
                AllocationLine.library_id == original.library_id,
            )
        ).all()
    )
    sent = committed(session, original.programme_id)
    known = set(
        session.scalars(
            select(ProgrammeTitle.id).where(
                ProgrammeTitle.programme_id == original.programme_id, ProgrammeTitle.id.in_(list(changes))
            )
        )
    )
    errors: dict[str, str] = {}
    for title_id, copies in changes.items():
        where = f"lines.{title_id}"
        if title_id not in known:
            errors[where] = N_("Такої назви немає в програмі")
        elif copies < 0 and listed[title_id] + copies < 0:
            errors[where] = N_("Не можна зняти більше, ніж було у відправленні")
        elif copies > 0 and sent.get((original.library_id, title_id), 0) + copies > allocated.get(
            title_id, 0
        ):
            errors[where] = N_("Більше, ніж розподілено бібліотеці: спершу змініть розподіл")
    return errors


def reopened_total(session: Session, shipment_ids: Iterable[int]) -> dict[int, int]:
    """Reopened copies per shipment (for reports)."""
    ids = list(shipment_ids)
    if not ids:
        return {}
    stmt = (
        select(ShipmentDiscrepancy.shipment_id, func.sum(ShipmentDiscrepancy.reopened))
        .where(ShipmentDiscrepancy.shipment_id.in_(ids))
        .group_by(ShipmentDiscrepancy.shipment_id)
    )
    return {sid: int(total or 0) for sid, total in session.execute(stmt)}


def library_of(session: Session, shipment: Shipment) -> Library:
    """The receiving library."""
    library = session.get(Library, shipment.library_id)
    assert library is not None
    return library


def accepted(shipment: Shipment) -> bool:
    """Whether the library has answered (confirmed or reported discrepancies)."""
    return shipment.state in ACCEPTED_STATES


# --- copies lost in transit --------------------------------------------------------------------


def lost_in_transit(session: Session, programme_id: int) -> dict[int, int]:
    """Copies per title written off as lost on the way: no longer on hand to allocate."""
    stmt = (
        select(ShipmentDiscrepancy.title_id, func.sum(ShipmentDiscrepancy.written_off))
        .join(Shipment, Shipment.id == ShipmentDiscrepancy.shipment_id)
        .where(Shipment.programme_id == programme_id, ShipmentDiscrepancy.written_off > 0)
        .group_by(ShipmentDiscrepancy.title_id)
    )
    return {title_id: int(total or 0) for title_id, total in session.execute(stmt)}


def write_off_lost(
    session: Session, *, actor: Actor, shipment_id: int, discrepancy_id: int, copies: int
) -> ShipmentDiscrepancy:
    """Declare copies of a reported shortage lost in transit (not mis-packed and found).

    A shortage gave the copies back to allocation as if they were on hand; writing them off
    takes them out of what can be allocated, while the library's order stays open.
    """
    shipment = _locked(session, shipment_id)
    item = next((d for d in shipment.discrepancies if d.id == discrepancy_id), None)
    if item is None:
        session.rollback()
        raise ShipmentNotFound(N_("Відправлення {id} не знайдено"), params={"id": shipment_id})
    left = item.reopened - item.written_off
    if not 0 < copies <= left:
        session.rollback()
        raise InvalidShipmentData(
            N_("Списати можна від 1 до {left} прим."), field="copies", params={"left": left}
        )
    item.written_off += copies
    _audit(session, actor, shipment, {f"lost_in_transit.{item.title_id}": [item.written_off - copies,
                                                                            item.written_off]})  # fmt: skip
    session.commit()
    return item
