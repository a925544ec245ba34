"""The libraries' orders: loaded all or nothing, a changed quantity updates the order and is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.errors import N_
from distribution.libraries.models import Library
from distribution.programmes.models import (
    Order,
)
from distribution.programmes.services import LoadResult, ParsedRows, get_programme, lock_programme
from distribution.programmes.titles import title_lookup
from distribution.spreadsheets import (
    ROW_FIELD,
    Column,
    RowError,
    integer,
    isbn,
    text,
)

ORDER_COLUMNS = (
    Column("library_code", text(max_length=32), ("код бібліотеки", "код", "бібліотека")),
    Column("isbn", isbn(required=False), ("ісбн",), required=False),
    Column("title_id", integer(minimum=1, required=False), ("ід назви", "номер назви"),
           required=False),
    Column("quantity", integer(minimum=0), ("кількість", "к-сть", "кількість примірників",
                                            "примірників")),
)  # fmt: skip


def resolve_title(
    row: dict[str, Any], by_isbn: dict[str, int], isbn_of: dict[int, str], errors: list[RowError]
) -> int | None:
    if row.get("isbn"):
        title_id = by_isbn.get(row["isbn"])
        if title_id is None:
            errors.append(
                RowError(
                    row[ROW_FIELD],
                    "isbn",
                    N_("ISBN {isbn} немає в списку назв програми"),
                    {"isbn": row["isbn"]},
                    row["isbn"],
                )
            )
        return title_id
    if row.get("title_id"):
        if row["title_id"] not in isbn_of:
            errors.append(
                RowError(
                    row[ROW_FIELD],
                    "title_id",
                    N_("Назви {id} немає в програмі"),
                    {"id": row["title_id"]},
                    str(row["title_id"]),
                )
            )
            return None
        return row["title_id"]
    errors.append(RowError(row[ROW_FIELD], "isbn", N_("Потрібен ISBN або номер назви")))
    return None


# --- orders ------------------------------------------------------------------------------------


def load_orders(session: Session, *, actor: Actor, programme_id: int, orders: ParsedRows) -> LoadResult:
    """Load the libraries' orders (library code × ISBN or title id × quantity) from parsed rows.

    ``orders`` comes from ``distribution.programmes.order_files.parse_order_file`` (rows typed
    by ``ORDER_COLUMNS``, with the cell errors found). Unknown libraries and titles are errors,
    as are two rows for one library and title; any error leaves everything as it was. Known
    orders with a new quantity are updated (each change audited), equal ones left alone, new
    ones created; orders absent from the file stay.
    """
    result, rows = orders
    get_programme(session, programme_id)
    libraries = dict(session.execute(select(Library.code, Library.id)).all())
    by_isbn, isbn_of = title_lookup(session, programme_id)
    wanted: dict[tuple[int, int], dict[str, Any]] = {}
    for row in rows:
        code = row["library_code"].upper()
        library_id = libraries.get(code)
        if library_id is None:
            result.errors.append(
                RowError(
                    row[ROW_FIELD], "library_code", N_("Невідома бібліотека {code}"), {"code": code}, code
                )
            )
        title_id = resolve_title(row, by_isbn, isbn_of, result.errors)
        if library_id is None or title_id is None:
            continue
        key = (library_id, title_id)
        if key in wanted:
            result.errors.append(
                RowError(
                    row[ROW_FIELD],
                    "library_code",
                    N_("Замовлення повторює рядок {row}"),
                    {"row": wanted[key][ROW_FIELD]},
                    code,
                )
            )
            continue
        row["code"] = code
        wanted[key] = row
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    programme = lock_programme(session, programme_id)
    existing = {
        (lib, title): (order_id, quantity)
        for order_id, lib, title, quantity in session.execute(
            select(Order.id, Order.library_id, Order.title_id, Order.quantity).where(
                Order.programme_id == programme.id
            )
        )
    }
    inserts, updates = [], []
    code_of = {v: k for k, v in libraries.items()}
    for (library_id, title_id), row in wanted.items():
        known = existing.get((library_id, title_id))
        if known is None:
            inserts.append(
                {
                    "programme_id": programme.id,
                    "library_id": library_id,
                    "title_id": title_id,
                    "quantity": row["quantity"],
                    "source_file": result.file[:255],
                    "source_row": row[ROW_FIELD],
                }
            )
        elif known[1] != row["quantity"]:
            updates.append(
                {
                    "id": known[0],
                    "quantity": row["quantity"],
                    "source_file": result.file[:255],
                    "source_row": row[ROW_FIELD],
                }
            )
            record_change(
                session,
                actor=actor,
                action="update",
                obj_type="order",
                obj_id=f"{programme.id}/{code_of[library_id]}/{isbn_of[title_id] or title_id}",
                changes={"quantity": [known[1], row["quantity"]]},
            )
        else:
            result.unchanged += 1
    if inserts:
        session.execute(insert(Order), inserts)
    if updates:
        session.execute(update(Order), updates)
    result.created, result.updated = len(inserts), len(updates)
    if inserts or updates:
        record_change(
            session,
            actor=actor,
            action="update",
            obj_type="programme",
            obj_id=programme.id,
            changes={
                "orders_file": [None, result.file],
                "orders_created": [None, len(inserts)],
                "orders_updated": [None, len(updates)],
            },
        )
    session.flush()
    return result
