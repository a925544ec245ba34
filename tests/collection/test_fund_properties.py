"""Property-based: for any sequence of receipts and withdrawals the КСО identity holds.

start + received − withdrawn = end, overall and per breakdown, in copies and in money; no copy
leaves twice; no balance is ever negative. Pure part on many examples; a few examples run the
same sequences through the services and the database (SQLite) to tie the two together.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from collection.catalogue.models import Edition
from collection.fund import acts as fund_acts
from collection.fund import receipts as fund_receipts
from collection.fund import registers as fund_services
from collection.fund.models import Copy, Receipt, UsedInventoryNumber, WithdrawalAct
from collection.fund.rules import DIMENSIONS, CopyLine, balance_at, check_consistency, movement
from tests.collection.fund_builders import ACTOR

DOC_TYPES = ("book", "serial", "audiovisual")
BRANCHES = ("fiction", "children", "humanities")
LANGUAGES = ("ukr", "eng", "")
START = date(2023, 1, 1)

prices = st.decimals(min_value=0, max_value=Decimal("5000"), places=2, allow_nan=False)
receipt_op = st.tuples(
    st.just("receive"),
    st.integers(0, 4 * 365),
    st.sampled_from(DOC_TYPES),
    st.sampled_from(BRANCHES),
    st.sampled_from(LANGUAGES),
    prices,
    st.integers(1, 3),
)
withdraw_op = st.tuples(st.just("withdraw"), st.integers(0, 4 * 365), st.integers(0, 10_000))
operations = st.lists(st.one_of(receipt_op, withdraw_op), max_size=40)


def simulate(ops) -> tuple[list[CopyLine], list[CopyLine]]:
    """Apply operations as the services would: withdraw only copies still in the fund."""
    received: list[CopyLine] = []
    withdrawn: list[CopyLine] = []
    gone: set[int] = set()
    for op in ops:
        if op[0] == "receive":
            _, day, doc_type, branch, language, price, quantity = op
            for _ in range(quantity):
                received.append(
                    CopyLine(len(received), START + timedelta(day), doc_type, branch, language, price)
                )
        else:
            _, day, pick = op
            when = START + timedelta(day)
            candidates = [c for c in received if c.copy_id not in gone and c.date <= when]
            if candidates:
                chosen = candidates[pick % len(candidates)]
                gone.add(chosen.copy_id)
                withdrawn.append(
                    CopyLine(
                        chosen.copy_id,
                        when,
                        chosen.doc_type,
                        chosen.content_branch,
                        chosen.language,
                        chosen.price,
                    )
                )
    return received, withdrawn


@given(operations)
@settings(max_examples=300, deadline=None)
def test_the_movement_identity_holds_for_every_year_and_breakdown(ops):
    received, withdrawn = simulate(ops)
    for year in range(2022, 2028):
        m = movement(received, withdrawn, year)
        assert m.identity_holds()
        for dimension in DIMENSIONS:
            for key in m.keys(dimension):
                assert (
                    m.start.get(dimension, key)
                    + m.received.get(dimension, key)
                    - m.withdrawn.get(dimension, key)
                ) == m.end.get(dimension, key)


@given(operations)
@settings(max_examples=300, deadline=None)
def test_no_copy_leaves_twice_and_no_balance_goes_negative(ops):
    received, withdrawn = simulate(ops)
    check_consistency(received, withdrawn)
    for day in sorted({line.date for line in received + withdrawn}):
        balance = balance_at(received, withdrawn, day + timedelta(1))
        assert not balance.total.negative
        for dimension in DIMENSIONS:
            assert not any(amount.negative for amount in balance.by[dimension].values())


@given(operations)
@settings(max_examples=300, deadline=None)
def test_next_years_start_is_this_years_end(ops):
    received, withdrawn = simulate(ops)
    for year in range(2022, 2027):
        this, following = movement(received, withdrawn, year), movement(received, withdrawn, year + 1)
        assert following.start.total == this.end.total
        for dimension in DIMENSIONS:
            assert following.start.by[dimension] == {k: v for k, v in this.end.by[dimension].items()}


def _empty_fund(session) -> None:
    session.rollback()
    for model in (Copy, WithdrawalAct, Receipt, UsedInventoryNumber, Edition):
        session.execute(delete(model))
    session.commit()


@given(st.lists(st.one_of(receipt_op, withdraw_op), max_size=12))
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_database_register_agrees_with_the_identity_and_never_withdraws_twice(session, ops):
    if session.get_bind().dialect.name != "sqlite":
        return  # one backend is enough for the property; the services tests cover both
    _empty_fund(session)
    editions: dict[tuple, Edition] = {}
    in_fund: list[Copy] = []
    for op in ops:
        day = START + timedelta(op[1])
        if op[0] == "receive":
            _, _, doc_type, branch, language, price, quantity = op
            key = (doc_type, branch, language)
            if key not in editions:
                editions[key] = Edition(
                    flavour="unimarc",
                    marc={},
                    title=str(key),
                    doc_type=doc_type,
                    content_branch=branch,
                    language=language,
                )
                session.add(editions[key])
                session.commit()
            receipt = fund_receipts.create_receipt(session, actor=ACTOR, receipt_date=day, source="other")
            in_fund += fund_receipts.add_copies_to_receipt(
                session,
                actor=ACTOR,
                receipt=receipt,
                edition_id=editions[key].id,
                quantity=quantity,
                price=price,
            )
        else:
            candidates = [c for c in in_fund if c.acquired <= day]
            if not candidates:
                continue
            chosen = candidates[op[2] % len(candidates)]
            act = fund_acts.create_withdrawal_act(session, actor=ACTOR, act_date=day, reason="worn_out")
            fund_acts.add_copies_to_act(
                session, actor=ACTOR, act=act, inventory_numbers=[chosen.inventory_number]
            )
            fund_acts.sign_act(session, actor=ACTOR, act=act)
            in_fund.remove(chosen)
            again = fund_acts.create_withdrawal_act(
                session, actor=ACTOR, act_date=day, reason="duplicate"
            )
            try:
                fund_acts.add_copies_to_act(
                    session, actor=ACTOR, act=again, inventory_numbers=[chosen.inventory_number]
                )
                raise AssertionError("a copy was withdrawn twice")
            except fund_acts.CopyNotAvailable:
                pass
    receipts, acts = fund_services.fund_documents(session)
    received = [line for d in receipts for line in d.lines]
    withdrawn = [line for d in acts for line in d.lines]
    check_consistency(received, withdrawn)
    for year in (2023, 2024, 2025, 2026):
        register = fund_services.summary_register(session, year)
        assert register.movement.identity_holds()
        assert not register.movement.end.total.negative
    assert register.movement.end.total.copies == len(in_fund)
    assert register.movement.end.total.money == sum((c.price for c in in_fund), Decimal("0.00"))
    _empty_fund(session)
