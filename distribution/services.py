"""Use cases on public libraries: find, list, create, update, import and export them, each
write audited; every status change is kept in the library's status history.

Who may see or change which library is decided by the caller (the api layer's permissions);
these functions take the already-decided scope (``only_id``) and field set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any, BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from collection.audit import Actor, created, diff, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.errors import DuplicateLibraryCode, InvalidLibraryData, LibraryNotFound
from distribution.libraries import (
    DELIVERY_FIELDS,
    EDITABLE_FIELDS,
    ENCODINGS,
    FLAVOURS,
    STATUSES,
    Library,
)
from distribution.models import LibraryStatusChange
from distribution.programmes import LoadResult
from distribution.tables import ROW_FIELD, CellError, Column, RowError, choice, read_table, text, write_table

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,32}$")
MAX_LENGTHS = {
    "name": 255,
    "community": 255,
    "district": 255,
    "oblast": 255,
    "address": 500,
    "carrier": 32,
    "carrier_branch": 32,
    "contact_person": 255,
    "phone": 32,
    "email": 255,
}
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
    _status_changed(session, library, None, library.status, actor=actor)
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
        if "status" in changes:
            _status_changed(session, library, *changes["status"], actor=actor)
        for name, (_old, new) in changes.items():
            setattr(library, name, new)
        library.updated_at = now_utc()
        record_change(
            session, actor=actor, action="update", obj_type="library", obj_id=library.code,
            changes=changes,
        )  # fmt: skip
        session.commit()
    return changes


# --- status history ----------------------------------------------------------------------------


def _status_changed(
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
    _status_changed(session, library, library.status, clean, actor=actor, at=at, note=note)
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
    session.commit()


def status_history(session: Session, library: Library) -> list[LibraryStatusChange]:
    """The library's status changes in the order they were recorded (``at``: when they happened)."""
    stmt = (
        select(LibraryStatusChange)
        .where(LibraryStatusChange.library_id == library.id)
        .order_by(LibraryStatusChange.id)
    )
    return list(session.scalars(stmt))


# --- import and export of the registry ---------------------------------------------------------

STATUS_SPELLINGS = {
    **{code: code for code in STATUSES},
    "працює": "working", "діє": "working", "діюча": "working", "робоча": "working",
    "релокована": "relocated", "переміщена": "relocated", "евакуйована": "relocated",
    "in occupied territory": "occupied", "окупована": "occupied", "в окупації": "occupied",
    "на окупованій території": "occupied", "на тимчасово окупованій території": "occupied",
    "зруйнована": "destroyed", "знищена": "destroyed", "закрита": "closed", "ліквідована": "closed",
}  # fmt: skip
EXPORT_FIELDS = ("code", "name", "community", "district", "oblast", "status", "address", "carrier",
                 "carrier_branch", "contact_person", "phone", "email", "preferred_flavour",
                 "preferred_encoding")  # fmt: skip
IMPORT_FIELDS = (*EDITABLE_FIELDS, *DELIVERY_FIELDS)


def _status_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        try:
            day = datetime.strptime(value[:10], "%d.%m.%Y").date()
        except ValueError:
            raise CellError(N_("Дата: РРРР-ММ-ДД або ДД.ММ.РРРР")) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _code(value: str) -> str:
    code = value.strip().upper()
    if not CODE_RE.match(code):
        raise CellError(N_("Код: 2–32 латинські літери, цифри або дефіси"))
    return code


def _optional(name: str, aliases: tuple[str, ...], max_length: int = 255) -> Column:
    return Column(name, text(required=False, max_length=max_length), aliases, required=False)


LIBRARY_COLUMNS = (
    Column("code", _code, ("код", "код бібліотеки")),
    Column("name", text(), ("назва", "назва бібліотеки", "бібліотека")),
    _optional("community", ("громада", "територіальна громада", "тг")),
    _optional("district", ("район",)),
    _optional("oblast", ("область",)),
    Column("status", choice(STATUS_SPELLINGS, default="working"), ("статус", "стан"), required=False),
    _optional("address", ("адреса", "адреса доставки"), 500),
    _optional("carrier", ("перевізник", "служба доставки"), 32),
    _optional("carrier_branch", ("відділення", "номер відділення"), 32),
    _optional("contact_person", ("контактна особа",)),
    _optional("phone", ("телефон",), 32),
    _optional("email", ("ел пошта", "електронна пошта", "e-mail", "email")),
    Column("preferred_flavour", choice({f: f for f in FLAVOURS}, default="unimarc"),
           ("формат marc", "формат"), required=False),
    Column("preferred_encoding", choice({e: e for e in ENCODINGS}, default="utf-8"),
           ("кодування",), required=False),
    Column("status_date", _status_date, ("дата статусу", "статус з"), required=False),
)  # fmt: skip


def load_libraries(session: Session, *, actor: Actor, stream: BinaryIO, filename: str) -> LoadResult:
    """Load the registry of libraries (create new codes, update changed ones); all or nothing.

    A changed status goes to the status history, dated by the optional ``status_date`` column
    (so a library occupied in 2022 can be recorded as such today).
    """
    result = LoadResult(PurePath(filename).name)
    table = read_table(stream, filename, LIBRARY_COLUMNS)
    result.rows, result.errors = len(table.rows), table.errors
    clean_rows: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for row in table.rows:
        values = {name: row[name] for name in ("code", *IMPORT_FIELDS) if name in row}
        try:
            clean = validate_library_fields({k: v for k, v in values.items() if k not in DELIVERY_FIELDS})
        except InvalidLibraryData as error:
            for name, message in error.errors.items():
                result.errors.append(RowError(row[ROW_FIELD], name, message, {}, str(values.get(name, ""))))
            continue
        clean.update({name: values.get(name, "") for name in DELIVERY_FIELDS})
        if clean["code"] in clean_rows:
            result.errors.append(
                RowError(
                    row[ROW_FIELD],
                    "code",
                    N_("Код повторює рядок {row}"),
                    {"row": clean_rows[clean["code"]][1][ROW_FIELD]},
                    clean["code"],
                )
            )
            continue
        clean_rows[clean["code"]] = (clean, row)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    existing = {lib.code: lib for lib in session.scalars(select(Library))}
    for code, (clean, row) in clean_rows.items():
        library = existing.get(code)
        if library is None:
            library = Library(**clean)
            session.add(library)
            session.flush()
            _status_changed(session, library, None, library.status, actor=actor, at=row["status_date"])
            record_change(
                session,
                actor=actor,
                action="create",
                obj_type="library",
                obj_id=code,
                changes=created(library, ["code", *IMPORT_FIELDS]),
            )
            result.created += 1
            continue
        present = set(table.columns)
        changes = diff(library, {k: v for k, v in clean.items() if k != "code" and k in present})
        if not changes:
            result.unchanged += 1
            continue
        if "status" in changes:
            _status_changed(
                session, library, *changes["status"], actor=actor, at=row["status_date"], note=result.file
            )
        for name, (_old, new) in changes.items():
            setattr(library, name, new)
        library.updated_at = now_utc()
        record_change(
            session,
            actor=actor,
            action="update",
            obj_type="library",
            obj_id=code,
            changes={**changes, "file": [None, result.file]},
        )
        result.updated += 1
    session.commit()
    return result


def export_libraries(session: Session, stream: BinaryIO, fmt: str = "csv") -> int:
    """Write the registry (the columns ``load_libraries`` reads back); returns the count."""
    libraries = list(session.scalars(select(Library).order_by(Library.code)))
    write_table(
        stream,
        fmt,
        EXPORT_FIELDS,
        ([getattr(lib, f) for f in EXPORT_FIELDS] for lib in libraries),
        sheet="libraries",
    )
    return len(libraries)
