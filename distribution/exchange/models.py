"""Exchange fund tables: offers and the fund copies reserved for them."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from collection.db import Base, in_check, intpk, str_64, str_255, utcnow

# --- the exchange fund (обмінний фонд): offer lists and the fund copies they reserve -----------

OFFER_SOURCES = ("duplicates", "gift", "file")  # own-fund duplicates, a donor's gift, a loaded list
RESERVATION_STATES = ("reserved", "dispatched", "released")


class ExchangeOffer(Base):
    """Copies of one title an exchange round offers, by source (fund duplicates, gift, file)."""

    __tablename__ = "exchange_offers"
    __table_args__ = (
        UniqueConstraint("title_id", "source"),
        CheckConstraint("quantity >= 0", name="quantity"),
        CheckConstraint(in_check("source", OFFER_SOURCES), name="source"),
        Index("ix_exchange_offers_programme_id", "programme_id"),
    )

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str_255] = mapped_column(default="")
    source_row: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str_64] = mapped_column(default="")
    updated_at: Mapped[utcnow]


class ExchangeReservation(Base):
    """A fund copy held for a duplicates offer; while "reserved" no other round may offer it."""

    __tablename__ = "exchange_reservations"
    __table_args__ = (
        CheckConstraint(in_check("state", RESERVATION_STATES), name="state"),
        Index("ix_exchange_reservations_offer_id", "offer_id"),
        # The schema's own guarantee that a copy is held by one open round at a time.
        Index(
            "uq_exchange_reservations_reserved_copy",
            "copy_id",
            unique=True,
            sqlite_where=text("state = 'reserved'"),
            postgresql_where=text("state = 'reserved'"),
        ),
        Index("ix_exchange_reservations_copy_id", "copy_id"),
    )

    id: Mapped[intpk]
    offer_id: Mapped[int] = mapped_column(ForeignKey("exchange_offers.id", ondelete="CASCADE"))
    copy_id: Mapped[int] = mapped_column(ForeignKey("copies.id"))
    state: Mapped[str] = mapped_column(String(16), default="reserved")
    created_at: Mapped[utcnow]
