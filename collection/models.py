"""The catalogue and fund tables every collection feature builds on.

Edition (бібліографічний запис) keeps its MARC record whole (MARC-in-JSON) with the fields of
the normalised view that search, matching and accounting need. Copy (примірник) is one
physical item with its inventory number. Receipt (надходження, КСО part 1) and WithdrawalAct
(акт вибуття, КСО part 2) are the accounting documents copies enter and leave the fund by.
CataloguingEvent counts cataloguing work against the annual plan.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from collection.db import MONEY, Base, UTCDateTime, in_check, intpk, str_32, str_64, str_255, utcnow

EDITION_STATUSES = ("active", "merged")
DOC_TYPES = ("book", "serial", "analytic", "audiovisual", "electronic", "cartographic", "music", "other")
COPY_STATUSES = ("in_fund", "withdrawn", "lost", "transferred")
RECEIPT_SOURCES = ("purchase", "gift", "exchange", "state_programme", "replacement", "other")
WITHDRAWAL_REASONS = ("worn_out", "obsolete", "duplicate", "lost_by_readers", "lost_occupied", "transferred")
ACT_STATES = ("draft", "signed")
EVENT_KINDS = ("created", "classified", "subject_indexed", "analytic", "edited")



class Edition(Base):
    """A bibliographic record: the MARC kept whole plus the view fields used to find and count it."""

    __tablename__ = "editions"
    __table_args__ = (
        CheckConstraint(in_check("status", EDITION_STATUSES), name="status"),
        CheckConstraint(in_check("doc_type", DOC_TYPES), name="doc_type"),
        CheckConstraint("flavour IN ('marc21', 'unimarc')", name="flavour"),
        Index("ix_editions_source_control", "source", "control_number"),
        Index("ix_editions_title_key", "title_key"),
        Index("ix_editions_isbn", "isbn"),
    )

    id: Mapped[intpk]
    source: Mapped[str_64] = mapped_column(default="")  # the system the record came from (003 / file)
    control_number: Mapped[str | None] = mapped_column(String(64))
    flavour: Mapped[str] = mapped_column(String(16))
    marc: Mapped[dict] = mapped_column(JSON)  # MARC-in-JSON, the record as stored
    record_hash: Mapped[str_64] = mapped_column(default="")  # detects an unchanged re-import
    title: Mapped[str] = mapped_column(String(1000), default="")
    authors: Mapped[str] = mapped_column(String(1000), default="")
    publisher: Mapped[str_255] = mapped_column(default="")
    year: Mapped[str] = mapped_column(String(8), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    isbn: Mapped[str | None] = mapped_column(String(13))  # the first valid ISBN-13
    title_key: Mapped[str_255] = mapped_column(default="")  # normalised title + author + year
    udc: Mapped[str_255] = mapped_column(default="")
    bbk: Mapped[str_255] = mapped_column(default="")
    doc_type: Mapped[str] = mapped_column(String(16), default="book")
    content_branch: Mapped[str_64] = mapped_column(default="")  # галузь знань, from UDC/BBK
    quality: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id"))
    created_at: Mapped[utcnow]
    updated_at: Mapped[utcnow]

    isbns: Mapped[list[EditionIsbn]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", lazy="selectin"
    )
    copies: Mapped[list[Copy]] = relationship(back_populates="edition")

    def __repr__(self) -> str:
        return f"Edition({self.id!r}, {self.title[:40]!r})"


class EditionIsbn(Base):
    """Every ISBN-13 of an edition (020/010 often hold several), for matching on any of them."""

    __tablename__ = "edition_isbns"
    __table_args__ = (Index("ix_edition_isbns_isbn13", "isbn13"),)

    id: Mapped[intpk]
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    isbn13: Mapped[str] = mapped_column(String(13))

    edition: Mapped[Edition] = relationship(back_populates="isbns")


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
        from collection.inventory_numbers import split_number  # it imports this module

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


class CataloguingEvent(Base):
    """One piece of cataloguing work (created, classified, …) on an edition, by whom and when."""

    __tablename__ = "cataloguing_events"
    __table_args__ = (
        CheckConstraint(in_check("kind", EVENT_KINDS), name="kind"),
        Index("ix_cataloguing_events_at", "at"),
        Index("ix_cataloguing_events_username", "username"),
        Index("ix_cataloguing_events_edition_id", "edition_id"),
    )

    id: Mapped[intpk]
    at: Mapped[utcnow]
    user_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key, like the audit trail
    username: Mapped[str_64]
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    kind: Mapped[str] = mapped_column(String(16))
