"""Allocation (розподіл): who gets how many copies of each title that arrived.

A pure function from (received quantities, orders, policy) to a plan. The rules:

- never more than was received of a title in total, never more than a library ordered;
- when a title arrives short, quantities are cut by largest-remainder (Hamilton)
  apportionment over the orders, with a deterministic tie-break (larger order first, then
  library code), and libraries of chosen statuses (e.g. relocated, whose funds were lost) may
  be served first;
- what is left over after every order is filled is a surplus whose destination (own fund or
  exchange fund) is an explicit decision, never implied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from collection.errors import N_
from distribution.errors import InvalidProgrammeData

SURPLUS_DESTINATIONS = ("own_fund", "exchange_fund")


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One library's order for one title."""

    library: str
    title: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Policy:
    """How to cut short titles and where surplus goes."""

    priority_statuses: frozenset[str] = frozenset()
    # Libraries of these statuses get nothing this time (e.g. in occupied territory): their
    # orders stay open, and the copies go to everyone else.
    held_statuses: frozenset[str] = frozenset()
    surplus_destination: str | None = None  # None: surplus stays undecided, shown to staff


@dataclass(slots=True)
class Plan:
    """The result: copies per (library, title), and the surplus per title."""

    allocations: dict[tuple[str, str], int] = field(default_factory=dict)
    surplus: dict[str, int] = field(default_factory=dict)
    surplus_destination: str | None = None

    def allocated(self, title: str) -> int:
        """Copies of a title allocated to libraries."""
        return sum(q for (_, t), q in self.allocations.items() if t == title)

    def for_library(self, library: str) -> dict[str, int]:
        """Copies per title for one library."""
        return {t: q for (lib, t), q in self.allocations.items() if lib == library and q}


class AllocationError(InvalidProgrammeData, ValueError):
    """Input that cannot be allocated (negative quantities, unknown surplus destination)."""


def allocate(
    received: Mapping[str, int],
    orders: Iterable[OrderLine],
    policy: Policy = Policy(),  # noqa: B008 - an immutable default
    statuses: Mapping[str, str] | None = None,
) -> Plan:
    """Allocate every title's received copies over the orders for it."""
    if policy.surplus_destination not in (None, *SURPLUS_DESTINATIONS):
        raise AllocationError(N_("Недопустиме значення"), field="surplus_destination")
    by_title: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line in orders:
        if line.quantity < 0:
            raise AllocationError(
                N_("{library}, «{title}»: кількість не може бути від'ємною"),
                field="quantity", params={"library": line.library, "title": line.title},
            )  # fmt: skip
        by_title[line.title][line.library] += line.quantity
    plan = Plan(surplus_destination=policy.surplus_destination)
    statuses = statuses or {}
    for title in sorted(set(received) | set(by_title)):
        available = received.get(title, 0)
        if available < 0:
            raise AllocationError(
                N_("«{title}»: отримано не може бути від'ємним"), field="received", params={"title": title}
            )
        wanted = {
            lib: q
            for lib, q in by_title.get(title, {}).items()
            if statuses.get(lib) not in policy.held_statuses
        }
        shares = allocate_title(available, wanted, _priority(wanted, statuses, policy))
        for library, quantity in shares.items():
            plan.allocations[(library, title)] = quantity
        left = available - sum(shares.values())
        if left:
            plan.surplus[title] = left
    return plan


def _priority(wanted: Mapping[str, int], statuses: Mapping[str, str], policy: Policy) -> set[str]:
    return {lib for lib in wanted if statuses.get(lib) in policy.priority_statuses}


def allocate_title(
    available: int, wanted: Mapping[str, int], priority: set[str] | frozenset[str] = frozenset()
) -> dict[str, int]:
    """One title: priority libraries first, then everyone else, each group cut fairly."""
    first = {lib: q for lib, q in wanted.items() if lib in priority}
    rest = {lib: q for lib, q in wanted.items() if lib not in priority}
    shares = apportion(available, first)
    shares.update(apportion(available - sum(shares.values()), rest))
    return shares


def apportion(available: int, wanted: Mapping[str, int]) -> dict[str, int]:
    """Largest-remainder apportionment of ``available`` copies over orders, capped by each order.

    When there is enough for everyone, everyone gets what they ordered. Otherwise each library
    gets the integer part of its proportional quota and the copies still left go one each to
    the largest remainders; ties go to the larger order, then to the lower library code.
    """
    total = sum(wanted.values())
    if total <= available:
        return dict(wanted)
    if available <= 0:
        return {lib: 0 for lib in wanted}
    shares: dict[str, int] = {}
    remainders: list[tuple[int, int, str]] = []
    for library, quantity in wanted.items():
        whole, remainder = divmod(quantity * available, total)  # exact integer arithmetic
        shares[library] = whole
        remainders.append((-remainder, -quantity, library))
    left = available - sum(shares.values())
    for _, _, library in sorted(remainders)[:left]:
        shares[library] += 1
    return shares


@dataclass(frozen=True, slots=True)
class LimitProblem:
    """One way a hand adjustment breaks the limits: ``kind`` is "negative", "over_order" or
    "over_received"; ``limit`` is what was ordered or received."""

    kind: str
    library: str | None
    title: str
    quantity: int
    limit: int = 0


def check_adjustment(
    plan: Plan,
    received: Mapping[str, int],
    ordered: Mapping[tuple[str, str], int],
    changes: Mapping[tuple[str, str], int],
    *,
    allow_over_order: bool = False,
) -> list[LimitProblem]:
    """Problems with a hand adjustment of the plan (empty when it stays within the limits).

    Staff may move copies between libraries, but the total for a title can never exceed what
    was received, and a library can never get more than it ordered unless explicitly allowed.
    """
    problems = []
    merged = dict(plan.allocations)
    merged.update(changes)
    for (library, title), quantity in sorted(changes.items()):
        if quantity < 0:
            problems.append(LimitProblem("negative", library, title, quantity))
        elif not allow_over_order and quantity > ordered.get((library, title), 0):
            problems.append(
                LimitProblem("over_order", library, title, quantity, ordered.get((library, title), 0))
            )
    for title in sorted({t for _, t in changes}):
        total = sum(q for (_, t), q in merged.items() if t == title)
        if total > received.get(title, 0):
            problems.append(LimitProblem("over_received", None, title, total, received.get(title, 0)))
    return problems


def reallocate(
    received: Mapping[str, int],
    ordered: Mapping[tuple[str, str], int],
    committed: Mapping[tuple[str, str], int],
    adjusted: Mapping[tuple[str, str], int],
    policy: Policy = Policy(),  # noqa: B008 - an immutable default
    statuses: Mapping[str, str] | None = None,
) -> Plan:
    """A new plan that keeps what is packed or sent and the hand adjustments, and allocates the rest.

    ``committed`` (copies packed or sent per (library, title)) always stays allocated; an
    ``adjusted`` line stays whole (never below what is committed) and the rules leave it alone.
    The rules share out the received copies not yet kept over what each other library still
    wants. Pass no ``adjusted`` lines to start again from the rules.
    """
    kept = {key: (copies, False) for key, copies in committed.items()}
    for key, quantity in adjusted.items():
        kept[key] = (max(quantity, kept.get(key, (0, False))[0]), True)
    kept_by_title: dict[str, int] = defaultdict(int)
    for (_, title), (copies, _fixed) in kept.items():
        kept_by_title[title] += copies
    wanted = (
        OrderLine(library, title, max(0, quantity - kept.get((library, title), (0, False))[0]))
        for (library, title), quantity in ordered.items()
        if not kept.get((library, title), (0, False))[1]
    )
    rules = allocate(
        {title: max(0, quantity - kept_by_title[title]) for title, quantity in received.items()},
        wanted, policy, statuses,
    )  # fmt: skip
    allocations = {key: copies for key, (copies, _fixed) in kept.items()}
    for key, copies in rules.allocations.items():
        allocations[key] = allocations.get(key, 0) + copies
    return Plan(allocations=allocations, surplus=rules.surplus, surplus_destination=rules.surplus_destination)
