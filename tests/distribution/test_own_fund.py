"""The regional library's own share of a delivery goes into its fund with one receipt."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from collection.fund.models import Copy, Receipt
from distribution.allocation.services import adjust_allocation, allocate_programme
from distribution.errors import AllocationLimitExceeded, InvalidProgrammeData
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.own_fund import fund_share, take_into_fund
from distribution.programmes.report import programme_report
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B, programme_with_orders

DAY = date(2026, 11, 2)


def title_ids(session, programme_id):
    return dict(
        session.execute(
            select(ProgrammeTitle.isbn, ProgrammeTitle.id).where(ProgrammeTitle.programme_id == programme_id)
        ).all()
    )


def with_surplus(session):
    """LG-A01 ordered 3 of A, LG-B01 1 of B; 5 of A and 2 of B received: 2 + 1 left over."""
    programme = programme_with_orders(
        session, [["LG-A01", A, 3], ["LG-B01", B, 1]], received=[[A, 5, 0], [B, 2, 0]]
    )
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id, surplus_destination="own_fund")
    return programme


def test_the_surplus_goes_into_the_fund_with_one_receipt_numbered_and_priced(session):
    programme = with_surplus(session)
    ids = title_ids(session, programme.id)
    assert fund_share(session, programme.id) == {ids[A]: 2, ids[B]: 1}
    receipt = take_into_fund(session, actor=TEST_ACTOR, programme_id=programme.id, receipt_date=DAY)
    assert (receipt.source, receipt.date, receipt.supplier) == (
        "state_programme",
        DAY,
        "Український інститут книги",
    )
    copies = list(session.scalars(select(Copy).where(Copy.receipt_id == receipt.id)))
    assert sorted(c.price for c in copies) == [Decimal("210.50"), Decimal("350.00"), Decimal("350.00")]
    assert len({c.inventory_number for c in copies}) == 3 and all(c.status == "in_fund" for c in copies)
    assert fund_share(session, programme.id) == {}
    totals = programme_report(session, programme.id)["totals"]
    assert (totals["to_fund"], totals["surplus"]) == (3, 0)


def test_copies_taken_into_the_fund_can_no_longer_be_allocated(session):
    programme = with_surplus(session)
    ids = title_ids(session, programme.id)
    take_into_fund(
        session, actor=TEST_ACTOR, programme_id=programme.id, receipt_date=DAY, quantities={ids[A]: 2}
    )
    with pytest.raises(AllocationLimitExceeded):
        adjust_allocation(
            session, actor=TEST_ACTOR, programme_id=programme.id, changes={("LG-B01", ids[A]): 1},
            allow_over_order=True,
        )  # fmt: skip
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    assert fund_share(session, programme.id) == {ids[B]: 1}


def test_more_than_the_share_is_refused_and_nothing_is_written(session):
    programme = with_surplus(session)
    ids = title_ids(session, programme.id)
    with pytest.raises(InvalidProgrammeData) as error:
        take_into_fund(session, actor=TEST_ACTOR, programme_id=programme.id, receipt_date=DAY,
                       quantities={ids[A]: 1, ids[B]: 2})  # fmt: skip
    assert set(error.value.errors) == {f"quantities.{ids[B]}"}
    assert session.scalar(select(func.count()).select_from(Receipt)) == 0
    assert session.scalar(select(func.count()).select_from(Copy)) == 0
