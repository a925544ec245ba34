"""Use cases on public libraries: find, list, create and update them, each write audited.

Who may see or change which library is decided by the caller (the api layer's permissions);
these functions take the already-decided scope (``only_id``) and field set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from collection.audit import Actor, created, diff, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.errors import DuplicateLibraryCode, InvalidLibraryData, LibraryNotFound
from distribution.libraries import EDITABLE_FIELDS, ENCODINGS, FLAVOURS, STATUSES, Library

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,32}$")
MAX_LENGTHS = {"name": 255, "community": 255, "district": 255, "oblast": 255, "address": 500,
               "contact_person": 255, "phone": 32, "email": 255}
CHOICES = {"status": STATUSES, "preferred_flavour": FLAVOURS, "preferred_encoding": ENCODINGS}


def validate_library_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned values (stripped strings), or ``InvalidLibraryData`` naming every bad field."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, raw in values.items():
        value = (raw or "").strip() if isinstance(raw, str | None) else raw
        clean[name] = value
        if name == "code":
            clean[name] = value = value.upper()
            if not CODE_RE.match(value):
                errors[name] = N_("Код: 2–32 латинські літери, цифри або дефіси")
        elif name == "name" and not value:
            errors[name] = N_("Назва обов'язкова")
        elif name in CHOICES and value not in CHOICES[name]:
            errors[name] = N_("Недопустиме значення")
        elif name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            errors[name] = N_("Занадто довге значення")
        elif name == "email" and value and not EMAIL_RE.match(value):
            errors[name] = N_("Некоректна адреса електронної пошти")
        elif name == "phone" and value and not PHONE_RE.match(value):
            errors[name] = N_("Телефон: цифри, пробіли, дужки, дефіси, можливо + на початку")
    if errors:
        raise InvalidLibraryData(N_("Перевірте виділені поля"), errors=errors)
    return clean


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
    record_change(
        session, actor=actor, action="create", obj_type="library", obj_id=library.code,
        changes=created(library, ["code", *EDITABLE_FIELDS]),
    )  # fmt: skip
    session.commit()
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
        for name, (_old, new) in changes.items():
            setattr(library, name, new)
        library.updated_at = now_utc()
        record_change(
            session, actor=actor, action="update", obj_type="library", obj_id=library.code,
            changes=changes,
        )  # fmt: skip
        session.commit()
    return changes
