"""The fund's registers read from the database: the КСО (summary register), the inventory book
and the fund's locations.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from collection.catalogue.models import Edition
from collection.fund import rules as fund
from collection.fund.documents import CENT
from collection.fund.models import Copy, Receipt, WithdrawalAct
from collection.paging import Page

# --- КСО and inventory book ----------------------------------------------------------------------


def _line_columns() -> tuple[Any, Any, Any, Any, Any]:
    return (
        Copy.id, Copy.price,
        func.coalesce(func.nullif(Copy.doc_type, ""), Edition.doc_type),
        func.coalesce(func.nullif(Copy.content_branch, ""), func.nullif(Edition.content_branch, ""),
                      "unclassified"),
        func.coalesce(func.nullif(Copy.language, ""), Edition.language),
    )  # fmt: skip


def _line(
    copy_id: int, price: Decimal | None, doc_type: str, branch: str, language: str, day: date
) -> fund.CopyLine:
    return fund.CopyLine(
        copy_id,
        day,
        doc_type or "other",
        branch or "unclassified",
        language or "",
        Decimal(price or 0).quantize(CENT),
    )


def fund_documents(session: Session) -> tuple[list[fund.Document], list[fund.Document]]:
    """Every receipt and every signed act as pure ``fund.Document``s with their copy lines."""
    receipts = {r.id: r for r in session.scalars(select(Receipt))}
    acts = {a.id: a for a in session.scalars(select(WithdrawalAct).where(WithdrawalAct.state == "signed"))}
    received: dict[int, list[fund.CopyLine]] = {rid: [] for rid in receipts}
    withdrawn: dict[int, list[fund.CopyLine]] = {aid: [] for aid in acts}
    stmt = (
        select(*_line_columns(), Copy.receipt_id, Copy.withdrawal_act_id)
        .join(Edition, Edition.id == Copy.edition_id)
        .where(Copy.receipt_id.is_not(None))
    )
    for copy_id, price, doc_type, branch, language, receipt_id, act_id in session.execute(stmt):
        receipt = receipts[receipt_id]
        received[receipt_id].append(_line(copy_id, price, doc_type, branch, language, receipt.date))
        if act_id in acts:
            withdrawn[act_id].append(_line(copy_id, price, doc_type, branch, language, acts[act_id].date))
    return (
        [fund.Document(r.id, r.number, r.date, r.source, _reference(r),
                       tuple(received[r.id])) for r in receipts.values()],
        [fund.Document(a.id, a.number, a.date, a.reason, a.note, tuple(withdrawn[a.id]))
         for a in acts.values()],
    )  # fmt: skip


def _reference(receipt: Receipt) -> str:
    return receipt.supplier + (f" · {receipt.document}" if receipt.document else "")


def summary_register(session: Session, year: int) -> fund.SummaryRegister:
    """The КСО (parts 1-3) of ``year``."""
    receipts, acts = fund_documents(session)
    return fund.summary_register(receipts, acts, year)


class InventoryBookPage(Page):
    """One page of the inventory book: the page type, its items being copies."""

    __slots__ = ()

    @property
    def copies(self) -> list[Copy]:
        """The copies on this page, in inventory-number order."""
        return list(self.items)


def inventory_book(
    session: Session, *, page: int = 1, per_page: int = 100, series: str | None = None,
    location: str | None = None, start: str | None = None,
) -> InventoryBookPage:  # fmt: skip
    """Copies in inventory-number order (numbers as numbers within a series), a page at a time."""
    per_page = max(1, min(int(per_page), 1000))
    page = max(1, int(page))
    stmt = select(Copy)
    if series is not None:
        stmt = stmt.where(Copy.inventory_series == series)
    if location:
        stmt = stmt.where(Copy.location == location)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = (
        stmt.options(joinedload(Copy.edition), joinedload(Copy.receipt), joinedload(Copy.withdrawal_act))
        .order_by(Copy.inventory_series, Copy.inventory_seq, Copy.inventory_number)
        .offset((page - 1) * per_page).limit(per_page)
    )  # fmt: skip
    return InventoryBookPage(list(session.scalars(stmt)), page, per_page, total)


def fund_locations(session: Session) -> list[str]:
    """Locations that hold copies (for stocktaking and filters)."""
    return [loc for loc in session.scalars(select(Copy.location).distinct().order_by(Copy.location)) if loc]
