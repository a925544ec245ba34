"""Public libraries (публічні бібліотеки) that receive books from the regional library.

A minimal model for now: identity, where it is, its wartime status, how to reach it and which
MARC flavour and encoding it wants. Import/export and status history: ``distribution.services``.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from collection.db import Base, in_check, intpk, str_32, str_255, utcnow

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
