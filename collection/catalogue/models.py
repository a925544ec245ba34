"""Catalogue tables: editions (one MARC record each), their ISBNs and the cataloguing events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collection.db import Base, UTCDateTime, in_check, intpk, str_64, str_255, utcnow

if TYPE_CHECKING:  # relationships name each other; SQLAlchemy resolves the strings
    from collection.fund.models import Copy

EDITION_STATUSES = ("active", "merged")
DOC_TYPES = ("book", "serial", "analytic", "audiovisual", "electronic", "cartographic", "music", "other")
# The department's own cataloguing, the kinds a year's plan counts.
PLAN_KINDS = ("created", "classified", "subject_indexed", "analytic", "edited")
# "imported": a record taken from a file (created or replaced by an import), counted apart
# from the department's work and never against the plan.
EVENT_KINDS = (*PLAN_KINDS, "imported")



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
    # When a cataloguer last edited the record in komplekt: a re-import then never overwrites
    # it, the incoming record waits as an alternative instead.
    edited_locally_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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


class CataloguingPlan(Base):
    """The planned count of one kind of cataloguing work in one year (a range when max is set)."""

    __tablename__ = "cataloguing_plans"
    __table_args__ = (
        UniqueConstraint("year", "kind"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in PLAN_KINDS)})", name="kind"),
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
