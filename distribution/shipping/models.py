"""Shipping tables: shipments with their frozen lines and discrepancies, parcels and their lines."""

from __future__ import annotations

from datetime import date
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collection.db import (
    MONEY,
    WEIGHT,
    Base,
    in_check,
    intpk,
    str_32,
    str_64,
    str_255,
    utcnow,
)

PARCEL_STATES = ("planned", "packed", "dispatched", "delivered", "confirmed", "discrepancy")


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


SHIPMENT_STATES = ("planned", "packed", "dispatched", "delivered", "confirmed", "discrepancy")
FROZEN_STATES = ("dispatched", "delivered", "confirmed", "discrepancy")  # documents final
ACCEPTED_STATES = ("confirmed", "discrepancy")  # the library has answered
SHIPMENT_KINDS = ("shipment", "correction")
DISCREPANCY_KINDS = ("shortage", "surplus", "damaged", "wrong_title")
REOPENING_KINDS = ("shortage", "wrong_title")  # copies the library did not get
# Carriers a library may name as its delivery point; "own" is the library's own transport or
# a pick-up at the regional library, which has no tracking number.
CARRIERS = ("nova_poshta", "ukrposhta", "meest", "own")



class Shipment(Base):
    """One dispatch to one library: parcels, carrier, tracking number, state and dates."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("number"),
        CheckConstraint(in_check("state", SHIPMENT_STATES), name="state"),
        CheckConstraint(in_check("kind", SHIPMENT_KINDS), name="kind"),
        Index("ix_shipments_programme_id", "programme_id"),
        Index("ix_shipments_library_id", "library_id"),
    )

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    number: Mapped[str_32]  # "<programme>-<seq>", never reused within a programme
    kind: Mapped[str] = mapped_column(String(16), default="shipment")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    state: Mapped[str] = mapped_column(String(16), default="planned")
    carrier: Mapped[str_32] = mapped_column(default="")
    tracking_number: Mapped[str_64] = mapped_column(default="")
    dispatched_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    acceptance_number: Mapped[str_32] = mapped_column(default="")  # act of acceptance, once answered
    note: Mapped[str] = mapped_column(Text, default="")
    packed_by: Mapped[str_64] = mapped_column(default="")
    dispatched_by: Mapped[str_64] = mapped_column(default="")
    accepted_by: Mapped[str_64] = mapped_column(default="")
    created_by: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]
    updated_at: Mapped[utcnow]

    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLine.id"
    )
    parcels: Mapped[list[Parcel]] = relationship(cascade="all, delete-orphan", order_by="Parcel.number")
    discrepancies: Mapped[list[ShipmentDiscrepancy]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentDiscrepancy.id"
    )

    @property
    def frozen(self) -> bool:
        """Dispatched or later: its documents are final, corrections are new shipments."""
        return self.state in FROZEN_STATES

    @property
    def copies(self) -> int:
        return sum(line.copies for line in self.lines)

    def __repr__(self) -> str:
        return f"Shipment({self.number!r}, {self.state!r})"


class ShipmentLine(Base):
    """Copies of one title in a shipment, with the title's description and price as sent."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        UniqueConstraint("shipment_id", "title_id"),
        CheckConstraint("copies <> 0", name="copies"),
        Index("ix_shipment_lines_title_id", "title_id"),
    )

    id: Mapped[intpk]
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    copies: Mapped[int] = mapped_column(Integer)  # negative only in a correction
    isbn: Mapped[str] = mapped_column(String(13), default="")
    title: Mapped[str] = mapped_column(String(1000), default="")
    author: Mapped[str_255] = mapped_column(default="")
    price: Mapped[Decimal | None] = mapped_column(MONEY)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")

    @property
    def total(self) -> Decimal | None:
        return None if self.price is None else self.price * self.copies


class ShipmentDiscrepancy(Base):
    """What the receiving library reported for one title of a shipment."""

    __tablename__ = "shipment_discrepancies"
    __table_args__ = (
        CheckConstraint(in_check("kind", DISCREPANCY_KINDS), name="kind"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("reopened >= 0", name="reopened"),
        CheckConstraint("written_off >= 0 AND written_off <= reopened", name="written_off"),
        Index("ix_shipment_discrepancies_shipment_id", "shipment_id"),
    )

    id: Mapped[intpk]
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer, default=0)  # copies given back to allocation
    written_off: Mapped[int] = mapped_column(Integer, default=0)  # of those, declared lost in transit
    note: Mapped[str_255] = mapped_column(default="")
    reported_by: Mapped[str_64] = mapped_column(default="")
    reported_at: Mapped[utcnow]

    shipment: Mapped[Shipment] = relationship(back_populates="discrepancies")
