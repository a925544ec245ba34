"""Dispatch and acceptance: shipments move planned → packed → dispatched → delivered →
confirmed / discrepancy.

Packing (``distribution.shipping.packing.pack_programme``) plans one shipment per library with its
parcels. Staff mark it packed, then dispatch it with the carrier and tracking number: from then
on it is frozen — its lines keep the title, ISBN and price as sent, so the transfer act printed
later is the act that travelled. A mistake found afterwards is put right by a correction: a new
shipment pointing at the old one, with signed quantities. The receiving library confirms
receipt (its act of acceptance gets a number) or reports discrepancies per title; a shortage or
a wrong title gives that quantity back to allocation, so it can be sent again.

Every step holds the programme's lock (``lock_programme``) and is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.errors import InvalidShipmentData, ShipmentStateError
from distribution.programmes.models import Programme, ProgrammeTitle
from distribution.programmes.services import lock_programme
from distribution.shipping.models import (
    CARRIERS,
    Shipment,
)
from distribution.shipping.queries import get_shipment

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


# --- writing -----------------------------------------------------------------------------------


def next_shipment_number(programme: Programme) -> str:
    """The programme's next shipment number ("<programme id>-0001"); never given twice."""
    programme.shipment_seq = (programme.shipment_seq or 0) + 1
    return f"{programme.id}-{programme.shipment_seq:04d}"


def locked_shipment(session: Session, shipment_id: int, library_id: int | None = None) -> Shipment:
    """The shipment, read again after taking its programme's lock."""
    shipment = get_shipment(session, shipment_id, library_id=library_id)
    lock_programme(session, shipment.programme_id)
    session.refresh(shipment)
    return shipment


def require_state(session: Session, shipment: Shipment, allowed: Sequence[str]) -> None:
    if shipment.state not in allowed:
        raise ShipmentStateError(
            N_("Відправлення {number} має стан «{state}»: цей крок неможливий"),
            params={"number": shipment.number, "state": shipment.state},
        )


def audit_shipment(
    session: Session,
    actor: Actor,
    shipment: Shipment,
    changes: Mapping[str, Sequence[Any]],
    action: str = "update",
) -> None:
    """Audit a step of the shipment; the audit log names a shipment by its number."""
    record_change(session, actor=actor, action=action, obj_type="shipment", obj_id=shipment.number,
                  changes=changes)  # fmt: skip


def set_state(shipment: Shipment, state: str) -> None:
    shipment.state = state
    shipment.updated_at = now_utc()
    for parcel in shipment.parcels:
        parcel.state = state


def mark_packed(session: Session, *, actor: Actor, shipment_id: int) -> Shipment:
    """Planned → packed: the parcels are physically packed; packing again keeps them."""
    shipment = locked_shipment(session, shipment_id)
    require_state(session, shipment, ("planned",))
    set_state(shipment, "packed")
    shipment.packed_by = actor.username
    audit_shipment(session, actor, shipment, {"state": ["planned", "packed"]})
    session.flush()
    return shipment


def unpack(session: Session, *, actor: Actor, shipment_id: int) -> Shipment:
    """Packed → planned, while it has not left: e.g. to repack after a hand adjustment."""
    shipment = locked_shipment(session, shipment_id)
    require_state(session, shipment, ("packed",))
    set_state(shipment, "planned")
    audit_shipment(session, actor, shipment, {"state": ["packed", "planned"]})
    session.flush()
    return shipment


def snapshot_lines(session: Session, shipment: Shipment) -> None:
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
    snapshot_lines(session, shipment)
    shipment.carrier, shipment.tracking_number = carrier, tracking_number
    shipment.dispatched_on, shipment.dispatched_by = dispatched_on, actor.username
    shipment.note = note or shipment.note
    set_state(shipment, "dispatched")
    for parcel in shipment.parcels:
        parcel.tracking_number = (parcel_tracking or {}).get(parcel.number, "").strip() or tracking_number
    audit_shipment(session, actor, shipment, {
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
    shipment = locked_shipment(session, shipment_id)
    require_state(session, shipment, DISPATCHABLE_STATES)
    apply_dispatch(
        session, shipment, actor=actor, carrier=carrier, tracking_number=tracking_number,
        dispatched_on=dispatched_on, parcel_tracking=parcel_tracking, note=note,
    )  # fmt: skip
    session.flush()
    return shipment


def mark_delivered(
    session: Session, *, actor: Actor, shipment_id: int, delivered_on: date, library_id: int | None = None
) -> Shipment:
    """Dispatched → delivered: the carrier handed it over (staff or the library may say so)."""
    shipment = locked_shipment(session, shipment_id, library_id)
    require_state(session, shipment, ("dispatched",))
    set_state(shipment, "delivered")
    shipment.delivered_on = delivered_on
    audit_shipment(session, actor, shipment, {"state": ["dispatched", "delivered"],
                                      "delivered_on": [None, delivered_on.isoformat()]})  # fmt: skip
    session.flush()
    return shipment
