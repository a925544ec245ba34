"""Programme services on SQLite and PostgreSQL: loading, deliveries, allocation, packing, locking."""

from __future__ import annotations

import io
import threading
import time

import pytest
from sqlalchemy import func, select

from collection.audit import AuditEntry, entries_for_object
from collection.catalogue.models import Edition, EditionIsbn
from collection.db import make_session_factory
from distribution.allocation import services as fulfilment
from distribution.allocation.models import AllocationLine
from distribution.allocation.services import adjust_allocation, allocate_programme, allocation_rows
from distribution.errors import AllocationLimitExceeded, DuplicateDelivery, InvalidProgrammeData
from distribution.libraries.models import Library
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.models import Order, ProgrammeTitle
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import load_orders
from distribution.programmes.report import programme_report
from distribution.programmes.services import create_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles, programme_titles
from distribution.shipping.models import Parcel
from distribution.shipping.packing import pack_programme
from distribution.shipping.rules import CarrierLimits
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import (  # noqa: F401 - shared with other tests
    TITLE_HEADER,
    A,
    B,
    csv_bytes,
    isbn13,
    orders_file,
    programme_with_orders,
    titles_file,
)


def test_programme_needs_a_name_a_sane_year_and_a_known_kind(session):
    with pytest.raises(InvalidProgrammeData) as caught:
        create_programme(session, actor=TEST_ACTOR, name=" ", year=1800, kind="lottery")
    assert set(caught.value.errors) == {"name", "year", "kind"}


def test_titles_are_matched_to_editions_by_isbn_or_title_key_else_created(session):
    existing = Edition(flavour="unimarc", marc={"leader": "00000nam0 2200000   450 ", "fields": []},
                       title="Кобзар", title_key="кобзар|шевченко|2025")
    existing.isbns = [EditionIsbn(isbn13=A)]
    by_key = Edition(flavour="unimarc", marc={"leader": "00000nam0 2200000   450 ", "fields": []},
                     title="Лісова пісня", title_key="лісова пісня|українка|2024")
    session.add_all([existing, by_key])
    session.commit()
    programme = create_programme(session, actor=TEST_ACTOR, name="П", year=2026)
    rows = [[A, "Кобзар", "Шевченко Т.", "", "2025", ""], ["", "Лісова пісня", "Українка Л.", "", "2024", ""],
            [isbn13(13), "Нова книга", "Автор А.", "Видавець", "2026", "99"]]
    result = load_titles(session, actor=TEST_ACTOR, programme_id=programme.id,
                         titles=parse_title_file(titles_file(rows), "titles.csv"))
    assert result.ok, result.errors
    assert result.extra["editions_created"] == 1
    titles = programme_titles(session, programme.id)
    assert [t.edition_id for t in titles[:2]] == [existing.id, by_key.id]
    created = session.get(Edition, titles[2].edition_id)
    assert created.isbn == isbn13(13) and created.flavour == "unimarc"
    assert any(f.get("200") for f in created.marc["fields"])  # a real UNIMARC record
    again = load_titles(session, actor=TEST_ACTOR, programme_id=programme.id,
                        titles=parse_title_file(titles_file(rows), "titles.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_title_list_with_a_bad_row_loads_nothing(session):
    programme = create_programme(session, actor=TEST_ACTOR, name="П", year=2026)
    rows = [[A, "Кобзар", "", "", "2025", ""], ["978-0-00-000000-1", "Погана", "", "", "25", "abc"]]
    result = load_titles(session, actor=TEST_ACTOR, programme_id=programme.id,
                         titles=parse_title_file(titles_file(rows), "titles.csv"))
    assert {(e.row, e.column) for e in result.errors} == {(3, "isbn"), (3, "year"), (3, "price")}
    assert session.scalar(select(func.count()).select_from(ProgrammeTitle)) == 0


def test_reloading_orders_changes_nothing_and_a_changed_quantity_is_updated_and_audited(session):
    programme = programme_with_orders(session, [["LG-A01", A, 5], ["LG-B01", A, 3]])
    same = load_orders(session, actor=TEST_ACTOR, programme_id=programme.id,
                       orders=parse_order_file(orders_file([["LG-A01", A, 5], ["LG-B01", A, 3]]),
                                               "orders.csv"))
    assert (same.created, same.updated, same.unchanged) == (0, 0, 2)
    audit_count = session.scalar(select(func.count()).select_from(AuditEntry))
    load_orders(session, actor=TEST_ACTOR, programme_id=programme.id,
                orders=parse_order_file(orders_file([["lg-a01", A, 7]]), "orders-v2.csv"))
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_count + 2
    quantities = dict(session.execute(select(Order.source_file, Order.quantity)).all())
    assert quantities == {"orders-v2.csv": 7, "orders.csv": 3}
    [entry] = entries_for_object(session, "order", f"{programme.id}/LG-A01/{A}")
    assert entry.changes == {"quantity": [5, 7]}


def test_unknown_libraries_titles_and_repeated_rows_are_errors_never_dropped(session):
    programme = programme_with_orders(session, [["LG-A01", A, 1]])
    rows = [["LG-A01", B, 2], ["LG-ZZZ", A, 1], ["LG-B01", isbn13(99), 1], ["LG-A01", B, 4],
            ["LG-B01", "", 1], ["LG-B01", A, -1]]
    result = load_orders(session, actor=TEST_ACTOR, programme_id=programme.id,
                         orders=parse_order_file(orders_file(rows), "bad.csv"))
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "library_code"), (4, "isbn"), (5, "library_code"), (6, "isbn"), (7, "quantity")]
    assert session.scalar(select(func.count()).select_from(Order)) == 1


def test_deliveries_accumulate_and_a_document_is_registered_once(session):
    programme = programme_with_orders(session, [["LG-A01", A, 5]], received=[[A, 3, 1]])
    second = io.BytesIO(csv_bytes(["ISBN", "Отримано"], [[A, 2]]))
    assert receive_delivery(session, actor=TEST_ACTOR, programme_id=programme.id,
                            lines=parse_delivery_file(second, "d2.csv")).ok
    with pytest.raises(DuplicateDelivery):
        receive_delivery(session, actor=TEST_ACTOR, programme_id=programme.id,
                         lines=parse_delivery_file(io.BytesIO(csv_bytes(["isbn", "received"], [[A, 2]])),
                                                   "d2.csv"))
    bad = receive_delivery(session, actor=TEST_ACTOR, programme_id=programme.id,
                           lines=parse_delivery_file(
                               io.BytesIO(csv_bytes(["isbn", "received", "damaged"], [[A, 1, 2]])), "d3.csv"))
    assert [(e.row, e.column) for e in bad.errors] == [(2, "damaged")]
    [title] = [t for t in programme_report(session, programme.id)["titles"] if t["isbn"] == A]
    assert (title["received"], title["damaged"]) == (5, 1)


def test_a_short_title_is_cut_fairly_and_never_beyond_received_or_ordered(session):
    programme = programme_with_orders(session, [["LG-A01", A, 6], ["LG-B01", A, 3], ["LG-A01", B, 1]],
                                      received=[[A, 6, 0], [B, 4, 0]])
    plan = allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id,
                              surplus_destination="exchange_fund")
    rows = {(r["library_code"], r["isbn"]): r["allocated"] for r in allocation_rows(session, programme.id)}
    assert rows == {("LG-A01", A): 4, ("LG-B01", A): 2, ("LG-A01", B): 1}
    assert sum(plan.surplus.values()) == 3
    report = programme_report(session, programme.id)
    assert report["programme"]["surplus_destination"] == "exchange_fund"
    assert report["totals"]["surplus"] == 3


def test_priority_statuses_are_served_first(session):
    programme = programme_with_orders(session, [["LG-A01", A, 5], ["LG-B01", A, 5]], received=[[A, 5, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id, priority_statuses=["relocated"])
    rows = {r["library_code"]: r["allocated"] for r in allocation_rows(session, programme.id)}
    assert rows == {"LG-A01": 0, "LG-B01": 5}


def test_hand_adjustments_stay_within_received_and_ordered(session):
    programme = programme_with_orders(session, [["LG-A01", A, 6], ["LG-B01", A, 6]], received=[[A, 6, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    title_id = programme_titles(session, programme.id)[0].id
    adjust_allocation(session, actor=TEST_ACTOR, programme_id=programme.id,
                      changes={("LG-A01", title_id): 1, ("LG-B01", title_id): 5})
    line = session.scalars(select(AllocationLine).where(AllocationLine.quantity == 5)).one()
    assert line.adjusted_by == TEST_ACTOR.username
    with pytest.raises(AllocationLimitExceeded):
        adjust_allocation(session, actor=TEST_ACTOR, programme_id=programme.id,
                          changes={("LG-A01", title_id): 2})  # 7 > 6 received
    with pytest.raises(AllocationLimitExceeded):
        adjust_allocation(session, actor=TEST_ACTOR, programme_id=programme.id,
                          changes={("LG-A01", title_id): 0, ("LG-B01", title_id): 7})  # > 6 ordered
    assert entries_for_object(session, "allocation", f"{programme.id}/LG-B01/{title_id}")


def test_two_staff_adjusting_at_once_can_never_over_allocate(session, engine, monkeypatch):
    programme = programme_with_orders(session, [["LG-A01", A, 10], ["LG-B01", A, 10]], received=[[A, 10, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    title_id = programme_titles(session, programme.id)[0].id
    adjust_allocation(session, actor=TEST_ACTOR, programme_id=programme.id,
                      changes={("LG-A01", title_id): 2, ("LG-B01", title_id): 2})
    session.commit()
    real_state = fulfilment._state

    def slow_state(*args, **kwargs):  # both read inside the transaction, then dawdle: a race window
        state = real_state(*args, **kwargs)
        time.sleep(0.3)
        return state

    monkeypatch.setattr(fulfilment, "_state", slow_state)
    factory = make_session_factory(engine)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def staff(code: str) -> None:
        with factory() as own:
            barrier.wait()
            try:
                adjust_allocation(own, actor=TEST_ACTOR, programme_id=programme.id,
                                  changes={(code, title_id): 8})  # alone: 8 + 2 = 10, fine
                own.commit()
                outcomes.append("ok")
            except AllocationLimitExceeded:
                outcomes.append("refused")

    threads = [threading.Thread(target=staff, args=(code,)) for code in ("LG-A01", "LG-B01")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["ok", "refused"]
    session.expire_all()
    total = session.scalar(select(func.sum(AllocationLine.quantity))
                           .where(AllocationLine.title_id == title_id))
    assert total == 10


def test_packing_persists_parcels_with_lines_within_the_carrier_limits(session):
    programme = programme_with_orders(session, [["LG-A01", A, 7], ["LG-B01", B, 2]],
                                      received=[[A, 7, 0], [B, 2, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    parcels = pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id,
                             limits=CarrierLimits(max_copies=3))
    assert [len(parcels["LG-A01"]), len(parcels["LG-B01"])] == [3, 1]
    assert all(p.copies <= 3 and sum(line.copies for line in p.lines) == p.copies
               for ps in parcels.values() for p in ps)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)  # re-planning replaces
    assert session.scalar(select(func.count()).select_from(Parcel)) == 2
    assert programme_report(session, programme.id)["totals"]["packed"] == 9


def test_libraries_in_occupied_territory_can_be_held_and_their_orders_stay_open(session):
    programme = programme_with_orders(session, [["LG-A01", A, 2], ["LG-B01", A, 2]], received=[[A, 3, 0]])
    session.scalars(select(Library).where(Library.code == "LG-B01")).one().status = "occupied"
    session.commit()
    plan = allocate_programme(
        session, actor=TEST_ACTOR, programme_id=programme.id, held_statuses=("occupied",)
    )
    assert {lib: q for (lib, _), q in plan.allocations.items()} == {"LG-A01": 2}
    assert sum(plan.surplus.values()) == 1
    entry = entries_for_object(session, "programme", programme.id)[0]
    assert entry.changes["held_statuses"] == [None, ["occupied"]]
