"""The audit trail: who changed what and when, for every write, queryable by object and by user.

Entries keep the actor's id *and* username without a foreign key, so the trail outlives the
accounts it mentions. ``object_id`` is the object's natural, immutable key where it has one
(a library's code, a user's username), otherwise its primary key as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from collection.db import Base, intpk, json_dict, str_64, utcnow

ACTIONS = ("create", "update", "delete", "login", "login_failed", "logout", "disable", "enable",
           "set_password", "issue_token", "revoke_token")
REDACTED = "***"


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever makes a change: a user (id + username) or a named system process (id None)."""

    user_id: int | None
    username: str


SYSTEM = Actor(None, "system")


class AuditEntry(Base):
    """One write: when, by whom, what kind of action, on which object, which fields changed."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_username", "username"),
        Index("ix_audit_entries_user_id", "user_id"),
        Index("ix_audit_entries_at", "at"),
    )

    id: Mapped[intpk]
    at: Mapped[utcnow]
    user_id: Mapped[int | None] = mapped_column(Integer)  # deliberately no foreign key
    username: Mapped[str_64]
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str_64]
    changes: Mapped[json_dict]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def record_change(
    session: Session,
    *,
    actor: Actor,
    action: str,
    obj_type: str,
    obj_id: object,
    changes: Mapping[str, Sequence[Any]] | None = None,
) -> AuditEntry:
    """Add an audit entry to ``session``: it commits or rolls back with the change it records."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        changes={
            name: [_jsonable(old), _jsonable(new)] for name, (old, new) in (changes or {}).items()
        },
    )
    session.add(entry)
    return entry


def diff(obj: object, new_values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field of ``obj`` that ``new_values`` would change."""
    return {
        name: [getattr(obj, name), value]
        for name, value in new_values.items()
        if getattr(obj, name) != value
    }


def created(obj: object, fields: Sequence[str]) -> dict[str, list[Any]]:
    """``{field: [None, value]}`` for a newly created object's non-empty fields."""
    values = {name: getattr(obj, name) for name in fields}
    return {name: [None, value] for name, value in values.items() if value not in (None, "")}


def query_audit(
    session: Session,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    user: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Audit entries, newest first, filtered by object and/or by user (username or id)."""
    stmt = select(AuditEntry)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == str(object_id))
    if user:
        if user.isdigit():
            stmt = stmt.where(AuditEntry.user_id == int(user))
        else:
            stmt = stmt.where(AuditEntry.username == user)
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def entries_for_object(session: Session, object_type: str, object_id: object) -> list[AuditEntry]:
    """The history of one object, newest first."""
    return query_audit(session, object_type=object_type, object_id=str(object_id))


def entries_by_user(session: Session, user: str | int) -> list[AuditEntry]:
    """Everything one user did, newest first (by username, or by id when given an int)."""
    return query_audit(session, user=str(user))
