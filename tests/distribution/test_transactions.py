"""The caller's unit of work commits: a refused distribution step leaves the caller's session alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from distribution.libraries.models import Library
from distribution.libraries.services import create_library
from distribution.programmes.services import create_programme
from distribution.shipping.bulk_dispatch import BulkDispatchRefused, DispatchItem, dispatch_shipments
from distribution.shipping.models import Shipment
from distribution.shipping.queries import list_shipments
from tests.builders import TEST_ACTOR
from tests.distribution.shipment_builders import DAY, packed_programme


def test_a_refused_bulk_dispatch_leaves_the_callers_uncommitted_work_in_its_session(session):
    programme = packed_programme(session)
    (first, *_rest) = list_shipments(session, programme_id=programme.id)
    pending = create_programme(session, actor=TEST_ACTOR, name="Ще не збережена", year=2026)
    items = [DispatchItem(first.number, "nova_poshta", "20400000000001", DAY),
             DispatchItem("9-9999", "nova_poshta", "20400000000002", DAY)]  # fmt: skip
    with pytest.raises(BulkDispatchRefused):
        dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=items)
    assert pending in session  # it used to be rolled back with the lock
    session.commit()
    assert session.get(type(pending), pending.id).name == "Ще не збережена"
    states = set(session.scalars(select(Shipment.state).where(Shipment.programme_id == programme.id)))
    assert "dispatched" not in states


def test_a_library_created_then_rolled_back_by_the_caller_is_not_stored(session):
    library = create_library(session, actor=TEST_ACTOR, code="LG-RB-01", name="Бібліотека, якої не буде")
    assert library.id is not None  # flushed for its id
    session.rollback()
    assert session.scalar(select(Library).where(Library.code == "LG-RB-01")) is None
