"""Inventory numbers (інвентарні номери): the numbering scheme and allocation that never reuses.

A scheme is a prefix, an optional year part and a zero-padded sequence: ``100523`` (plain),
``2026-000123`` (year part), ``АБ-00042`` (prefix). A *series* is everything before the
trailing digits; the next number of a series is the largest ever issued in it + 1. Every issued
number is a row of ``used_inventory_numbers`` whose primary key makes a duplicate impossible,
also when two receipts allocate at the same moment: the insert that loses the race inserts
nothing (``ON CONFLICT DO NOTHING``) and the allocator tries the next number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Boolean, Integer, String, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from collection.db import Base, now_utc, str_32, str_64, utcnow
from collection.errors import N_, ConflictError, InvalidValueError
from collection.fund.models import UsedInventoryNumber

_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$", re.DOTALL)
_PREFIX_RE = re.compile(r"^[\w./-]{0,16}$", re.UNICODE)
MAX_NUMBER_LENGTH = 64
MAX_ATTEMPTS = 1000  # conflicts in a row before giving up (only a pathological race gets near)


class InventoryNumberTaken(ConflictError):
    """The inventory number was issued before (numbers are never reused)."""


class InvalidInventoryNumber(InvalidValueError):
    """The text is not a usable inventory number."""


def split_number(number: str) -> tuple[str, int | None]:
    """``(series, sequence)``: "2026-000123" -> ("2026-", 123); "АБ" -> ("АБ", None)."""
    match = _TRAILING_DIGITS.match(number)
    if match is None:
        return number, None
    return match.group(1), int(match.group(2))


def natural_key(number: str) -> tuple[str, int, str]:
    """Sort key for inventory-number order: numbers as numbers within a series."""
    series, seq = split_number(number)
    return series, -1 if seq is None else seq, number


@dataclass(frozen=True, slots=True)
class InventoryScheme:
    """How new inventory numbers look: ``prefix`` + optional ``year`` + ``separator`` + digits."""

    prefix: str = ""
    width: int = 6
    with_year: bool = False
    separator: str = "-"

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if not 1 <= self.width <= 12:
            errors["width"] = N_("Ширина номера: від 1 до 12 цифр")
        if not _PREFIX_RE.match(self.prefix) or (self.prefix and self.prefix[-1].isdigit()):
            errors["prefix"] = N_("Префікс: до 16 літер, цифр, «-», «/» або «.», не закінчується цифрою")
        if self.separator not in ("", "-", "/", "."):
            errors["separator"] = N_("Роздільник: «-», «/», «.» або порожній")
        if errors:
            raise InvalidValueError(N_("Перевірте виділені поля"), errors=errors)

    def series(self, year: int) -> str:
        """The series new numbers of ``year`` belong to (everything before the digits)."""
        parts = [self.prefix]
        if self.with_year:
            parts.append(f"{year}{self.separator}")
        elif self.prefix and self.prefix[-1:] not in ("-", "/", "."):
            parts.append(self.separator)
        return "".join(parts)

    def format(self, seq: int, year: int) -> str:
        """The number ``seq`` of ``year``'s series, zero-padded to ``width``."""
        return f"{self.series(year)}{seq:0{self.width}d}"

    def example(self, year: int | None = None) -> str:
        """What the first number looks like (for the settings page)."""
        return self.format(1, year or date.today().year)


class InventorySchemeSetting(Base):
    """The library's numbering scheme (one row; absent means the default plain 6 digits)."""

    __tablename__ = "inventory_scheme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    prefix: Mapped[str_32] = mapped_column(default="")
    width: Mapped[int] = mapped_column(Integer, default=6)
    with_year: Mapped[bool] = mapped_column(Boolean, default=False)
    separator: Mapped[str] = mapped_column(String(4), default="-")
    updated_at: Mapped[utcnow]
    updated_by: Mapped[str_64] = mapped_column(default="")

    def scheme(self) -> InventoryScheme:
        return InventoryScheme(self.prefix, self.width, self.with_year, self.separator)


def clean_number(raw: str) -> str:
    """A given inventory number, stripped and checked for shape (letters, digits, - / .)."""
    number = (raw or "").strip()
    if not number:
        raise InvalidInventoryNumber(N_("Вкажіть інвентарний номер"), field="inventory_number")
    if len(number) > MAX_NUMBER_LENGTH or not re.fullmatch(r"[\w./-]+", number):
        raise InvalidInventoryNumber(
            N_("Інвентарний номер {number}: лише літери, цифри, «-», «/», «.»"),
            field="inventory_number", params={"number": number[:70]},
        )  # fmt: skip
    return number


def _insert_ignoring_conflict(session: Session, number: str) -> bool:
    """Claim ``number``; False when it was issued before (or by a concurrent transaction)."""
    series, seq = split_number(number)
    values = {"inventory_number": number, "series": series, "seq": seq, "issued_at": now_utc()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(UsedInventoryNumber)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(UsedInventoryNumber.inventory_number)
    )
    # RETURNING, not rowcount: psycopg reports -1 for this statement under SQLAlchemy 2.1.
    return session.connection().execute(stmt).first() is not None


def highest_issued(session: Session, series: str) -> int:
    """The largest sequence ever issued in ``series`` (0 when none)."""
    stmt = select(func.max(UsedInventoryNumber.seq)).where(UsedInventoryNumber.series == series)
    return session.scalar(stmt) or 0


def claim_number(session: Session, number: str) -> str:
    """Record a given number as issued, or raise ``InventoryNumberTaken`` if it ever was."""
    number = clean_number(number)
    if not _insert_ignoring_conflict(session, number):
        raise InventoryNumberTaken(
            N_("Інвентарний номер {number} уже видавався; номери не використовуються повторно"),
            field="inventory_number", params={"number": number},
        )  # fmt: skip
    return number


def allocate_numbers(session: Session, scheme: InventoryScheme, count: int, year: int) -> list[str]:
    """``count`` fresh numbers of ``year``'s series, in order; each claimed in ``session``.

    Under a race the losing insert claims nothing, so the highest issued is read again; a
    number is never handed out twice, and the caller's commit makes the claims durable.
    """
    series = scheme.series(year)
    numbers: list[str] = []
    candidate = highest_issued(session, series) + 1
    conflicts = 0
    while len(numbers) < count:
        number = scheme.format(candidate, year)
        if _insert_ignoring_conflict(session, number):
            numbers.append(number)
            candidate += 1
            continue
        conflicts += 1
        if conflicts > MAX_ATTEMPTS:
            raise ConflictError(N_("Не вдалося видати інвентарні номери; спробуйте ще раз"))
        candidate = max(candidate + 1, highest_issued(session, series) + 1)
    return numbers
