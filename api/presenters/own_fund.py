"""The regional library's own share of a programme, in REST answers and ``komplekt own-fund … --json``."""

from __future__ import annotations

from pydantic import BaseModel

from collection.fund.models import Receipt


class OwnFundShareOut(BaseModel):
    """Per programme title id (as a string key): copies left after allocation and already taken."""

    share: dict[str, int]
    taken: dict[str, int]


class TakenIntoFundOut(BaseModel):
    """The receipt that took copies into the fund, and how many."""

    receipt_id: int
    number: str
    copies: int


def own_fund_share_out(share: dict[int, int], taken: dict[int, int]) -> OwnFundShareOut:
    """The share and what was taken, by title id in order."""
    return OwnFundShareOut(share={str(t): c for t, c in sorted(share.items())},
                           taken={str(t): c for t, c in sorted(taken.items())})  # fmt: skip


def taken_into_fund_out(receipt: Receipt) -> TakenIntoFundOut:
    """The receipt's id, number and copy count."""
    return TakenIntoFundOut(receipt_id=receipt.id, number=receipt.number, copies=len(receipt.copies))
