"""Programme use cases: create, load the title list and the orders, register deliveries.

Loading is all or nothing: a file with any bad row changes nothing and comes back with every
error named by row and column. Loading the same file again changes nothing; a changed quantity
updates the order and is audited. Every write holds the programme's lock (``lock_programme``)
so concurrent staff never interleave on one programme. Allocation, packing and the totals
report are in ``distribution.fulfilment``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any, BinaryIO

from pymarc import Field, Indicators, Leader, Record, Subfield
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from collection.audit import Actor, created, record_change
from collection.db import now_utc
from collection.editions import edition_fields, record_from_marc, title_key
from collection.errors import N_
from collection.models import Edition, EditionIsbn
from distribution.errors import DuplicateDelivery, InvalidProgrammeData, ProgrammeNotFound
from distribution.libraries import Library
from distribution.models import (
    PROGRAMME_KINDS,
    Delivery,
    DeliveryLine,
    ExchangeOffer,
    Order,
    Programme,
    ProgrammeTitle,
)
from distribution.packing import DEFAULT_COPY_WEIGHT, estimate_copy_weight
from distribution.tables import ROW_FIELD, CellError, Column, RowError, integer, isbn, money, read_table, text
from marc.fields import control_field
from marc.view import bib_view

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

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary (errors as row / column / message)."""
        return {"file": self.file, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, **self.extra,
                "errors": [{"row": e.row, "column": e.column, "message": e.message()}
                           for e in self.errors]}  # fmt: skip


def _year(value: str) -> str:
    if value and not (len(value) == 4 and value.isdigit()):
        raise CellError(N_("Рік: чотири цифри"))
    return value


def _weight(value: str) -> Decimal | None:
    amount = money()(value)
    if amount is not None and not (Decimal("0.001") <= amount <= Decimal("50")):
        raise CellError(N_("Вага примірника в кілограмах, від 0.001 до 50"))
    return amount


TITLE_COLUMNS = (
    Column("isbn", isbn(required=False), ("ісбн", "міжнародний стандартний номер книги")),
    Column("title", text(max_length=1000), ("назва", "назва видання", "заголовок")),
    Column("author", text(required=False), ("автор", "автори"), required=False),
    Column("publisher", text(required=False), ("видавництво", "видавець"), required=False),
    Column("year", _year, ("рік", "рік видання"), required=False),
    Column("price", money(), ("ціна", "ціна грн", "ціна, грн", "вартість"), required=False),
    Column("weight", _weight, ("вага", "вага кг", "вага, кг"), required=False),
)
ORDER_COLUMNS = (
    Column("library_code", text(max_length=32), ("код бібліотеки", "код", "бібліотека")),
    Column("isbn", isbn(required=False), ("ісбн",), required=False),
    Column("title_id", integer(minimum=1, required=False), ("ід назви", "номер назви"),
           required=False),
    Column("quantity", integer(minimum=0), ("кількість", "к-сть", "кількість примірників",
                                            "примірників")),
)  # fmt: skip
DELIVERY_COLUMNS = (
    Column("isbn", isbn(required=False), ("ісбн",), required=False),
    Column("title_id", integer(minimum=1, required=False), ("ід назви", "номер назви"),
           required=False),
    Column("received", integer(minimum=0), ("отримано", "надійшло", "кількість")),
    Column("damaged", integer(minimum=0, required=False), ("пошкоджено", "брак"), required=False),
    Column("wrong_title", integer(minimum=0, required=False), ("інша назва", "не та назва"),
           required=False),
)  # fmt: skip


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
    session.commit()
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


def _advance(programme: Programme, state: str) -> None:
    order = ("collecting", "delivering", "allocating", "dispatching", "closed")
    if order.index(state) > order.index(programme.state):
        programme.state = state


def in_chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """``values`` cut into runs of ``CHUNK``, one ``IN (...)`` query each."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# --- the title list ----------------------------------------------------------------------------


def _df(tag: str, subfields: list[tuple[str, str]], ind1: str = " ", ind2: str = " ") -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(ind1, ind2),
        subfields=[Subfield(code, value) for code, value in subfields if value],
    )


def brief_record(
    *,
    isbn: str | None,
    title: str,
    author: str = "",
    publisher: str = "",
    year: str = "",
    price: Decimal | None = None,
) -> Record:
    """A brief UNIMARC record for a title the catalogue does not have yet."""
    record = Record()
    record.leader = Leader("00000nam0 2200000   450 ")
    general = f"{date.today():%Y%m%d}d{(year or '    ')[:4]:4}    k  y0ukry50      ca"
    record.fields = [control_field("001", f"programme-{isbn or title_key(title, author, year)}"[:64])]
    if isbn:
        record.fields.append(_df("010", [("a", isbn), ("d", f"{price} грн" if price else "")]))
    record.fields.append(_df("100", [("a", general)]))
    record.fields.append(_df("200", [("a", title), ("f", author)], ind1="1"))
    if publisher or year:
        record.fields.append(_df("210", [("c", publisher), ("d", year)]))
    if author:
        record.fields.append(_df("700", [("a", author)], ind2="1"))
    return record


def _brief_edition(row: dict[str, Any]) -> Edition:
    record = brief_record(
        isbn=row["isbn"],
        title=row["title"],
        author=row["author"],
        publisher=row["publisher"],
        year=row["year"],
        price=row["price"],
    )
    fields = edition_fields(record, "unimarc")
    edition = Edition(source="programme", **fields.as_columns())
    edition.isbns = [EditionIsbn(isbn13=value) for value in fields.isbns]
    return edition


def _editions_by_isbn(session: Session, isbns: Sequence[str]) -> dict[str, Edition]:
    found: dict[str, Edition] = {}
    for chunk in in_chunks(list(isbns)):
        stmt = (
            select(EditionIsbn.isbn13, Edition)
            .join(Edition, Edition.id == EditionIsbn.edition_id)
            .where(EditionIsbn.isbn13.in_(chunk))
            .order_by(Edition.status, Edition.id)
        )
        for value, edition in session.execute(stmt):
            found.setdefault(value, edition)  # "active" sorts before "merged"
    return {value: _survivor(session, edition) for value, edition in found.items()}


def _editions_by_key(session: Session, keys: Sequence[str]) -> dict[str, Edition]:
    found: dict[str, Edition] = {}
    for chunk in in_chunks(list(keys)):
        stmt = (
            select(Edition)
            .where(Edition.title_key.in_(chunk), Edition.status == "active")
            .order_by(Edition.id)
        )
        for edition in session.scalars(stmt):
            found.setdefault(edition.title_key, edition)
    return found


def _survivor(session: Session, edition: Edition) -> Edition:
    seen = set()
    while edition.status == "merged" and edition.merged_into_id and edition.id not in seen:
        seen.add(edition.id)
        edition = session.get(Edition, edition.merged_into_id) or edition
    return edition


def copy_weight(edition: Edition, given: Decimal | None) -> Decimal:
    """The weight given for a copy, else one estimated from the edition's extent."""
    if given is not None:
        return given
    try:
        extent = bib_view(record_from_marc(edition.marc), edition.flavour).extent
    except Exception:  # noqa: BLE001 - a record we cannot read just gets the default weight
        return DEFAULT_COPY_WEIGHT
    return estimate_copy_weight(extent)


def match_title_rows(session: Session, rows: list[dict[str, Any]], errors: list[RowError]) -> None:
    """Link each parsed title row to its catalogue edition (``row["edition"]``, None: a new one).

    Matching: by any ISBN of an edition, else by the title key (title + first author + year).
    Two rows for one title are an error (added to ``errors``). Nothing is written.
    """
    for row in rows:
        row["key"] = title_key(row["title"], row["author"], row["year"])
    by_isbn = _editions_by_isbn(session, sorted({r["isbn"] for r in rows if r["isbn"]}))
    by_key = _editions_by_key(session, sorted({r["key"] for r in rows if not by_isbn.get(r["isbn"])}))
    seen: dict[Any, int] = {}
    for row in rows:
        edition = by_isbn.get(row["isbn"]) or by_key.get(row["key"])
        row["edition"] = edition
        identity = ("edition", edition.id) if edition else ("isbn", row["isbn"] or row["key"])
        if identity in seen:
            errors.append(
                RowError(
                    row[ROW_FIELD],
                    "isbn",
                    N_("Назва повторює рядок {row}"),
                    {"row": seen[identity]},
                    row["isbn"] or row["title"],
                )
            )
        seen.setdefault(identity, row[ROW_FIELD])


@dataclass(slots=True)
class StoredTitles(ChangeCounts):
    """What ``store_title_rows`` did to the title list."""

    editions_created: int = 0


def read_title_file(
    session: Session, stream: BinaryIO, filename: str, columns: Sequence[Column] = TITLE_COLUMNS
) -> tuple[LoadResult, list[dict[str, Any]]]:
    """Read a title list (an offer list adds a quantity column) and match its rows to editions.

    Nothing is written. When the result has errors the rows must not be stored; otherwise they
    go to ``store_title_rows`` under the programme's lock.
    """
    result = LoadResult(PurePath(filename).name)
    table = read_table(stream, filename, columns)
    result.rows, result.errors = len(table.rows), table.errors
    if not result.errors:
        match_title_rows(session, table.rows, result.errors)
    return result, table.rows


def store_title_rows(session: Session, programme: Programme, rows: list[dict[str, Any]]) -> StoredTitles:
    """Create or update the programme titles of matched rows (``match_title_rows``), flushed.

    Rows without an edition get a brief one; each row gets its title as ``row["programme_title"]``.
    The caller holds the programme's lock, audits and commits.
    """
    stored = StoredTitles()
    new_editions = []
    for row in rows:
        if row["edition"] is None:
            row["edition"] = _brief_edition(row)
            new_editions.append(row["edition"])
    session.add_all(new_editions)
    session.flush()
    existing = {
        t.edition_id: t
        for t in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.programme_id == programme.id))
    }
    for row in rows:
        edition = row["edition"]
        values = {
            "isbn": row["isbn"] or edition.isbn,
            "title": row["title"],
            "author": row["author"],
            "publisher": row["publisher"],
            "year": row["year"],
            "price": row["price"],
            "copy_weight": copy_weight(edition, row["weight"]),
        }
        title = existing.get(edition.id)
        if title is None:
            title = ProgrammeTitle(
                programme_id=programme.id, edition_id=edition.id, source_row=row[ROW_FIELD], **values
            )
            session.add(title)
            existing[edition.id] = title
            stored.created += 1
        elif any(getattr(title, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(title, name, value)
            stored.updated += 1
        else:
            stored.unchanged += 1
        row["programme_title"] = title
    stored.editions_created = len(new_editions)
    session.flush()
    return stored


def load_titles(
    session: Session, *, actor: Actor, programme_id: int, stream: BinaryIO, filename: str
) -> LoadResult:
    """Load a programme's title list; each title is matched to a catalogue edition or gets one.

    Matching: by any ISBN of an edition, else by the title key (title + first author + year);
    otherwise a brief UNIMARC edition is created. Re-loading updates changed titles only.
    A MARC file (by its name) is read as records: ``distribution.marc_titles``.
    """
    from distribution.marc_titles import is_marc_file, load_marc_titles  # it builds on this module

    if is_marc_file(filename):
        return load_marc_titles(
            session, actor=actor, programme_id=programme_id, stream=stream, filename=filename
        )
    result, rows = read_title_file(session, stream, filename)
    get_programme(session, programme_id)
    if result.errors:
        return result
    programme = lock_programme(session, programme_id)
    stored = store_title_rows(session, programme, rows)
    result.created, result.updated, result.unchanged = stored.created, stored.updated, stored.unchanged
    result.extra["editions_created"] = stored.editions_created
    if result.created or result.updated:
        record_change(session, actor=actor, action="update", obj_type="programme",
                      obj_id=programme.id, changes={
                          "titles_file": [None, result.file], "titles_created": [None, result.created],
                          "titles_updated": [None, result.updated],
                          "editions_created": [None, stored.editions_created]})  # fmt: skip
    session.commit()
    return result


def programme_titles(session: Session, programme_id: int) -> list[ProgrammeTitle]:
    """The programme's title list in the order it was loaded."""
    return list(
        session.scalars(
            select(ProgrammeTitle)
            .where(ProgrammeTitle.programme_id == programme_id)
            .order_by(ProgrammeTitle.id)
        )
    )


def title_lookup(session: Session, programme_id: int) -> tuple[dict[str, int], dict[int, str]]:
    """ISBN (any of the edition's) -> title id, and title id -> the title's ISBN."""
    by_isbn: dict[str, int] = {}
    isbn_of: dict[int, str] = {}
    for title_id, own in session.execute(
        select(ProgrammeTitle.id, ProgrammeTitle.isbn).where(ProgrammeTitle.programme_id == programme_id)
    ):
        isbn_of[title_id] = own or ""
        if own:
            by_isbn[own] = title_id
    stmt = (
        select(EditionIsbn.isbn13, ProgrammeTitle.id)
        .join(ProgrammeTitle, ProgrammeTitle.edition_id == EditionIsbn.edition_id)
        .where(ProgrammeTitle.programme_id == programme_id)
    )
    for value, title_id in session.execute(stmt):
        by_isbn.setdefault(value, title_id)
    return by_isbn, isbn_of


def _resolve_title(
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


def load_orders(
    session: Session, *, actor: Actor, programme_id: int, stream: BinaryIO, filename: str
) -> LoadResult:
    """Load the libraries' orders (library code × ISBN or title id × quantity).

    Unknown libraries and titles are errors, as are two rows for one library and title; any
    error leaves everything as it was. Known orders with a new quantity are updated (each
    change audited), equal ones left alone, new ones created; orders absent from the file stay.
    """
    result = LoadResult(PurePath(filename).name)
    table = read_table(stream, filename, ORDER_COLUMNS)
    result.rows, result.errors = len(table.rows), table.errors
    get_programme(session, programme_id)
    libraries = dict(session.execute(select(Library.code, Library.id)).all())
    by_isbn, isbn_of = title_lookup(session, programme_id)
    wanted: dict[tuple[int, int], dict[str, Any]] = {}
    for row in table.rows:
        code = row["library_code"].upper()
        library_id = libraries.get(code)
        if library_id is None:
            result.errors.append(
                RowError(
                    row[ROW_FIELD], "library_code", N_("Невідома бібліотека {code}"), {"code": code}, code
                )
            )
        title_id = _resolve_title(row, by_isbn, isbn_of, result.errors)
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
    session.commit()
    return result


# --- deliveries --------------------------------------------------------------------------------


def receive_delivery(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    stream: BinaryIO,
    filename: str,
    number: str | None = None,
    delivered_on: date | None = None,
    supplier: str = "",
    note: str = "",
) -> LoadResult:
    """Register a supplier's delivery (lines: ISBN × received, damaged, wrong title).

    The document number defaults to the file's name; one number is registered once per
    programme, so the same delivery file cannot be counted twice.
    """
    result = LoadResult(PurePath(filename).name)
    number = (number or PurePath(filename).stem).strip()[:64]
    table = read_table(stream, filename, DELIVERY_COLUMNS)
    result.rows, result.errors = len(table.rows), table.errors
    get_programme(session, programme_id)
    by_isbn, isbn_of = title_lookup(session, programme_id)
    lines: dict[int, dict[str, Any]] = {}
    for row in table.rows:
        title_id = _resolve_title(row, by_isbn, isbn_of, result.errors)
        if row["damaged"] > row["received"]:
            result.errors.append(
                RowError(
                    row[ROW_FIELD], "damaged", N_("Пошкоджених більше, ніж отримано"), {}, str(row["damaged"])
                )
            )
            continue
        if title_id is None:
            continue
        if title_id in lines:
            result.errors.append(
                RowError(
                    row[ROW_FIELD],
                    "isbn",
                    N_("Назва повторює рядок {row}"),
                    {"row": lines[title_id][ROW_FIELD]},
                    row.get("isbn") or "",
                )
            )
            continue
        lines[title_id] = row
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    programme = lock_programme(session, programme_id)
    if session.scalar(
        select(Delivery.id).where(Delivery.programme_id == programme.id, Delivery.number == number)
    ):
        session.rollback()
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
        for title_id, row in lines.items()
    ]
    session.add(delivery)
    _advance(programme, "delivering")
    session.flush()
    result.created = len(lines)
    totals = {
        name: sum(row[name] for row in lines.values()) for name in ("received", "damaged", "wrong_title")
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
            "lines": [None, len(lines)],
            **{name: [None, value] for name, value in totals.items()},
        },
    )
    session.commit()
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
