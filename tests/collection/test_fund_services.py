"""Receipts, withdrawal acts, the КСО and the inventory book against a real database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from collection.audit import entries_for_object
from collection.errors import ConflictError, InvalidValueError
from collection.fund import acts as fund_acts
from collection.fund import receipts as fund_receipts
from collection.fund import registers as fund_services
from collection.fund.inventory_numbers import InventoryNumberTaken, InventoryScheme
from collection.fund.models import Copy, UsedInventoryNumber
from tests.collection.fund_builders import ACTOR, make_act, make_edition, make_receipt, receive


def test_a_receipt_gets_the_next_number_of_its_year_and_is_audited(session):
    first = make_receipt(session)
    second = make_receipt(session)
    assert (first.number, second.number) == ("2026-001", "2026-002")
    assert entries_for_object(session, "receipt", "2026-001")[0].action == "create"


def test_receipt_errors_name_every_bad_field(session):
    with pytest.raises(InvalidValueError) as caught:
        fund_receipts.create_receipt(session, actor=ACTOR, receipt_date="15.03.2026", source="stolen")
    assert set(caught.value.errors) == {"date", "source"}
    with pytest.raises(InvalidValueError) as caught:
        fund_receipts.create_receipt(session, actor=ACTOR, receipt_date="2026-03-15", source="gift")
    assert set(caught.value.errors) == {"supplier"}


def test_a_receipt_number_is_unique(session):
    make_receipt(session, number="A-1")
    with pytest.raises(ConflictError):
        make_receipt(session, number="A-1")


def test_copies_are_numbered_by_the_scheme_priced_and_audited(session):
    edition = make_edition(session, language="ukr", content_branch="fiction")
    copies = receive(session, edition, quantity=3, price="125,50", location="АБ")
    assert [c.inventory_number for c in copies] == ["000001", "000002", "000003"]
    assert all(c.price == Decimal("125.50") and c.status == "in_fund" for c in copies)
    assert copies[0].content_branch == "fiction" and copies[0].language == "ukr"
    assert copies[0].acquired == date(2026, 3, 2)
    assert entries_for_object(session, "copy", "000002")[0].changes["price"] == [None, "125.50"]


def test_a_year_scheme_continues_after_the_highest_number_issued(session):
    scheme = InventoryScheme(with_year=True, width=6)
    receive(session, numbers="2026-000120")
    copies = receive(session, quantity=2, scheme=scheme)
    assert [c.inventory_number for c in copies] == ["2026-000121", "2026-000122"]


def test_given_numbers_must_never_have_been_used(session):
    receive(session, numbers="100523")
    with pytest.raises(InventoryNumberTaken) as caught:
        receive(session, numbers=["100524", "100523"])
    assert caught.value.field == "numbers"
    # nothing of the failed receipt's copies stayed behind
    assert (
        session.scalar(select(UsedInventoryNumber).where(UsedInventoryNumber.inventory_number == "100524"))
        is None
    )


def test_a_withdrawn_copys_number_is_not_reissued(session):
    copies = receive(session, quantity=2)
    act = make_act(session)
    fund_acts.add_copies_to_act(
        session, actor=ACTOR, act=act, inventory_numbers=[copies[1].inventory_number]
    )
    fund_acts.sign_act(session, actor=ACTOR, act=act)
    assert [c.inventory_number for c in receive(session)] == ["000003"]


def test_copy_form_errors_name_the_fields(session):
    receipt = make_receipt(session)
    with pytest.raises(InvalidValueError) as caught:
        fund_receipts.add_copies_to_receipt(
            session, actor=ACTOR, receipt=receipt, edition_id="x", quantity="0", price="дорого"
        )
    assert set(caught.value.errors) == {"edition_id", "quantity", "price"}


def test_an_act_withdraws_copies_once_and_signing_changes_their_status(session):
    copies = receive(session, quantity=3)
    act = make_act(session, reason="lost_by_readers")
    numbers = [c.inventory_number for c in copies[:2]]
    fund_acts.add_copies_to_act(session, actor=ACTOR, act=act, inventory_numbers=" ".join(numbers))
    other = make_act(session)
    with pytest.raises(fund_acts.CopyNotAvailable):
        fund_acts.add_copies_to_act(session, actor=ACTOR, act=other, inventory_numbers=numbers[:1])
    fund_acts.sign_act(session, actor=ACTOR, act=act)
    assert act.state == "signed" and act.signed_by == "tests"
    assert {c.status for c in session.scalars(select(Copy).where(Copy.withdrawal_act_id == act.id))} == {
        "lost"
    }
    assert entries_for_object(session, "withdrawal_act", act.number)[0].changes["state"] == [
        "draft",
        "signed",
    ]


def test_a_signed_act_is_immutable_and_a_correction_is_a_new_act(session):
    copies = receive(session, quantity=2)
    act = make_act(session)
    fund_acts.add_copies_to_act(
        session, actor=ACTOR, act=act, inventory_numbers=[copies[0].inventory_number]
    )
    fund_acts.sign_act(session, actor=ACTOR, act=act)
    for attempt in (
        lambda: fund_acts.add_copies_to_act(
            session, actor=ACTOR, act=act, inventory_numbers=[copies[1].inventory_number]
        ),
        lambda: fund_acts.sign_act(session, actor=ACTOR, act=act),
        lambda: fund_acts.update_act(session, actor=ACTOR, act=act, note="інакше"),
        lambda: fund_acts.remove_copy_from_act(session, actor=ACTOR, act=act, copy_id=copies[0].id),
    ):
        with pytest.raises(fund_acts.ActSigned):
            attempt()
    correction = make_act(session, corrects_id=act.id, note="забули один примірник")
    fund_acts.add_copies_to_act(
        session, actor=ACTOR, act=correction, inventory_numbers=[copies[1].inventory_number]
    )
    assert correction.corrects_id == act.id


def test_even_a_direct_change_to_a_signed_act_is_refused(session):
    copies = receive(session)
    act = make_act(session)
    fund_acts.add_copies_to_act(
        session, actor=ACTOR, act=act, inventory_numbers=[copies[0].inventory_number]
    )
    fund_acts.sign_act(session, actor=ACTOR, act=act)
    session.commit()
    act.reason = "obsolete"
    with pytest.raises(fund_acts.ActSigned):
        session.flush()
    session.rollback()
    copy = session.get(Copy, copies[0].id)
    copy.withdrawal_act_id = None
    with pytest.raises(fund_acts.ActSigned):
        session.flush()
    session.rollback()


def test_a_copy_cannot_leave_before_it_arrived(session):
    copies = receive(session, receipt_date=date(2026, 5, 1))
    act = make_act(session, act_date=date(2026, 4, 1))
    with pytest.raises(fund_acts.CopyNotAvailable):
        fund_acts.add_copies_to_act(
            session, actor=ACTOR, act=act, inventory_numbers=[copies[0].inventory_number]
        )


def test_the_summary_register_counts_receipts_and_signed_acts_only(session):
    fiction = make_edition(session, content_branch="fiction", language="ukr", doc_type="book")
    history = make_edition(session, content_branch="humanities", language="eng", doc_type="book")
    old = receive(session, fiction, quantity=4, price="50", receipt_date=date(2025, 5, 5))
    receive(session, history, quantity=2, price="200", receipt_date=date(2026, 2, 1))
    act = make_act(session, act_date=date(2026, 9, 1))
    fund_acts.add_copies_to_act(
        session, actor=ACTOR, act=act, inventory_numbers=[old[0].inventory_number]
    )
    draft = make_act(session, act_date=date(2026, 9, 2))
    fund_acts.add_copies_to_act(
        session, actor=ACTOR, act=draft, inventory_numbers=[old[1].inventory_number]
    )
    fund_acts.sign_act(session, actor=ACTOR, act=act)

    register = fund_services.summary_register(session, 2026)
    m = register.movement
    assert (m.start.total.copies, m.start.total.money) == (4, Decimal("200.00"))
    assert (m.received.total.copies, m.withdrawn.total.copies, m.end.total.copies) == (2, 1, 5)
    assert m.end.total.money == Decimal("550.00")
    assert m.end.get("content_branch", "fiction").copies == 3
    assert m.end.get("language", "eng").money == Decimal("400.00")
    assert m.identity_holds()
    assert [row.document.number for row in register.received.rows] == ["2026-001"]
    assert [row.document.number for row in register.withdrawn.rows] == [act.number]


def test_the_inventory_book_sorts_numbers_as_numbers_within_a_series(session):
    for number in ("10", "9", "100", "2026-000002", "2026-000010", "АБ-3"):
        receive(session, numbers=number)
    book = fund_services.inventory_book(session, per_page=4)
    assert [c.inventory_number for c in book.copies] == ["9", "10", "100", "2026-000002"]
    assert (book.total, book.pages) == (6, 2)
    second = fund_services.inventory_book(session, page=2, per_page=4)
    assert [c.inventory_number for c in second.copies] == ["2026-000010", "АБ-3"]


def test_the_scheme_is_configurable_and_audited(session):
    scheme = fund_receipts.set_inventory_scheme(session, actor=ACTOR, prefix="КХ", width=5, with_year=True)
    assert scheme.example(2026) == "КХ2026-00001"
    assert fund_receipts.get_inventory_scheme(session) == scheme
    assert receive(session)[0].inventory_number == "КХ2026-00001"
    with pytest.raises(InvalidValueError) as caught:
        fund_receipts.set_inventory_scheme(session, actor=ACTOR, prefix="A1", width=40)
    assert set(caught.value.errors) == {"prefix", "width"}
