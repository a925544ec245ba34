"""The normalised bibliographic view: the same questions answered for MARC21 and UNIMARC records.

Deduplication, receipts and reports need "title, authors, year, ISBN ..." without caring which
flavour a record came in. ``bib_view`` answers them in one pass over the record's fields (it
runs on every record of 100k-record files). RUSMARC is read as UNIMARC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache

import pymarc

from marc.isbn import Isbn, normalise_issn, parse_isbn
from marc.sniff import is_ascii_digits

_LAST_YEAR = date.today().year + 1
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_TRAILING = re.compile(r"[\s/:;,=]+$")
_LEADING = re.compile(r"^[\s/:;,=]+")
_LAST_WORD = re.compile(r"(\w[\w\u0300-\u036f\ufe20-\ufe2f]*)\.$")
# Words that end a field abbreviated; Ukrainian and Russian cataloguing abbreviates many
# three-letter-plus words, so the "three letters make a word" rule alone would eat their period.
# fmt: off
ABBREVIATIONS = frozenset({
    "вид", "доп", "перероб", "випр", "испр", "стер", "посіб", "пособ", "навч", "учеб", "ред",
    "упоряд", "уклад", "сост", "авт", "пер", "худож", "іл", "ил", "кн", "вип", "вып", "изд",
    "перевид", "доповн", "розшир", "дораб", "прим", "табл", "портр", "факс", "репр", "акад",
    "держ", "гос", "обл", "просп", "вул", "грн", "руб", "коп", "сер", "зб", "сб", "ювіл", "ім",
    "им", "стр", "арк", "літ", "лит", "мист",
    "inc", "ltd", "co", "corp", "bros", "etc", "pbk", "vol", "vols", "ill", "illus", "col",
    "approx", "jr", "sr", "publ", "univ", "dept", "acad", "soc", "assoc", "inst", "govt", "off",
    "rev", "enl", "ed", "eds",
})
# fmt: on
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SUBDIVISIONS_MARC21 = frozenset("vxyz")
_SUBDIVISIONS_UNIMARC = frozenset("jxyz")
_BBK_SOURCES = ("rubbk", "bbk", "ббк")


@dataclass(frozen=True, slots=True)
class HostLink:
    """The host item an analytic record (article, chapter, volume) belongs to."""

    tag: str  # "461", "463" or "773"
    title: str | None
    control_number: str | None
    part: str | None  # volume, issue, pages: where in the host this item is
    issn: str | None = None
    isbn: str | None = None


@dataclass(frozen=True, slots=True)
class BibView:
    """What komplekt needs to know about an edition, whatever the record's flavour."""

    control_number: str | None = None
    isbns: list[Isbn] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    title: str | None = None
    remainder_of_title: str | None = None
    responsibility: str | None = None
    authors: list[str] = field(default_factory=list)
    corporate_authors: list[str] = field(default_factory=list)
    edition: str | None = None
    place: str | None = None
    publisher: str | None = None
    year: str | None = None
    extent: str | None = None
    series: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    udc: list[str] = field(default_factory=list)
    bbk: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    price: str | None = None
    host: HostLink | None = None
    record_type: str | None = None
    bibliographic_level: str | None = None

    def as_dict(self) -> dict[str, object]:
        """A JSON-able dict: every field plus the flat keys isbn, isbn_invalid and language."""
        data = asdict(self)
        data["isbn"] = _unique(i.value for i in self.isbns)  # 020 often gives both forms
        data["isbn_invalid"] = [i.raw for i in self.isbns if not i.valid]
        data["language"] = self.languages[0] if self.languages else None
        return data


def bib_view(record: pymarc.Record, flavour: str) -> BibView:
    """The normalised view of ``record`` read as ``flavour`` ("marc21" or "unimarc")."""
    if flavour == "marc21":
        handlers = _MARC21
    elif flavour in ("unimarc", "rusmarc"):
        handlers = _UNIMARC
    else:
        raise ValueError(f"unknown MARC flavour {flavour!r}")
    acc = _Collected()
    for fld in record.fields:
        handler = handlers.get(fld.tag)
        if handler is not None:
            handler(acc, fld)
    leader = str(record.leader or "")
    return acc.view(flavour, leader)


# ---------------------------------------------------------------- text helpers


@lru_cache(maxsize=65536)  # places, publishers and headings recur across a file
def clean(text: str | None) -> str | None:
    """Text without ISBD punctuation at its ends; a final period stays after abbreviations.

    "Summerland /" -> "Summerland", "Chabon, Michael." -> "Chabon, Michael", but
    "Dick, Philip K.", "1st ed.", "2-ге вид., доп." and "К." keep their period: a period
    is removed after a number, or after a word of three or more letters (the rule traject
    uses) that is not a known abbreviation. Text comes back in Unicode NFC.
    """
    if text is None:
        return None
    # one form for matching: MARC-8 and many UTF-8 files carry decomposed letters
    text = _LEADING.sub("", unicodedata.normalize("NFC", text).strip())
    previous = None
    while text != previous:
        previous = text
        text = _TRAILING.sub("", text)
        if text.endswith(".") and not text.endswith("..") and _ends_in_word(text):
            text = text[:-1]
    if text.startswith("[") and "]" not in text:
        text = text[1:]
    if text.endswith("]") and "[" not in text:
        text = text[:-1]
    return text.strip() or None


def _ends_in_word(text: str) -> bool:
    """Whether a final period is punctuation: after a number or a full word, not "K." or "вид."."""
    match = _LAST_WORD.search(text)
    if not match:
        return False
    word = "".join(ch for ch in match.group(1) if not unicodedata.combining(ch))
    if word[-1].isdigit():
        return True
    return len(word) >= 3 and word.lower() not in ABBREVIATIONS


def _join(parts: Iterable[str | None], separator: str = ". ") -> str | None:
    """Join the non-empty parts, not doubling a period a part already ends with."""
    text = ""
    for part in parts:
        if not part:
            continue
        if text:
            text += " " if separator == ". " and text.endswith(".") else separator
        text += part
    return text or None


def _year(text: str | None) -> str | None:
    """First plausible four-digit year ("c2002." -> "2002"; "2557 [2014]" -> "2014")."""
    for match in _YEAR.finditer(text or ""):
        if 1000 <= int(match.group(1)) <= _LAST_YEAR:
            return match.group(1)
    return None


def _language_codes(text: str) -> list[str]:
    """Codes from "ukr" or the old run-together "engspa"; nothing from fill characters."""
    text = text.strip(" .,;").lower()  # "chi." in a Taiwanese UNIMARC 101$a
    if not text or len(text) % 3 or not text.isalpha():
        return []
    return [text[i : i + 3] for i in range(0, len(text), 3)]


def _unique(items: Iterable[str | None]) -> list[str]:
    """Non-empty items in first-seen order."""
    return list(dict.fromkeys(i for i in items if i))


def _subfields(fld: pymarc.Field) -> list[pymarc.Subfield]:
    """A data field's subfields; none for control fields or IRBIS fields without any."""
    return getattr(fld, "subfields", None) or []


def _first(fld: pymarc.Field, code: str) -> str | None:
    """The first non-blank value of subfield ``code``."""
    for sub in _subfields(fld):
        if sub.code == code and sub.value and sub.value.strip():
            return sub.value
    return None


def _all(fld: pymarc.Field, code: str) -> list[str]:
    """Every non-blank value of subfield ``code``."""
    return [s.value for s in _subfields(fld) if s.code == code and s.value and s.value.strip()]


def _heading(fld: pymarc.Field, subdivisions: frozenset[str], name_parts: str = "") -> str | None:
    """Subject heading: $a (with name parts) then subdivisions, joined by " -- "."""
    main: list[str] = []
    subs: list[str] = []
    for sub in _subfields(fld):
        value = clean(sub.value)
        if not value:
            continue
        starts_name = sub.code == "a" or (sub.code in name_parts and main)
        if starts_name and not subs:
            main.append(value)
        elif sub.code in subdivisions and main:
            subs.append(value)
    if not main:
        return None
    return " -- ".join([", ".join(main), *subs])


def _control_data(fld: pymarc.Field) -> str | None:
    """Data of a control field, tolerating readers that store it as a data field."""
    data = getattr(fld, "data", None)
    if data is None:
        data = "".join(s.value for s in _subfields(fld))
    return data


# ---------------------------------------------------------------- the accumulator


@dataclass(slots=True)
class _Collected:
    """What one pass over the fields gathers before it is turned into a BibView."""

    control_number: str | None = None
    isbns: list[Isbn] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    title: str | None = None
    remainder: str | None = None
    responsibility: str | None = None
    authors: list[str | None] = field(default_factory=list)
    corporate: list[str | None] = field(default_factory=list)
    edition: str | None = None
    publication: list[tuple[int, str | None, str | None, str | None]] = field(default_factory=list)
    coded_year: str | None = None
    extent: str | None = None
    series: list[str | None] = field(default_factory=list)
    coded_languages: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    udc: list[str] = field(default_factory=list)
    bbk: list[str] = field(default_factory=list)
    subjects: list[str | None] = field(default_factory=list)
    price: str | None = None
    hosts: dict[str, HostLink] = field(default_factory=dict)

    def view(self, flavour: str, leader: str) -> BibView:
        """The BibView these findings make."""
        place = publisher = text_year = None
        for _, p_place, p_publisher, p_year in sorted(self.publication, key=lambda p: p[0]):
            place = place or p_place
            publisher = publisher or p_publisher
            text_year = text_year or p_year
        price = self.price or next((i.price for i in self.isbns if i.price), None)
        return BibView(
            control_number=self.control_number,
            isbns=self.isbns,
            issns=_unique(self.issns),
            title=self.title,
            remainder_of_title=self.remainder,
            responsibility=self.responsibility,
            authors=_unique(self.authors),
            corporate_authors=_unique(self.corporate),
            edition=self.edition,
            place=place,
            publisher=publisher,
            year=self.coded_year or text_year,
            extent=self.extent,
            series=_unique(self.series),
            languages=_unique([*self.coded_languages, *self.languages])
            if flavour == "marc21"
            else _unique(self.languages),
            udc=_unique(self.udc),
            bbk=_unique(self.bbk),
            subjects=_unique(self.subjects),
            price=price,
            host=_pick_host(self.hosts),
            record_type=(leader[6:7].strip() or None) if len(leader) > 7 else None,
            bibliographic_level=(leader[7:8].strip() or None) if len(leader) > 7 else None,
        )


def _pick_host(hosts: dict[str, HostLink]) -> HostLink | None:
    """773, or UNIMARC 463 (the piece holding the item) completed from 461 (the set)."""
    if "773" in hosts:
        return hosts["773"]
    piece, whole = hosts.get("463"), hosts.get("461")
    if piece and whole and not piece.title:
        return HostLink(
            tag="463",
            title=whole.title,
            control_number=piece.control_number or whole.control_number,
            part=piece.part or whole.part,
            issn=piece.issn or whole.issn,
            isbn=piece.isbn or whole.isbn,
        )
    return piece or whole


Handler = Callable[[_Collected, pymarc.Field], None]


# ---------------------------------------------------------------- shared handlers


def _control_number(acc: _Collected, fld: pymarc.Field) -> None:
    acc.control_number = (_control_data(fld) or "").strip() or None


def _isbn_field(price_code: str, qualifier_code: str) -> Handler:
    """020 / 010: $a numbers, $z cancelled numbers, price and qualifier subfields."""

    def handle(acc: _Collected, fld: pymarc.Field) -> None:
        qualifiers = [clean(q) for q in _all(fld, qualifier_code)]
        qualifier = "; ".join(q.strip("()") for q in qualifiers if q) or None
        for sub in _subfields(fld):
            if sub.code in ("a", "z") and sub.value and sub.value.strip():
                isbn = parse_isbn(sub.value.strip(), sub.code == "z")
                if qualifier and not isbn.qualifier:
                    isbn = Isbn(isbn.value, isbn.raw, isbn.valid, qualifier, isbn.price)
                acc.isbns.append(isbn)
        if acc.price is None:
            acc.price = clean(_first(fld, price_code))

    return handle


def _issn(acc: _Collected, fld: pymarc.Field) -> None:
    for value in _all(fld, "a"):
        number = normalise_issn(value)
        if number:
            acc.issns.append(number)


def _classification(target: str) -> Handler:
    def handle(acc: _Collected, fld: pymarc.Field) -> None:
        getattr(acc, target).extend(v.strip() for v in _all(fld, "a"))

    return handle


def _bbk(looks_required: bool) -> Handler:
    """084 / 686: a ББК index when $2 names ББК, or (when $2 is absent) it looks like one."""

    def handle(acc: _Collected, fld: pymarc.Field) -> None:
        source = (_first(fld, "2") or "").strip().lower()
        if source and not source.startswith(_BBK_SOURCES):
            return
        for value in _all(fld, "a"):
            if source or not looks_required or _CYRILLIC.search(value):
                acc.bbk.append(value.strip())

    return handle


def _series(acc: _Collected, fld: pymarc.Field) -> None:
    acc.series.extend(clean(v) for v in _all(fld, "a"))


def _extent(acc: _Collected, fld: pymarc.Field) -> None:
    if acc.extent is None:
        acc.extent = clean(_first(fld, "a"))


def _edition(acc: _Collected, fld: pymarc.Field) -> None:
    if acc.edition is None:
        acc.edition = clean(_first(fld, "a"))


# ---------------------------------------------------------------- MARC21


def _m21_008(acc: _Collected, fld: pymarc.Field) -> None:
    data = _control_data(fld) or ""
    if is_ascii_digits(data[7:11]):
        acc.coded_year = data[7:11]
    acc.coded_languages = _language_codes(data[35:38])


def _m21_041(acc: _Collected, fld: pymarc.Field) -> None:
    for value in _all(fld, "a"):
        acc.languages.extend(_language_codes(value))


def _m21_person(acc: _Collected, fld: pymarc.Field) -> None:
    acc.authors.append(clean(_first(fld, "a")))


def _m21_corporate(acc: _Collected, fld: pymarc.Field) -> None:
    acc.corporate.append(_join(clean(v) for v in (_first(fld, "a"), *_all(fld, "b"))))


def _m21_245(acc: _Collected, fld: pymarc.Field) -> None:
    if acc.title is not None:
        return
    acc.title = _join(clean(v) for v in (_first(fld, "a"), *_all(fld, "n"), *_all(fld, "p")))
    acc.remainder = clean(_first(fld, "b"))
    acc.responsibility = clean(_first(fld, "c"))


def _m21_publication(acc: _Collected, fld: pymarc.Field) -> None:
    # 260 and 264 with ind2 1 (publication) first; 264 copyright/manufacture only as a fallback
    rank = 0 if fld.tag == "260" or fld.indicator2 == "1" else 1
    acc.publication.append(
        (rank, clean(_first(fld, "a")), clean(_first(fld, "b")), _year(_first(fld, "c")))
    )


def _m21_subject(acc: _Collected, fld: pymarc.Field) -> None:
    if fld.tag == "653":  # uncontrolled terms: every $a is a term of its own
        acc.subjects.extend(clean(v) for v in _all(fld, "a"))
    else:
        acc.subjects.append(_heading(fld, _SUBDIVISIONS_MARC21))


def _m21_773(acc: _Collected, fld: pymarc.Field) -> None:
    parts = [clean(v) for v in _all(fld, "g")]
    acc.hosts["773"] = HostLink(
        tag="773",
        title=clean(_first(fld, "t")),
        control_number=(_first(fld, "w") or "").strip() or None,
        part="; ".join(p for p in parts if p) or None,
        issn=normalise_issn(_first(fld, "x") or ""),
        isbn=(_first(fld, "z") or "").strip() or None,
    )


_MARC21: dict[str, Handler] = {
    "001": _control_number,
    "008": _m21_008,
    "020": _isbn_field(price_code="c", qualifier_code="q"),
    "022": _issn,
    "041": _m21_041,
    "080": _classification("udc"),
    "084": _bbk(looks_required=True),
    "100": _m21_person,
    "700": _m21_person,
    "110": _m21_corporate,
    "111": _m21_corporate,
    "710": _m21_corporate,
    "711": _m21_corporate,
    "245": _m21_245,
    "250": _edition,
    "260": _m21_publication,
    "264": _m21_publication,
    "300": _extent,
    "440": _series,
    "490": _series,
    "830": _series,
    "773": _m21_773,
    **{f"6{n:02d}": _m21_subject for n in range(100)},
}


# ---------------------------------------------------------------- UNIMARC


def _uni_100(acc: _Collected, fld: pymarc.Field) -> None:
    data = _first(fld, "a") or ""
    if is_ascii_digits(data[9:13]):
        acc.coded_year = data[9:13]


def _uni_101(acc: _Collected, fld: pymarc.Field) -> None:
    for value in _all(fld, "a"):
        acc.languages.extend(_language_codes(value))


def _uni_200(acc: _Collected, fld: pymarc.Field) -> None:
    if acc.title is not None:
        return
    title = _join((clean(v) for v in _all(fld, "a")), " ; ")
    parts = [clean(v) for v in (*_all(fld, "h"), *_all(fld, "i"))]
    acc.title = _join([title, *parts]) if title else None
    remainders = [clean(v) for v in _all(fld, "e")]
    acc.remainder = " : ".join(r for r in remainders if r) or None
    statements = [clean(v) for v in (*_all(fld, "f"), *_all(fld, "g"))]
    acc.responsibility = " ; ".join(s for s in statements if s) or None


def _uni_publication(acc: _Collected, fld: pymarc.Field) -> None:
    rank = 0 if fld.tag == "210" else 1
    acc.publication.append(
        (rank, clean(_first(fld, "a")), clean(_first(fld, "c")), _year(_first(fld, "d")))
    )


def _uni_person(acc: _Collected, fld: pymarc.Field) -> None:
    # $b holds forenames or initials; Ukrainian Koha records put initials in $g instead
    surname = clean(_first(fld, "a"))
    forenames = clean(_first(fld, "b") or _first(fld, "g"))
    acc.authors.append(f"{surname}, {forenames}" if surname and forenames else surname)


def _uni_corporate(acc: _Collected, fld: pymarc.Field) -> None:
    acc.corporate.append(_join(clean(v) for v in (_first(fld, "a"), *_all(fld, "b"))))


def _uni_subject(acc: _Collected, fld: pymarc.Field) -> None:
    name_parts = "b" if fld.tag in ("600", "601") else ""
    acc.subjects.append(_heading(fld, _SUBDIVISIONS_UNIMARC, name_parts))


def _uni_225(acc: _Collected, fld: pymarc.Field) -> None:
    acc.series.extend(clean(v) for v in _all(fld, "a"))


def _uni_410(acc: _Collected, fld: pymarc.Field) -> None:
    acc.series.append(_uni_link(fld).title)


def _uni_host(acc: _Collected, fld: pymarc.Field) -> None:
    acc.hosts.setdefault(fld.tag, _uni_link(fld))


def _uni_link(fld: pymarc.Field) -> HostLink:
    """A UNIMARC 4XX link, in embedded-field ($1) or standard-subfield ($t, $v ...) form.

    Embedded fields come two ways: $1 holding only tag and indicators ("2001"), with the
    embedded field's subfields following until the next $1; or $1 holding a whole field as
    text ("2001 $aTitle"). Control fields come as "001" + data.
    """
    own: dict[str, str] = {}
    embedded: dict[str, dict[str, str]] = {}
    current: str | None = None
    for sub in _subfields(fld):
        value = (sub.value or "").strip()
        if sub.code == "1":
            current = _embed(value, embedded)
        elif value:
            target = embedded[current] if current else own
            target.setdefault(sub.code, value)
    title_field = embedded.get("200", {})
    part = own.get("v") or title_field.get("v") or title_field.get("h")
    isbn = own.get("y") or embedded.get("010", {}).get("a")
    return HostLink(
        tag=fld.tag,
        title=clean(own.get("t") or title_field.get("a")),
        control_number=own.get("0") or embedded.get("001", {}).get(""),
        part=clean(part),
        issn=normalise_issn(own.get("x") or embedded.get("011", {}).get("a") or ""),
        isbn=isbn,
    )


_INLINE_SUBFIELD = re.compile(r"[$\x1f](\w)")


def _embed(value: str, embedded: dict[str, dict[str, str]]) -> str | None:
    """Record one $1 value; return the tag that following subfields belong to, if any."""
    tag, rest = value[:3], value[3:]
    if len(tag) < 3:
        return None
    target = embedded.setdefault(tag, {})
    if tag.startswith("00"):
        target.setdefault("", rest.strip())
        return None
    if _INLINE_SUBFIELD.search(rest):
        pieces = _INLINE_SUBFIELD.split(rest)
        for code, text in zip(pieces[1::2], pieces[2::2], strict=True):
            if text.strip():
                target.setdefault(code, text.strip())
        return None
    return tag


_UNIMARC: dict[str, Handler] = {
    "001": _control_number,
    "010": _isbn_field(price_code="d", qualifier_code="b"),
    "011": _issn,
    "100": _uni_100,
    "101": _uni_101,
    "200": _uni_200,
    "205": _edition,
    "210": _uni_publication,
    "214": _uni_publication,
    "215": _extent,
    "225": _uni_225,
    "410": _uni_410,
    "461": _uni_host,
    "463": _uni_host,
    "600": _uni_subject,
    "601": _uni_subject,
    "606": _uni_subject,
    "607": _uni_subject,
    "608": _uni_subject,
    "675": _classification("udc"),
    "686": _bbk(looks_required=False),
    "700": _uni_person,
    "701": _uni_person,
    "702": _uni_person,
    "710": _uni_corporate,
    "711": _uni_corporate,
    "712": _uni_corporate,
}
