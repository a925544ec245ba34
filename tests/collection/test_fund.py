"""КСО arithmetic without a database: parts 1 and 2 by breakdown, part 3 movement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from collection.fund.rules import (
    Amount,
    CopyLine,
    Document,
    FundInconsistency,
    check_consistency,
    movement,
    summary_register,
)


def line(copy_id, day, price="10.00", doc_type="book", branch="fiction", language="ukr"):
    return CopyLine(copy_id, day, doc_type, branch, language, Decimal(price))


def test_part_one_has_a_row_per_receipt_of_the_year_with_breakdowns():
    receipts = [
        Document(
            1, "2026-002", date(2026, 4, 1), "gift", lines=(line(3, date(2026, 4, 1), "0", language="eng"),)
        ),
        Document(
            2,
            "2026-001",
            date(2026, 2, 1),
            "purchase",
            lines=(line(1, date(2026, 2, 1), "120.50"), line(2, date(2026, 2, 1), "80", branch="children")),
        ),
        Document(3, "2025-009", date(2025, 12, 31), "purchase", lines=(line(4, date(2025, 12, 31)),)),
    ]
    register = summary_register(receipts, [], 2026)
    rows = register.received.rows
    assert [r.document.number for r in rows] == ["2026-001", "2026-002"]
    assert rows[0].totals.total == Amount(2, Decimal("200.50"))
    assert rows[0].totals.get("content_branch", "children") == Amount(1, Decimal("80.00"))
    assert register.received.total.get("language", "eng") == Amount(1, Decimal("0"))
    assert register.received.total.total.copies == 3


def test_part_three_moves_the_balance_from_one_year_to_the_next():
    received = [
        line(1, date(2025, 3, 1), "100"),
        line(2, date(2025, 3, 1), "50", branch="children"),
        line(3, date(2026, 5, 1), "70"),
    ]
    withdrawn = [line(2, date(2026, 6, 1), "50", branch="children")]
    m = movement(received, withdrawn, 2026)
    assert m.start.total == Amount(2, Decimal("150"))
    assert m.received.total == Amount(1, Decimal("70"))
    assert m.withdrawn.total == Amount(1, Decimal("50"))
    assert m.end.total == Amount(2, Decimal("170"))
    assert m.end.get("content_branch", "children") == Amount(0, Decimal("0"))
    assert m.identity_holds()
    assert movement(received, withdrawn, 2027).start.total == m.end.total


def test_a_withdrawn_copy_leaves_with_the_breakdown_it_came_with():
    received = [line(1, date(2026, 1, 5), doc_type="audiovisual")]
    m = movement(received, [line(1, date(2026, 2, 5), doc_type="audiovisual")], 2026)
    assert m.end.get("doc_type", "audiovisual").copies == 0


@pytest.mark.parametrize(
    "withdrawn",
    [
        [line(1, date(2026, 2, 1)), line(1, date(2026, 3, 1))],
        [line(1, date(2025, 12, 1))],
        [line(9, date(2026, 2, 1))],
    ],
)
def test_impossible_histories_are_reported(withdrawn):
    with pytest.raises(FundInconsistency):
        check_consistency([line(1, date(2026, 1, 1))], withdrawn)
