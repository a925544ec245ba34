"""Supplier deliveries: what arrived, title by title, against the programme."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.errors import DuplicateDelivery
from distribution.exchange.models import ExchangeOffer
from distribution.programmes.models import (
    Delivery,
    DeliveryLine,
    Programme,
)
from distribution.programmes.orders import resolve_title
from distribution.programmes.services import LoadResult, ParsedRows, advance, get_programme, lock_programme
from distribution.programmes.titles import title_lookup
from distribution.spreadsheets import (
    ROW_FIELD,
    Column,
    RowError,
    integer,
    isbn,
)

DELIVERY_COLUMNS = (
    Column("isbn", isbn(required=False), ("ісбн",), required=False),
    Column("title_id", integer(minimum=1, required=False), ("ід назви", "номер назви"),
           required=False),
    Column("received", integer(minimum=0), ("отримано", "надійшло", "кількість")),
    Column("damaged", integer(minimum=0, required=False), ("пошкоджено", "брак"), required=False),
    Column("wrong_title", integer(minimum=0, required=False), ("інша назва", "не та назва"),
           required=False),
)  # fmt: skip


# --- deliveries --------------------------------------------------------------------------------


def receive_delivery(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    lines: ParsedRows,
    number: str | None = None,
    delivered_on: date | None = None,
    supplier: str = "",
    note: str = "",
) -> LoadResult:
    """Register a supplier's delivery from parsed lines (ISBN × received, damaged, wrong title).

    ``lines`` comes from ``distribution.programmes.delivery_files.parse_delivery_file`` (rows
    typed by ``DELIVERY_COLUMNS``, with the cell errors found). The document number defaults to
    the file's name; one number is registered once per programme, so the same delivery file
    cannot be counted twice. Any bad line registers nothing.
    """
    result, rows = lines
    number = (number or PurePath(result.file).stem).strip()[:64]
    get_programme(session, programme_id)
    by_isbn, isbn_of = title_lookup(session, programme_id)
    by_title: dict[int, dict[str, Any]] = {}
    for row in rows:
        title_id = resolve_title(row, by_isbn, isbn_of, result.errors)
        if row["damaged"] > row["received"]:
            result.errors.append(
                RowError(
                    row[ROW_FIELD], "damaged", N_("Пошкоджених більше, ніж отримано"), {}, str(row["damaged"])
                )
            )
            continue
        if title_id is None:
            continue
        if title_id in by_title:
            result.errors.append(
                RowError(
                    row[ROW_FIELD],
                    "isbn",
                    N_("Назва повторює рядок {row}"),
                    {"row": by_title[title_id][ROW_FIELD]},
                    row.get("isbn") or "",
                )
            )
            continue
        by_title[title_id] = row
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    programme = lock_programme(session, programme_id)
    if session.scalar(
        select(Delivery.id).where(Delivery.programme_id == programme.id, Delivery.number == number)
    ):
        raise DuplicateDelivery(
            N_("Надходження {number} вже зареєстроване"), field="number", params={"number": number}
        )
    delivery = Delivery(
        programme_id=programme.id,
        number=number,
        date=delivered_on or now_utc().date(),
        supplier=supplier.strip()[:255],
        note=note.strip(),
        created_by=actor.username,
    )
    delivery.lines = [
        DeliveryLine(
            title_id=title_id,
            received=row["received"],
            damaged=row["damaged"],
            wrong_title=row["wrong_title"],
        )
        for title_id, row in by_title.items()
    ]
    session.add(delivery)
    advance(programme, "delivering")
    session.flush()
    result.created = len(by_title)
    totals = {
        name: sum(row[name] for row in by_title.values()) for name in ("received", "damaged", "wrong_title")
    }
    result.extra.update({"delivery": delivery.id, "number": number, **totals})
    record_change(
        session,
        actor=actor,
        action="create",
        obj_type="delivery",
        obj_id=delivery.id,
        changes={
            "programme": [None, programme.id],
            "number": [None, number],
            "file": [None, result.file],
            "lines": [None, len(by_title)],
            **{name: [None, value] for name, value in totals.items()},
        },
    )
    session.flush()
    return result


def received_by_title(session: Session, programme_id: int) -> dict[int, int]:
    """Usable copies per title: received minus damaged, over all deliveries.

    In an exchange round the offered copies (``ExchangeOffer``, every source) are on hand too,
    so they count as received: allocation then shares out what was offered.
    """
    stmt = (
        select(DeliveryLine.title_id, func.sum(DeliveryLine.received - DeliveryLine.damaged))
        .join(Delivery)
        .where(Delivery.programme_id == programme_id)
        .group_by(DeliveryLine.title_id)
    )
    received = {title_id: int(total or 0) for title_id, total in session.execute(stmt)}
    if session.scalar(select(Programme.kind).where(Programme.id == programme_id)) == "exchange":
        for title_id, total in offered_by_title(session, programme_id).items():
            received[title_id] = received.get(title_id, 0) + total
    return received


def offered_by_title(session: Session, programme_id: int) -> dict[int, int]:
    """Copies an exchange round offers per title, all sources together."""
    stmt = (
        select(ExchangeOffer.title_id, func.sum(ExchangeOffer.quantity))
        .where(ExchangeOffer.programme_id == programme_id)
        .group_by(ExchangeOffer.title_id)
    )
    return {title_id: int(total or 0) for title_id, total in session.execute(stmt)}
