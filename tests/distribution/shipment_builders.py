"""Builders for shipment tests: a programme packed into shipments or sent, and look-ups by code."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from distribution.allocation.services import allocate_programme
from distribution.libraries.models import Library
from distribution.programmes.models import ProgrammeTitle
from distribution.shipping.dispatch import dispatch_shipment
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments
from distribution.shipping.rules import CarrierLimits
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B, programme_with_orders

DAY = date(2026, 11, 20)


def library_id(session, code):
    return session.scalar(select(Library.id).where(Library.code == code))


def title_id(session, programme_id, isbn):
    return session.scalar(
        select(ProgrammeTitle.id).where(
            ProgrammeTitle.programme_id == programme_id, ProgrammeTitle.isbn == isbn
        )
    )


def shipment_for(session, programme_id, code, state=None):
    """The library's one shipment in the programme (in ``state``, when given)."""
    found = [
        s
        for s in list_shipments(session, programme_id=programme_id, library_id=library_id(session, code))
        if state is None or s.state == state
    ]
    assert len(found) == 1, found
    return found[0]


def packed_programme(session, max_copies=100):
    """Titles A (350.00) and B (210.50); LG-A01 gets 5 A + 2 B, LG-B01 3 A; planned, not sent."""
    programme = programme_with_orders(
        session, [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]], received=[[A, 8, 0], [B, 2, 0]]
    )
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(
        session, actor=TEST_ACTOR, programme_id=programme.id, limits=CarrierLimits(max_copies=max_copies)
    )
    session.commit()  # the services only flush: a builder commits, as a route would
    return programme


def dispatched_programme(session, max_copies=100):
    """``packed_programme`` with every shipment dispatched by Nova Poshta on ``DAY``."""
    programme = packed_programme(session, max_copies)
    for shipment in list_shipments(session, programme_id=programme.id):
        dispatch_shipment(
            session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="nova_poshta",
            tracking_number=f"2040000000{shipment.id:04d}", dispatched_on=DAY,
        )  # fmt: skip
    session.commit()
    return programme
