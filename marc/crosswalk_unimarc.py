"""MARC21 → UNIMARC: one small function per MARC21 field, ISBD punctuation stripped on the way.

Field by field as in ``docs/crosswalk.md``; the reverse of ``marc.crosswalk_marc21``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pymarc
from pymarc import Field, Indicators, Subfield
from pymarc.leader import Leader
from stdnum import isbn as stdnum_isbn

from marc.crosswalk import (
    AUDIENCE_008,
    AUDIENCE_TO_UNIMARC,
    BIB_LEVEL_TO_UNIMARC,
    DATE_TYPE_TO_UNIMARC,
    ENCODING_LEVEL_TO_UNIMARC,
    GOVERNMENT_008,
    GOVERNMENT_TO_UNIMARC,
    RECORD_TYPE_TO_UNIMARC,
    STATUS_TO_UNIMARC,
    THESAURUS_TO_SOURCE,
    control_text,
    controlfield,
    convert_fields,
    datafield,
    first_of,
    first_subfield,
    indicator,
    lookup,
    material,
    pairs,
    relator_to_unimarc,
    split_isbn,
    strip_isbd,
    unbracket,
)
from marc.sniff import is_ascii_digits

Pairs = list[tuple[str, str]]
Handler = Callable[[Field, pymarc.Record], list[Field | None]]

_PRIMARY_ROLES = {"070", "072", "330"}  # author, author in quotations, dubious author
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def to_unimarc(record: pymarc.Record) -> tuple[pymarc.Record, Counter[str]]:
    """Convert a MARC21 record; return the UNIMARC record and the uncovered tags counted."""
    def convert_one(source: Field) -> list[Field | None] | None:
        handler = _HANDLERS.get(source.tag)
        return None if handler is None else handler(source, record)

    fields, uncovered = convert_fields(record, "marc21", "unimarc", convert_one)
    fields.append(_field_100(record))
    if not record.get_fields("041"):
        fields.extend(made for made in [_language_from_008(record)] if made is not None)
    result = pymarc.Record(to_unicode=True)
    result.leader = Leader(_leader(record))
    result.fields = sorted(fields, key=lambda made: made.tag)
    return result, uncovered


# --- leader and coded data ---------------------------------------------------------------------


def _leader(record: pymarc.Record) -> str:
    """UNIMARC leader: status, type, level, encoding level mapped; hierarchy 2 under a 773 host."""
    source = str(record.leader).ljust(24)
    hierarchy = "2" if record.get_fields("773") else " "
    described = "n" if source[18] in " nu" else " "
    return (
        "00000"
        + lookup(STATUS_TO_UNIMARC, source[5], "n")
        + lookup(RECORD_TYPE_TO_UNIMARC, source[6], "a")
        + lookup(BIB_LEVEL_TO_UNIMARC, source[7], "m")
        + hierarchy
        + " 2200000"
        + lookup(ENCODING_LEVEL_TO_UNIMARC, source[17], "3")
        + described
        + " 450 "
    )


def _field_100(record: pymarc.Record) -> Field:
    """100$a (36 characters) from 008, 040$b and the title; character set 50 (ISO 10646)."""
    coded = next((control_text(f) for f in record.get_fields("008")), "").ljust(40, "|")
    leader = str(record.leader).ljust(24)
    kind = material(leader[6], leader[7])
    chars = [" "] * 36
    chars[0:8] = _date_entered(record, coded)
    chars[8] = lookup(DATE_TYPE_TO_UNIMARC, coded[6], "|")
    chars[9:13] = _year(coded[7:11])
    chars[13:17] = _year(coded[11:15])
    if kind in AUDIENCE_008:
        chars[17] = lookup(AUDIENCE_TO_UNIMARC, coded[22], "|")
    chars[20] = lookup(GOVERNMENT_TO_UNIMARC, coded[28], "|") if kind in GOVERNMENT_008 else "|"
    chars[21] = {" ": "0", "x": "1"}.get(coded[38], "|" if coded[38] == "|" else "0")
    language = first_subfield(record, "040", "b").strip()
    chars[22:25] = language if len(language) == 3 and language.isalpha() else "|||"
    chars[25] = "|"
    chars[26:30] = "50  "
    chars[34:36] = _script(first_subfield(record, "245", "a"))
    return Field("100", Indicators(" ", " "), subfields=[Subfield("a", "".join(chars))])


def _date_entered(record: pymarc.Record, coded: str) -> str:
    """YYYYMMDD from 008/00-05 (years 60-99 read as 19xx), else from 005, else fill."""
    entered = coded[0:6]
    if is_ascii_digits(entered):
        return ("19" if entered[:2] >= "60" else "20") + entered
    stamp = next((control_text(f)[:8] for f in record.get_fields("005")), "")
    return stamp if is_ascii_digits(stamp) and len(stamp) == 8 else "|" * 8


def _year(value: str) -> str:
    """A MARC21 008 date as UNIMARC writes it: unknown digits ("u") become blanks."""
    return value.replace("u", " ")


def _script(title: str) -> str:
    """100$a/34-35 script of title: ba Latin, ca Cyrillic, fill when neither dominates."""
    cyrillic, latin = len(_CYRILLIC.findall(title)), len(_LATIN.findall(title))
    if cyrillic > latin:
        return "ca"
    return "ba" if latin else "||"


def _agencies(source: Field, _: pymarc.Record) -> list[Field | None]:
    """040 → 801: $a original (ind2 0), $c transcribing (1, when it differs), $d modifying (2)."""
    first = first_of(pairs(source))
    rules = [("g", first("e"))]
    made = [datafield("801", " ", "0", [("b", first("a")), *rules])]
    if first("c") and first("c") != first("a"):
        made.append(datafield("801", " ", "1", [("b", first("c"))]))
    made += [datafield("801", " ", "2", [("b", v.strip())]) for c, v in pairs(source) if c == "d"]
    return made


# --- identifiers, languages ----------------------------------------------------------------------


def _isbn(source: Field, _: pymarc.Record) -> list[Field | None]:
    """020 → 010: hyphenated ISBN $a, qualifier ($q or "(…)" after the number) $b, price $c → $d."""
    numbers: Pairs = []
    qualifiers: list[str] = []
    prices: list[str] = []
    for code_, value in pairs(source):
        if code_ in "az":
            number, qualifier = split_isbn(value)
            numbers.append((code_, _hyphenated(number) if code_ == "a" else number))
            qualifiers.append(qualifier)
        elif code_ == "q":
            qualifiers.append(unbracket(value))
        elif code_ == "c":
            prices.append(strip_isbd(value))
    valid = [pair for pair in numbers if pair[0] == "a"]
    invalid = [pair for pair in numbers if pair[0] == "z"]
    subfields = [*valid, ("b", "; ".join(q for q in qualifiers if q))]
    subfields += [("d", price) for price in prices] + invalid
    return [datafield("010", " ", " ", subfields)]


def _hyphenated(number: str) -> str:
    """A valid ISBN with its standard hyphens (UNIMARC practice); anything else as it is."""
    return stdnum_isbn.format(number, convert=False) if stdnum_isbn.is_valid(number) else number


_ISSN = {"a": "a", "z": "y", "y": "z", "l": "f", "m": "g"}
_LANGUAGE = {"a": "a", "b": "d", "e": "h", "f": "e", "g": "i", "h": "c", "j": "j", "k": "b"}


def _issn(source: Field, _: pymarc.Record) -> list[Field | None]:
    """022 → 011: $a; canceled $z → $y; incorrect $y → $z; ISSN-L $l → $f, $m → $g."""
    return [datafield("011", " ", " ", _renamed(source, _ISSN))]


def _language(source: Field, _: pymarc.Record) -> list[Field | None]:
    """041 → 101, splitting old run-together codes ("engfre") into one code a subfield."""
    subfields = [
        (_LANGUAGE[c], chunk) for c, v in pairs(source) if c in _LANGUAGE for chunk in _codes(v)
    ]
    translated = indicator(source, 1) == "1" or any(c == "c" for c, _ in subfields)
    return [datafield("101", "1" if translated else "0", " ", subfields)]


def _codes(value: str) -> list[str]:
    """Language codes in one subfield: "sanengkan" → ["san", "eng", "kan"]."""
    text = value.strip()
    if len(text) > 3 and len(text) % 3 == 0 and text.isalpha():
        return [text[i : i + 3] for i in range(0, len(text), 3)]
    return [text]


def _language_from_008(record: pymarc.Record) -> Field | None:
    """101 from 008/35-37 when the record has no 041."""
    coded = next((control_text(f) for f in record.get_fields("008")), "")
    language = coded[35:38]
    if len(language) == 3 and language.isalpha():
        return datafield("101", "0", " ", [("a", language)])
    return None


# --- descriptive fields --------------------------------------------------------------------------


def _title(source: Field, _: pymarc.Record) -> list[Field | None]:
    """245 → 200: $a, $h → $b, $b → $e (or $d after " ="), $c → $f then $g, $n → $h, $p → $i."""
    out: Pairs = []
    previous = ""
    for code_, raw in pairs(source):
        value = raw.strip()
        if code_ == "a":
            out.append(("a", strip_isbd(value)))
        elif code_ == "h":
            out.append(("b", unbracket(value)))
        elif code_ == "b":
            out += _other_titles(value, parallel=previous.endswith("="))
        elif code_ == "c":
            out += _statements(value)
        elif code_ in "np":
            out.append(("h" if code_ == "n" else "i", strip_isbd(value)))
        previous = value
    return [datafield("200", "1", " ", out)]


def _other_titles(value: str, parallel: bool) -> Pairs:
    """245$b split at " : " (other title information, $e) and " = " (parallel title, $d)."""
    parts = re.split(r"\s+([:=])\s+", strip_isbd(value))
    found: Pairs = [("d" if parallel else "e", parts[0])]
    for mark, text in zip(parts[1::2], parts[2::2], strict=False):
        found.append(("d" if mark == "=" else "e", text))
    return found


def _edition(source: Field, _: pymarc.Record) -> list[Field | None]:
    """250 → 205: $a; $b (responsibility) → $f, later statements after " ; " → $g."""
    out: Pairs = []
    for code_, value in pairs(source):
        if code_ == "a":
            out.append(("a", strip_isbd(value)))
        elif code_ == "b":
            out += _statements(value)
    return [datafield("205", " ", " ", out)]


def _statements(value: str) -> Pairs:
    """Statements of responsibility: the first → $f, a parallel one (after " =") → $f,
    a subsequent one (after " ;") → $g."""
    parts = re.split(r"\s+([;=])\s+", strip_isbd(value))
    found: Pairs = [("f", parts[0])]
    for mark, text in zip(parts[1::2], parts[2::2], strict=False):
        found.append(("f" if mark == "=" else "g", text))
    return found


_PUBLICATION = {"a": "a", "b": "c", "c": "d", "e": "e", "f": "g", "g": "h"}


def _publication(source: Field, _: pymarc.Record) -> list[Field | None]:
    """260 → 210: place $a, publisher $b → $c, date $c → $d, manufacture $e $f $g → $e $g $h."""
    subfields = [(_PUBLICATION[c], _bare(v)) for c, v in pairs(source) if c in _PUBLICATION]
    return [datafield("210", " ", " ", subfields)]


def _production(source: Field, _: pymarc.Record) -> list[Field | None]:
    """264 → 214 (UNIMARC's RDA-era field) with the same function indicator."""
    names = {"a": "a", "b": "c", "c": "d"}
    subfields = [(names[c], _bare(v)) for c, v in pairs(source) if c in names]
    return [datafield("214", " ", indicator(source, 2), subfields)]


def _extent(source: Field, _: pymarc.Record) -> list[Field | None]:
    """300 → 215: $a, $b → $c, $c → $d, $e."""
    names = {"a": "a", "b": "c", "c": "d", "e": "e"}
    subfields = [(names[c], strip_isbd(v).lstrip("+ ")) for c, v in pairs(source) if c in names]
    return [datafield("215", " ", " ", subfields)]


def _series(source: Field, _: pymarc.Record) -> list[Field | None]:
    """490/440 → 225: $a (a later $a or 440 $p → $i, 440 $n → $h), $v, $x; tracing → ind1."""
    out: Pairs = []
    for code_, value in pairs(source):
        if code_ == "a":
            out.append(("i" if any(c == "a" for c, _ in out) else "a", strip_isbd(value)))
        elif code_ in "npvx":
            out.append(({"n": "h", "p": "i"}.get(code_, code_), strip_isbd(value)))
    traced = {"0": "1", "1": "0"}.get(indicator(source, 1), "1")
    return [datafield("225", "2" if source.tag == "440" else traced, " ", out)]


def _note(tag: str) -> Handler:
    """500 → 300, 504 → 320, 520 → 330: the note's $a without its closing period."""

    def convert(source: Field, _: pymarc.Record) -> list[Field | None]:
        texts = [("a", strip_isbd(v)) for c, v in pairs(source) if c == "a"]
        return [datafield(tag, " ", " ", texts)]

    return convert


# --- names ---------------------------------------------------------------------------------------


def person_subfields(subfields: Pairs, form: str) -> tuple[str, Pairs]:
    """MARC21 "Surname, Forenames" → UNIMARC form indicator (ind2) and $a $b $d $c $g $f."""
    first = first_of(subfields)
    name = strip_isbd(first("a"))
    surname, forenames = name, ""
    if form in "13" and ", " in name:
        surname, forenames = name.split(", ", 1)
    out: Pairs = [("a", surname), ("b", forenames), ("d", strip_isbd(first("b")))]
    out += [("c", strip_isbd(v)) for c, v in subfields if c == "c"]
    out += [("g", unbracket(first("q"))), ("f", strip_isbd(first("d")))]
    return ("0" if form == "0" else "1"), out


def _relators(source: Field) -> Pairs:
    """$4 codes and $e/$j role terms as UNIMARC numeric $4; unknown roles are left out."""
    codes = [relator_to_unimarc(v) for c, v in pairs(source) if c in ("4", "e", "j")]
    unique = dict.fromkeys(found for found in codes if found)
    return [("4", found) for found in unique]


def _person(main: bool) -> Handler:
    """100 → 700; 700 → 701 (author or no role) or 702 (any other role)."""

    def convert(source: Field, _: pymarc.Record) -> list[Field | None]:
        form, subfields = person_subfields(pairs(source), indicator(source, 1))
        relators = _relators(source)
        tag = "700" if main else _responsibility_tag(relators, "701", "702")
        return [datafield(tag, " ", form, subfields + relators)]

    return convert


def corporate_subfields(subfields: Pairs, meeting: bool) -> Pairs:
    """MARC21 corporate or meeting name → UNIMARC $a $b $d $f $e ($c for 110 $g)."""
    names = {"a": "a", "n": "d", "d": "f", "c": "e", "g": "c", "e" if meeting else "b": "b"}
    out: Pairs = []
    for code_, value in subfields:
        if code_ == "q" and out:
            out[0] = ("a", f"{out[0][1]} {_bare(value)}")
        elif names.get(code_) in ("a", "b"):
            out += _qualified(names[code_], strip_isbd(value))
        elif code_ in names:
            out.append((names[code_], _bare(value)))
    return out


_QUALIFIER = re.compile(r"^(.+?)\s*\(([^()]+)\)$")


def _qualified(target: str, name: str) -> Pairs:
    """ "Korea (North)" → $a Korea, $c North: UNIMARC keeps a name's qualifier in $c."""
    qualifiers: list[str] = []
    while (match := _QUALIFIER.match(name)) is not None:
        name = match.group(1)
        qualifiers.insert(0, match.group(2))
    return [(target, name)] + [("c", qualifier) for qualifier in qualifiers]


def _corporate(main: bool) -> Handler:
    """110/111 → 710 (ind1 0 body, 1 meeting); 710/711 → 711 or 712 by role, as for persons."""

    def convert(source: Field, _: pymarc.Record) -> list[Field | None]:
        meeting = source.tag.endswith("11")
        relators = _relators(source)
        tag = "710" if main else _responsibility_tag(relators, "711", "712")
        form = indicator(source, 1) if indicator(source, 1) in "012" else "2"
        subfields = corporate_subfields(pairs(source), meeting) + relators
        return [datafield(tag, "1" if meeting else "0", form, subfields)]

    return convert


def _responsibility_tag(relators: Pairs, alternative: str, secondary: str) -> str:
    """Alternative responsibility for authors (070, the default role), secondary for others."""
    roles = {value for _, value in relators}
    return alternative if not roles or roles & _PRIMARY_ROLES else secondary


# --- subjects, classification --------------------------------------------------------------------

_SUBDIVISION = {"x": "x", "z": "y", "y": "z", "v": "j"}  # MARC21 $z is place, $y is period


def _subject(tag: str, kind: str) -> Handler:
    """600 → 600, 610/611 → 601, 650 → 606, 651 → 607, 655 → 608; second indicator → $2."""

    def convert(source: Field, _: pymarc.Record) -> list[Field | None]:
        subfields = pairs(source)
        heading = [(c, v) for c, v in subfields if c not in _SUBDIVISION and c != "2"]
        ind1, ind2 = " ", " "
        if kind == "person":
            ind2, out = person_subfields(heading, indicator(source, 1))
        elif kind == "corporate":
            meeting = source.tag == "611"
            form = indicator(source, 1)
            ind1, ind2 = ("1" if meeting else "0"), (form if form in "012" else "2")
            out = corporate_subfields(heading, meeting)
        else:
            out = [("a", strip_isbd(v)) for c, v in heading if c == "a"][:1]
            ind1 = indicator(source, 1) if indicator(source, 1) in "012" else " "
        out += [(_SUBDIVISION[c], strip_isbd(v)) for c, v in subfields if c in _SUBDIVISION]
        out.append(("2", _thesaurus(source)))
        return [datafield(tag, ind1, ind2, out)]

    return convert


def _keywords(source: Field, _: pymarc.Record) -> list[Field | None]:
    """653 → 610 (uncontrolled subject terms), level of the terms kept in ind1."""
    ind1 = indicator(source, 1) if indicator(source, 1) in "012" else " "
    return [datafield("610", ind1, " ", _renamed(source, {"a": "a"}))]


def _thesaurus(source: Field) -> str:
    """The subject system code UNIMARC keeps in $2, from MARC21's second indicator or $2."""
    ind2 = indicator(source, 2)
    if ind2 == "7":
        return next((v.strip() for c, v in pairs(source) if c == "2"), "")
    return THESAURUS_TO_SOURCE.get(ind2, "")


def _udc(source: Field, _: pymarc.Record) -> list[Field | None]:
    """080 → 675: $a with its auxiliaries $x joined, edition $2 → $v."""
    number = "".join(v.strip() for c, v in pairs(source) if c in "ax")
    edition = first_of(pairs(source))("2")
    return [datafield("675", " ", " ", [("a", number), ("v", edition)])]


def _dewey(source: Field, _: pymarc.Record) -> list[Field | None]:
    """082 → 676, one field per $a, edition $2 → $v."""
    edition = first_of(pairs(source))("2")
    numbers = [v.strip() for c, v in pairs(source) if c == "a"]
    return [datafield("676", " ", " ", [("a", number), ("v", edition)]) for number in numbers]


def _other_class(source: Field, _: pymarc.Record) -> list[Field | None]:
    """084 → 686 (ББК among others), one field per $a, keeping $b and the scheme code $2."""
    first = first_of(pairs(source))
    numbers = [v.strip() for c, v in pairs(source) if c == "a"]
    return [
        datafield("686", " ", " ", [("a", number), ("b", first("b")), ("2", first("2"))])
        for number in numbers
    ]


# --- links, electronic location ------------------------------------------------------------

_IMPRINT_DATE = re.compile(r"^(.*?)[,\s]*(\[?[c©]?\d{4}\S*)$")


def _host(source: Field, record: pymarc.Record) -> list[Field | None]:
    """773 → 463 (component part) or 461, as UNIMARC embedded fields in $1; $g → $v."""
    first = first_of(pairs(source))
    out: Pairs = []
    if first("w"):
        out.append(("1", "001" + first("w")))
    if first("a"):
        form, name = person_subfields([("a", first("a"))], "1")
        out += [("1", "700 " + form), *name]
    for tag, value in (("2001 ", first("t")), ("205  ", first("b"))):
        if value:
            out += [("1", tag), ("a", strip_isbd(value))]
    if first("d"):
        out += [("1", "210  "), *_imprint(strip_isbd(first("d")))]
    for tag, value in (("011  ", first("x")), ("010  ", first("z"))):
        if value:
            out += [("1", tag), ("a", value)]
    out += [("v", strip_isbd(v)) for c, v in pairs(source) if c == "g"]
    tag = "463" if str(record.leader).ljust(24)[7] in "ab" else "461"
    return [datafield(tag, " ", "0" if indicator(source, 1) == "1" else "1", out)]


def _imprint(text: str) -> Pairs:
    """ "Place : Publisher, Date" split into 210 $a, $c, $d."""
    rest, date = text, ""
    match = _IMPRINT_DATE.match(text)
    if match:
        rest, date = match.group(1).strip(), match.group(2)
    place, _, publisher = rest.partition(" : ")
    return [("a", strip_isbd(place)), ("c", strip_isbd(publisher)), ("d", date)]


def _copy(source: Field, _: pymarc.Record) -> list[Field | None]:
    """856: the field as it is (both formats define it the same way)."""
    return [datafield(source.tag, indicator(source, 1), indicator(source, 2), pairs(source))]


def _control(source: Field, _: pymarc.Record) -> list[Field | None]:
    """001, 005: the control field as it is."""
    return [controlfield(source.tag, control_text(source))]


# --- small helpers ---------------------------------------------------------------------------


def _bare(value: str) -> str:
    """A value without ISBD marks or the parentheses MARC21 wraps meeting and maker data in."""
    text = strip_isbd(value)
    opening, closing = text.count("("), text.count(")")
    if text.startswith("(") and text.endswith(")") and opening == closing == 1:
        text = text[1:-1]
    elif text.startswith("(") and closing < opening:
        text = text[1:]
    elif text.endswith(")") and opening < closing:
        text = text[:-1]
    return strip_isbd(text)


def _renamed(source: Field, names: dict[str, str]) -> Pairs:
    """Subfields whose code is in ``names``, renamed and stripped; the others left out."""
    return [(names[c], strip_isbd(v)) for c, v in pairs(source) if c in names]


_HANDLERS: dict[str, Handler] = {
    "001": _control,
    "005": _control,
    "008": lambda *_: [],
    "020": _isbn,
    "022": _issn,
    "040": _agencies,
    "041": _language,
    "080": _udc,
    "082": _dewey,
    "084": _other_class,
    "100": _person(main=True),
    "110": _corporate(main=True),
    "111": _corporate(main=True),
    "245": _title,
    "250": _edition,
    "260": _publication,
    "264": _production,
    "300": _extent,
    "440": _series,
    "490": _series,
    "500": _note("300"),
    "504": _note("320"),
    "520": _note("330"),
    "600": _subject("600", "person"),
    "610": _subject("601", "corporate"),
    "611": _subject("601", "corporate"),
    "650": _subject("606", "topic"),
    "651": _subject("607", "topic"),
    "653": _keywords,
    "655": _subject("608", "topic"),
    "700": _person(main=False),
    "710": _corporate(main=False),
    "711": _corporate(main=False),
    "773": _host,
    "856": _copy,
}
