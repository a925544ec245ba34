"""Read-only lists of a programme, and hand adjustments named by code and ISBN resolved to ids."""

from __future__ import annotations

import io

from distribution.allocation.adjustments import resolve_adjustments
from distribution.allocation.services import allocate_programme
from distribution.programmes import queries
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.models import Delivery
from distribution.shipping.packing import pack_programme
from distribution.spreadsheets import ROW_FIELD
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B, csv_bytes, isbn13, programme_with_orders
from tests.distribution.shipment_builders import title_id

ORDERS = [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]]


def test_programmes_are_listed_with_their_ordered_received_and_allocated_copies(session):
    programme = programme_with_orders(session, ORDERS, received=[[A, 8, 1], [B, 2, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    (row,) = queries.list_programmes(session, year=2026, q="програма")
    assert (row.programme.id, row.ordered, row.received, row.allocated) == (programme.id, 10, 10, 9)
    assert queries.list_programmes(session, q="обмін") == []
    assert [p.id for p in queries.find_programmes(session, kind="state", year=2026)] == [programme.id]
    assert queries.find_programmes(session, year=0) == []
    assert queries.count_in_programme(session, Delivery, programme.id) == 1


def test_order_rows_filter_exactly_and_count_every_match(session):
    programme = programme_with_orders(session, ORDERS)
    rows, total = queries.order_rows(session, programme.id, library_code=" lg-a01 ", limit=1)
    assert total == 2 and len(rows) == 1
    assert (rows[0].library_code, rows[0].isbn, rows[0].quantity) == ("LG-A01", A, 5)
    rows, total = queries.order_rows(session, programme.id, isbn=A, limit=10)
    assert [(r.library_code, r.title_id) for r in rows] == [
        ("LG-A01", title_id(session, programme.id, A)),
        ("LG-B01", title_id(session, programme.id, A)),
    ]
    assert queries.order_rows(session, programme.id, library_code="LG", limit=10) == ([], 0)


def test_the_orders_page_filters_by_code_prefix_and_part_of_an_isbn(session):
    programme = programme_with_orders(session, ORDERS)
    page = queries.orders_page(session, programme.id, library="lg-", isbn=B[-5:], per_page=1)
    code, _name, _title_id, isbn, _title, quantity, source_file, _row = page.items[0]
    assert (page.total, page.pages, code, isbn, quantity, source_file) == (1, 1, "LG-A01", B, 2, "orders.csv")


def test_deliveries_come_with_totals_newest_first_or_as_registered(session):
    programme = programme_with_orders(session, ORDERS, received=[[A, 8, 1], [B, 2, 0]])
    second = io.BytesIO(csv_bytes(["isbn", "received", "damaged"], [[A, 1, 0]]))
    assert receive_delivery(session, actor=TEST_ACTOR, programme_id=programme.id,
                            lines=parse_delivery_file(second, "d2.csv")).ok  # fmt: skip
    registered = queries.list_deliveries(session, programme.id, newest_first=False)
    assert [(r.delivery.number, r.lines, r.received, r.damaged) for r in registered] == [
        ("d1", 2, 10, 1),
        ("d2", 1, 1, 0),
    ]
    assert [r.delivery.number for r in queries.list_deliveries(session, programme.id)] == ["d2", "d1"]
    first = registered[0].delivery.id
    assert queries.delivery_totals(session, programme.id, first) == registered[0]
    assert queries.delivery_totals(session, programme.id + 1, first) is None


def test_parcels_are_sliced_and_added_up(session):
    programme = programme_with_orders(session, ORDERS, received=[[A, 8, 0], [B, 2, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    totals = queries.parcel_totals(session, programme.id)
    assert (totals.parcels, totals.libraries, totals.copies) == (2, 2, 10)
    page, total = queries.parcel_rows(session, programme.id, library_code="lg-b01", limit=10)
    assert total == 1 and [(p.copies, library.code) for p, library in page] == [(3, "LG-B01")]
    groups = queries.parcels_by_library(session, programme.id, library="LG-")
    assert [g.library.code for g in groups] == ["LG-A01", "LG-B01"] and groups[0].copies == 7


def test_adjustments_resolve_codes_and_isbns_and_name_every_bad_row(session):
    programme = programme_with_orders(session, ORDERS)
    a, b = title_id(session, programme.id, A), title_id(session, programme.id, B)
    rows = [
        {ROW_FIELD: 0, "library_code": " lg-a01 ", "isbn": A, "quantity": 4},
        {ROW_FIELD: 1, "library_code": "LG-B01", "title_id": b, "quantity": 1},
        {ROW_FIELD: 2, "library_code": "LG-Z99", "isbn": A, "quantity": 1},
        {ROW_FIELD: 3, "library_code": "LG-A01", "isbn": isbn13(99), "quantity": 1},
        {ROW_FIELD: 4, "library_code": "LG-A01", "isbn": A, "title_id": b, "quantity": 1},
        {ROW_FIELD: 5, "library_code": "LG-A01", "title_id": a, "quantity": 2},
    ]
    changes, errors = resolve_adjustments(session, programme.id, rows, lambda i: f"changes[{i}]")
    assert changes == {("LG-A01", a): 4, ("LG-B01", b): 1}
    assert [(e.row, e.column) for e in errors] == [
        (2, "library_code"),
        (3, "isbn"),
        (4, "title_id"),
        (5, "library_code"),
    ]
    assert errors[-1].params == {"row": "changes[0]"}
    assert rows[0]["library_code"] == " lg-a01 "  # the caller's rows stay as given
