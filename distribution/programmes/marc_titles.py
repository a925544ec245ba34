"""A programme's title list from a MARC file (ISO 2709, MARCXML, MARC-in-JSON; any flavour).

Publishers and the Book Institute often send records rather than spreadsheets. Each record
becomes one title row — title, first author, publisher, year, ISBN and a price in hryvnias
when the record gives one (020$c / 010$d) — and is linked to a catalogue edition the same
way as a spreadsheet row (any ISBN, then the title key). A record matching no edition becomes
a full edition from its own record, not a brief one. All or nothing: an unreadable record or
one without a title is an error naming the record's number, and nothing is stored.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, BinaryIO

from collection.errors import N_
from distribution.programmes.services import LoadResult
from distribution.shipping.rules import estimate_copy_weight
from distribution.spreadsheets import ROW_FIELD, RowError
from marc.model import RecordError
from marc.reader import read_stream
from marc.view import bib_view

MARC_SUFFIXES = (".mrc", ".marc", ".iso", ".iso2709", ".dat", ".xml", ".json", ".jsonl", ".ndjson")
_AMOUNT = re.compile(r"(\d[\d\s]*(?:[.,]\d{1,2})?)")
_HRYVNIA = re.compile(r"(грн|uah|₴|гривн)", re.IGNORECASE)
_OTHER_CURRENCY = re.compile(r"(\$|€|£|usd|eur|rub|руб|р\.|zł|pln)", re.IGNORECASE)


def is_marc_file(filename: str) -> bool:
    """Whether a title list upload is a MARC file (by its name; ``.gz`` looked through)."""
    name = PurePath(filename.lower())
    if name.suffix == ".gz":
        name = PurePath(name.stem)
    return name.suffix in MARC_SUFFIXES


def price_in_hryvnias(text: str | None) -> Decimal | None:
    """A price from a record's price subfield when it is in hryvnias (or names no currency)."""
    if not text or _OTHER_CURRENCY.search(text) and not _HRYVNIA.search(text):
        return None
    match = _AMOUNT.search(text)
    if match is None:
        return None
    try:
        amount = Decimal(match.group(1).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if Decimal("0") < amount < Decimal("1000000") else None


def _row(number: int, record: Any, flavour: str) -> dict[str, Any]:
    view = bib_view(record, flavour)
    isbns = [i.value for i in view.isbns if i.valid]
    return {
        ROW_FIELD: number,
        "isbn": isbns[0] if isbns else None,
        "title": (view.title or "").strip()[:1000],
        "author": (view.authors[0] if view.authors else "")[:255],
        "publisher": (view.publisher or "")[:255],
        "year": (view.year or "")[:4] if (view.year or "")[:4].isdigit() else "",
        "price": price_in_hryvnias(view.price),
        "weight": estimate_copy_weight(view.extent),
        "record": record,
        "flavour": flavour,
    }


def read_marc_titles(stream: BinaryIO, filename: str) -> tuple[LoadResult, list[dict[str, Any]]]:
    """Title rows from MARC records (each row keeps its record for a full edition); no database.

    Unreadable or untitled records are the result's errors, by record number.
    """
    result = LoadResult(PurePath(filename).name)
    rows: list[dict[str, Any]] = []
    for item in read_stream(stream):
        result.rows += 1
        if isinstance(item, RecordError):
            result.errors.append(RowError(item.number, "record", N_("Запис не прочитано: {reason}"),
                                          {"reason": item.reason}, ""))  # fmt: skip
            continue
        row = _row(item.number, item.record, item.flavour)
        if not row["title"]:
            result.errors.append(RowError(item.number, "title", N_("У записі немає назви"), {}, ""))
            continue
        rows.append(row)
    if not result.errors and not rows:
        result.errors.append(RowError(1, "record", N_("У файлі немає жодного запису MARC"), {}, ""))
    result.errors.sort(key=lambda e: e.row)
    return result, rows
