"""Fund tables: receipts, withdrawal acts, copies and the inventory numbers ever issued."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from collection.db import MONEY, Base, UTCDateTime, in_check, intpk, str_32, str_64, str_255, utcnow

if TYPE_CHECKING:  # relationships name each other; SQLAlchemy resolves the strings
    from collection.catalogue.models import Edition

COPY_STATUSES = ("in_fund", "withdrawn", "lost", "transferred")
RECEIPT_SOURCES = ("purchase", "gift", "exchange", "state_programme", "replacement", "other")
WITHDRAWAL_REASONS = ("worn_out", "obsolete", "duplicate", "lost_by_readers", "lost_occupied", "transferred")
ACT_STATES = ("draft", "signed")


class Receipt(Base):
    """A receipt into the fund (КСО part 1 entry): one accompanying document, many copies."""

    __tablename__ = "receipts"
    __table_args__ = (CheckConstraint(in_check("source", RECEIPT_SOURCES), name="source"),)

    id: Mapped[intpk]
    number: Mapped[str_32] = mapped_column(unique=True)
    date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(32))
    supplier: Mapped[str_255] = mapped_column(default="")  # supplier or donor
    document: Mapped[str_255] = mapped_column(default="")  # accompanying document, e.g. invoice
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]

    copies: Mapped[list[Copy]] = relationship(back_populates="receipt", foreign_keys="Copy.receipt_id")


class WithdrawalAct(Base):
    """A withdrawal act (КСО part 2 entry): reason, copies, sums; immutable once signed."""

    __tablename__ = "withdrawal_acts"
    __table_args__ = (
        CheckConstraint(in_check("reason", WITHDRAWAL_REASONS), name="reason"),
        CheckConstraint(in_check("state", ACT_STATES), name="state"),
    )

    id: Mapped[intpk]
    number: Mapped[str_32] = mapped_column(unique=True)
    date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    note: Mapped[str] = mapped_column(Text, default="")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("withdrawal_acts.id"))
    created_by: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by: Mapped[str_64] = mapped_column(default="")

    copies: Mapped[list[Copy]] = relationship(
        back_populates="withdrawal_act", foreign_keys="Copy.withdrawal_act_id"
    )


class Copy(Base):
    """One physical copy: its inventory number (unique, never reused), barcode, place and price."""

    __tablename__ = "copies"
    __table_args__ = (
        CheckConstraint(in_check("status", COPY_STATUSES), name="status"),
        Index("ix_copies_edition_id", "edition_id"),
        Index("ix_copies_receipt_id", "receipt_id"),
        Index("ix_copies_withdrawal_act_id", "withdrawal_act_id"),
        Index("ix_copies_inventory_order", "inventory_series", "inventory_seq", "inventory_number"),
        Index("ix_copies_location", "location"),
    )

    id: Mapped[intpk]
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    inventory_number: Mapped[str_64] = mapped_column(unique=True)
    barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    location: Mapped[str_64] = mapped_column(default="")
    call_number: Mapped[str_64] = mapped_column(default="")
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    acquired: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="in_fund")
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    withdrawal_act_id: Mapped[int | None] = mapped_column(ForeignKey("withdrawal_acts.id"))
    created_at: Mapped[utcnow]
    # Inventory-number order (series, then the number as a number), kept in step by _split.
    inventory_series: Mapped[str_64] = mapped_column(default="")
    inventory_seq: Mapped[int | None] = mapped_column(BigInteger)
    # КСО breakdowns as accounted when the copy was received (blank: take the edition's).
    doc_type: Mapped[str] = mapped_column(String(16), default="")
    content_branch: Mapped[str_64] = mapped_column(default="")
    language: Mapped[str] = mapped_column(String(8), default="")

    edition: Mapped[Edition] = relationship(back_populates="copies")
    receipt: Mapped[Receipt | None] = relationship(back_populates="copies", foreign_keys=[receipt_id])
    withdrawal_act: Mapped[WithdrawalAct | None] = relationship(
        back_populates="copies", foreign_keys=[withdrawal_act_id]
    )

    @validates("inventory_number")
    def _split(self, _key: str, number: str) -> str:
        from collection.fund.inventory_numbers import split_number

        self.inventory_series, self.inventory_seq = split_number(number)
        return number

    def __repr__(self) -> str:
        return f"Copy({self.inventory_number!r})"


class UsedInventoryNumber(Base):
    """Every inventory number ever issued: a number is never reused, even if its copy goes."""

    __tablename__ = "used_inventory_numbers"

    __table_args__ = (Index("ix_used_inventory_numbers_series_seq", "series", "seq"),)

    inventory_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    issued_at: Mapped[utcnow]
    series: Mapped[str_64] = mapped_column(default="")  # everything before the trailing digits
    seq: Mapped[int | None] = mapped_column(BigInteger)  # the trailing digits as a number
