"""Programme tables: programmes, their titles, the libraries' orders and supplier deliveries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collection.db import MONEY, WEIGHT, Base, in_check, intpk, str_64, str_255, utcnow
from distribution.allocation.rules import SURPLUS_DESTINATIONS

PROGRAMME_KINDS = ("state", "exchange", "gift")
PROGRAMME_STATES = ("collecting", "delivering", "allocating", "dispatching", "closed")



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
