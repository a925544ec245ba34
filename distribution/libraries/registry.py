"""The library register as a table: load it from parsed rows (csv/xlsx read at the edge by
``distribution.libraries.library_files``, Ukrainian or English headers), export it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, BinaryIO, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor, created, diff, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.errors import InvalidLibraryData
from distribution.libraries.models import (
    DELIVERY_FIELDS,
    EDITABLE_FIELDS,
    ENCODINGS,
    FLAVOURS,
    STATUSES,
    Library,
)
from distribution.libraries.rules import CODE_RE, validate_library_fields
from distribution.libraries.services import status_changed
from distribution.programmes.services import LoadResult
from distribution.spreadsheets import (
    ROW_FIELD,
    CellError,
    Column,
    RowError,
    choice,
    text,
    write_table,
)

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


ALL_COLUMNS = tuple(column.name for column in LIBRARY_COLUMNS)


class ParsedLibraries(NamedTuple):
    """A register parsed at the edge: the load's starting result, the typed rows, the columns given."""

    result: LoadResult
    rows: list[dict[str, Any]]
    # A column the file lacks leaves a known library's value as it is.
    columns: Sequence[str] = ALL_COLUMNS


def load_libraries(session: Session, *, actor: Actor, libraries: ParsedLibraries) -> LoadResult:
    """Load the registry of libraries from parsed rows (create new codes, update changed ones).

    ``libraries`` comes from ``distribution.libraries.library_files.parse_library_file`` (rows
    typed by ``LIBRARY_COLUMNS``, with the cell errors found); all or nothing. A changed status
    goes to the status history, dated by the optional ``status_date`` column (so a library
    occupied in 2022 can be recorded as such today).
    """
    result, rows, columns = libraries
    clean_rows: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for row in rows:
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
            status_changed(session, library, None, library.status, actor=actor, at=row.get("status_date"))
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
        present = set(columns)
        changes = diff(library, {k: v for k, v in clean.items() if k != "code" and k in present})
        if not changes:
            result.unchanged += 1
            continue
        if "status" in changes:
            status_changed(
                session, library, *changes["status"], actor=actor, at=row.get("status_date"), note=result.file
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
    session.flush()
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
