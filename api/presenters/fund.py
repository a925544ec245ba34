"""What the fund looks like in REST answers: copies, receipts, acts, the КСО register, stocktakes.

Money is an exact decimal (a string in JSON, "1750.00"), dates are ISO, moments are ISO with
their zone as stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from collection.fund import stocktaking
from collection.fund.inventory_numbers import InventoryScheme
from collection.fund.models import Copy, Receipt, WithdrawalAct
from collection.fund.rules import DIMENSIONS, Part, SummaryRegister, Totals


class CopyOut(BaseModel):
    """A copy of the fund: inventory number, edition, where it is, its price and status."""

    id: int
    inventory_number: str
    barcode: str | None
    edition_id: int | None
    title: str
    authors: str
    location: str
    price: Decimal | None
    acquired: datetime.date | None
    status: str
    receipt_id: int | None
    withdrawal_act_id: int | None


class CountedOut(BaseModel):
    """How many copies and what they are worth."""

    copies: int
    money: Decimal


class ReceiptOut(BaseModel):
    """A receipt (КСО part 1 entry) as its list shows it."""

    id: int
    number: str
    date: datetime.date
    source: str
    supplier: str
    document: str
    note: str
    created_by: str


class ReceiptRowOut(ReceiptOut, CountedOut):
    """A receipt in the list, with its copy count and sum."""


class ReceiptDetailOut(ReceiptOut):
    """A receipt with its copies in inventory-number order and their total."""

    copies: list[CopyOut]
    total: CountedOut


class ActOut(BaseModel):
    """A withdrawal act (КСО part 2 entry once signed) as its list shows it."""

    id: int
    number: str
    date: datetime.date
    reason: str
    state: str
    note: str
    corrects_id: int | None
    signed_by: str
    signed_at: str | None  # ISO, with its zone as stored


class ActRowOut(ActOut, CountedOut):
    """An act in the list, with its copy count and sum."""


class ActDetailOut(ActOut):
    """An act with its copies in inventory-number order and their total."""

    copies: list[CopyOut]
    total: CountedOut


class TotalsOut(CountedOut):
    """An amount overall and per value of every breakdown dimension (content, language, …)."""

    by: dict[str, dict[str, CountedOut]]


class RegisterRowOut(TotalsOut):
    """One receipt or act in the КСО part 1 or 2."""

    id: int
    number: str
    date: datetime.date
    label: str
    reference: str


class PartOut(BaseModel):
    """КСО part 1 or 2: rows in date order and the year's total."""

    rows: list[RegisterRowOut]
    total: TotalsOut


class MovementOut(BaseModel):
    """КСО part 3: start + received − withdrawn = end."""

    start: TotalsOut
    received: TotalsOut
    withdrawn: TotalsOut
    end: TotalsOut


class RegisterOut(BaseModel):
    """The summary register (КСО) of a year."""

    year: int
    part1: PartOut
    part2: PartOut
    part3: MovementOut


class InventoryBookOut(BaseModel):
    """A page of the inventory book."""

    page: int
    per_page: int
    total: int
    pages: int
    copies: list[CopyOut]


class SchemeOut(BaseModel):
    """The inventory-number scheme and what its next number looks like."""

    prefix: str
    width: int
    with_year: bool
    separator: str
    example: str


class StocktakeOut(BaseModel):
    """A stocktake's state and its found, unknown and missing counts."""

    id: int
    location: str
    state: str
    opened_by: str
    closed_by: str
    act_id: int | None
    found: int
    unknown: int
    missing: int


class ClosedStocktakeOut(StocktakeOut):
    """A closed stocktake and the draft act its missing copies went into (null when none)."""

    act: ActDetailOut | None


class FindsOut(BaseModel):
    """What the entered inventory numbers or barcodes turned out to be."""

    matched: int
    unknown: list[str]  # the entries that match no copy
    repeated: int
    elsewhere: list[str]  # found here, but the fund places them at another location


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def copy_out(copy: Copy) -> CopyOut:
    """A copy as the API shows it."""
    return CopyOut(
        id=copy.id, inventory_number=copy.inventory_number, barcode=copy.barcode,
        edition_id=copy.edition_id, title=copy.edition.title if copy.edition else "",
        authors=copy.edition.authors if copy.edition else "", location=copy.location,
        price=copy.price, acquired=copy.acquired, status=copy.status,
        receipt_id=copy.receipt_id, withdrawal_act_id=copy.withdrawal_act_id,
    )  # fmt: skip


def _copies_and_total(copies: Iterable[Copy]) -> tuple[list[CopyOut], CountedOut]:
    ordered = sorted(copies, key=lambda c: (c.inventory_series, c.inventory_seq or -1))
    money = sum((c.price or Decimal(0) for c in ordered), Decimal(0))
    return [copy_out(c) for c in ordered], CountedOut(copies=len(ordered), money=money)


def receipt_out(receipt: Receipt) -> ReceiptOut:
    """A receipt's document fields."""
    return ReceiptOut(
        id=receipt.id, number=receipt.number, date=receipt.date, source=receipt.source,
        supplier=receipt.supplier, document=receipt.document, note=receipt.note,
        created_by=receipt.created_by,
    )  # fmt: skip


def receipt_detail_out(receipt: Receipt) -> ReceiptDetailOut:
    """A receipt and its copies."""
    copies, total = _copies_and_total(receipt.copies)
    return ReceiptDetailOut(**receipt_out(receipt).model_dump(), copies=copies, total=total)


def act_out(act: WithdrawalAct) -> ActOut:
    """An act's document fields."""
    return ActOut(
        id=act.id, number=act.number, date=act.date, reason=act.reason, state=act.state, note=act.note,
        corrects_id=act.corrects_id, signed_by=act.signed_by, signed_at=_iso(act.signed_at),
    )  # fmt: skip


def act_detail_out(act: WithdrawalAct) -> ActDetailOut:
    """An act and its copies."""
    copies, total = _copies_and_total(act.copies)
    return ActDetailOut(**act_out(act).model_dump(), copies=copies, total=total)


def totals_out(totals: Totals) -> TotalsOut:
    """Totals overall and per breakdown value (keys sorted)."""
    return TotalsOut(
        copies=totals.total.copies, money=totals.total.money,
        by={d: {k: CountedOut(copies=a.copies, money=a.money) for k, a in sorted(totals.by[d].items())}
            for d in DIMENSIONS},
    )  # fmt: skip


def _part_out(part: Part) -> PartOut:
    rows = [
        RegisterRowOut(id=r.document.id, number=r.document.number, date=r.document.date,  # type: ignore[arg-type]
                       label=r.document.label, reference=r.document.reference,
                       **totals_out(r.totals).model_dump())
        for r in part.rows
    ]  # fmt: skip
    return PartOut(rows=rows, total=totals_out(part.total))


def register_out(register: SummaryRegister) -> RegisterOut:
    """The КСО of a year: parts 1 and 2 with breakdowns, part 3 movement."""
    m = register.movement
    return RegisterOut(
        year=register.year, part1=_part_out(register.received), part2=_part_out(register.withdrawn),
        part3=MovementOut(start=totals_out(m.start), received=totals_out(m.received),
                          withdrawn=totals_out(m.withdrawn), end=totals_out(m.end)),
    )  # fmt: skip


def scheme_out(scheme: InventoryScheme) -> SchemeOut:
    """The scheme with an example of its next number."""
    return SchemeOut(prefix=scheme.prefix, width=scheme.width, with_year=scheme.with_year,
                     separator=scheme.separator, example=scheme.example())  # fmt: skip


def stocktake_out(session: Session, stocktake: stocktaking.Stocktake) -> StocktakeOut:
    """A stocktake with its counts."""
    return StocktakeOut(
        id=stocktake.id, location=stocktake.location, state=stocktake.state, opened_by=stocktake.opened_by,
        closed_by=stocktake.closed_by, act_id=stocktake.act_id,
        **stocktaking.stocktake_counts(session, stocktake),
    )  # fmt: skip
