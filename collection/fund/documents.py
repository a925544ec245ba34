"""What receipts and withdrawal acts share: document numbers, parsed prices and dates, loading
a document with its copies and totals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from collection.errors import N_, InvalidValueError
from collection.fund.models import Copy, Receipt, WithdrawalAct

MAX_COPIES_AT_ONCE = 1000
MAX_PRICE = Decimal("999999999999.99")
CENT = Decimal("0.01")
_NUMBER_RE = re.compile(r"^[\w./ -]{1,32}$", re.UNICODE)


# --- small parsers shared by REST, pages and CLI ------------------------------------------------


def parse_price(raw: object, field: str = "price") -> Decimal:
    """A price in hryvnias: "12,50", "12.5", 12 -> Decimal("12.50"); never negative."""
    text = str(raw if raw is not None else "").strip().replace(" ", "").replace("\u00a0", "")
    try:
        value = Decimal(text.replace(",", ".")) if text else Decimal("0")
    except InvalidOperation:
        raise InvalidValueError(N_("Ціна: число, наприклад 125,50"), field=field) from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise InvalidValueError(N_("Ціна: число, наприклад 125,50"), field=field)
    return value.quantize(CENT)


def parse_date(raw: object, field: str = "date") -> date:
    """An ISO date (the value of an ``<input type=date>``)."""
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise InvalidValueError(N_("Дата: рік-місяць-день, наприклад 2026-03-15"), field=field) from None


def number_or_blank(raw: str | None, field: str = "number") -> str:
    number = (raw or "").strip()
    if number and not _NUMBER_RE.match(number):
        raise InvalidValueError(N_("Номер: до 32 літер, цифр, пробілів, «-», «/», «.»"), field=field)
    return number


def next_document_number(session: Session, model: type[Receipt] | type[WithdrawalAct], year: int) -> str:
    """The next free "YYYY-NNN" number among ``model``'s numbers of ``year``."""
    prefix = f"{year}-"
    taken = set(session.scalars(select(model.number).where(model.number.like(f"{prefix}%"))))
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


def with_copies(session: Session, model: Any, document_id: int) -> Any:
    """A receipt or act with its copies (and their editions) loaded, or None."""
    stmt = (
        select(model)
        .where(model.id == document_id)
        .options(selectinload(model.copies).joinedload(Copy.edition))
    )
    return session.scalars(stmt).one_or_none()


def with_totals(
    session: Session, model: Any, copy_link: Any, year: int | None
) -> list[tuple[Any, int, Decimal]]:
    """Receipts or acts (newest first, of ``year`` if given) with their copy count and sum."""
    stmt = (
        select(model, func.count(Copy.id), func.coalesce(func.sum(Copy.price), 0))
        .outerjoin(Copy, copy_link == model.id)
        .group_by(model.id)
        .order_by(model.date.desc(), model.id.desc())
    )
    if year:
        stmt = stmt.where(model.date >= date(year, 1, 1), model.date < date(year + 1, 1, 1))
    return [(d, n, Decimal(s).quantize(CENT)) for d, n, s in session.execute(stmt)]


def split_numbers(numbers: str | Iterable[str] | None) -> list[str]:
    if numbers is None:
        return []
    items = re.split(r"[\s,;]+", numbers) if isinstance(numbers, str) else list(numbers)
    return [n.strip() for n in items if n and n.strip()]
