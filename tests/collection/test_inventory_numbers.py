"""The inventory-number scheme, natural order, and allocation that never issues a number twice."""

from __future__ import annotations

import threading

import pytest

from collection.db import make_session_factory
from collection.errors import InvalidValueError
from collection.fund import inventory_numbers
from collection.fund import receipts as fund_receipts
from collection.fund.inventory_numbers import (
    InventoryNumberTaken,
    InventoryScheme,
    allocate_numbers,
    claim_number,
    natural_key,
    split_number,
)
from tests.collection.fund_builders import ACTOR, make_edition, make_receipt


def test_a_plain_scheme_gives_zero_padded_digits():
    assert InventoryScheme().format(523, 2026) == "000523"
    assert InventoryScheme(width=3).format(100523, 2026) == "100523"  # never truncated


def test_a_year_scheme_puts_the_year_first():
    assert InventoryScheme(with_year=True).format(123, 2026) == "2026-000123"
    assert InventoryScheme(prefix="АБ", with_year=True, separator="/").format(7, 2026) == "АБ2026/000007"


def test_a_prefix_is_separated_from_the_digits():
    assert InventoryScheme(prefix="КХ", width=5).format(42, 2026) == "КХ-00042"
    assert InventoryScheme(prefix="КХ-", width=5).format(42, 2026) == "КХ-00042"


@pytest.mark.parametrize(
    "bad", [{"width": 0}, {"width": 13}, {"prefix": "A1"}, {"prefix": "a b"}, {"separator": "_"}]
)
def test_a_scheme_refuses_shapes_that_would_make_ambiguous_numbers(bad):
    with pytest.raises(InvalidValueError):
        InventoryScheme(**bad)


def test_numbers_split_into_series_and_sequence():
    assert split_number("2026-000123") == ("2026-", 123)
    assert split_number("100523") == ("", 100523)
    assert split_number("АБ") == ("АБ", None)


def test_natural_order_reads_numbers_as_numbers_within_a_series():
    numbers = ["100", "9", "2026-10", "2026-9", "10", "АБ"]
    assert sorted(numbers, key=natural_key) == ["9", "10", "100", "2026-9", "2026-10", "АБ"]


def test_allocation_continues_after_the_highest_number_ever_issued(session):
    claim_number(session, "000041")
    session.commit()
    assert allocate_numbers(session, InventoryScheme(), 2, 2026) == ["000042", "000043"]
    assert allocate_numbers(session, InventoryScheme(with_year=True), 1, 2026) == ["2026-000001"]


def test_a_claimed_number_cannot_be_claimed_again(session):
    claim_number(session, "777")
    session.commit()
    with pytest.raises(InventoryNumberTaken):
        claim_number(session, " 777 ")


@pytest.mark.parametrize("bad", ["", "   ", "12 34", "1" * 65, "№5"])
def test_given_numbers_must_look_like_inventory_numbers(session, bad):
    with pytest.raises(InvalidValueError):
        claim_number(session, bad)


def _run_in_threads(target, count: int = 2) -> list:
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = target(index)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_concurrent_allocations_that_read_the_same_maximum_never_duplicate(engine, monkeypatch):
    """Both transactions read "highest = 0" before either inserts: one must move on."""
    factory = make_session_factory(engine)
    barrier = threading.Barrier(2, timeout=10)
    original = inventory_numbers.highest_issued
    waited: set[int] = set()

    def racing_highest(session, series):
        value = original(session, series)
        me = threading.get_ident()
        if me not in waited:
            waited.add(me)
            barrier.wait()  # both have read the same maximum now
        return value

    monkeypatch.setattr(inventory_numbers, "highest_issued", racing_highest)

    def allocate(_index: int) -> list[str]:
        with factory() as session:
            numbers = allocate_numbers(session, InventoryScheme(), 5, 2026)
            session.commit()
            return numbers

    first, second = _run_in_threads(allocate)
    issued = first + second
    assert len(set(issued)) == 10
    assert sorted(issued) == [f"{n:06d}" for n in range(1, 11)]


def test_concurrent_receipts_get_distinct_inventory_numbers(engine, session):

    edition = make_edition(session)
    receipts = [make_receipt(session), make_receipt(session)]
    factory = make_session_factory(engine)

    def add(index: int) -> list[str]:
        with factory() as own:
            receipt = fund_receipts.get_receipt(own, receipts[index].id)
            numbers = []
            for _ in range(5):
                copies = fund_receipts.add_copies_to_receipt(
                    own, actor=ACTOR, receipt=receipt, edition_id=edition.id, quantity=2, price="10"
                )
                own.commit()  # each call is one request's unit of work
                numbers += [c.inventory_number for c in copies]
            return numbers

    first, second = _run_in_threads(add)
    assert len(set(first) | set(second)) == 20
