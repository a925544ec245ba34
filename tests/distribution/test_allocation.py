"""Allocation: fair cuts of short titles, and limits that hold for any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distribution.allocation.rules import (
    AllocationError,
    LimitProblem,
    OrderLine,
    Plan,
    Policy,
    allocate,
    apportion,
    check_adjustment,
    reallocate,
)
from distribution.errors import DistributionError


def test_enough_copies_fill_every_order_and_leave_an_explicit_surplus() -> None:
    plan = allocate({"T1": 12}, [OrderLine("LIB-A", "T1", 5), OrderLine("LIB-B", "T1", 4)],
                    Policy(surplus_destination="exchange_fund"))
    assert plan.allocations == {("LIB-A", "T1"): 5, ("LIB-B", "T1"): 4}
    assert plan.surplus == {"T1": 3}
    assert plan.surplus_destination == "exchange_fund"


def test_short_title_is_cut_by_largest_remainder() -> None:
    # 10 copies over orders 5, 3, 2 (total 10) would fill them; over 6, 4, 3 (13) quotas are
    # 4.615, 3.077, 2.308 -> integer parts 4, 3, 2 (9), the one left goes to the largest
    # remainder (0.615, LIB-A).
    shares = apportion(10, {"LIB-A": 6, "LIB-B": 4, "LIB-C": 3})
    assert shares == {"LIB-A": 5, "LIB-B": 3, "LIB-C": 2}


def test_ties_go_to_the_larger_order_then_the_lower_code() -> None:
    assert apportion(1, {"LIB-B": 1, "LIB-A": 1}) == {"LIB-A": 1, "LIB-B": 0}
    # Equal remainders (both 0.5): the larger order wins.
    assert apportion(3, {"LIB-A": 1, "LIB-B": 5}) == {"LIB-A": 0, "LIB-B": 3}


def test_chosen_statuses_are_served_first() -> None:
    orders = [OrderLine("LIB-A", "T1", 4), OrderLine("LIB-R", "T1", 4)]
    plan = allocate({"T1": 5}, orders, Policy(priority_statuses=frozenset({"relocated"})),
                    statuses={"LIB-R": "relocated", "LIB-A": "working"})
    assert plan.allocations == {("LIB-R", "T1"): 4, ("LIB-A", "T1"): 1}


def test_nothing_received_allocates_nothing() -> None:
    plan = allocate({}, [OrderLine("LIB-A", "T1", 3)])
    assert plan.allocations == {("LIB-A", "T1"): 0}
    assert plan.surplus == {}


def test_hand_adjustments_are_checked_against_received_and_ordered() -> None:
    plan = Plan(allocations={("A", "T"): 2, ("B", "T"): 2})
    ordered = {("A", "T"): 3, ("B", "T"): 2}
    assert check_adjustment(plan, {"T": 4}, ordered, {("A", "T"): 3, ("B", "T"): 1}) == []
    problems = check_adjustment(plan, {"T": 4}, ordered, {("A", "T"): 3})
    assert problems == [LimitProblem("over_received", None, "T", 5, 4)]
    problems = check_adjustment(plan, {"T": 9}, ordered, {("B", "T"): 4})
    assert problems == [LimitProblem("over_order", "B", "T", 4, 2)]
    assert check_adjustment(plan, {"T": 9}, ordered, {("B", "T"): 4}, allow_over_order=True) == []


orders_strategy = st.lists(
    st.builds(OrderLine, st.sampled_from([f"LIB-{i}" for i in range(12)]),
              st.sampled_from(["T1", "T2", "T3"]), st.integers(min_value=0, max_value=50)),
    max_size=40,
)
received_strategy = st.dictionaries(st.sampled_from(["T1", "T2", "T3", "T4"]),
                                    st.integers(min_value=0, max_value=400))
statuses_strategy = st.dictionaries(st.sampled_from([f"LIB-{i}" for i in range(12)]),
                                    st.sampled_from(["working", "relocated", "occupied"]))


@settings(max_examples=400, deadline=None)
@given(received_strategy, orders_strategy, statuses_strategy,
       st.frozensets(st.sampled_from(["relocated", "occupied"])))
def test_limits_hold_for_any_input(received, orders, statuses, priority) -> None:
    plan = allocate(received, orders, Policy(priority_statuses=priority), statuses)
    ordered: dict[tuple[str, str], int] = {}
    for line in orders:
        ordered[(line.library, line.title)] = ordered.get((line.library, line.title), 0) + line.quantity
    for key, quantity in plan.allocations.items():
        assert 0 <= quantity <= ordered[key]  # never more than a library ordered
    for title in set(received) | {t for _, t in ordered}:
        total_ordered = sum(q for (_, t), q in ordered.items() if t == title)
        allocated = plan.allocated(title)
        got = received.get(title, 0)
        assert allocated <= got  # never more than received
        # nothing is held back while orders are unfilled, and surplus is exactly the rest
        assert allocated == min(got, total_ordered)
        assert plan.surplus.get(title, 0) == got - allocated


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=200),
       st.dictionaries(st.sampled_from([f"L{i}" for i in range(15)]),
                       st.integers(min_value=0, max_value=40), min_size=1))
def test_apportionment_is_fair_within_one_copy(available, wanted) -> None:
    shares = apportion(available, wanted)
    total = sum(wanted.values())
    if total <= available:
        assert shares == wanted
        return
    for library, quantity in wanted.items():
        quota = quantity * available / total
        assert int(quota) <= shares[library] <= int(quota) + 1  # quota rule
    assert apportion(available, dict(reversed(list(wanted.items())))) == shares  # deterministic


def test_libraries_of_held_statuses_get_nothing_and_the_copies_go_to_the_others() -> None:
    orders = [OrderLine("OCC", "T", 3), OrderLine("A", "T", 2), OrderLine("B", "T", 2)]
    statuses = {"OCC": "occupied", "A": "working", "B": "relocated"}
    plan = allocate({"T": 5}, orders, Policy(held_statuses=frozenset({"occupied"})), statuses)
    assert plan.for_library("OCC") == {} and (plan.allocated("T"), plan.surplus) == (4, {"T": 1})
    assert allocate({"T": 5}, orders, Policy(), statuses).for_library("OCC") == {"T": 2}


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_held_libraries_never_get_copies(data) -> None:
    libraries = [f"L{n}" for n in range(data.draw(st.integers(1, 8)))]
    statuses = {lib: data.draw(st.sampled_from(["working", "occupied", "closed"])) for lib in libraries}
    orders = [OrderLine(lib, "T", data.draw(st.integers(0, 5))) for lib in libraries]
    plan = allocate({"T": data.draw(st.integers(0, 30))}, orders,
                    Policy(held_statuses=frozenset({"occupied", "closed"})), statuses)  # fmt: skip
    assert all(not plan.for_library(lib) for lib in libraries if statuses[lib] != "working")


# --- reallocation: keep what is packed or sent and the hand adjustments, allocate the rest ----------


def test_reallocation_keeps_committed_copies_and_shares_out_only_the_rest() -> None:
    plan = reallocate(
        received={"T": 6},
        ordered={("A", "T"): 4, ("B", "T"): 4},
        committed={("A", "T"): 3},
        adjusted={},
    )
    assert plan.allocations == {("A", "T"): 4, ("B", "T"): 2}  # A keeps 3 and gets 1 of the 3 left
    assert plan.surplus == {}


def test_a_hand_adjusted_line_is_kept_whole_and_never_below_what_is_sent() -> None:
    plan = reallocate(
        received={"T": 10},
        ordered={("A", "T"): 5, ("B", "T"): 5},
        committed={("B", "T"): 3},
        adjusted={("A", "T"): 1, ("B", "T"): 2},
        policy=Policy(surplus_destination="exchange_fund"),
    )
    assert plan.allocations == {("A", "T"): 1, ("B", "T"): 3}  # both fixed; B's 2 is below its 3 sent
    assert plan.surplus == {"T": 6} and plan.surplus_destination == "exchange_fund"


def test_without_adjustments_reallocation_is_the_rules_again() -> None:
    orders = {("A", "T"): 3, ("B", "T"): 1}
    plan = reallocate(received={"T": 2}, ordered=orders, committed={}, adjusted={})
    by_the_rules = allocate({"T": 2}, [OrderLine(lib, t, q) for (lib, t), q in orders.items()])
    assert plan.allocations == by_the_rules.allocations


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 9), min_size=1),
       st.integers(0, 30), st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 4)))
def test_reallocation_never_takes_back_what_is_sent_nor_exceeds_what_arrived(orders, received, sent) -> None:
    sent = {lib: min(q, orders.get(lib, 0)) for lib, q in sent.items()}
    total_sent = sum(sent.values())
    received = max(received, total_sent)  # what is sent arrived first
    plan = reallocate(
        received={"T": received},
        ordered={(lib, "T"): q for lib, q in orders.items()},
        committed={(lib, "T"): q for lib, q in sent.items()},
        adjusted={},
    )
    for lib, q in sent.items():
        assert plan.allocations.get((lib, "T"), 0) >= q
    assert sum(plan.allocations.values()) + sum(plan.surplus.values()) == received


def test_inputs_that_make_no_sense_are_refused_with_a_domain_error_naming_the_field() -> None:
    with pytest.raises(AllocationError) as negative_order:
        allocate({"T": 3}, [OrderLine("A", "T", -1)])
    assert isinstance(negative_order.value, DistributionError) and negative_order.value.field == "quantity"
    assert str(negative_order.value) == "A, «T»: кількість не може бути від'ємною"
    with pytest.raises(AllocationError) as negative_received:
        allocate({"T": -3}, [])
    assert negative_received.value.field == "received"
    with pytest.raises(AllocationError) as destination:
        allocate({"T": 3}, [], Policy(surplus_destination="bin"))
    assert destination.value.field == "surplus_destination"
