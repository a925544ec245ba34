"""Programmes: create, find and lock one, move it through its states.

Every write holds the programme's lock (``lock_programme``) so concurrent staff never
interleave on one programme.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from collection.audit import Actor, created, record_change
from collection.errors import N_
from distribution.errors import InvalidProgrammeData, ProgrammeNotFound
from distribution.programmes.models import (
    PROGRAMME_KINDS,
    Programme,
)
from distribution.spreadsheets import (
    RowError,
    Table,
)

CHUNK = 900  # bound parameters per IN (...) query: below SQLite's limit on older builds


@dataclass(slots=True)
class ChangeCounts:
    """How many records a write created, updated and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class LoadResult:
    """What loading a file did: counts, or the errors (then nothing was written)."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_table(cls, filename: str, table: Table) -> LoadResult:
        """A load's starting point from a file read at the edge: its name, rows and cell errors."""
        return cls(PurePath(filename).name, rows=len(table.rows), errors=table.errors)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary (errors as row / column / message)."""
        return {"file": self.file, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, **self.extra,
                "errors": [{"row": e.row, "column": e.column, "message": e.message()}
                           for e in self.errors]}  # fmt: skip


# A file parsed at the edge (csv/xlsx or MARC): the load's starting result (its name, row count and
# the cell errors found) and the typed rows, each carrying its row number under ``ROW_FIELD``.
ParsedRows = tuple[LoadResult, list[dict[str, Any]]]


# --- programmes --------------------------------------------------------------------------------


def create_programme(
    session: Session, *, actor: Actor, name: str, year: int, kind: str = "state"
) -> Programme:
    """A new programme collecting orders; audited."""
    errors = {}
    name = (name or "").strip()
    if not name or len(name) > 500:
        errors["name"] = N_("Назва обов'язкова, до 500 символів")
    if not isinstance(year, int) or not 1991 <= year <= 2100:
        errors["year"] = N_("Рік від 1991 до 2100")
    if kind not in PROGRAMME_KINDS:
        errors["kind"] = N_("Недопустиме значення")
    if errors:
        raise InvalidProgrammeData(N_("Перевірте виділені поля"), errors=errors)
    programme = Programme(name=name, year=year, kind=kind, created_by=actor.username)
    session.add(programme)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="create",
        obj_type="programme",
        obj_id=programme.id,
        changes=created(programme, ["name", "year", "kind", "state"]),
    )
    session.flush()
    return programme


def get_programme(session: Session, programme_id: int) -> Programme:
    """The programme, or ``ProgrammeNotFound``."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise ProgrammeNotFound(N_("Програму {id} не знайдено"), params={"id": programme_id})
    return programme


def lock_programme(session: Session, programme_id: int) -> Programme:
    """Take the programme's write lock for the rest of the transaction; return it fresh.

    The UPDATE is the lock: on PostgreSQL it locks the row (like ``SELECT ... FOR UPDATE``)
    until commit; on SQLite it is the transaction's first write, so it takes the database's
    single write lock (what ``BEGIN IMMEDIATE`` would), and a second writer waits
    (busy_timeout). Everything read after it sees the other writer's committed work, so
    limits are re-checked against the truth.
    """
    result = session.execute(
        update(Programme).where(Programme.id == programme_id)
        .values(lock_version=Programme.lock_version + 1)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise ProgrammeNotFound(N_("Програму {id} не знайдено"), params={"id": programme_id})
    programme = session.scalars(
        select(Programme).where(Programme.id == programme_id).execution_options(populate_existing=True)
    ).one()
    return programme


def advance(programme: Programme, state: str) -> None:
    order = ("collecting", "delivering", "allocating", "dispatching", "closed")
    if order.index(state) > order.index(programme.state):
        programme.state = state


def in_chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """``values`` cut into runs of ``CHUNK``, one ``IN (...)`` query each."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
