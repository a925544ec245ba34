"""A programme's title list: read, matched to catalogue editions (or new brief ones), stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pymarc import Field, Indicators, Leader, Record, Subfield
from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.catalogue.editions import edition_fields, record_from_marc, title_key
from collection.catalogue.models import Edition, EditionIsbn
from collection.catalogue.search import surviving_edition
from collection.errors import N_
from distribution.programmes.models import (
    Programme,
    ProgrammeTitle,
)
from distribution.programmes.services import (
    ChangeCounts,
    LoadResult,
    get_programme,
    in_chunks,
    lock_programme,
)
from distribution.shipping.rules import DEFAULT_COPY_WEIGHT, estimate_copy_weight
from distribution.spreadsheets import (
    ROW_FIELD,
    CellError,
    Column,
    RowError,
    isbn,
    money,
    text,
)
from marc.fields import control_field
from marc.view import bib_view


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
    return {value: surviving_edition(session, edition) for value, edition in found.items()}


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


def store_title_rows(session: Session, programme: Programme, rows: list[dict[str, Any]]) -> StoredTitles:
    """Create or update the programme titles of matched rows (``match_title_rows``), flushed.

    Rows without an edition get a brief one; each row gets its title as ``row["programme_title"]``.
    The caller holds the programme's lock, audits and commits.
    """
    stored = StoredTitles()
    new_editions: list[Edition] = []
    for row in rows:
        if row["edition"] is None:
            edition = row["edition"] = _brief_edition(row)
            new_editions.append(edition)
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


def _full_edition(row: dict[str, Any]) -> Edition:
    """A catalogue edition from a MARC row's own record (richer than a brief one)."""
    fields = edition_fields(row["record"], row["flavour"])
    edition = Edition(source="programme-marc", **fields.as_columns())
    edition.isbns = [EditionIsbn(isbn13=value) for value in fields.isbns]
    return edition


def load_titles(
    session: Session, *, actor: Actor, programme_id: int, titles: tuple[LoadResult, list[dict[str, Any]]]
) -> LoadResult:
    """Load a programme's title list from parsed rows; each title is matched to an edition or gets one.

    ``titles`` comes from ``distribution.programmes.title_files.parse_title_file`` (csv/xlsx
    rows or MARC records, read at the edge). Matching: by any ISBN of an edition, else by the
    title key (title + first author + year); otherwise a brief UNIMARC edition is created, or a
    full one from a MARC row's record. Re-loading updates changed titles only. All or nothing.
    """
    result, rows = titles
    get_programme(session, programme_id)
    if not result.errors:
        match_title_rows(session, rows, result.errors)
    if result.errors:
        return result
    programme = lock_programme(session, programme_id)
    from_records = [row for row in rows if row["edition"] is None and "record" in row]
    for row in from_records:
        row["edition"] = _full_edition(row)
    session.add_all(row["edition"] for row in from_records)
    session.flush()
    stored = store_title_rows(session, programme, rows)
    editions_created = stored.editions_created + len(from_records)
    result.created, result.updated, result.unchanged = stored.created, stored.updated, stored.unchanged
    result.extra["editions_created"] = editions_created
    if result.created or result.updated:
        record_change(session, actor=actor, action="update", obj_type="programme",
                      obj_id=programme.id, changes={
                          "titles_file": [None, result.file], "titles_created": [None, result.created],
                          "titles_updated": [None, result.updated],
                          "editions_created": [None, editions_created]})  # fmt: skip
    session.flush()
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
