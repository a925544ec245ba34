"""The annual cataloguing plan (план каталогізації): how many records of each kind a year."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from collection.db import Base, intpk, str_64, utcnow
from collection.models import EVENT_KINDS


class CataloguingPlan(Base):
    """The planned count of one kind of cataloguing work in one year (a range when max is set)."""

    __tablename__ = "cataloguing_plans"
    __table_args__ = (
        UniqueConstraint("year", "kind"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in EVENT_KINDS)})", name="kind"),
        CheckConstraint("planned >= 0", name="planned"),
        CheckConstraint("planned_max IS NULL OR planned_max >= planned", name="planned_max"),
    )

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    planned: Mapped[int] = mapped_column(Integer)
    # "1,100-3,000 records edited": the plan is sometimes a range; % done is against ``planned``
    planned_max: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str_64] = mapped_column(default="")
    updated_at: Mapped[utcnow]
