"""КСО arithmetic (книга сумарного обліку): pure functions from copy lines to the three parts.

Part 1 (надходження) has a row per receipt, part 2 (вибуття) a row per signed withdrawal act,
each with totals broken down by document type, content branch and language, in copies and in
money. Part 3 (підсумки руху фонду) is, per breakdown, the balance at the start of the year +
received − withdrawn = balance at the end. ``movement`` computes the end balance directly from
the lines (not by the formula), so the identity is a property the tests check, not an
assumption. No database here: the services turn rows into ``CopyLine``s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DIMENSIONS = ("doc_type", "content_branch", "language")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Amount:
    """A number of copies and their value (book price) in hryvnias."""

    copies: int = 0
    money: Decimal = ZERO

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.copies + other.copies, self.money + other.money)

    def __sub__(self, other: Amount) -> Amount:
        return Amount(self.copies - other.copies, self.money - other.money)

    @property
    def negative(self) -> bool:
        """Whether either measure is below zero (never so for a consistent fund)."""
        return self.copies < 0 or self.money < 0


@dataclass(frozen=True, slots=True)
class CopyLine:
    """One copy as accounting sees it: when it moved, its breakdowns and its price."""

    copy_id: object
    date: date
    doc_type: str
    content_branch: str
    language: str
    price: Decimal = ZERO

    @property
    def amount(self) -> Amount:
        return Amount(1, self.price)


@dataclass(frozen=True, slots=True)
class Document:
    """A receipt or a withdrawal act with the copy lines it moved (all dated ``date``)."""

    id: object
    number: str
    date: date
    label: str  # the receipt's source or the act's reason
    reference: str = ""  # accompanying document / supplier, shown in the register
    lines: tuple[CopyLine, ...] = ()


@dataclass(slots=True)
class Totals:
    """An overall amount and the same amount per value of every breakdown dimension."""

    total: Amount = field(default_factory=Amount)
    by: dict[str, dict[str, Amount]] = field(
        default_factory=lambda: {dimension: {} for dimension in DIMENSIONS}
    )

    def add(self, line: CopyLine, sign: int = 1) -> None:
        """Count ``line`` in (sign 1) or out (sign -1)."""
        amount = line.amount if sign > 0 else Amount(-1, -line.price)
        self.total = self.total + amount
        for dimension in DIMENSIONS:
            key = getattr(line, dimension) or ""
            bucket = self.by[dimension]
            bucket[key] = bucket.get(key, Amount()) + amount

    def get(self, dimension: str, key: str) -> Amount:
        """The amount for one breakdown value (zero when absent)."""
        return self.by[dimension].get(key, Amount())

    def keys(self, dimension: str) -> set[str]:
        return set(self.by[dimension])


def totals(lines: Iterable[CopyLine], sign: int = 1) -> Totals:
    """Totals of ``lines`` (all counted in, or all out with ``sign=-1``)."""
    result = Totals()
    for line in lines:
        result.add(line, sign)
    return result


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One row of КСО part 1 or 2: a document and its totals."""

    document: Document
    totals: Totals


@dataclass(frozen=True, slots=True)
class Part:
    """КСО part 1 or 2 for a year: rows in date order and the year's total."""

    rows: tuple[RegisterRow, ...]
    total: Totals


@dataclass(frozen=True, slots=True)
class Movement:
    """КСО part 3 for a year, per breakdown: start + received − withdrawn = end."""

    year: int
    start: Totals
    received: Totals
    withdrawn: Totals
    end: Totals

    def keys(self, dimension: str) -> list[str]:
        """Every breakdown value that appears in any column, sorted."""
        found = set()
        for column in (self.start, self.received, self.withdrawn, self.end):
            found |= column.keys(dimension)
        return sorted(found)

    def identity_holds(self) -> bool:
        """start + received − withdrawn == end overall and for every breakdown value."""
        if self.start.total + self.received.total - self.withdrawn.total != self.end.total:
            return False
        return all(
            self.start.get(d, k) + self.received.get(d, k) - self.withdrawn.get(d, k) == self.end.get(d, k)
            for d in DIMENSIONS
            for k in self.keys(d)
        )


@dataclass(frozen=True, slots=True)
class SummaryRegister:
    """The whole КСО for one year."""

    year: int
    received: Part
    withdrawn: Part
    movement: Movement


def in_year(day: date, year: int) -> bool:
    return day.year == year


def part(documents: Iterable[Document], year: int) -> Part:
    """КСО part 1 or 2 for ``year``: one row per document dated in that year."""
    chosen = sorted((d for d in documents if in_year(d.date, year)), key=lambda d: (d.date, d.number))
    rows = tuple(RegisterRow(d, totals(d.lines)) for d in chosen)
    return Part(rows, totals(line for d in chosen for line in d.lines))


def balance_at(received: Iterable[CopyLine], withdrawn: Iterable[CopyLine], before: date) -> Totals:
    """The fund strictly before ``before``: received minus withdrawn, per breakdown."""
    result = Totals()
    for line in received:
        if line.date < before:
            result.add(line)
    for line in withdrawn:
        if line.date < before:
            result.add(line, -1)
    return result


def movement(received: Iterable[CopyLine], withdrawn: Iterable[CopyLine], year: int) -> Movement:
    """КСО part 3: balances at 1 January of ``year`` and of the next year, and the flows between."""
    received, withdrawn = list(received), list(withdrawn)
    return Movement(
        year=year,
        start=balance_at(received, withdrawn, date(year, 1, 1)),
        received=totals(line for line in received if in_year(line.date, year)),
        withdrawn=totals(line for line in withdrawn if in_year(line.date, year)),
        end=balance_at(received, withdrawn, date(year + 1, 1, 1)),
    )


def summary_register(receipts: Iterable[Document], acts: Iterable[Document], year: int) -> SummaryRegister:
    """The КСО of ``year`` from every receipt and every signed withdrawal act."""
    receipts, acts = list(receipts), list(acts)
    return SummaryRegister(
        year=year,
        received=part(receipts, year),
        withdrawn=part(acts, year),
        movement=movement(
            (line for d in receipts for line in d.lines), (line for d in acts for line in d.lines), year
        ),
    )


class FundInconsistency(ValueError):
    """The lines describe an impossible fund (a copy withdrawn twice or before it arrived)."""


def check_consistency(received: Iterable[CopyLine], withdrawn: Iterable[CopyLine]) -> None:
    """Raise ``FundInconsistency`` unless each withdrawn copy arrived earlier and left only once."""
    arrived: Mapping[object, date] = {line.copy_id: line.date for line in received}
    seen: set[object] = set()
    for line in withdrawn:
        if line.copy_id in seen:
            raise FundInconsistency(f"copy {line.copy_id!r} withdrawn twice")
        seen.add(line.copy_id)
        if line.copy_id not in arrived or arrived[line.copy_id] > line.date:
            raise FundInconsistency(f"copy {line.copy_id!r} withdrawn before it was received")
