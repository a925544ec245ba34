"""The exchange fund on SQLite and PostgreSQL: offer lists, fund duplicates, requests, fulfilment."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from collection.audit import AuditEntry
from collection.catalogue.models import Edition
from collection.db import now_utc
from collection.fund.models import Copy
from distribution.allocation.services import allocate_programme, allocation_rows
from distribution.errors import InvalidProgrammeData
from distribution.exchange.models import ExchangeOffer, ExchangeReservation
from distribution.exchange.offer_files import parse_offer_file
from distribution.exchange.offers import CopiesJustReserved, load_offers, offer_fund_duplicates, offer_list
from distribution.exchange.requests import request_copies
from distribution.exchange.services import (
    NotAnExchangeRound,
    RequestsClosed,
    exchange_rounds,
    withdraw_dispatched_copies,
)
from distribution.programmes.deliveries import received_by_title
from distribution.programmes.models import Order, Programme, ProgrammeTitle
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import load_orders
from distribution.programmes.report import programme_report
from distribution.programmes.services import create_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles
from distribution.shipping.dispatch import dispatch_shipment
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments
from tests.builders import TEST_ACTOR, make_library
from tests.collection.fund_builders import make_edition, receive
from tests.distribution.programme_builders import csv_bytes, isbn13, xlsx_bytes

A, B, C = isbn13(201), isbn13(202), isbn13(203)
OFFER_HEADER = ["isbn", "title", "author", "publisher", "year", "price", "quantity"]
OFFER_ROWS = [[A, "Кобзар", "Шевченко Т.", "Знання", "2020", "150", "4"],
              [B, "Лісова пісня", "Українка Л.", "Фоліо", "2019", "", "2"]]  # fmt: skip


def offers_file(rows=None, header=None) -> io.BytesIO:
    return io.BytesIO(csv_bytes(header or OFFER_HEADER, OFFER_ROWS if rows is None else rows))


def exchange_round(session, name="Обмінний фонд, весна 2026") -> Programme:
    return create_programme(session, actor=TEST_ACTOR, name=name, year=2026, kind="exchange")


def with_offers(session, rows=None):
    programme = exchange_round(session)
    result = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                         offers=parse_offer_file(offers_file(rows), "offers.csv"))  # fmt: skip
    assert result.ok, result.errors
    return programme


def title_ids(session, programme) -> dict[str, int]:
    return dict(session.execute(
        select(ProgrammeTitle.isbn, ProgrammeTitle.id).where(ProgrammeTitle.programme_id == programme.id)
    ).all())  # fmt: skip


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- offer lists from a file -------------------------------------------------------------------


def test_an_offer_list_links_titles_to_editions_and_offers_their_quantities(session):
    programme = with_offers(session)
    titles = title_ids(session, programme)
    assert set(titles) == {A, B}
    assert count(session, Edition) == 2  # brief editions, as load_titles makes them
    assert received_by_title(session, programme.id) == {titles[A]: 4, titles[B]: 2}
    rows = offer_list(session, programme.id)
    assert [(r.isbn, r.title, r.author, r.offered, r.sources) for r in rows] == [
        (A, "Кобзар", "Шевченко Т.", 4, {"file": 4}), (B, "Лісова пісня", "Українка Л.", 2, {"file": 2})]


def test_an_offer_list_with_ukrainian_headers_in_xlsx_loads_as_a_gift(session):
    programme = exchange_round(session)
    data = xlsx_bytes(["ISBN", "Назва", "Автор", "Видавництво", "Рік", "Ціна", "Кількість"],
                      [[A, "Кобзар", "Шевченко Т.", "Знання", 2020, 150, 3]])  # fmt: skip
    result = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                         offers=parse_offer_file(io.BytesIO(data), "дар.xlsx"), source="gift")  # fmt: skip
    assert result.ok and result.created == 1
    assert session.scalars(select(ExchangeOffer)).one().source == "gift"


def test_an_offer_list_with_a_bad_row_names_the_error_and_stores_nothing(session):
    programme = exchange_round(session)
    rows = [*OFFER_ROWS, [C, "Тіні забутих предків", "Коцюбинський М.", "А-ба-ба", "2021", "", "багато"],
            ["978-0-00-000000-1", "Без ISBN", "", "", "", "", "1"]]  # fmt: skip
    result = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                         offers=parse_offer_file(offers_file(rows), "offers.csv"))  # fmt: skip
    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {(4, "quantity"), (5, "isbn")}
    assert count(session, ProgrammeTitle) == count(session, ExchangeOffer) == count(session, Edition) == 0


def test_a_title_offered_twice_in_one_file_is_an_error(session):
    programme = exchange_round(session)
    twice = offers_file([OFFER_ROWS[0], OFFER_ROWS[0]])
    result = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                         offers=parse_offer_file(twice, "o.csv"))
    assert [(e.row, e.column, e.params) for e in result.errors] == [(3, "isbn", {"row": 2})]
    assert count(session, ExchangeOffer) == 0


def test_reloading_an_offer_list_changes_nothing_and_a_new_quantity_is_updated_and_audited(session):
    programme = with_offers(session)
    audited = count(session, AuditEntry)
    again = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                        offers=parse_offer_file(offers_file(), "offers.csv"))  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count(session, AuditEntry) == audited
    changed = [OFFER_ROWS[0][:6] + ["6"], OFFER_ROWS[1]]
    result = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                         offers=parse_offer_file(offers_file(changed), "offers-2.csv"))  # fmt: skip
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "exchange_offer")).one()
    assert entry.changes == {"quantity": [4, 6]}
    assert sum(received_by_title(session, programme.id).values()) == 8


def test_offers_belong_to_exchange_rounds_that_still_collect(session):
    state = create_programme(session, actor=TEST_ACTOR, name="Державна 2026", year=2026)
    with pytest.raises(NotAnExchangeRound):
        load_offers(session, actor=TEST_ACTOR, programme_id=state.id,
                    offers=parse_offer_file(offers_file(), "o.csv"))
    programme = with_offers(session)
    programme.state = "allocating"
    session.commit()
    with pytest.raises(RequestsClosed):
        load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                    offers=parse_offer_file(offers_file(), "o.csv"))  # fmt: skip
    with pytest.raises(InvalidProgrammeData):
        load_offers(session, actor=TEST_ACTOR, programme_id=programme.id,
                    offers=parse_offer_file(offers_file(), "o.csv"), source="duplicates")  # fmt: skip


def test_offered_copies_count_as_received_only_in_exchange_rounds(session):
    state = create_programme(session, actor=TEST_ACTOR, name="Державна 2026", year=2026)
    rows = [row[:6] for row in OFFER_ROWS]
    titles = parse_title_file(io.BytesIO(csv_bytes(OFFER_HEADER[:6], rows)), "t.csv")
    assert load_titles(session, actor=TEST_ACTOR, programme_id=state.id, titles=titles).ok
    with_offers(session)
    assert received_by_title(session, state.id) == {}


# --- duplicates from the own fund --------------------------------------------------------------


def test_an_edition_with_three_copies_keeping_one_offers_and_reserves_the_other_two(session):
    edition = make_edition(session)
    copies = receive(session, edition, quantity=3)
    single = make_edition(session)
    receive(session, single, quantity=1)
    programme = exchange_round(session)
    offered = offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=programme.id, keep=1)
    assert (offered.editions, offered.copies, offered.titles_created) == (1, 2, 1)
    reserved = set(session.scalars(select(ExchangeReservation.copy_id)))
    assert reserved == {copies[1].id, copies[2].id}  # the first accessioned copy stays in the fund
    title = session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.programme_id == programme.id)).one()
    assert title.edition_id == edition.id and title.title == edition.title
    assert [(r.offered, r.sources) for r in offer_list(session, programme.id)] == [(2, {"duplicates": 2})]

    again = offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=programme.id, keep=1)
    assert (again.editions, again.copies) == (0, 0)
    assert count(session, ExchangeReservation) == 2
    assert session.scalar(select(ExchangeOffer.quantity)) == 2


def test_a_copy_is_never_offered_by_two_open_rounds_and_is_free_again_when_a_round_closes(session):
    edition = make_edition(session)
    receive(session, edition, quantity=3)
    first = exchange_round(session, "Весна")
    assert offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=first.id, keep=1).copies == 2
    second = exchange_round(session, "Осінь")
    assert offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=second.id, keep=0).copies == 1
    assert offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=second.id, keep=0).copies == 0
    first.state = "closed"
    session.commit()
    assert offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=second.id, keep=0).copies == 2
    assert session.scalar(select(func.count()).where(ExchangeReservation.state == "reserved")) == 3


def test_only_the_editions_asked_for_are_drawn_and_withdrawn_copies_do_not_count(session):
    wanted, other = make_edition(session), make_edition(session)
    copies = receive(session, wanted, quantity=3)
    receive(session, other, quantity=3)
    copies[0].status = "withdrawn"
    session.commit()
    programme = exchange_round(session)
    offered = offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=programme.id, keep=1,
                                    edition_ids=[wanted.id])  # fmt: skip
    assert offered.copies == 1
    with pytest.raises(InvalidProgrammeData) as caught:
        offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=programme.id, keep=-1)
    assert caught.value.field == "keep"


def test_the_schema_refuses_a_second_reservation_of_a_reserved_copy(session):
    edition = make_edition(session)
    copy = receive(session, edition, quantity=2)[1]
    programme = exchange_round(session)
    offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=programme.id, keep=1)
    session.commit()
    offer = session.scalars(select(ExchangeOffer)).one()
    session.add(ExchangeReservation(offer_id=offer.id, copy_id=copy.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(ExchangeOffer(programme_id=programme.id, title_id=offer.title_id, source="gift", quantity=-1))
    with pytest.raises(IntegrityError):
        session.commit()


@pytest.mark.postgresql_only  # SQLite serialises all writers: two rounds never draw at once
def test_a_copy_another_round_reserves_meanwhile_is_a_conflict_not_a_crash(session, engine):
    edition = make_edition(session)
    copies = receive(session, edition, quantity=2)
    drawing, rival = exchange_round(session, "Весна"), exchange_round(session, "Осінь")
    rival_title = ProgrammeTitle(programme_id=rival.id, edition_id=edition.id, title=edition.title)
    session.add(rival_title)
    session.flush()
    rival_offer = ExchangeOffer(programme_id=rival.id, title_id=rival_title.id, source="gift", quantity=1)
    session.add(rival_offer)
    session.commit()
    rival_offer_id = rival_offer.id

    def rival_reserves_first(*_args):
        with engine.begin() as connection:  # a colleague's transaction, committed in between
            connection.execute(ExchangeReservation.__table__.insert().values(
                offer_id=rival_offer_id, copy_id=copies[1].id, state="reserved", created_at=now_utc()))

    event.listen(session, "before_flush", rival_reserves_first, once=True)
    with pytest.raises(CopiesJustReserved):
        offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=drawing.id, keep=1)
    assert session.scalar(select(func.count()).select_from(ExchangeReservation)) == 1


# --- requests ----------------------------------------------------------------------------------


def test_library_requests_are_allocated_within_what_was_offered(session):
    programme = with_offers(session)
    titles = title_ids(session, programme)
    first, second = make_library(session, code="LG-EX-01"), make_library(session, code="LG-EX-02")
    request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=first.id,
                   quantities={titles[A]: 3, titles[B]: 2})  # fmt: skip
    request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=second.id,
                   quantities={titles[A]: 3})  # fmt: skip
    plan = allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    allocated = {(code, int(title)): quantity for (code, title), quantity in plan.allocations.items()}
    assert allocated[("LG-EX-01", titles[A])] + allocated[("LG-EX-02", titles[A])] == 4  # 6 asked, 4 offered
    assert allocated[("LG-EX-01", titles[B])] == 2
    assert all(r["allocated"] <= r["ordered"] for r in allocation_rows(session, programme.id))


def test_a_request_is_checked_against_the_offer_and_zero_withdraws_it(session):
    programme = with_offers(session)
    titles = title_ids(session, programme)
    library = make_library(session)
    with pytest.raises(InvalidProgrammeData) as caught:
        request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=library.id,
                       quantities={titles[A]: 5, titles[B]: "два", 999_999: 1})  # fmt: skip
    assert set(caught.value.errors) == {f"title_{titles[A]}", f"title_{titles[B]}", "title_999999"}
    assert count(session, Order) == 0
    result = request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=library.id,
                            quantities={titles[A]: 2, titles[B]: 0})  # fmt: skip
    assert (result.created, result.unchanged) == (1, 1)
    result = request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=library.id,
                            quantities={titles[A]: "0"})  # fmt: skip
    assert result.removed == 1 and count(session, Order) == 0
    audited = session.scalars(select(AuditEntry.changes).where(AuditEntry.object_type == "order")).all()
    assert audited == [{"quantity": [0, 2]}, {"quantity": [2, 0]}]


def test_requests_close_when_allocation_begins_and_state_programmes_take_none(session):
    programme = with_offers(session)
    titles = title_ids(session, programme)
    library = make_library(session)
    request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=library.id,
                   quantities={titles[A]: 1})  # fmt: skip
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    with pytest.raises(RequestsClosed):
        request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=library.id,
                       quantities={titles[A]: 2})  # fmt: skip
    state = create_programme(session, actor=TEST_ACTOR, name="Державна 2026", year=2026)
    with pytest.raises(NotAnExchangeRound):
        request_copies(session, actor=TEST_ACTOR, programme_id=state.id, library_id=library.id, quantities={})
    assert [r.id for r in exchange_rounds(session)] == []


def test_staff_load_requests_of_an_exchange_round_with_load_orders(session):
    programme = with_offers(session)
    make_library(session, code="LG-EX-09")
    orders = io.BytesIO(csv_bytes(["Код бібліотеки", "ISBN", "Кількість"], [["LG-EX-09", A, "2"]]))
    assert load_orders(session, actor=TEST_ACTOR, programme_id=programme.id,
                       orders=parse_order_file(orders, "requests.csv")).created == 1  # fmt: skip
    library = session.scalars(select(Order.library_id)).one()
    rows = offer_list(session, programme.id, library_id=library)
    assert [(r.isbn, r.requested, r.requested_by_library) for r in rows] == [(A, 2, 2), (B, 0, 0)]


def test_the_offer_list_shows_totals_and_the_librarys_own_requests_and_filters(session):
    programme = with_offers(session)
    titles = title_ids(session, programme)
    mine, theirs = make_library(session), make_library(session)
    for library, quantity in ((mine, 1), (theirs, 2)):
        request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=library.id,
                       quantities={titles[A]: quantity})  # fmt: skip
    rows = offer_list(session, programme.id, library_id=mine.id)
    assert [(r.requested, r.requested_by_library) for r in rows] == [(3, 1), (0, 0)]
    assert [r.isbn for r in offer_list(session, programme.id, search="українка")] == [B]
    [summary] = exchange_rounds(session)
    assert (summary.id, summary.titles, summary.offered) == (programme.id, 2, 6)


# --- end to end --------------------------------------------------------------------------------


def test_offers_then_requests_then_allocation_and_packing_give_parcels_and_fund_copies_leave(session):
    edition = make_edition(session)
    fund_copies = receive(session, edition, quantity=4)
    programme = with_offers(session)
    assert offer_fund_duplicates(session, actor=TEST_ACTOR, programme_id=programme.id, keep=1).copies == 3
    titles = {**title_ids(session, programme)}
    fund_title = session.scalar(select(ProgrammeTitle.id).where(ProgrammeTitle.edition_id == edition.id))
    first, second = make_library(session, code="LG-EX-21"), make_library(session, code="LG-EX-22")
    request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=first.id,
                   quantities={titles[A]: 2, fund_title: 2})  # fmt: skip
    request_copies(session, actor=TEST_ACTOR, programme_id=programme.id, library_id=second.id,
                   quantities={titles[B]: 1, fund_title: 1})  # fmt: skip
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    parcels = pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert {code: sum(p.copies for p in items) for code, items in parcels.items()} == {
        "LG-EX-21": 4, "LG-EX-22": 2}
    assert session.get(Programme, programme.id).state == "dispatching"

    assert withdraw_dispatched_copies(session, actor=TEST_ACTOR, programme_id=programme.id) is None
    for shipment in list_shipments(session, programme_id=programme.id):
        dispatch_shipment(session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="own",
                          dispatched_on=date.today())  # fmt: skip
    report = programme_report(session, programme.id)["totals"]
    assert (report["received"], report["allocated"], report["dispatched"]) == (9, 6, 6)
    act = withdraw_dispatched_copies(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert act is not None and act.state == "signed" and act.reason == "transferred"
    statuses = {c.id: c.status for c in session.scalars(select(Copy).where(Copy.edition_id == edition.id))}
    assert sorted(statuses.values()) == ["in_fund", "transferred", "transferred", "transferred"]
    assert statuses[fund_copies[0].id] == "in_fund"
    assert set(session.scalars(select(ExchangeReservation.state))) == {"dispatched"}
    assert withdraw_dispatched_copies(session, actor=TEST_ACTOR, programme_id=programme.id) is None
