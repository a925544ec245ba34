"""Use cases on public libraries: find, list, create, update, change status, each write audited.

Who may see or change which library is decided by the caller (``api.access``); these functions
take the already-decided scope (``only_id``) and field set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from collection.audit import Actor, created, diff, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.errors import DuplicateLibraryCode, InvalidLibraryData, LibraryNotFound
from distribution.libraries.models import (
    EDITABLE_FIELDS,
    Library,
    LibraryStatusChange,
)
from distribution.libraries.rules import validate_library_fields


def get_library(session: Session, code: str, *, only_id: int | None = None) -> Library:
    """The library with ``code``; ``only_id`` restricts to one library (others look absent)."""
    stmt = select(Library).where(Library.code == code.upper())
    if only_id is not None:
        stmt = stmt.where(Library.id == only_id)
    library = session.scalars(stmt).one_or_none()
    if library is None:
        raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": code})
    return library


def list_libraries(
    session: Session, *, only_id: int | None = None, search: str = "", status: str = ""
) -> list[Library]:
    """Libraries ordered by name; ``only_id`` limits the list to one library's own row."""
    stmt = select(Library).order_by(Library.name, Library.code)
    if only_id is not None:
        stmt = stmt.where(Library.id == only_id)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        stmt = stmt.where(
            or_(
                Library.name.ilike(pattern),
                Library.code.ilike(pattern),
                Library.community.ilike(pattern),
                Library.district.ilike(pattern),
            )
        )
    if status:
        stmt = stmt.where(Library.status == status)
    return list(session.scalars(stmt))


def create_library(session: Session, *, actor: Actor, **values: Any) -> Library:
    """Create a library (admin's use case) and audit it; its code must be new."""
    unknown = set(values) - {"code", *EDITABLE_FIELDS}
    if unknown:
        raise TypeError(f"unknown library fields: {sorted(unknown)}")
    values.setdefault("code", "")
    values.setdefault("name", "")
    clean = validate_library_fields(values)
    if session.scalars(select(Library.id).where(Library.code == clean["code"])).first():
        raise DuplicateLibraryCode(
            N_("Бібліотека з кодом {code} вже є"), field="code", params={"code": clean["code"]}
        )
    library = Library(**clean)
    session.add(library)
    session.flush()
    status_changed(session, library, None, library.status, actor=actor)
    record_change(
        session, actor=actor, action="create", obj_type="library", obj_id=library.code,
        changes=created(library, ["code", *EDITABLE_FIELDS]),
    )  # fmt: skip
    session.flush()
    return library


def update_library(
    session: Session,
    library: Library,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    allowed: Iterable[str] = EDITABLE_FIELDS,
) -> dict[str, list[Any]]:
    """Change ``values`` on ``library`` (only ``allowed`` fields), audit, return the changes."""
    allowed = set(allowed)
    refused = sorted(set(values) - allowed)
    if refused:
        raise InvalidLibraryData(
            N_("Ці поля не можна змінювати"),
            errors={name: N_("Це поле не можна змінювати") for name in refused},
        )
    clean = validate_library_fields(values)
    changes = diff(library, clean)
    if changes:
        if "status" in changes:
            status_changed(session, library, *changes["status"], actor=actor)
        for name, (_old, new) in changes.items():
            setattr(library, name, new)
        library.updated_at = now_utc()
        record_change(
            session, actor=actor, action="update", obj_type="library", obj_id=library.code,
            changes=changes,
        )  # fmt: skip
        session.flush()
    return changes


# --- status history ----------------------------------------------------------------------------


def status_changed(
    session: Session,
    library: Library,
    old: str | None,
    new: str,
    *,
    actor: Actor,
    at: datetime | None = None,
    note: str = "",
) -> None:
    if library.id is None:
        session.flush()
    session.add(
        LibraryStatusChange(
            library_id=library.id,
            old_status=old,
            new_status=new,
            at=at or now_utc(),
            by=actor.username,
            note=note[:255],
        )
    )


def change_status(
    session: Session,
    library: Library,
    *,
    actor: Actor,
    status: str,
    at: datetime | None = None,
    note: str = "",
) -> None:
    """Change a library's status (``at`` may be back-dated: occupied since 2022-03-01), audited."""
    clean = validate_library_fields({"status": status})["status"]
    if clean == library.status:
        return
    changes = {"status": [library.status, clean]}
    status_changed(session, library, library.status, clean, actor=actor, at=at, note=note)
    library.status = clean
    library.updated_at = now_utc()
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="library",
        obj_id=library.code,
        changes={**changes, **({"note": [None, note]} if note else {})},
    )
    session.flush()


def status_history(session: Session, library: Library) -> list[LibraryStatusChange]:
    """The library's status changes in the order they were recorded (``at``: when they happened)."""
    stmt = (
        select(LibraryStatusChange)
        .where(LibraryStatusChange.library_id == library.id)
        .order_by(LibraryStatusChange.id)
    )
    return list(session.scalars(stmt))
