"""Hand adjustments of an allocation as staff write them, resolved to what ``adjust_allocation``
takes.

Staff name a change by library code and by ISBN or programme title id (a REST body, a CLI
option, a spreadsheet row). ``resolve_adjustments`` turns them into ``(library code, title id)
-> quantity`` and names every problem by its row, so the REST API and the CLI check changes
the same way. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.errors import N_
from distribution.libraries.models import Library
from distribution.programmes.services import in_chunks
from distribution.programmes.titles import title_lookup
from distribution.spreadsheets import ROW_FIELD, CellError, RowError, isbn


def _known_codes(session: Session, codes: Sequence[str]) -> set[str]:
    """Which of ``codes`` are library codes."""
    known: set[str] = set()
    for chunk in in_chunks(sorted(set(codes))):
        known.update(session.scalars(select(Library.code).where(Library.code.in_(chunk))))
    return known


def resolve_adjustments(
    session: Session, programme_id: int, rows: Sequence[dict[str, Any]],
    where: Callable[[int], str] = str,
) -> tuple[dict[tuple[str, int], int], list[RowError]]:  # fmt: skip
    """Hand adjustments named by library code and ISBN or title id, as (code, title id) -> quantity.

    ``rows`` carry ``library_code``, ``isbn`` and/or ``title_id``, ``quantity`` and their row
    under ``ROW_FIELD``; ``where`` names a row in messages. Every problem is returned, each
    naming its row: unknown libraries or titles, bad ISBNs, the same library and title twice.
    """
    errors: list[RowError] = []
    rows = [dict(row) for row in rows]  # normalised below; the caller's rows stay as given
    for row in rows:
        row["library_code"] = str(row.get("library_code") or "").strip().upper()
        if row.get("isbn"):
            try:
                row["isbn"] = isbn()(str(row["isbn"]).strip())
            except CellError as error:
                errors.append(RowError(row[ROW_FIELD], "isbn", error.problem, error.params, str(row["isbn"])))
                row["isbn"] = None
                row["bad"] = True
    codes = _known_codes(session, [r["library_code"] for r in rows])
    by_isbn, isbn_of = title_lookup(session, programme_id)
    title_ids = set(isbn_of)
    changes: dict[tuple[str, int], int] = {}
    first_row: dict[tuple[str, int], int] = {}
    for row in rows:
        number, code = row[ROW_FIELD], row["library_code"]
        if code not in codes:
            errors.append(
                RowError(number, "library_code", N_("Невідома бібліотека {code}"), {"code": code}, code)
            )
        title = _resolve_title(row, by_isbn, title_ids, errors)
        if code not in codes or title is None:
            continue
        if (code, title) in first_row:
            errors.append(RowError(
                number, "library_code", N_("Та сама бібліотека й назва, що в рядку {row}"),
                {"row": where(first_row[(code, title)])}, code,
            ))  # fmt: skip
            continue
        first_row[(code, title)] = number
        changes[(code, title)] = row["quantity"]
    return changes, sorted(errors, key=lambda e: (e.row, e.column))


def _resolve_title(row: dict[str, Any], by_isbn: dict[str, int], title_ids: set[int],
                   errors: list[RowError]) -> int | None:  # fmt: skip
    """The row's title id; an ISBN and a title id given together must name the same title."""
    number = row[ROW_FIELD]
    if row.get("bad"):
        return None
    from_isbn = by_isbn.get(row["isbn"]) if row.get("isbn") else None
    if row.get("isbn") and from_isbn is None:
        errors.append(RowError(number, "isbn", N_("ISBN {isbn} немає в списку назв програми"),
                               {"isbn": row["isbn"]}, row["isbn"]))  # fmt: skip
        return None
    title_id = row.get("title_id")
    if title_id and title_id not in title_ids:
        errors.append(RowError(number, "title_id", N_("Назви {id} немає в програмі"), {"id": title_id},
                               str(title_id)))  # fmt: skip
        return None
    if from_isbn and title_id and from_isbn != title_id:
        errors.append(RowError(number, "title_id", N_("ISBN і номер назви вказують на різні назви"),
                               {}, str(title_id)))  # fmt: skip
        return None
    if not (from_isbn or title_id):
        errors.append(RowError(number, "isbn", N_("Потрібен ISBN або номер назви")))
        return None
    return from_isbn or title_id
