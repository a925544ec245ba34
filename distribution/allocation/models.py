"""Allocation table: copies of each title allocated to each library."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from collection.db import Base, intpk, str_64, utcnow


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
