"""MARC export: stream stored editions out as ISO 2709, MARCXML or MARC-in-JSON.

Editions are read ``yield_per`` (memory stays flat with catalogue size) and written in their
own flavour or converted, in the encoding asked for. Copy-level holdings fields that came with
an imported record are not exported as such: the catalogue's copies are the truth, so
``with_holdings`` writes each current copy as a field of the flavour's default scheme (952/995),
and without it the records go out bibliographic only.

    >>> with open("out.mrc", "wb") as out:                       # doctest: +SKIP
    ...     summary = export_editions(session, out, query="Шевченко", with_holdings=True)
"""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import BinaryIO

import pymarc
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from collection.catalogue.editions import normalise_key_text, record_from_marc
from collection.catalogue.models import Edition, EditionIsbn
from collection.errors import N_, InvalidValueError
from collection.fund.models import Copy
from marc.crosswalk import convert
from marc.errors import MarcError
from marc.fitting import fit_record, needs_fitting
from marc.holdings import COPY_LEVEL, Holding, default_scheme, holding_field
from marc.model import FLAVOURS, FORMATS
from marc.writer import mark_encoding, writer_for

OUT_ENCODINGS = ("utf-8", "cp1251", "marc-8")
_CHUNK = 1 << 16
REPLACED_NOTE = N_("запис {number}: замінено символів, яких немає в {encoding}: {count} — {chars}")


def replacement_note(number: int, encoding: str, replaced: Counter[str]) -> str:
    """What fitting one record to a narrow code page replaced, for an export or a conversion.

    ``number`` is the record's place in the file (from 1); each character is shown with its
    code point (a combining mark on a dotted circle, so it can be seen).
    """
    chars = ", ".join(f"{'◌' if unicodedata.combining(ch) else ''}{ch} (U+{ord(ch):04X})"
                      for ch in replaced)
    return REPLACED_NOTE.format(number=number, count=sum(replaced.values()), encoding=encoding,
                                chars=chars)


@dataclass(slots=True)
class ExportSummary:
    """How an export went: records written, records that could not be, and why.

    ``replaced`` holds one note per record whose characters the encoding lacks were replaced
    (the record is written all the same).
    """

    written: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)
    uncovered: Counter[str] = field(default_factory=Counter)
    replaced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"written": self.written, "errors": self.errors, "problems": self.problems[:100],
                "uncovered": dict(self.uncovered), "replaced": self.replaced[:100]}


def select_editions(
    *, edition_ids: Sequence[int] | None = None, query: str | None = None,
    since: date | datetime | None = None,
) -> Select:  # fmt: skip
    """The editions an export takes: by ids, by a text search, changed since a date; active only.

    ``query`` matches title, authors (case-insensitively, Cyrillic too) or an ISBN.
    """
    stmt = select(Edition).where(Edition.status == "active")
    if edition_ids is not None:
        stmt = stmt.where(Edition.id.in_(list(edition_ids)))
    if since is not None:
        if not isinstance(since, datetime):
            since = datetime.combine(since, time.min, tzinfo=UTC)
        stmt = stmt.where(Edition.updated_at >= since)
    if query and query.strip():
        text = query.strip()
        digits = "".join(ch for ch in text if ch.isdigit() or ch in "xX")
        conditions = [Edition.title.ilike(f"%{text}%"), Edition.authors.ilike(f"%{text}%"),
                      Edition.title_key.like(f"%{normalise_key_text(text)}%")]
        if len(digits) >= 10:
            conditions.append(Edition.id.in_(select(EditionIsbn.edition_id)
                                             .where(EditionIsbn.isbn13.like(f"%{digits}%"))))
        stmt = stmt.where(or_(*conditions))
    return stmt.order_by(Edition.id)


def export_editions(
    session: Session, stream: BinaryIO, *, edition_ids: Sequence[int] | None = None,
    query: str | None = None, since: date | datetime | None = None, format: str = "iso2709",
    flavour: str | None = None, encoding: str = "utf-8", with_holdings: bool = False,
    branch: str | None = None,
) -> ExportSummary:  # fmt: skip
    """Write the selected editions to ``stream`` (which the caller owns); returns the summary.

    ``edition_ids`` (a selection from the catalogue page) or ``query``/``since`` choose the
    editions; ``flavour`` converts (default: each edition's own); ``encoding`` applies to
    ISO 2709 (MARCXML and JSON are UTF-8); ``branch`` fills the library code of holdings.
    """
    summary = ExportSummary()
    for chunk in iter_export(session, summary, edition_ids=edition_ids, query=query, since=since,
                             format=format, flavour=flavour, encoding=encoding,
                             with_holdings=with_holdings, branch=branch):
        stream.write(chunk)
    return summary


def check_export_options(format: str, flavour: str | None, encoding: str) -> None:
    """InvalidValueError naming the option when the combination cannot be written."""
    if format not in FORMATS:
        raise InvalidValueError(N_("Невідомий формат: {value}"), field="format",
                                params={"value": format})
    if flavour is not None and flavour not in FLAVOURS:
        raise InvalidValueError(N_("Невідомий формат MARC: {value}"), field="flavour",
                                params={"value": flavour})
    if encoding not in OUT_ENCODINGS:
        raise InvalidValueError(N_("Невідоме кодування: {value}"), field="encoding",
                                params={"value": encoding})
    if format != "iso2709" and encoding != "utf-8":
        raise InvalidValueError(N_("Кодування {value} можливе лише для ISO 2709"),
                                field="encoding", params={"value": encoding})
    if encoding == "marc-8" and flavour == "unimarc":
        raise InvalidValueError(N_("MARC-8 — кодування MARC21, не UNIMARC"), field="encoding")


def iter_export(
    session: Session, summary: ExportSummary, *, edition_ids: Sequence[int] | None = None,
    query: str | None = None, since: date | datetime | None = None, format: str = "iso2709",
    flavour: str | None = None, encoding: str = "utf-8", with_holdings: bool = False,
    branch: str | None = None,
) -> Iterator[bytes]:  # fmt: skip
    """The export as chunks of bytes (for a streaming HTTP response); fills ``summary``."""
    check_export_options(format, flavour, encoding)
    buffer = io.BytesIO()
    writer = writer_for(format, buffer)
    stmt = select_editions(edition_ids=edition_ids, query=query, since=since)
    editions = session.scalars(stmt.execution_options(yield_per=500))
    for edition in _with_copies(session, editions, with_holdings):
        out_flavour = flavour or edition.flavour
        try:
            record = _record(edition, out_flavour, summary.uncovered)
            if with_holdings:
                scheme = default_scheme(out_flavour)
                for copy in edition._export_copies:  # type: ignore[attr-defined]
                    record.add_ordered_field(holding_field(_holding(copy), scheme, branch=branch))
            out_encoding = encoding if format == "iso2709" else "utf-8"
            mark_encoding(record, out_flavour, out_encoding)
            if needs_fitting(out_encoding):
                record, replaced = fit_record(record, out_encoding)
                if replaced:
                    summary.replaced.append(
                        replacement_note(summary.written + 1, out_encoding, replaced))
            writer.write(record, out_encoding)
        except (MarcError, ValueError) as error:
            summary.errors += 1
            summary.problems.append(f"edition {edition.id}: {error}")
            continue
        summary.written += 1
        if buffer.tell() >= _CHUNK:
            yield _drain(buffer)
    writer.close()
    yield _drain(buffer)


def _with_copies(session: Session, editions, with_holdings: bool) -> Iterator[Edition]:
    """Editions in groups of 500, each with its current copies loaded in one query per group."""
    group: list[Edition] = []
    for edition in editions:
        group.append(edition)
        if len(group) >= 500:
            yield from _attach(session, group, with_holdings)
            group = []
    yield from _attach(session, group, with_holdings)


def _attach(session: Session, group: list[Edition], with_holdings: bool) -> Iterator[Edition]:
    by_id: dict[int, list[Copy]] = {edition.id: [] for edition in group}
    if with_holdings and group:
        copies = session.scalars(select(Copy).where(
            Copy.edition_id.in_(list(by_id)), Copy.status.in_(("in_fund",)))
            .order_by(Copy.inventory_number))  # fmt: skip
        for copy in copies:
            by_id[copy.edition_id].append(copy)
    for edition in group:
        edition._export_copies = by_id[edition.id]  # type: ignore[attr-defined]
        yield edition
    # Written editions leave the session, so memory stays flat however many are exported
    # (only these: the caller's session may hold other objects, e.g. the current user).
    for edition in group:
        for copy in by_id[edition.id]:
            session.expunge(copy)
        session.expunge(edition)


def _record(edition: Edition, out_flavour: str, uncovered: Counter[str]) -> pymarc.Record:
    record = record_from_marc(edition.marc)
    for tag in (*COPY_LEVEL.get(edition.flavour, ()), "852"):
        record.remove_fields(tag)
    if out_flavour != edition.flavour:
        conversion = convert(record, edition.flavour, out_flavour)
        uncovered.update(conversion.uncovered)
        record = conversion.record
    return record


def _holding(copy: Copy) -> Holding:
    return Holding(
        inventory_number=copy.inventory_number, barcode=copy.barcode, location=copy.location or None,
        call_number=copy.call_number or None, price=copy.price,
        price_raw=None if copy.price is None else f"{copy.price:.2f}", acquired=copy.acquired,
        date_raw=None, copies=1, status="0", source_tag="",
    )  # fmt: skip


def _drain(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data
