"""MARC for recipients: the records of the titles a public library receives, with its holdings.

A receiving library downloads, for a shipment, one record per edition it gets, in its preferred
flavour (``Library.preferred_flavour``) and encoding (``Library.preferred_encoding``), as
ISO 2709 or MARCXML. No HTTP and no commits here: the shipment endpoint turns a shipment into
``RecipientLine`` values (``programme_title_lines`` does it for programme titles) and calls
``export_recipient_marc`` (or ``recipient_records`` then ``write_recipient_marc``).

    >>> lines = programme_title_lines(session, programme.id, library.id, {title.id: 3},
    ...                               shipment_number="2026/17")          # doctest: +SKIP
    >>> export_recipient_marc(session, out, library=library, lines=lines)  # doctest: +SKIP

What each record is (the full rationale is in ``docs/recipient-marc.md``):

1. **The stored record**, converted with ``marc.crosswalk.convert`` when the edition's flavour is
   not the one asked for. Fields the crosswalk does not cover are dropped, as in every export.
2. **Without the regional library's local data**, removed before conversion so the crosswalk
   cannot turn them into holdings: every 09X and 9XX field (local blocks in MARC21 and UNIMARC:
   Koha 090/942/952/995/999, IRBIS 903/907/910, III 945/949, Sirsi 999 ...), the MARC21 holdings
   fields 841, 842, 844, 850, 852-855, 863-868 and 876-878 (856/857 electronic locations stay),
   and RUSMARC 899. The regional library's inventory numbers, barcodes, shelf marks and system
   record ids never reach the recipient; a receiving system would otherwise read them as its
   own items (Koha reads 952/995, IRBIS 910).
3. **Identified for idempotent re-import.** 001 is ``"{agency}-{edition id}"`` (the surviving
   edition when it was merged), the same in both flavours and unique across suppliers even for
   systems that match on 001 alone (Koha's "Control-number" rule ignores 003). MARC21 gets
   003 = agency. UNIMARC has no organisation code in 003 (there it is a persistent URI), so it
   gets 801 #3 $a UA $b agency $c date (issuing agency) instead, replacing any earlier #3.
   005 is the edition's last change, so an unchanged edition gives the same record. The
   record's previous identity (its 001, qualified by its 003 or import source) is kept in
   035 $a "(source)number", which has the same form in both flavours; the record's own 035s
   are carried over the crosswalk, which does not map them.
4. **Holdings for the receiving library**, one copy-level field per copy, Koha style (what Koha's
   staged MARC import turns into items, one item per field):

   * MARC21: one title-level 852 ## $a library code $b library name (read by systems that do
     not know Koha items) and per copy a 952 $a/$b library code (home and holding branch),
     $g price (purchase price, "123.45"), $t copy number, $x shipment number (non-public note).
   * UNIMARC (Koha's Ukrainian framework): per copy a 995 $b/$c library code (home and holding
     branch), $p price, $6 copy number, $x shipment number. No 852/899: Koha UNIMARC does not
     read them, and a reader of 995 must not count the title-level field as one more copy.

   No inventory number, barcode or call number: the receiving library assigns its own when it
   accessions the copies. An unknown price is left out, never written as 0.
5. **Encoding declared**: MARC21 leader/09 "a" for UTF-8 and blank for MARC-8 or cp1251;
   UNIMARC 100$a/26-29 "50  " for UTF-8 and blank for cp1251 (UNIMARC has no code for it).
   MARC-8 is a MARC21 encoding and is refused for UNIMARC. MARCXML is always UTF-8, whatever the
   library prefers for ISO 2709. Characters cp1251 cannot hold (the modifier-letter apostrophe
   U+02BC Ukrainian texts use, Latin accents) are written as their nearest cp1251 form (’, the
   base letter) or "?", unless ``strict`` asks for an error instead; MARC-8 and UTF-8 hold
   everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO, Protocol

import pymarc
from pymarc import Subfield
from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.catalogue.editions import record_from_marc
from collection.catalogue.models import Edition
from collection.catalogue.search import surviving_edition
from collection.errors import N_
from distribution.allocation.models import AllocationLine
from distribution.errors import DistributionError, InvalidProgrammeData, LibraryNotFound
from distribution.libraries.models import ENCODINGS, FLAVOURS, Library
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.services import get_programme
from distribution.shipping.queries import corrections_of, get_shipment
from marc.crosswalk import convert
from marc.errors import EncodingError
from marc.fields import control_field, data_field
from marc.fitting import fitted_to
from marc.flavour import detect_flavour
from marc.holdings import Holding, holding_field
from marc.writer import mark_encoding, writer_for

DEFAULT_AGENCY = "komplekt"  # the regional library's MARC organisation code / ISIL; the api passes its own
COUNTRY = "UA"  # 801 $a of the issuing agency
OUT_FORMATS = ("iso2709", "marcxml")
HOLDINGS_SCHEME = {"marc21": "952", "unimarc": "995"}
# (copy number, shipment note) subfield codes added to each scheme's Koha item field.
_EXTRA_CODES = {"952": ("t", "x"), "995": ("6", "x")}
# MARC21 holdings fields carried in bibliographic records (856/857 electronic locations stay)
# and RUSMARC 899 (location and shelf mark); all 09X and 9XX go too (see is_local_tag).
LOCAL_TAGS = frozenset({
    "841", "842", "844", "850", "852", "853", "854", "855",
    "863", "864", "865", "866", "867", "868", "876", "877", "878", "899",
})  # fmt: skip
# Import sources that are no outside system: no 035 is made from their control numbers.
_NO_SOURCE = frozenset({"", "import", "programme"})


class UnknownEdition(DistributionError):
    """A line names an edition the catalogue does not have."""

    kind = "not_found"


class InvalidRecipientOptions(DistributionError):
    """A flavour, encoding, format or quantity that cannot be used for a recipient's download."""

    kind = "invalid"


@dataclass(frozen=True, slots=True)
class RecipientLine:
    """Copies of one edition a library receives: how many, at what price, in which shipment."""

    edition_id: int
    copies: int
    price: Decimal | None = None
    shipment_number: str = ""


LineLike = RecipientLine | tuple[int, int] | tuple[int, int, Decimal | None]


class EditionLike(Protocol):
    """What ``recipient_record`` reads from an edition (an ``Edition`` row has it all)."""

    id: int
    flavour: str
    marc: dict
    source: str
    control_number: str | None

    @property
    def updated_at(self) -> datetime | None:
        """Read-only here, so an edition whose column is never empty fits too."""


# --- options -----------------------------------------------------------------------------------


def resolve_format(
    library: Library, *, flavour: str | None = None, encoding: str | None = None,
    fmt: str = "iso2709",
) -> tuple[str, str]:  # fmt: skip
    """The (flavour, encoding) of a download: those asked for, else the library's preferences.

    MARCXML is always UTF-8: a library's preferred code page applies to ISO 2709 only, and an
    explicit other encoding for MARCXML is an error. MARC-8 with UNIMARC is an error too.
    """
    if fmt not in OUT_FORMATS:
        raise InvalidRecipientOptions(
            N_("Недопустиме значення {value}"), field="format", params={"value": fmt}
        )
    flavour = flavour or library.preferred_flavour
    if flavour not in FLAVOURS:
        raise InvalidRecipientOptions(N_("Невідомий формат MARC"), field="flavour")
    if fmt == "marcxml":
        if encoding not in (None, "utf-8"):
            raise InvalidRecipientOptions(
                N_("Кодування {value} можливе лише для ISO 2709"),
                field="encoding",
                params={"value": encoding},
            )
        return flavour, "utf-8"
    encoding = encoding or library.preferred_encoding
    if encoding not in ENCODINGS:
        raise InvalidRecipientOptions(
            N_("Недопустиме значення {value}"), field="encoding", params={"value": encoding}
        )
    if encoding == "marc-8" and flavour == "unimarc":
        raise InvalidRecipientOptions(N_("MARC-8 — кодування MARC21, не UNIMARC"), field="encoding")
    return flavour, encoding


def _line(line: LineLike) -> RecipientLine:
    made = line if isinstance(line, RecipientLine) else RecipientLine(*line)
    if isinstance(made.copies, bool) or not isinstance(made.copies, int) or made.copies < 0:
        raise InvalidRecipientOptions(
            N_("Недопустиме значення {value}"), field="copies", params={"value": made.copies}
        )
    return made


# --- records -----------------------------------------------------------------------------------


def recipient_records(
    session: Session, *, library: Library, lines: Sequence[LineLike], flavour: str | None = None,
    encoding: str | None = None, agency: str = DEFAULT_AGENCY,
) -> list[pymarc.Record]:  # fmt: skip
    """One record per edition in ``lines`` (first-appearance order), with the library's holdings.

    ``lines`` are ``RecipientLine`` values or ``(edition_id, copies[, price])`` tuples; lines of
    one edition (or of editions merged into one) make one record with all their copies, and a
    line of 0 copies makes none. ``flavour``/``encoding`` default to the library's preferences;
    the records' coded data declare that encoding (``write_recipient_marc`` re-declares what it
    actually writes). ``UnknownEdition`` names every edition id the catalogue does not have.
    """
    flavour, encoding = resolve_format(library, flavour=flavour, encoding=encoding)
    wanted = [line for line in map(_line, lines) if line.copies > 0]
    editions = _editions(session, [line.edition_id for line in wanted])
    grouped: dict[int, list[RecipientLine]] = {}
    for line in wanted:
        grouped.setdefault(editions[line.edition_id].id, []).append(line)
    survivors = {edition.id: edition for edition in editions.values()}
    return [
        recipient_record(survivors[edition_id], edition_lines, library=library, flavour=flavour,
                         encoding=encoding, agency=agency)
        for edition_id, edition_lines in grouped.items()
    ]  # fmt: skip


def _editions(session: Session, ids: Sequence[int]) -> dict[int, Edition]:
    """Edition by asked id (the surviving one when it was merged); UnknownEdition otherwise."""
    unique = sorted(set(ids))
    found: dict[int, Edition] = {}
    if unique:
        found = {e.id: e for e in session.scalars(select(Edition).where(Edition.id.in_(unique)))}
    missing = [edition_id for edition_id in unique if edition_id not in found]
    if missing:
        raise UnknownEdition(
            N_("Видання {id} не знайдено"), field="edition_id", params={"id": ", ".join(map(str, missing))}
        )
    return {edition_id: surviving_edition(session, edition) for edition_id, edition in found.items()}


def recipient_record(
    edition: EditionLike, lines: Sequence[RecipientLine], *, library: Library, flavour: str,
    encoding: str = "utf-8", agency: str = DEFAULT_AGENCY,
) -> pymarc.Record:  # fmt: skip
    """The record of one edition for one library (no database): steps 1-5 of the module doc."""
    source = record_from_marc(edition.marc)
    previous = _previous_identity(source, edition)
    own_035 = [f for f in source.get_fields("035") if not f.control_field]
    strip_local_fields(source)
    record = convert(source, edition.flavour, flavour).record
    if edition.flavour != flavour:
        for made in own_035:
            record.add_ordered_field(made)
    strip_local_fields(record)  # nothing the crosswalk made may name the regional library's items
    _identify(record, flavour, edition, previous, agency)
    for made in holdings_fields(library, flavour, lines):
        record.add_ordered_field(made)
    mark_encoding(record, flavour, encoding)
    return record


def is_local_tag(tag: str) -> bool:
    """True for the tags a recipient must not get: 09X, 9XX and the holdings fields in LOCAL_TAGS."""
    return tag in LOCAL_TAGS or tag[:1] == "9" or tag[:2] == "09"


def strip_local_fields(record: pymarc.Record) -> int:
    """Remove the regional library's local and holdings fields (is_local_tag); return how many."""
    before = len(record.fields)
    record.fields = [f for f in record.fields if not is_local_tag(f.tag)]
    return before - len(record.fields)


def _previous_identity(record: pymarc.Record, edition: EditionLike) -> str | None:
    """The record's identity before us as 035 $a text, "(source)number"; None when it has none."""
    number = next((f.data.strip() for f in record.get_fields("001") if f.control_field and f.data), None)
    number = number or (edition.control_number or "").strip()
    if not number or edition.source == "programme":  # komplekt's own brief record
        return None
    org = ""
    if edition.flavour == "marc21":
        org = next((f.data.strip() for f in record.get_fields("003") if f.control_field and f.data), "")
    org = org or (edition.source or "").strip()
    if org in _NO_SOURCE or "/" in org or ":" in org:  # no organisation (UNIMARC 003 is a URI)
        return number
    return f"({org}){number}"


def control_number(edition: EditionLike, agency: str = DEFAULT_AGENCY) -> str:
    """The 001 a recipient gets for an edition: stable, and unique across suppliers."""
    return f"{agency}-{edition.id}"


def _identify(
    record: pymarc.Record, flavour: str, edition: EditionLike, previous: str | None, agency: str
) -> None:
    """001, 003 (MARC21) or 801 #3 (UNIMARC), 005 and the previous identity in 035."""
    record.remove_fields("001", "003", "005")
    changed = edition.updated_at
    heads = [control_field("001", control_number(edition, agency))]
    if flavour == "marc21":
        heads.append(control_field("003", agency))
    if changed is not None:
        heads.append(control_field("005", f"{changed:%Y%m%d%H%M%S}.0"))
    record.fields[0:0] = heads
    if previous and not any(
        sub.code == "a" and sub.value == previous for f in record.get_fields("035") for sub in f.subfields
    ):
        record.add_ordered_field(data_field("035", " ", " ", [Subfield("a", previous)]))
    if flavour == "unimarc":
        record.fields = [
            f for f in record.fields if not (f.tag == "801" and not f.control_field and f.indicator2 == "3")
        ]
        issued = [Subfield("a", COUNTRY), Subfield("b", agency)]
        if changed is not None:
            issued.append(Subfield("c", f"{changed:%Y%m%d}"))
        record.add_ordered_field(data_field("801", " ", "3", issued))


def holdings_fields(library: Library, flavour: str, lines: Sequence[RecipientLine]) -> list[pymarc.Field]:
    """The library's holdings: MARC21 852 + a 952 per copy, UNIMARC a 995 per copy."""
    scheme = HOLDINGS_SCHEME[flavour]
    copy_code, note_code = _EXTRA_CODES[scheme]
    made: list[pymarc.Field] = []
    if flavour == "marc21":
        made.append(data_field("852", " ", " ", [Subfield("a", library.code), Subfield("b", library.name)]))
    number = 0
    for line in lines:
        holding = Holding(
            inventory_number=None, barcode=None, location=None, call_number=None,
            price=line.price, price_raw=None if line.price is None else f"{line.price:.2f}",
            acquired=None, date_raw=None, copies=1, status=None, source_tag=scheme,
        )  # fmt: skip
        for _ in range(line.copies):
            number += 1
            item = holding_field(holding, scheme, branch=library.code)
            item.subfields.append(Subfield(copy_code, str(number)))
            if line.shipment_number:
                item.subfields.append(Subfield(note_code, line.shipment_number))
            made.append(item)
    return made


# --- writing -----------------------------------------------------------------------------------


def record_flavour(record: pymarc.Record) -> str:
    """ "unimarc" or "marc21", from the record's tags (recipient records always have 200 or 245)."""
    return detect_flavour((f.tag for f in record.fields), str(record.leader))


def write_recipient_marc(
    records: Iterable[pymarc.Record], stream: BinaryIO, *, fmt: str = "iso2709",
    encoding: str = "utf-8", strict: bool = False,
) -> int:  # fmt: skip
    """Write the records to ``stream`` (the caller owns it); returns how many were written.

    ISO 2709 is written in ``encoding`` (utf-8, marc-8 or cp1251) and each record's leader/09
    or 100$a/26-29 is set to declare it; MARCXML is always UTF-8 (``encoding`` is ignored) and
    declares UTF-8. A character cp1251 lacks becomes its nearest form, or with ``strict`` an
    ``EncodingError`` naming the record. Records are marked in place.
    """
    if fmt not in OUT_FORMATS:
        raise InvalidRecipientOptions(
            N_("Недопустиме значення {value}"), field="format", params={"value": fmt}
        )
    out = "utf-8" if fmt == "marcxml" else encoding
    if out not in ENCODINGS:
        raise InvalidRecipientOptions(
            N_("Недопустиме значення {value}"), field="encoding", params={"value": encoding}
        )
    with writer_for(fmt, stream) as writer:
        for number, record in enumerate(records, 1):
            flavour = record_flavour(record)
            if out == "marc-8" and flavour == "unimarc":
                raise InvalidRecipientOptions(N_("MARC-8 — кодування MARC21, не UNIMARC"), field="encoding")
            mark_encoding(record, flavour, out)
            try:
                writer.write(record, out)
            except EncodingError as error:
                if strict:
                    ident = next((f.data for f in record.get_fields("001") if f.control_field), "")
                    raise EncodingError(f"record {number} ({ident}): {error}") from error
                writer.write(fitted_to(record, out), out)
    return writer.count


def export_recipient_marc(
    session: Session, stream: BinaryIO, *, library: Library, lines: Sequence[LineLike],
    fmt: str = "iso2709", flavour: str | None = None, encoding: str | None = None,
    agency: str = DEFAULT_AGENCY, strict: bool = False,
) -> int:  # fmt: skip
    """``recipient_records`` written by ``write_recipient_marc``: what a download endpoint calls."""
    flavour, encoding = resolve_format(library, flavour=flavour, encoding=encoding, fmt=fmt)
    records = recipient_records(
        session, library=library, lines=lines, flavour=flavour, encoding=encoding, agency=agency
    )
    return write_recipient_marc(records, stream, fmt=fmt, encoding=encoding, strict=strict)


# --- programme titles --------------------------------------------------------------------------


def programme_title_lines(
    session: Session, programme_id: int, library_id: int,
    title_copies: Mapping[int, int] | None = None, *, shipment_number: str = "",
) -> list[RecipientLine]:  # fmt: skip
    """Lines for copies of programme titles (title id → copies), priced from the title list.

    ``title_copies`` None takes what the library is allocated in the programme. Titles with 0
    copies are left out; a title id that is not in the programme is an error naming it.
    """
    get_programme(session, programme_id)
    if session.get(Library, library_id) is None:
        raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": library_id})
    if title_copies is None:
        allocated = session.execute(
            select(AllocationLine.title_id, AllocationLine.quantity)
            .where(AllocationLine.programme_id == programme_id, AllocationLine.library_id == library_id)
            .order_by(AllocationLine.title_id)
        )  # fmt: skip
        title_copies = {title_id: quantity for title_id, quantity in allocated}
    for copies in title_copies.values():
        _line(RecipientLine(0, copies))
    ids = list(title_copies)
    titles = {
        title.id: title
        for title in session.scalars(select(ProgrammeTitle).where(
            ProgrammeTitle.programme_id == programme_id, ProgrammeTitle.id.in_(ids)))
    } if ids else {}  # fmt: skip
    missing = [title_id for title_id in ids if title_id not in titles]
    if missing:
        raise InvalidProgrammeData(
            N_("Назви {id} немає в програмі"), field="title_id", params={"id": ", ".join(map(str, missing))}
        )
    return [
        RecipientLine(titles[title_id].edition_id, copies, titles[title_id].price, shipment_number)
        for title_id, copies in title_copies.items()
        if copies > 0
    ]


def shipment_lines(
    session: Session, shipment_id: int, *, library_id: int | None = None
) -> list[RecipientLine]:
    """Lines for a shipment as it finally stands: its copies with its corrections netted in.

    A correction document on its own gives the copies it adds. Prices are those the shipment
    left with (``ShipmentLine.price``), not today's title list; before dispatch, the list's.
    """
    shipment = get_shipment(session, shipment_id, library_id=library_id)
    documents = [shipment]
    if shipment.kind != "correction":
        documents += corrections_of(session, shipment.id)
    copies: dict[int, int] = {}
    prices: dict[int, Decimal | None] = {}
    for document in documents:
        for line in document.lines:
            copies[line.title_id] = copies.get(line.title_id, 0) + line.copies
            prices.setdefault(line.title_id, line.price)
    titles = {
        t.id: t for t in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.id.in_(list(copies))))
    } if copies else {}  # fmt: skip
    return [
        RecipientLine(
            titles[title_id].edition_id, count,
            prices[title_id] if shipment.frozen else titles[title_id].price, shipment.number,
        )  # fmt: skip
        for title_id, count in sorted(copies.items())
        if count > 0
    ]
