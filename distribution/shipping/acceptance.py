"""Acceptance and corrections: the library confirms a shipment or reports discrepancies per title;
a shortage or wrong title gives the quantity back to allocation; mistakes after dispatch are
put right by correction shipments; copies lost in transit are written off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collection.audit import Actor
from collection.db import now_utc
from collection.errors import N_
from distribution.allocation.models import AllocationLine
from distribution.errors import InvalidShipmentData, ShipmentNotFound, ShipmentStateError
from distribution.programmes.models import Programme, ProgrammeTitle
from distribution.shipping.dispatch import (
    audit_shipment,
    carrier_errors,
    locked_shipment,
    next_shipment_number,
    require_state,
    set_state,
    snapshot_lines,
)
from distribution.shipping.models import (
    ACCEPTED_STATES,
    DISCREPANCY_KINDS,
    REOPENING_KINDS,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentLine,
)
from distribution.shipping.queries import committed, corrections_of


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One title's discrepancy as the receiving library reports it."""

    title_id: int
    kind: str
    quantity: int
    note: str = ""


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
    shipment = locked_shipment(session, shipment_id, library_id)
    require_state(session, shipment, ("dispatched", "delivered"))
    errors = _check_discrepancies(shipment, discrepancies)
    if errors:
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
    set_state(shipment, "discrepancy" if discrepancies else "confirmed")
    shipment.accepted_on, shipment.accepted_by = accepted_on, actor.username
    shipment.acceptance_number = f"{shipment.number}-П"
    if shipment.delivered_on is None:
        shipment.delivered_on = accepted_on
    audit_shipment(session, actor, shipment, {
        "state": [old_state, shipment.state],
        "accepted_on": [None, accepted_on.isoformat()],
        "discrepancies": [None, [f"{d.title_id}:{d.kind}:{d.quantity}" for d in discrepancies]],
    })  # fmt: skip
    session.flush()
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
    original = locked_shipment(session, shipment_id)
    if not original.frozen or original.kind == "correction":
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
    snapshot_lines(session, correction)
    audit_shipment(session, actor, correction, {
        "corrects": [None, original.number],
        "lines": [None, {str(t): c for t, c in sorted(changes.items())}],
        "tracking_number": [original.tracking_number, new_tracking],
        "note": [None, correction.note],
    }, action="create")  # fmt: skip
    session.flush()
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
    shipment = locked_shipment(session, shipment_id)
    item = next((d for d in shipment.discrepancies if d.id == discrepancy_id), None)
    if item is None:
        raise ShipmentNotFound(N_("Відправлення {id} не знайдено"), params={"id": shipment_id})
    left = item.reopened - item.written_off
    if not 0 < copies <= left:
        raise InvalidShipmentData(
            N_("Списати можна від 1 до {left} прим."), field="copies", params={"left": left}
        )
    item.written_off += copies
    audit_shipment(session, actor, shipment, {f"lost_in_transit.{item.title_id}": [item.written_off - copies,
                                                                            item.written_off]})  # fmt: skip
    session.flush()
    return item
