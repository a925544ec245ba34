"""Edition search by any key: title and author words, ISBN, class index, inventory number, barcode.

The one search of the catalogue: pages, REST, the fund's receipt form and the CLI all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from collection.catalogue.models import Edition, EditionIsbn
from collection.errors import N_, InvalidValueError, NotFoundError
from collection.fund.models import Copy
from collection.paging import Page
from marc.isbn import parse_isbn

SEARCH_FIELDS = ("title", "author", "isbn", "class", "inventory", "barcode")
MAX_PER_PAGE = 200
_CLASS_INDEX = re.compile(r"^\d[\w.:()\-/=+\"' \[\]«»]*$")
_ISBN_LIKE = re.compile(r"^(?:ISBN[\s:-]*)?[\d\s-]{9,17}[\dXxХх]$", re.IGNORECASE)


class EditionNotFound(NotFoundError):
    """No such edition (or a merged one asked for by a stale link)."""


@dataclass(slots=True)
class SearchResult(Page):
    """One page of editions found, and how the query was read."""

    keys: tuple[str, ...] = ()  # what the query was taken for: isbn, inventory, class, words ...


# ------------------------------------------------------------------ search


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _isbn13(query: str) -> str | None:
    if not _ISBN_LIKE.match(query.strip()):
        return None
    isbn = parse_isbn(query.strip())
    return isbn.value if isbn.valid else None


def _copy_condition(query: str, columns: tuple[str, ...]) -> ColumnElement[bool]:
    stmt = select(Copy.edition_id).where(or_(*(getattr(Copy, c) == query for c in columns)))
    return Edition.id.in_(stmt)


def _isbn_condition(isbn13: str) -> ColumnElement[bool]:
    return or_(Edition.isbn == isbn13,
               Edition.id.in_(select(EditionIsbn.edition_id).where(EditionIsbn.isbn13 == isbn13)))


def _class_condition(query: str) -> ColumnElement[bool]:
    """UDC or ББК starting with the query, in any of the record's indexes ("a; b")."""
    prefix = _escape_like(query)
    return or_(*(cond for column in (Edition.udc, Edition.bbk) for cond in (
        column.like(f"{prefix}%", escape="\\"), column.like(f"%; {prefix}%", escape="\\"))))


def _words_condition(query: str, columns: tuple[Any, ...]) -> ColumnElement[bool] | None:
    """Every word in one of ``columns``, case-insensitively (Cyrillic too)."""
    words = [w for w in re.split(r"\s+", query.strip()) if w]
    if not words:
        return None
    return and_(*(or_(*(func.lower(c).like(f"%{_escape_like(w.lower())}%", escape="\\")
                        for c in columns)) for w in words))


def _key_conditions(query: str, field: str | None) -> tuple[list[ColumnElement[bool]], list[str]]:
    """The conditions a query stands for, given its field or (without one) its look."""
    q = query.strip()
    if field == "title":
        cond = _words_condition(q, (Edition.title,))
        return ([cond] if cond is not None else []), ["title"]
    if field == "author":
        cond = _words_condition(q, (Edition.authors,))
        return ([cond] if cond is not None else []), ["author"]
    if field == "isbn":
        isbn = _isbn13(q) or parse_isbn(q).value
        return [_isbn_condition(isbn)], ["isbn"]
    if field == "class":
        return [_class_condition(q)], ["class"]
    if field == "inventory":
        return [_copy_condition(q, ("inventory_number",))], ["inventory"]
    if field == "barcode":
        return [_copy_condition(q, ("barcode",))], ["barcode"]
    conditions: list[ColumnElement[bool]] = []
    keys: list[str] = []
    if q and " " not in q:  # inventory numbers and barcodes: exact, on the copies
        conditions.append(_copy_condition(q, ("inventory_number", "barcode")))
        keys.append("copy")
    found_isbn = _isbn13(q)
    if found_isbn:
        conditions.append(_isbn_condition(found_isbn))
        keys.append("isbn")
    if _CLASS_INDEX.match(q) and not found_isbn:
        conditions.append(_class_condition(q))
        keys.append("class")
    return conditions, keys


def search_editions(
    session: Session, query: str, *, field: str | None = None, page: int = 1, per_page: int = 20
) -> SearchResult:
    """Find active editions by ISBN, inventory number, barcode, UDC/ББК prefix or title/author words.

    Without ``field`` one box takes any key: an exact inventory number or barcode (on copies),
    an ISBN (10 or 13, hyphens allowed), a class index prefix; when none of these finds
    anything the query is read as title and author words.
    """
    if field is not None and field not in SEARCH_FIELDS:
        raise InvalidValueError(N_("Невідоме поле пошуку"), field="field")
    page = max(1, page)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    query = (query or "").strip()
    if not query:
        return SearchResult([], page, per_page, 0)
    conditions, keys = _key_conditions(query, field)
    result = _run(session, conditions, keys, page, per_page)
    if result.total or field is not None:
        return result
    words = _words_condition(query, (Edition.title, Edition.authors))
    return _run(session, [words] if words is not None else [], ["words"], page, per_page)


def search_edition_ids(
    session: Session, query: str, *, field: str | None = None, limit: int = 10_000
) -> list[int]:
    """The ids of everything a search finds, in result order (to export the selection)."""
    ids: list[int] = []
    page = 1
    while len(ids) < limit:
        result = search_editions(session, query, field=field, page=page, per_page=MAX_PER_PAGE)
        ids.extend(e.id for e in result.items)
        if page >= result.pages:
            break
        page += 1
    return ids[:limit]


def _run(session: Session, conditions: list[ColumnElement[bool]], keys: list[str], page: int,
         per_page: int) -> SearchResult:
    if not conditions:
        return SearchResult([], page, per_page, 0, tuple(keys))
    where = (Edition.status == "active", or_(*conditions))
    total = session.scalar(select(func.count()).select_from(Edition).where(*where)) or 0
    stmt = (select(Edition).where(*where).order_by(func.lower(Edition.title), Edition.id)
            .offset((page - 1) * per_page).limit(per_page))
    return SearchResult(list(session.scalars(stmt)), page, per_page, total, tuple(keys))


# ------------------------------------------------------------------ reading


def get_edition(session: Session, edition_id: int) -> Edition:
    """One edition with its copies (in inventory-number order)."""
    edition = session.scalars(
        select(Edition).where(Edition.id == edition_id).options(selectinload(Edition.copies))
    ).first()
    if edition is None:
        raise EditionNotFound(N_("Запис не знайдено"), params={"id": edition_id})
    return edition


def editions_to_choose(session: Session, query: str, limit: int = 50) -> list[Edition]:
    """Editions offered in a form's edition list: the catalogue search's hits for ``query``, or
    the first active editions by title when nothing is typed yet."""
    if (query or "").strip():
        return list(search_editions(session, query, per_page=limit).items)
    stmt = select(Edition).where(Edition.status == "active").order_by(Edition.title).limit(limit)
    return list(session.scalars(stmt))


def surviving_edition(session: Session, edition: Edition) -> Edition:
    """The edition a merged one now lives on (following merges, safe against a loop)."""
    seen: set[int] = set()
    while edition.status == "merged" and edition.merged_into_id and edition.id not in seen:
        seen.add(edition.id)
        edition = session.get(Edition, edition.merged_into_id) or edition
    return edition


def copies_of(session: Session, edition_id: int) -> list[Copy]:
    """An edition's copies in inventory-number order."""
    stmt = select(Copy).where(Copy.edition_id == edition_id).order_by(
        func.length(Copy.inventory_number), Copy.inventory_number)
    return list(session.scalars(stmt))
