"""Bulk dispatch: a programme's shipments leave together or not at all; lookups by number and ISBN."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from collection.audit import entries_for_object
from distribution.allocation.services import allocate_programme
from distribution.errors import InvalidShipmentData, ProgrammeNotFound, ShipmentNotFound
from distribution.libraries.models import Library
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.services import create_programme
from distribution.shipping.bulk_dispatch import (
    DISPATCH_COLUMNS,
    BulkDispatchRefused,
    DispatchItem,
    dispatch_shipments,
    items_from_table,
    shipment_by_number,
    title_ids_by_isbn,
)
from distribution.shipping.dispatch import dispatch_shipment
from distribution.shipping.models import Shipment
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments, shipment_parcels
from distribution.shipping.rules import CarrierLimits
from distribution.spreadsheets import read_table
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B, csv_bytes, programme_with_orders

DAY = date(2026, 11, 20)


def packed_programme(session):
    """LG-A01 gets 5 A + 2 B (two parcels), LG-B01 3 A: both shipments planned."""
    programme = programme_with_orders(
        session, [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]], received=[[A, 8, 0], [B, 2, 0]]
    )
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id, limits=CarrierLimits(max_copies=4))
    return programme


def numbers(session, programme_id):
    """Shipment number by library code."""
    rows = session.execute(
        select(Library.code, Shipment.number)
        .join(Library, Library.id == Shipment.library_id)
        .where(Shipment.programme_id == programme_id)
    )
    return dict(rows.all())


def states(session, programme_id):
    session.expire_all()
    return {s.number: s.state for s in list_shipments(session, programme_id=programme_id)}


def test_every_shipment_of_the_list_is_dispatched_with_its_own_carrier_and_tracking(session):
    programme = packed_programme(session)
    number = numbers(session, programme.id)
    sent = dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=[
        DispatchItem(number["LG-B01"], "ukrposhta", " 0500123456789 ", DAY),
        DispatchItem(number["LG-A01"], "nova_poshta", "20400000000001", date(2026, 11, 21)),
    ])  # fmt: skip
    assert [s.number for s in sent] == [number["LG-B01"], number["LG-A01"]]
    first, second = sent
    assert (first.state, first.carrier, first.tracking_number, first.dispatched_on) == (
        "dispatched", "ukrposhta", "0500123456789", DAY,
    )  # fmt: skip
    assert second.dispatched_on == date(2026, 11, 21) and second.dispatched_by == "tests"
    parcels = shipment_parcels(session, second.id)
    assert len(parcels) == 2
    assert {(p.state, p.tracking_number) for p in parcels} == {("dispatched", "20400000000001")}
    assert all(line.isbn and line.price is not None for line in second.lines)  # frozen as sent
    changes = [e.changes for e in entries_for_object(session, "shipment", second.number)]
    assert any(c.get("state") == ["planned", "dispatched"] for c in changes)


def test_one_bad_item_refuses_the_whole_list_and_every_problem_is_named(session):
    programme = packed_programme(session)
    number = numbers(session, programme.id)
    before = states(session, programme.id)
    with pytest.raises(BulkDispatchRefused) as refused:
        dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=[
            DispatchItem(number["LG-A01"], "nova_poshta", "20400000000001", DAY),
            DispatchItem(number["LG-B01"], "nova_poshta", "  ", DAY),
            DispatchItem("999-0001", "meest", "M1", DAY),
            DispatchItem(number["LG-A01"], "pigeon", "1", DAY),
            DispatchItem("", "own"),
        ])  # fmt: skip
    assert refused.value.errors == {
        "1.tracking_number": "Вкажіть номер відстеження (ТТН)",
        "2.shipment_number": "У цій програмі немає відправлення з таким номером",
        "3.carrier": "Оберіть перевізника зі списку",
        "3.shipment_number": "Це відправлення вже є в іншому рядку",
        "4.shipment_number": "Вкажіть номер відправлення",
    }
    assert [p.row for p in refused.value.problems] == [1, 2, 3, 3, 4]
    assert states(session, programme.id) == before == dict.fromkeys(before, "planned")
    assert not session.scalars(select(Shipment).where(Shipment.dispatched_by != "")).all()


def test_a_shipment_already_on_the_road_refuses_the_list_named_by_its_spreadsheet_row(session):
    programme = packed_programme(session)
    number = numbers(session, programme.id)
    gone = shipment_by_number(session, number["LG-B01"])
    dispatch_shipment(session, actor=TEST_ACTOR, shipment_id=gone.id, carrier="nova_poshta",
                      tracking_number="20450000000001", dispatched_on=DAY)  # fmt: skip
    with pytest.raises(BulkDispatchRefused) as refused:
        dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=[
            DispatchItem(number["LG-A01"], "own", ref=2),
            DispatchItem(number["LG-B01"], "own", ref=3),
        ])  # fmt: skip
    assert set(refused.value.errors) == {"3.state"}
    assert str(refused.value.problems[0]).startswith("row 3, state:")
    assert states(session, programme.id)[number["LG-A01"]] == "planned"


def test_loading_the_same_register_again_changes_nothing(session):
    programme = packed_programme(session)
    number = numbers(session, programme.id)
    items = [DispatchItem(number[code], "nova_poshta", f"2045000000000{n}", DAY, ref=n + 2)
             for n, code in enumerate(("LG-A01", "LG-B01"))]  # fmt: skip
    assert len(dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=items)) == 2
    audit_before = len(entries_for_object(session, "shipment", number["LG-A01"]))
    assert dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=items) == []
    assert len(entries_for_object(session, "shipment", number["LG-A01"])) == audit_before
    assert set(states(session, programme.id).values()) == {"dispatched"}


def test_shipments_of_another_programme_are_not_found_in_this_one(session):
    programme = packed_programme(session)
    number = numbers(session, programme.id)
    other = create_programme(session, actor=TEST_ACTOR, name="Обмінний фонд", year=2026, kind="exchange")
    with pytest.raises(BulkDispatchRefused) as refused:
        dispatch_shipments(session, actor=TEST_ACTOR, programme_id=other.id, items=[
            DispatchItem(number["LG-A01"], "own")])  # fmt: skip
    assert set(refused.value.errors) == {"0.shipment_number"}
    assert states(session, programme.id)[number["LG-A01"]] == "planned"


def test_an_unknown_programme_or_an_empty_list_is_refused(session):
    programme = packed_programme(session)
    with pytest.raises(ProgrammeNotFound):
        dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id + 1000,
                           items=[DispatchItem("1-0001", "own")])  # fmt: skip
    with pytest.raises(InvalidShipmentData) as error:
        dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=[])
    assert set(error.value.errors) == {"items"}


def test_a_shipment_is_found_by_number_but_a_library_sees_only_its_own_sent_ones(session):
    programme = packed_programme(session)
    number = numbers(session, programme.id)
    own = session.scalar(select(Library.id).where(Library.code == "LG-A01"))
    assert shipment_by_number(session, f" {number['LG-A01']} ").library_id == own
    with pytest.raises(ShipmentNotFound):  # not sent yet
        shipment_by_number(session, number["LG-A01"], library_id=own)
    dispatch_shipments(session, actor=TEST_ACTOR, programme_id=programme.id, items=[
        DispatchItem(number["LG-A01"], "own"), DispatchItem(number["LG-B01"], "own")])  # fmt: skip
    assert shipment_by_number(session, number["LG-A01"], library_id=own).state == "dispatched"
    with pytest.raises(ShipmentNotFound) as hidden:
        shipment_by_number(session, number["LG-B01"], library_id=own)
    with pytest.raises(ShipmentNotFound) as missing:
        shipment_by_number(session, "0-0000")
    assert hidden.value.message == missing.value.message


def isbn10(isbn13: str) -> str:
    body = isbn13[3:12]
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


def test_titles_are_found_by_any_form_of_their_isbn(session):
    programme = packed_programme(session)
    ids = dict(session.execute(select(ProgrammeTitle.isbn, ProgrammeTitle.id)
                               .where(ProgrammeTitle.programme_id == programme.id)).all())  # fmt: skip
    hyphenated = f"{A[:3]}-{A[3:6]}-{A[6:12]}-{A[12]}"
    found = title_ids_by_isbn(session, programme.id, [A, hyphenated, isbn10(B), "9786170009999", "abc"])
    assert found == {A: ids[A], hyphenated: ids[A], isbn10(B): ids[B]}
    assert title_ids_by_isbn(session, programme.id + 1000, [A]) == {}


def test_a_dispatch_list_reads_ukrainian_headers_and_carrier_spellings_row_by_row():
    data = csv_bytes(["Номер відправлення", "Перевізник", "ТТН", "Дата"],
                     [["3-0001", "Нова пошта", "20400000000001", "20.11.2026"],
                      ["3-0002", "Самовивіз", "", ""],
                      ["3-0003", "голуб", "1", "2026-13-40"]])  # fmt: skip
    table = read_table(io.BytesIO(data), "list.csv", DISPATCH_COLUMNS)
    assert items_from_table(table) == [
        DispatchItem("3-0001", "nova_poshta", "20400000000001", DAY, ref=2),
        DispatchItem("3-0002", "own", "", None, ref=3),
    ]
    assert [str(error).split(":")[0] for error in table.errors] == ["row 4, carrier", "row 4, dispatched_on"]
