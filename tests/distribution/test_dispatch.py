"""Dispatch and acceptance: shipment states, frozen documents, corrections, discrepancies."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from collection.audit import entries_for_object
from distribution.allocation.models import AllocationLine
from distribution.allocation.services import adjust_allocation, allocate_programme, allocation_rows
from distribution.errors import (
    AllocationLimitExceeded,
    InvalidShipmentData,
    ShipmentNotFound,
    ShipmentStateError,
)
from distribution.libraries.models import Library
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.report import programme_report
from distribution.shipping.acceptance import Discrepancy, accept_shipment, correct_shipment, write_off_lost
from distribution.shipping.dispatch import (
    carrier_code,
    dispatch_shipment,
    mark_delivered,
    mark_packed,
    unpack,
)
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import (
    committed,
    get_shipment,
    incoming_shipments,
    list_shipments,
    shipment_parcels,
)
from distribution.shipping.recipient_marc import shipment_lines
from distribution.shipping.rules import CarrierLimits
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B, csv_bytes, programme_with_orders
from tests.distribution.shipment_builders import DAY, dispatched_programme, library_id, shipment_for, title_id


def allocated_to(session, programme_id, code, isbn):
    rows = allocation_rows(session, programme_id)
    return next(r["allocated"] for r in rows if r["library_code"] == code and r["isbn"] == isbn)


def test_packing_plans_one_shipment_per_library_with_the_allocated_copies(session):
    programme = programme_with_orders(
        session, [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]], received=[[A, 8, 0], [B, 2, 0]]
    )
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id, limits=CarrierLimits(max_copies=4))
    shipment = shipment_for(session, programme.id, "LG-A01")
    assert shipment.state == "planned" and shipment.number.startswith(f"{programme.id}-")
    a, b = title_id(session, programme.id, A), title_id(session, programme.id, B)
    assert {line.title_id: line.copies for line in shipment.lines} == {a: 5, b: 2}
    parcels = shipment_parcels(session, shipment.id)
    assert [p.number for p in parcels] == [1, 2] and sum(p.copies for p in parcels) == 7
    # a library sees nothing of a shipment that has not left
    assert incoming_shipments(session, library_id(session, "LG-A01")) == []
    with pytest.raises(ShipmentNotFound):
        get_shipment(session, shipment.id, library_id=library_id(session, "LG-A01"))


def test_states_go_planned_packed_dispatched_delivered_confirmed_and_never_back(session):
    programme = programme_with_orders(session, [["LG-A01", A, 2]], received=[[A, 2, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    shipment = shipment_for(session, programme.id, "LG-A01")
    with pytest.raises(ShipmentStateError):
        mark_delivered(session, actor=TEST_ACTOR, shipment_id=shipment.id, delivered_on=DAY)
    mark_packed(session, actor=TEST_ACTOR, shipment_id=shipment.id)
    assert shipment_parcels(session, shipment.id)[0].state == "packed"
    unpack(session, actor=TEST_ACTOR, shipment_id=shipment.id)
    mark_packed(session, actor=TEST_ACTOR, shipment_id=shipment.id)
    dispatch_shipment(
        session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="ukrposhta",
        tracking_number=" 0500123456789 ", dispatched_on=DAY, parcel_tracking={1: "0500999"},
    )  # fmt: skip
    assert (shipment.state, shipment.tracking_number) == ("dispatched", "0500123456789")
    assert shipment_parcels(session, shipment.id)[0].tracking_number == "0500999"
    for step in (mark_packed, unpack):
        with pytest.raises(ShipmentStateError):
            step(session, actor=TEST_ACTOR, shipment_id=shipment.id)
    with pytest.raises(ShipmentStateError):
        dispatch_shipment(
            session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="own", dispatched_on=DAY
        )  # fmt: skip
    mark_delivered(session, actor=TEST_ACTOR, shipment_id=shipment.id, delivered_on=date(2026, 11, 22))
    own = library_id(session, "LG-A01")
    accept_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, accepted_on=DAY, library_id=own)
    assert shipment.state == "confirmed" and shipment.acceptance_number == f"{shipment.number}-П"
    states = [e.changes["state"] for e in entries_for_object(session, "shipment", shipment.number)]
    assert ["dispatched", "delivered"] in states and ["delivered", "confirmed"] in states


def test_a_carrier_other_than_own_transport_needs_a_tracking_number(session):
    programme = programme_with_orders(session, [["LG-A01", A, 1]], received=[[A, 1, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    shipment = shipment_for(session, programme.id, "LG-A01")
    with pytest.raises(InvalidShipmentData) as error:
        dispatch_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="nova_poshta",
                          tracking_number="  ", dispatched_on=DAY)  # fmt: skip
    assert "tracking_number" in error.value.errors
    with pytest.raises(InvalidShipmentData) as error:
        dispatch_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="pigeon",
                          tracking_number="1", dispatched_on=DAY)  # fmt: skip
    assert "carrier" in error.value.errors
    assert session.get(type(shipment), shipment.id).state == "planned"
    dispatch_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="own", dispatched_on=DAY)
    assert shipment.state == "dispatched" and shipment.tracking_number == ""


def test_a_dispatched_shipment_keeps_the_prices_and_titles_it_left_with(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    title = session.get(ProgrammeTitle, title_id(session, programme.id, A))
    title.price, title.title = Decimal("999.00"), "Кобзар (нове видання)"
    session.commit()
    line = next(line for line in shipment.lines if line.isbn == A)
    assert (line.title, line.price, line.total) == ("Кобзар", Decimal("350.00"), Decimal("1750.00"))
    # packing again leaves what has left alone and plans nothing new
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert len(list_shipments(session, programme_id=programme.id)) == 2
    report = programme_report(session, programme.id)
    assert (report["totals"]["dispatched"], report["totals"]["confirmed"]) == (10, 0)


def test_the_receiving_library_confirms_only_its_own_shipments(session):
    programme = dispatched_programme(session)
    theirs = shipment_for(session, programme.id, "LG-B01")
    ours = library_id(session, "LG-A01")
    assert [s.library_id for s in incoming_shipments(session, ours)] == [ours]
    with pytest.raises(ShipmentNotFound):
        accept_shipment(session, actor=TEST_ACTOR, shipment_id=theirs.id, accepted_on=DAY, library_id=ours)
    assert session.get(type(theirs), theirs.id).state == "dispatched"


def test_a_reported_shortage_reopens_the_quantity_and_it_is_sent_again(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    a, b = title_id(session, programme.id, A), title_id(session, programme.id, B)
    accept_shipment(
        session, actor=TEST_ACTOR, shipment_id=shipment.id, accepted_on=DAY,
        discrepancies=[Discrepancy(a, "shortage", 2, "пачка надірвана"), Discrepancy(b, "damaged", 1)],
        library_id=library_id(session, "LG-A01"),
    )  # fmt: skip
    assert shipment.state == "discrepancy"
    assert {(d.kind, d.quantity, d.reopened) for d in shipment.discrepancies} == {
        ("shortage", 2, 2),
        ("damaged", 1, 0),
    }
    assert allocated_to(session, programme.id, "LG-A01", A) == 3
    report = programme_report(session, programme.id)
    library = next(r for r in report["libraries"] if r["library_code"] == "LG-A01")
    assert (library["dispatched"], library["confirmed"], library["received"]) == (7, 5, 5)
    # the next delivery brings two more copies: allocation gives them back to LG-A01 ...
    receive_delivery(
        session, actor=TEST_ACTOR, programme_id=programme.id,
        lines=parse_delivery_file(io.BytesIO(csv_bytes(["isbn", "received", "damaged"], [[A, 2, 0]])),
                                  "d2.csv"),
    )  # fmt: skip
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert allocated_to(session, programme.id, "LG-A01", A) == 5
    # ... and packing plans a new shipment of just those two
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    again = shipment_for(session, programme.id, "LG-A01", state="planned")
    assert [(line.title_id, line.copies) for line in again.lines] == [(a, 2)]
    assert shipment_parcels(session, again.id)[0].number == 2  # parcel numbers continue


def test_discrepancies_beyond_what_was_sent_are_refused_and_nothing_changes(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-B01")
    a, b = title_id(session, programme.id, A), title_id(session, programme.id, B)
    with pytest.raises(InvalidShipmentData) as error:
        accept_shipment(
            session, actor=TEST_ACTOR, shipment_id=shipment.id, accepted_on=DAY,
            discrepancies=[Discrepancy(a, "shortage", 4), Discrepancy(b, "wrong_title", 1),
                           Discrepancy(a, "lost", 1)],
        )  # fmt: skip
    assert set(error.value.errors) == {
        "discrepancy.1.quantity",
        "discrepancy.2.title_id",
        "discrepancy.3.kind",
    }
    session.expire_all()
    assert shipment.state == "dispatched" and shipment.discrepancies == []
    assert allocated_to(session, programme.id, "LG-B01", A) == 3


def test_reallocation_keeps_what_was_sent_and_hand_adjustments_unless_reset(session):
    programme = programme_with_orders(session, [["LG-A01", A, 4], ["LG-B01", A, 4]], received=[[A, 4, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    a = title_id(session, programme.id, A)
    adjust_allocation(
        session, actor=TEST_ACTOR, programme_id=programme.id, changes={("LG-A01", a): 1, ("LG-B01", a): 3}
    )
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert [allocated_to(session, programme.id, c, A) for c in ("LG-A01", "LG-B01")] == [1, 3]
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    shipment = shipment_for(session, programme.id, "LG-B01")
    dispatch_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="own", dispatched_on=DAY)
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id, reset=True)
    # the rules would give 2 + 2, but LG-B01 already has 3 on the road
    assert [allocated_to(session, programme.id, c, A) for c in ("LG-A01", "LG-B01")] == [1, 3]
    assert committed(session, programme.id) == {(library_id(session, "LG-B01"), a): 3}
    with pytest.raises(AllocationLimitExceeded):
        adjust_allocation(session, actor=TEST_ACTOR, programme_id=programme.id, changes={("LG-B01", a): 2})
    line = session.scalar(
        select(AllocationLine).where(AllocationLine.library_id == library_id(session, "LG-B01"))
    )
    assert line.quantity == 3


def test_corrections_are_new_documents_and_the_original_stays_as_sent(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    a = title_id(session, programme.id, A)
    with pytest.raises(InvalidShipmentData):
        correct_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, lines={a: -1}, note=" ")
    with pytest.raises(InvalidShipmentData) as error:
        correct_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, lines={a: 1}, note="ще один")
    assert f"lines.{a}" in error.value.errors  # beyond the library's allocation
    with pytest.raises(InvalidShipmentData):
        correct_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, lines={a: -6}, note="забагато")
    correction = correct_shipment(
        session, actor=TEST_ACTOR, shipment_id=shipment.id, lines={a: -2},
        tracking_number="20400000009999", note="2 прим. не вмістилися, залишились у відділі",
    )  # fmt: skip
    assert (correction.kind, correction.corrects_id, correction.state) == (
        "correction",
        shipment.id,
        "dispatched",
    )
    assert [(line.title_id, line.copies, line.isbn) for line in correction.lines] == [(a, -2, A)]
    session.expire_all()
    assert {line.title_id: line.copies for line in shipment.lines}[a] == 5  # the original is untouched
    with pytest.raises(ShipmentStateError):
        correct_shipment(session, actor=TEST_ACTOR, shipment_id=correction.id, lines={a: -1}, note="x")
    # the two copies that stayed behind are packed again
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    again = shipment_for(session, programme.id, "LG-A01", state="planned")
    assert [(line.title_id, line.copies) for line in again.lines] == [(a, 2)]
    assert programme_report(session, programme.id)["totals"]["dispatched"] == 8
    assert entries_for_object(session, "shipment", correction.number)


@pytest.mark.parametrize(
    ("text", "code"),
    [("Нова пошта", "nova_poshta"), ("nova_poshta", "nova_poshta"), (" УКРПОШТА ", "ukrposhta"),
     ("Самовивіз", "own"), ("Meest Express", "meest"), ("голуби", "")],
)  # fmt: skip
def test_carriers_are_recognised_as_registries_spell_them(text, code):
    assert carrier_code(text) == code


def test_a_planned_shipment_takes_the_carrier_of_the_library_delivery_point(session):
    programme = programme_with_orders(session, [["LG-A01", A, 1], ["LG-B01", A, 1]], received=[[A, 2, 0]])
    session.get(Library, library_id(session, "LG-A01")).carrier = "Нова пошта"
    session.commit()
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert shipment_for(session, programme.id, "LG-A01").carrier == "nova_poshta"
    assert shipment_for(session, programme.id, "LG-B01").carrier == ""


def test_a_shipment_gives_its_recipient_lines_with_corrections_netted_in(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    a, b = title_id(session, programme.id, A), title_id(session, programme.id, B)
    correction = correct_shipment(
        session, actor=TEST_ACTOR, shipment_id=shipment.id, lines={b: -2}, note="B не надіслано"
    )
    edition = {t: session.get(ProgrammeTitle, t).edition_id for t in (a, b)}
    lines = shipment_lines(session, shipment.id, library_id=library_id(session, "LG-A01"))
    assert [(line.edition_id, line.copies, line.price) for line in lines] == [
        (edition[a], 5, Decimal("350.00"))
    ]
    assert shipment_lines(session, correction.id) == []  # it only takes copies away
    with pytest.raises(ShipmentNotFound):
        shipment_lines(session, shipment.id, library_id=library_id(session, "LG-B01"))


def test_the_report_sums_by_publisher_and_by_district(session):
    programme = dispatched_programme(session)
    session.get(Library, library_id(session, "LG-A01")).district = "Старобільський"
    session.get(Library, library_id(session, "LG-B01")).district = "Старобільський"
    session.commit()
    report = programme_report(session, programme.id)
    assert [(p["publisher"], p["titles"], p["ordered"]) for p in report["publishers"]] == [
        ("Знання", 1, 8),
        ("Фоліо", 1, 2),
    ]
    (district,) = report["districts"]
    assert (district["district"], district["libraries"], district["dispatched"]) == ("Старобільський", 2, 10)


def test_copies_lost_in_transit_are_written_off_and_not_allocated_again(session):
    programme = dispatched_programme(session)  # LG-A01 got 5 of A (all 8 received are allocated)
    shipment = shipment_for(session, programme.id, "LG-A01")
    a = title_id(session, programme.id, A)
    accept_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, accepted_on=DAY,
                    discrepancies=[Discrepancy(a, "shortage", 2)])  # fmt: skip
    (shortage,) = shipment.discrepancies
    with pytest.raises(InvalidShipmentData) as error:
        write_off_lost(
            session, actor=TEST_ACTOR, shipment_id=shipment.id, discrepancy_id=shortage.id, copies=3
        )
    assert set(error.value.errors) == {"copies"}
    write_off_lost(session, actor=TEST_ACTOR, shipment_id=shipment.id, discrepancy_id=shortage.id, copies=2)
    assert shortage.written_off == 2
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert allocated_to(session, programme.id, "LG-A01", A) == 3  # nothing on hand to send again
    totals = programme_report(session, programme.id)["totals"]
    assert (totals["lost"], totals["surplus"]) == (2, 0)
    states = [e.changes for e in entries_for_object(session, "shipment", shipment.number)]
    assert {f"lost_in_transit.{a}": [0, 2]} in states
    with pytest.raises(InvalidShipmentData):  # nothing left to write off
        write_off_lost(
            session, actor=TEST_ACTOR, shipment_id=shipment.id, discrepancy_id=shortage.id, copies=1
        )
