"""Library tables: the public libraries that receive books, and the history of their statuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from collection.db import (
    Base,
    UTCDateTime,
    in_check,
    intpk,
    now_utc,
    str_32,
    str_64,
    str_255,
    utcnow,
)

STATUSES = ("working", "relocated", "occupied", "destroyed", "closed")
FLAVOURS = ("marc21", "unimarc")
ENCODINGS = ("utf-8", "cp1251", "marc-8")

# What a library's own staff may change on its card; everything else is the region's to edit.
# The delivery point (carrier as the library names it, e.g. "Нова пошта", and its branch number).
DELIVERY_FIELDS = ("carrier", "carrier_branch")
SELF_EDITABLE_FIELDS = ("address", *DELIVERY_FIELDS, "contact_person", "phone", "email")
EDITABLE_FIELDS = (
    "name", "community", "district", "oblast", "status",
    "address", *DELIVERY_FIELDS, "contact_person", "phone", "email",
    "preferred_flavour", "preferred_encoding",
)  # fmt: skip



class Library(Base):
    """A public library: code, name, community (громада), district, status and contacts."""

    __tablename__ = "libraries"
    __table_args__ = (
        CheckConstraint(in_check("status", STATUSES), name="status"),
        CheckConstraint(in_check("preferred_flavour", FLAVOURS), name="preferred_flavour"),
        CheckConstraint(in_check("preferred_encoding", ENCODINGS), name="preferred_encoding"),
    )

    id: Mapped[intpk]
    code: Mapped[str_32] = mapped_column(unique=True)
    name: Mapped[str_255]
    community: Mapped[str_255] = mapped_column(default="")
    district: Mapped[str_255] = mapped_column(default="")
    oblast: Mapped[str_255] = mapped_column(default="")
    status: Mapped[str] = mapped_column(String(16), default="working")
    address: Mapped[str] = mapped_column(String(500), default="")
    carrier: Mapped[str_32] = mapped_column(default="")  # delivery point: e.g. nova_poshta
    carrier_branch: Mapped[str_32] = mapped_column(default="")  # the carrier's branch number
    contact_person: Mapped[str_255] = mapped_column(default="")
    phone: Mapped[str_32] = mapped_column(default="")
    email: Mapped[str_255] = mapped_column(default="")
    preferred_flavour: Mapped[str] = mapped_column(String(16), default="unimarc")
    preferred_encoding: Mapped[str] = mapped_column(String(16), default="utf-8")
    created_at: Mapped[utcnow]
    updated_at: Mapped[utcnow]

    def __repr__(self) -> str:
        return f"Library({self.code!r})"


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
