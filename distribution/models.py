"""Programme tables: programmes, their title lists, orders, deliveries, allocation and parcels.

Also the status history of public libraries (a library occupied in 2022 and de-occupied later
keeps both changes). Quantities are whole copies, never negative (CHECKs in the schema); money
is Numeric, copy weights are kilograms as Numeric.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collection.db import MONEY, WEIGHT, Base, UTCDateTime, in_check, intpk, now_utc, str_64, str_255, utcnow
from distribution.allocation import SURPLUS_DESTINATIONS

PROGRAMME_KINDS = ("state", "exchange", "gift")
PROGRAMME_STATES = ("collecting", "delivering", "allocating", "dispatching", "closed")
PARCEL_STATES = ("planned", "packed", "dispatched", "delivered", "confirmed", "discrepancy")



class Programme(Base):
    """A state replenishment programme, exchange fund round or gift campaign."""

    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint(in_check("kind", PROGRAMME_KINDS), name="kind"),
        CheckConstraint(in_check("state", PROGRAMME_STATES), name="state"),
        CheckConstraint(
            f"surplus_destination IS NULL OR {in_check('surplus_destination', SURPLUS_DESTINATIONS)}",
            name="surplus_destination",
        ),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default="collecting")
    surplus_destination: Mapped[str | None] = mapped_column(String(16))
    # Bumped by every allocation write: the UPDATE is what serialises concurrent allocators.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    shipment_seq: Mapped[int] = mapped_column(Integer, default=0)  # last shipment number given
    created_by: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]

    def __repr__(self) -> str:
        return f"Programme({self.id!r}, {self.name[:40]!r})"


class ProgrammeTitle(Base):
    """One title of a programme's list, linked to the catalogue edition it is."""

    __tablename__ = "programme_titles"
    __table_args__ = (
        UniqueConstraint("programme_id", "edition_id"),
        Index("ix_programme_titles_isbn", "isbn"),
    )

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    isbn: Mapped[str | None] = mapped_column(String(13))
    title: Mapped[str] = mapped_column(String(1000))
    author: Mapped[str_255] = mapped_column(default="")
    publisher: Mapped[str_255] = mapped_column(default="")
    year: Mapped[str] = mapped_column(String(8), default="")
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    copy_weight: Mapped[Decimal] = mapped_column(WEIGHT, default=Decimal("0.500"))
    source_row: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"ProgrammeTitle({self.id!r}, {self.isbn!r})"


class Order(Base):
    """A library's order (заявка) for copies of one programme title."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("programme_id", "library_id", "title_id"),
        CheckConstraint("quantity >= 0", name="quantity"),
        Index("ix_orders_title_id", "title_id"),
        Index("ix_orders_library_id", "library_id"),
    )

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str_255] = mapped_column(default="")
    source_row: Mapped[int | None] = mapped_column(Integer)


class Delivery(Base):
    """A supplier's delivery (надходження від постачальника) under one document."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    number: Mapped[str_64]
    date: Mapped[date] = mapped_column(Date)
    supplier: Mapped[str_255] = mapped_column(default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]

    lines: Mapped[list[DeliveryLine]] = relationship(back_populates="delivery", cascade="all, delete-orphan")


class DeliveryLine(Base):
    """Copies of one title in a delivery: received (damaged among them) and of a wrong title."""

    __tablename__ = "delivery_lines"
    __table_args__ = (
        CheckConstraint("received >= 0 AND damaged >= 0 AND wrong_title >= 0", name="quantities"),
        CheckConstraint("damaged <= received", name="damaged"),
        Index("ix_delivery_lines_delivery_id", "delivery_id"),
        Index("ix_delivery_lines_title_id", "title_id"),
    )

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    received: Mapped[int] = mapped_column(Integer)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    wrong_title: Mapped[int] = mapped_column(Integer, default=0)

    delivery: Mapped[Delivery] = relationship(back_populates="lines")


class AllocationLine(Base):
    """Copies of a title allocated to a library; ``adjusted_by`` names who changed it by hand."""

    __tablename__ = "allocation_lines"
    __table_args__ = (
        UniqueConstraint("programme_id", "library_id", "title_id"),
        CheckConstraint("quantity >= 0", name="quantity"),
        Index("ix_allocation_lines_title_id", "title_id"),
    )

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    adjusted_by: Mapped[str_64] = mapped_column(default="")  # blank: as the allocation computed
    updated_at: Mapped[utcnow]


class Parcel(Base):
    """One parcel for one library, with its packing list (lines)."""

    __tablename__ = "parcels"
    __table_args__ = (
        UniqueConstraint("programme_id", "library_id", "number"),
        CheckConstraint(in_check("state", PARCEL_STATES), name="state"),
        Index("ix_parcels_shipment_id", "shipment_id"),
    )

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the library's shipment
    weight: Mapped[Decimal] = mapped_column(WEIGHT)  # kg, packaging included
    copies: Mapped[int] = mapped_column(Integer)
    oversize: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="planned")  # follows its shipment's
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    tracking_number: Mapped[str_64] = mapped_column(default="")  # the carrier's per-parcel number
    created_at: Mapped[utcnow]

    lines: Mapped[list[ParcelLine]] = relationship(back_populates="parcel", cascade="all, delete-orphan")


class ParcelLine(Base):
    """Copies of one title in a parcel."""

    __tablename__ = "parcel_lines"
    __table_args__ = (
        CheckConstraint("copies > 0", name="copies"),
        Index("ix_parcel_lines_parcel_id", "parcel_id"),
    )

    id: Mapped[intpk]
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    copies: Mapped[int] = mapped_column(Integer)

    parcel: Mapped[Parcel] = relationship(back_populates="lines")


class LibraryStatusChange(Base):
    """A change of a library's status, with when it happened (may be back-dated) and who said so."""

    __tablename__ = "library_status_changes"
    __table_args__ = (Index("ix_library_status_changes_library_id", "library_id"),)

    id: Mapped[intpk]
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    by: Mapped[str_64] = mapped_column(default="")
    note: Mapped[str_255] = mapped_column(default="")


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
