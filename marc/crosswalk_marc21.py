"""UNIMARC → MARC21: one small function per UNIMARC field, ISBD punctuation added on the way.

Field by field as in ``docs/crosswalk.md``; the shape follows marc-moose ``UnimarcToMarc21.pm``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pymarc
from pymarc import Field, Indicators
from pymarc.leader import Leader

from marc.crosswalk import (
    AUDIENCE_008,
    AUDIENCE_TO_MARC21,
    BIB_LEVEL_TO_MARC21,
    DATE_TYPE_TO_MARC21,
    ENCODING_LEVEL_TO_MARC21,
    GOVERNMENT_008,
    GOVERNMENT_TO_MARC21,
    RECORD_TYPE_TO_MARC21,
    SOURCE_TO_THESAURUS,
    STATUS_TO_MARC21,
    UNDEFINED_008,
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
    relator_to_marc21,
    split_isbn,
    unbracket,
    with_mark,
)
from marc.sniff import is_ascii_digits

Subfields = list[list[str]]
Handler = Callable[[Field], list[Field | None]]

# NSB/NSE (ISO 6630) around non-filing words, as C1 controls: U+0088/U+0089 or U+0098/U+009C.
_NON_FILING = re.compile("^[\u0088\u0098](.*?)[\u0089\u009c]")
_NON_FILING_MARKS = re.compile("[\u0088\u0089\u0098\u009c]")


def to_marc21(record: pymarc.Record) -> tuple[pymarc.Record, Counter[str]]:
    """Convert a UNIMARC record; return the MARC21 record and the uncovered tags counted."""
    fields, uncovered = convert_fields(record, "unimarc", "marc21", _convert_field)
    fields.append(_field_008(record))
    fields.extend(made for made in [_field_040(record)] if made is not None)
    fields = _one_main_entry(fields)
    _set_title_indicator(fields)
    result = pymarc.Record(to_unicode=True, force_utf8=True)
    result.leader = Leader(_leader(record))
    result.fields = sorted(fields, key=lambda made: made.tag)
    return result, uncovered


def _convert_field(source: Field) -> list[Field | None] | None:
    """The MARC21 fields made from one UNIMARC field; None when the crosswalk does not carry it."""
    handler = _HANDLERS.get(source.tag)
    return None if handler is None else handler(source)


# --- leader and coded data ---------------------------------------------------------------------


def _leader(record: pymarc.Record) -> str:
    """MARC21 leader: status, type, level, encoding level mapped; 09 = a (UTF-8), 18 = i (ISBD)."""
    source = str(record.leader).ljust(24)
    return (
        "00000"
        + lookup(STATUS_TO_MARC21, source[5], "n")
        + lookup(RECORD_TYPE_TO_MARC21, source[6], "a")
        + lookup(BIB_LEVEL_TO_MARC21, source[7], "m")
        + " a2200000"
        + lookup(ENCODING_LEVEL_TO_MARC21, source[17], "u")
        + "i 4500"
    )


def _field_008(record: pymarc.Record) -> Field:
    """A 40-character 008 from 100$a, 101$a and the leader, fill characters where unknown."""
    coded = first_subfield(record, "100", "a").ljust(36)
    leader = _leader(record)
    kind = material(leader[6], leader[7])
    chars = [" "] * 40
    chars[0:6] = _date_entered(record, coded)
    chars[6] = lookup(DATE_TYPE_TO_MARC21, coded[8], "|")
    chars[7:11] = _year(coded[9:13], "uuuu")
    chars[11:15] = _year(coded[13:17], "    ")
    chars[15:18] = "xx "
    for position in range(18, 35):
        chars[position] = " " if position in UNDEFINED_008[kind] else "|"
    if kind in AUDIENCE_008:
        chars[22] = lookup(AUDIENCE_TO_MARC21, coded[17], " ")
    if kind in GOVERNMENT_008:
        chars[28] = lookup(GOVERNMENT_TO_MARC21, coded[20], "|")
    language = first_subfield(record, "101", "a")
    chars[35:38] = language[:3].ljust(3) if len(language) >= 3 else "|||"
    chars[38] = {"0": " ", "1": "x", " ": " "}.get(coded[21], "|")
    chars[39] = "d"
    return controlfield("008", "".join(chars))


def _date_entered(record: pymarc.Record, coded: str) -> str:
    """YYMMDD from 100$a/0-7, else from 005, else fill characters."""
    if is_ascii_digits(coded[:8]):
        return coded[2:8]
    stamp = next((control_text(f)[:8] for f in record.get_fields("005")), "")
    return stamp[2:8] if is_ascii_digits(stamp) and len(stamp) == 8 else "||||||"


def _year(value: str, when_blank: str) -> str:
    """A UNIMARC 4-character date as MARC21 writes it: unknown digits are "u", not blanks."""
    if not value.strip():
        return when_blank
    return value.replace(" ", "u")


def _field_040(record: pymarc.Record) -> Field | None:
    """040 from 801 agencies ($b by function) and 100$a/22-24, the language of cataloguing."""
    agencies: dict[str, list[str]] = {}
    rules = ""
    for source in record.get_fields("801"):
        agencies.setdefault(indicator(source, 2), []).extend(
            value for code_, value in pairs(source) if code_ == "b"
        )
        rules = rules or next((v for c, v in pairs(source) if c == "g"), "")
    language = first_subfield(record, "100", "a").ljust(25)[22:25]
    subfields = [("a", (agencies.get("0") or [""])[0])]
    subfields.append(("b", language if language.isalpha() else ""))
    # 040 $c is mandatory; without a transcribing agency it is the original one.
    subfields += [("e", rules), ("c", (agencies.get("1") or [subfields[0][1]])[0])]
    subfields += [("d", value) for value in agencies.get("2", []) + agencies.get("3", [])]
    return datafield("040", " ", " ", subfields)


# --- identifiers, languages ----------------------------------------------------------------------


def _isbn(source: Field) -> list[Field | None]:
    """010 → 020: number without hyphens in $a, qualifier $b → $q, price $d → $c, invalid $z."""
    subfields: list[tuple[str, str]] = []
    for code_, value in pairs(source):
        if code_ in "az":
            number, qualifier = split_isbn(value)
            subfields.append((code_, number.replace("-", "")))
            subfields.append(("q", qualifier))
        elif code_ == "b":
            subfields.append(("q", unbracket(value)))
        elif code_ == "d":
            subfields.append(("c", value.strip()))
    return [datafield("020", " ", " ", subfields)]


_ISSN = {"a": "a", "y": "z", "z": "y", "f": "l", "g": "m"}


def _issn(source: Field) -> list[Field | None]:
    """011 → 022: $a; cancelled $y → $z; erroneous $z → $y; ISSN-L $f → $l, $g → $m."""
    return [datafield("022", " ", " ", _renamed(source, _ISSN))]


_LANGUAGE = {"a": "a", "b": "k", "c": "h", "d": "b", "e": "f", "h": "e", "i": "g", "j": "j"}


def _language(source: Field) -> list[Field | None]:
    """101 → 041 (translation indicator 2 "contains translations" becomes 1)."""
    ind1 = {"0": "0", "1": "1", "2": "1"}.get(indicator(source, 1), " ")
    return [datafield("041", ind1, " ", _renamed(source, _LANGUAGE))]


# --- descriptive fields --------------------------------------------------------------------------


def _title(source: Field) -> list[Field | None]:
    """200 → 245: $a, $b → $h [GMD], $d/$e → $b, $f/$g → $c, $h → $n, $i → $p; ISBD marks."""
    out: Subfields = []
    non_filing = 0
    for code_, raw in pairs(source):
        value = raw.strip()
        if not value:
            continue
        if code_ == "a":
            value, skipped = _without_non_filing(value)
            if _find(out, "a") is None:
                add(out, "a", value)
                non_filing = skipped
            else:
                _append(out, "a", " ; " + value)
        elif code_ == "b":
            add(out, "h", f"[{unbracket(value)}]")
        elif code_ == "c" and out:
            out[-1][1] = with_mark(out[-1][1], ".") + " " + value
        elif code_ in "de":
            mark = " =" if code_ == "d" else " :"
            value = value.removeprefix("=").strip() if code_ == "d" else value
            if out and out[-1][0] == "b":
                out[-1][1] = with_mark(out[-1][1], mark) + " " + value
            else:
                add(out, "b", value, mark)
        elif code_ in "fg":
            _responsibility(out, "c", value, " =" if code_ == "f" else " ;")
        elif code_ == "h":
            add(out, "n", value, ".")
        elif code_ == "i":
            add(out, "p", value, "," if out and out[-1][0] == "n" else ".")
    if out:
        out[-1][1] = with_mark(out[-1][1], ".")
    return [datafield("245", "0", str(min(non_filing, 9)), out)]


def _responsibility(out: Subfields, target: str, value: str, mark: str) -> None:
    """A statement of responsibility: the first opens ``target`` after " /"; a repeated $f is
    parallel (" ="), a $g subsequent (" ;")."""
    entry = _find(out, target)
    if entry is None:
        add(out, target, value, " /")
    else:
        entry[1] = with_mark(entry[1], mark) + " " + value


def _without_non_filing(title: str) -> tuple[str, int]:
    """The title without NSB/NSE marks, and how many leading characters they set apart."""
    match = _NON_FILING.match(title)
    skipped = len(match.group(1)) if match else 0
    return _NON_FILING_MARKS.sub("", title), skipped


def _edition(source: Field) -> list[Field | None]:
    """205 → 250: $a (+ $b, $d), statements of responsibility $f/$g → $b."""
    out: Subfields = []
    for code_, raw in pairs(source):
        value = raw.strip()
        if code_ in "ab" and out and out[-1][0] == "a":
            out[-1][1] += ", " + value
        elif code_ in "ab":
            add(out, "a", value)
        elif code_ == "d" and out:
            out[-1][1] += " = " + value
        elif code_ in "fg":
            _responsibility(out, "b", value, " =" if code_ == "f" else " ;")
    if out:
        out[-1][1] = with_mark(out[-1][1], ".")
    return [datafield("250", " ", " ", out)]


_PUBLICATION = {"a": "a", "c": "b", "d": "c", "e": "e", "g": "f", "h": "g"}
_PUBLICATION_MARKS = {"a": " ;", "b": " :", "c": ",", "f": " :", "g": ","}


def _publication(source: Field) -> list[Field | None]:
    """210 → 260: place $a, publisher $c → $b, date $d → $c, manufacture $e $g $h in parentheses."""
    out: Subfields = []
    for code_, raw in pairs(source):
        value = raw.strip()
        if code_ == "b" and out:
            out[-1][1] += f" ({unbracket(value)})"
        elif code_ in _PUBLICATION and value:
            target = _PUBLICATION[code_]
            add(out, target, value, _PUBLICATION_MARKS.get(target, "") if out else "")
    manufacture = [entry for entry in out if entry[0] in "efg"]
    if manufacture:
        manufacture[0][1] = "(" + manufacture[0][1]
        manufacture[-1][1] += ")"
    if out:
        out[-1][1] = with_mark(out[-1][1], ".")
    return [datafield("260", " ", " ", out)]


def _production(source: Field) -> list[Field | None]:
    """214 → 264 with the same function indicator (0-4); no closing period (RDA)."""
    out: Subfields = []
    for code_, raw in pairs(source):
        target = {"a": "a", "c": "b", "d": "c"}.get(code_)
        if target and raw.strip():
            add(out, target, raw.strip(), _PUBLICATION_MARKS[target] if out else "")
    return [datafield("264", " ", indicator(source, 2), out)]


def _extent(source: Field) -> list[Field | None]:
    """215 → 300: $a, $c → $b (" :"), $d → $c (" ;"), $e (" +")."""
    out: Subfields = []
    for code_, raw in pairs(source):
        target = {"a": "a", "c": "b", "d": "c", "e": "e"}.get(code_)
        if target and raw.strip():
            add(out, target, raw.strip(), {"b": " :", "c": " ;", "e": " +"}.get(target, ""))
    return [datafield("300", " ", " ", out)]


_SERIES_TITLE_MARKS = {"d": " = ", "e": " : ", "f": " / ", "h": ". "}


def _series(source: Field) -> list[Field | None]:
    """225 → 490: title parts composed into $a, ISSN $x, numbering $v; traced (0, 2) → ind1 1."""
    title, previous = "", ""
    issns: list[str] = []
    numbers: list[str] = []
    for code_, raw in pairs(source):
        value = raw.strip()
        if code_ == "a":
            title = f"{title}. {value}" if title else value
        elif code_ in _SERIES_TITLE_MARKS:
            title += _SERIES_TITLE_MARKS[code_] + value
        elif code_ == "i":
            title += (", " if previous == "h" else ". ") + value
        elif code_ == "x":
            issns.append(value)
        elif code_ == "v":
            numbers.append(value)
        previous = code_
    out: Subfields = [["a", title]] if title else []
    for issn in issns:
        add(out, "x", issn, ",")
    for number in numbers:
        add(out, "v", number, " ;")
    return [datafield("490", "1" if indicator(source, 1) in "02" else "0", " ", out)]


def _note(source: Field, tag: str) -> Field | None:
    """A UNIMARC note (300-315, 320, 330) as a MARC21 note $a ending with a period."""
    text = " ".join(value.strip() for code_, value in pairs(source) if code_ == "a")
    return datafield(tag, " ", " ", [("a", with_mark(text, "."))] if text else [])


# --- names ---------------------------------------------------------------------------------------


def person_name(subfields: list[tuple[str, str]], form: str) -> tuple[str, Subfields]:
    """UNIMARC $a surname + $b forenames (…) → name indicator and MARC21 "Surname, Forenames"."""
    first = first_of(subfields)
    surname, forenames = first("a"), first("b").lstrip(", ").strip()
    expansion = first("g").strip()
    ind1 = form if form in "01" else ("1" if forenames or expansion else "0")
    out: Subfields = []
    if forenames:
        add(out, "a", f"{surname}, {forenames}")
    else:
        add(out, "a", f"{surname}, {expansion}" if expansion else surname)
        expansion = ""
    if first("d"):
        add(out, "b", first("d"))
    for code_, value in subfields:
        if code_ == "c" and value.strip():
            add(out, "c", value.strip(), ",")
    if expansion:
        add(out, "q", f"({unbracket(expansion)})")
    if first("f"):
        add(out, "d", first("f"), ",")
    return ind1, out


def _person(tag: str) -> Handler:
    """700 → 100, 701/702 → 700: name, closing period, relators $4 as MARC21 codes."""

    def convert(source: Field) -> list[Field | None]:
        ind1, out = person_name(pairs(source), indicator(source, 2))
        if out:
            out[-1][1] = with_mark(out[-1][1], ".")
        out += _relators(source)
        return [datafield(tag, ind1, " ", out)]

    return convert


def corporate_name(subfields: list[tuple[str, str]], meeting: bool) -> Subfields:
    """UNIMARC corporate or meeting name → MARC21 $a $b (or $e), then "($n : $d : $c)"."""
    out: Subfields = []
    parts: list[tuple[str, str]] = []
    for code_, raw in subfields:
        value = raw.strip()
        if not value:
            continue
        if code_ == "a" and not out:
            add(out, "a", value)
        elif code_ in "ab":
            add(out, "e" if meeting else "b", value, ".")
        elif code_ == "c" and out:
            out[-1][1] += f" ({unbracket(value)})"
        elif code_ in "gh" and out:
            out[-1][1] += " " + value
        elif code_ in "def":
            parts.append(({"d": "n", "f": "d", "e": "c"}[code_], unbracket(value)))
    for index, (target, value) in enumerate(parts):
        opening = "(" if index == 0 else ""
        closing = ")" if index == len(parts) - 1 else ""
        add(out, target, opening + value + closing, " :" if index else "")
    return out


def _corporate(main: bool) -> Handler:
    """710 → 110/111 (main), 711/712 → 710/711; ind1 1 (meeting) picks the X11 tag."""

    def convert(source: Field) -> list[Field | None]:
        meeting = indicator(source, 1) == "1"
        tag = ("111" if meeting else "110") if main else ("711" if meeting else "710")
        out = corporate_name(pairs(source), meeting)
        if out:
            out[-1][1] = with_mark(out[-1][1], ".")
        out += _relators(source)
        form = indicator(source, 2)
        return [datafield(tag, form if form in "012" else "2", " ", out)]

    return convert


def _relators(source: Field) -> Subfields:
    """$4 relator codes, numeric UNIMARC → alphabetic MARC21."""
    return [["4", relator_to_marc21(value)] for code_, value in pairs(source) if code_ == "4"]


def _one_main_entry(fields: list[Field]) -> list[Field]:
    """Keep the first 1XX; later ones (a 700 and a 710 both main) become added entries."""
    seen_main = False
    for made in fields:
        if made.tag in ("100", "110", "111"):
            if seen_main:
                made.tag = "7" + made.tag[1:]
            seen_main = True
    return fields


def _set_title_indicator(fields: list[Field]) -> None:
    """245 ind1 is 1 when the record has a 1XX main entry, else 0."""
    has_main = any(made.tag in ("100", "110", "111", "130") for made in fields)
    for made in fields:
        if made.tag == "245":
            made.indicators = Indicators("1" if has_main else "0", indicator(made, 2))


# --- subjects, classification --------------------------------------------------------------------

_SUBDIVISION = {"x": "x", "y": "z", "z": "y", "j": "v"}  # UNIMARC $y is place, $z is period


def _subject(tag: str, kind: str) -> Handler:
    """600 → 600, 601 → 610/611, 606 → 650, 607 → 651, 608 → 655; $2 → second indicator."""

    def convert(source: Field) -> list[Field | None]:
        subfields = pairs(source)
        target, ind1 = tag, _level(source)
        if kind == "person":
            ind1, out = person_name(subfields, indicator(source, 2))
        elif kind == "corporate":
            meeting = indicator(source, 1) == "1"
            target, ind1 = ("611" if meeting else "610"), indicator(source, 2)
            ind1 = ind1 if ind1 in "012" else "2"
            out = corporate_name(subfields, meeting)
        else:
            out = [["a", value.strip()] for code_, value in subfields if code_ == "a"][:1]
        out += [[_SUBDIVISION[c], v.strip()] for c, v in subfields if c in _SUBDIVISION]
        if out:
            out[-1][1] = with_mark(out[-1][1], ".")
        source_code = next((v.strip() for c, v in subfields if c == "2"), "")
        ind2 = SOURCE_TO_THESAURUS.get(source_code.lower(), "7") if source_code else "4"
        if ind2 == "7":
            out.append(["2", source_code])
        return [datafield(target, ind1, ind2, out)]

    return convert


def _level(source: Field) -> str:
    """The subject level indicator (0 none, 1 primary, 2 secondary) shared by both formats."""
    return indicator(source, 1) if indicator(source, 1) in "012" else " "


def _classification(tag: str) -> Handler:
    """675 → 080, 676 → 082, 686 → 084: number $a, edition $v → $2 (686 keeps $b and $2)."""
    names = {"a": "a", "v": "2"} if tag != "084" else {"a": "a", "b": "b", "2": "2"}
    ind1 = {"080": " ", "082": "0", "084": " "}[tag]
    ind2 = "4" if tag == "082" else " "

    def convert(source: Field) -> list[Field | None]:
        return [datafield(tag, ind1, ind2, _renamed(source, names))]

    return convert


# --- links, electronic location ------------------------------------------------------------


def embedded_fields(source: Field) -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields a UNIMARC 4XX embeds with $1 ("001…", "2001 " then $a …), as (tag, pairs)."""
    embedded: list[tuple[str, list[tuple[str, str]]]] = []
    for code_, value in pairs(source):
        if code_ == "1":
            tag = value[:3]
            content = [("", value[3:])] if tag < "010" else []
            embedded.append((tag, content))
        elif embedded and code_ != "v":
            embedded[-1][1].append((code_, value))
    return embedded


def _host(source: Field) -> list[Field | None]:
    """461/463 → 773: embedded 001 → $w, 200 → $t, 7XX → $a, 210 → $d, 011 → $x, 010 → $z."""
    found: dict[str, str] = {}
    embedded = embedded_fields(source)
    if embedded:
        for tag, subfields in embedded:
            _host_element(found, tag, subfields)
    else:  # standard subfields technique
        plain = {"t": "t", "a": "a", "x": "x", "y": "z", "0": "w", "e": "b", "d": "d"}
        for code_, value in pairs(source):
            if code_ in plain:
                found.setdefault(plain[code_], value.strip())
    volumes = [value.strip() for code_, value in pairs(source) if code_ in "vp"]
    found["g"] = ", ".join(volume for volume in volumes if volume)
    out: Subfields = []
    for target in "atbdgxzw":
        if found.get(target):
            add(out, target, found[target], "." if out and out[-1][0] in "atbd" else "")
    ind1 = "1" if indicator(source, 2) == "0" else "0"
    return [datafield("773", ind1, " ", out)]


def _host_element(found: dict[str, str], tag: str, subfields: list[tuple[str, str]]) -> None:
    """Record what one embedded field says about the host item."""
    first = first_of(subfields)
    if tag == "001":
        found.setdefault("w", first(""))
    elif tag == "200":
        title = first("a") + "".join(f" : {v}" for c, v in subfields if c == "e")
        found.setdefault("t", _without_non_filing(title)[0])
    elif tag in ("700", "701", "702"):
        found.setdefault("a", person_name(subfields, "1")[1][0][1])
    elif tag in ("710", "711", "712"):
        found.setdefault("a", first("a"))
    elif tag in ("210", "214"):
        found.setdefault("d", _imprint(subfields))
    elif tag == "205":
        found.setdefault("b", first("a"))
    elif tag in ("011", "010"):
        found.setdefault("x" if tag == "011" else "z", first("a"))


def _imprint(subfields: list[tuple[str, str]]) -> str:
    """The imprint "Place : Publisher, Date" from an embedded 210 or 214."""
    first = first_of(subfields)
    text = first("a")
    if first("c"):
        text = f"{text} : {first('c')}" if text else first("c")
    if first("d"):
        text = f"{text}, {first('d')}" if text else first("d")
    return text


def _copy(source: Field) -> list[Field | None]:
    """856 (and anything identical in both formats): the field as it is."""
    return [datafield(source.tag, indicator(source, 1), indicator(source, 2), pairs(source))]


def _control(source: Field) -> list[Field | None]:
    """001, 005: the control field as it is."""
    return [controlfield(source.tag, control_text(source))]


# --- small helpers -------------------------------------------------------------------------


def add(out: Subfields, target: str, value: str, mark: str = "") -> None:
    """Append a subfield, first giving the previous one the ISBD ``mark`` that precedes it."""
    if mark and out:
        out[-1][1] = with_mark(out[-1][1], mark)
    out.append([target, value])


def _append(out: Subfields, target: str, text: str) -> None:
    """Extend the first subfield with code ``target``."""
    entry = _find(out, target)
    if entry is not None:
        entry[1] += text


def _find(out: Subfields, target: str) -> list[str] | None:
    """The first subfield with code ``target``."""
    return next((entry for entry in out if entry[0] == target), None)


def _renamed(source: Field, names: dict[str, str]) -> list[tuple[str, str]]:
    """Subfields whose code is in ``names``, renamed; the others left out."""
    return [(names[c], v.strip()) for c, v in pairs(source) if c in names]


def _keywords(source: Field) -> list[Field | None]:
    """610 (uncontrolled subject terms) → 653, level kept in ind1."""
    return [datafield("653", _level(source), " ", _renamed(source, {"a": "a"}))]


_HANDLERS: dict[str, Handler] = {
    "001": _control,
    "005": _control,
    "010": _isbn,
    "011": _issn,
    "100": lambda _: [],  # read by _field_008 and _field_040
    "101": _language,
    "200": _title,
    "205": _edition,
    "210": _publication,
    "214": _production,
    "215": _extent,
    "225": _series,
    **{str(tag): lambda source: [_note(source, "500")] for tag in range(300, 316)},
    "320": lambda source: [_note(source, "504")],
    "330": lambda source: [_note(source, "520")],
    "461": _host,
    "463": _host,
    "600": _subject("600", "person"),
    "601": _subject("610", "corporate"),
    "606": _subject("650", "topic"),
    "607": _subject("651", "topic"),
    "608": _subject("655", "topic"),
    "610": _keywords,
    "675": _classification("080"),
    "676": _classification("082"),
    "686": _classification("084"),
    "700": _person("100"),
    "701": _person("700"),
    "702": _person("700"),
    "710": _corporate(True),
    "711": _corporate(False),
    "712": _corporate(False),
    "801": lambda _: [],  # read by _field_040
    "856": _copy,
}
