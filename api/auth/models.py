"""Accounts and API tokens; what each role may do lives in ``api.access``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collection.audit import Actor
from collection.db import Base, intpk, str_64, str_255, utcnow
from distribution.libraries.models import Library

ROLES = ("admin", "cataloguer", "acquisitions", "programme", "methodologist", "library")
STAFF_ROLES = tuple(role for role in ROLES if role != "library")


class User(Base):
    """A person who logs in; a ``library`` user is bound to exactly one public library."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
        CheckConstraint(
            "(role = 'library' AND library_id IS NOT NULL)"
            " OR (role <> 'library' AND library_id IS NULL)",
            name="library_role",
        ),
    )

    id: Mapped[intpk]
    username: Mapped[str_64] = mapped_column(unique=True)
    full_name: Mapped[str_255] = mapped_column(default="")
    password_hash: Mapped[str_255]
    role: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[int | None] = mapped_column(
        ForeignKey("libraries.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[utcnow]

    library: Mapped[Library | None] = relationship(lazy="joined")

    @property
    def actor(self) -> Actor:
        """This user as the author of audited changes."""
        return Actor(self.id, self.username)

    @property
    def is_staff(self) -> bool:
        """Regional-library staff (every role but ``library``)."""
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"User({self.username!r}, role={self.role!r})"


class ApiToken(Base):
    """A bearer token for the REST API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")
