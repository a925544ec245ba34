"""Packing persisted: one planned shipment per library with its parcels, from the allocation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.db import now_utc
from distribution.allocation.services import allocated_copies, drop_planned
from distribution.libraries.models import Library
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.services import advance, get_programme, lock_programme
from distribution.shipping.dispatch import carrier_code, next_shipment_number
from distribution.shipping.models import (
    Parcel,
    ParcelLine,
    Shipment,
    ShipmentLine,
)
from distribution.shipping.queries import committed
from distribution.shipping.rules import CarrierLimits, pack

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
    drop_planned(session, programme_id)
    codes = dict(session.execute(select(Library.id, Library.code)).all())
    library_ids = {code: lib for lib, code in codes.items()}
    carriers = {
        lib: carrier_code(text)
        for lib, text in session.execute(select(Library.id, Library.carrier).where(Library.carrier != ""))
    }
    done = {(codes[lib], title): copies for (lib, title), copies in committed(session, programme_id).items()}
    allocations = {
        (c, str(t)): q - done.get((c, t), 0)
        for (c, t), q in allocated_copies(session, programme_id).items()
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
    advance(programme, "dispatching")
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
    session.flush()
    return stored


def parcel_weight_total(parcels: Iterable[Parcel]) -> Decimal:
    """Total weight of parcels, kg."""
    return sum((p.weight for p in parcels), Decimal("0"))
