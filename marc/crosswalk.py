"""MARC21 ↔ UNIMARC conversion: the public entry point and the tables both directions share.

The mapping follows fredericd/marc-moose ``UnimarcToMarc21.pm`` where it has one and is written
out field by field in ``docs/crosswalk.md``. A source field outside the crosswalk is not copied:
it is counted by tag in ``Conversion.uncovered`` so the loss is reported, never silent.

Usage::

    result = convert(record, "marc21", "unimarc")
    result.record                          # a pymarc.Record in UNIMARC
    uncovered_summary(result.uncovered)    # "not converted: 035 ×2, 999 ×1"
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pymarc
from pymarc import Field, Indicators, Subfield

from marc.errors import MarcError
from marc.holdings import COPY_LEVEL, default_scheme, read_holdings
from marc.holdings import holding_field as write_holding
from marc.model import FLAVOURS


class UnknownFlavourError(MarcError, ValueError):
    """A conversion was asked for a flavour other than "marc21" or "unimarc"."""


@dataclass(slots=True)
class Conversion:
    """A converted record and, by tag, the source fields the crosswalk did not carry over."""

    record: pymarc.Record
    uncovered: Counter[str] = field(default_factory=Counter)


def convert(record: pymarc.Record, source: str, target: str) -> Conversion:
    """Convert ``record`` from ``source`` to ``target`` flavour ("marc21" or "unimarc").

    The same source and target return a copy with nothing uncovered.
    """
    for flavour in (source, target):
        if flavour not in FLAVOURS:
            raise UnknownFlavourError(f"unknown MARC flavour {flavour!r}; use one of {FLAVOURS}")
    if source == target:
        return Conversion(copy.deepcopy(record), Counter())
    # Imported here, not at the top: both direction modules import the shared tables below.
    if target == "unimarc":
        from marc.crosswalk_unimarc import to_unimarc as direction
    else:
        from marc.crosswalk_marc21 import to_marc21 as direction
    converted, uncovered = direction(record)
    return Conversion(converted, uncovered)


def uncovered_summary(conversions_uncovered: Counter[str]) -> str:
    """One line for a cataloguer: which tags were not converted and how often, most first."""
    counts = [(tag, n) for tag, n in conversions_uncovered.items() if n > 0]
    if not counts:
        return "everything converted"
    counts.sort(key=lambda item: (-item[1], item[0]))
    return "not converted: " + ", ".join(f"{tag} ×{n}" for tag, n in counts)


# --- building fields -------------------------------------------------------------------------


def datafield(tag: str, ind1: str, ind2: str, subfields: Iterable[Sequence[str]]) -> Field | None:
    """A data field from (code, value) pairs, dropping empty values; None when nothing is left."""
    kept = [Subfield(code_, value) for code_, value in subfields if value and value.strip()]
    if not kept:
        return None
    return Field(tag=tag, indicators=Indicators(ind1 or " ", ind2 or " "), subfields=kept)


def controlfield(tag: str, data: str) -> Field:
    """A control field (001-009)."""
    return Field(tag=tag, data=data)


def control_text(source: Field) -> str:
    """The data of a control field, also when a reader kept it as a data field."""
    if source.is_control_field():
        return source.data or ""
    return "".join(sub.value for sub in source.subfields)


def pairs(source: Field) -> list[tuple[str, str]]:
    """The subfields of a data field as (code, value) pairs; empty for control fields."""
    if source.is_control_field():
        return []
    return [(sub.code, sub.value) for sub in source.subfields]


def first_of(subfields: Sequence[tuple[str, str]]) -> Callable[[str], str]:
    """A lookup of the first value for a code (stripped, "" when absent)."""
    return lambda wanted: next((v.strip() for c, v in subfields if c == wanted), "")


def first_subfield(record: pymarc.Record, tag: str, wanted: str) -> str:
    """The first $wanted of the first ``tag`` field that has one, "" when absent."""
    for source in record.get_fields(tag):
        for code_, value in pairs(source):
            if code_ == wanted:
                return value
    return ""


def indicator(source: Field, position: int) -> str:
    """Indicator 1 or 2 of a data field, blank when absent."""
    if source.is_control_field() or source.indicators is None:
        return " "
    value = source.indicators[position - 1]
    return value if value else " "


# --- ISBD punctuation --------------------------------------------------------------------------

# Abbreviations whose final period belongs to the word, so stripping must keep it (English,
# French, German and the Ukrainian and Russian ones ISBD descriptions use most).
_ABBREVIATIONS = set(
    """etc inc ltd co corp jr sr ed eds rev vol vols no nos ill illus col fig figs port ports
    suppl ca cent comp pbk bd hrsg aufl trad éd impr
    вид ред пер упоряд уклад авт іл табл бібліогр покажч доп перероб випр кн вип зб ст наук
    навч посіб метод рек укр англ рос нім франц гол відп худож фот обл держ сер ін
    изд учеб пособ сост отв илл перераб испр сб науч тр гос""".split()  # noqa: SIM905 - reads better as text than 80 literals
)
_TRAILING_MARK = re.compile(r"\s*[/:;=,+]\s*$")
_LAST_WORD = re.compile(r"(\w+)\.$")
ENDING_PUNCTUATION = ".?!-)]>"


def strip_isbd(value: str) -> str:
    """Drop MARC21's trailing ISBD punctuation (" /", " :", " ;", " =", ",", a closing period).

    A period before a separating mark belongs to an abbreviation ("2nd ed. /"), so it stays.
    """
    text = value.strip()
    marked = _TRAILING_MARK.sub("", text)
    if marked != text:
        return marked
    return _strip_final_period(text)


def _strip_final_period(text: str) -> str:
    """Remove a closing period unless it ends an abbreviation or an initial."""
    if not text.endswith(".") or text.endswith(".."):
        return text
    match = _LAST_WORD.search(text)
    if match is None:
        return text[:-1].rstrip() if text[:-1].rstrip().endswith((")", "]")) else text
    word = match.group(1)
    if word.lower() in {"cm", "mm"}:  # metric symbols never take a period in ISBD
        return text[:-1]
    if word.isdigit() or (len(word) >= 3 and word.lower() not in _ABBREVIATIONS):
        return text[:-1]
    return text


def with_mark(value: str, mark: str) -> str:
    """Append ISBD ``mark`` (" :", " /", ",", "." …) unless the value already ends with it."""
    text = value.rstrip()
    bare = mark.strip()
    if text.endswith(bare) or (bare == "." and text.endswith(tuple(ENDING_PUNCTUATION))):
        return text
    return text + mark


_ISBN_NUMBER = re.compile(r"^([0-9Xx][0-9Xx\- ]*[0-9Xx])\s*(.*)$")


def split_isbn(value: str) -> tuple[str, str]:
    """An ISBN subfield split into the number and the qualifier written after it ("(pbk.)")."""
    text = strip_isbd(value)
    match = _ISBN_NUMBER.match(text)
    if match is None:
        return text, ""
    qualifier = match.group(2)
    return match.group(1).replace(" ", ""), unbracket(qualifier) if qualifier else ""


def unbracket(value: str) -> str:
    """A value without the square brackets or parentheses that wrap it whole."""
    text = strip_isbd(value)
    while len(text) >= 2 and (text[0], text[-1]) in {("[", "]"), ("(", ")")}:
        text = text[1:-1].strip()
    return text


# --- relator codes (UNIMARC Appendix C numeric ↔ MARC21 alphabetic) ------------------------------

# From marc-moose's %authcode with obsolete MARC codes replaced by their successors.
_RELATOR_TABLE = """
005 act actor|010 adp adapter|020 ann annotator|030 arr arranger|040 art artist
050 asg assignee|060 asn associated name|065 auc auctioneer|070 aut author
072 aqt author in quotations|075 aft author of afterword|080 aui author of introduction
090 aus screenwriter|100 ant bibliographic antecedent|110 bnd binder|120 bdd binding designer
130 bkd book designer|140 bjd bookjacket designer|150 bpd bookplate designer|160 bsl bookseller
170 cll calligrapher|180 ctg cartographer|190 cns censor|200 chr choreographer
205 ctb contributor|210 cmm commentator|212 cwt commentator for written text|220 com compiler
230 cmp composer|240 cmt compositor|245 ccp conceptor|250 cnd conductor
255 csp consultant to a project|260 cph copyright holder|270 crr corrector|273 cur curator
275 dnc dancer|280 dte dedicatee|290 dto dedicator|295 dgg degree granting institution
300 drt director|305 dis dissertant|310 dst distributor|320 dnr donor|330 dub dubious author
340 edt editor|350 egr engraver|360 etr etcher|365 exp expert|370 flm film editor|380 frg forger
390 fmo former owner|400 fnd funder|410 grt graphic technician|420 hnr honoree
430 ilu illuminator|440 ill illustrator|450 ins inscriber|460 ive interviewee
470 ivr interviewer|480 lbt librettist|490 lse licensee|500 lso licensor|510 ltg lithographer
520 lyr lyricist|530 mte metal engraver|540 mon monitor|545 mus musician|550 nrt narrator
555 opn opponent|557 orm organizer|560 org originator|570 oth other|580 ppm papermaker
582 pta patent applicant|584 inv inventor|587 pth patent holder|590 prf performer
595 res researcher|600 pht photographer|610 prt printer|620 pop printer of plates
630 pro producer|635 prg programmer|640 pfr proofreader|650 pbl publisher
651 pbd publishing director|660 rcp addressee|670 rce recording engineer
673 rth research team head|675 rev reviewer|677 rtm research team member|680 rbr rubricator
690 sce scenarist|695 sad scientific advisor|700 scr scribe|705 scl sculptor|710 sec secretary
720 sgn signer|721 sng singer|723 spn sponsor|725 stn standards body|727 ths thesis advisor
730 trl translator|740 tyd type designer|750 tyg typographer|755 voc vocalist
760 wde wood engraver|770 wam writer of accompanying material
"""

RELATOR_TO_MARC21: dict[str, str] = {}
RELATOR_TO_UNIMARC: dict[str, str] = {}
_RELATOR_TERMS: dict[str, str] = {}
for _entry in _RELATOR_TABLE.replace("\n", "|").split("|"):
    if _entry.strip():
        _number, _alpha, _term = _entry.strip().split(" ", 2)
        RELATOR_TO_MARC21[_number] = _alpha
        RELATOR_TO_UNIMARC.setdefault(_alpha, _number)
        _RELATOR_TERMS[_term] = _number
RELATOR_TO_UNIMARC.update({"clb": "205", "voc": "755", "cre": "070"})
# Role words as Ukrainian and Russian catalogues write them in $e or statements of responsibility.
_RELATOR_TERMS.update({
    "автор": "070", "авт": "070", "редактор": "340", "ред": "340", "перекладач": "730",
    "переклад": "730", "пер": "730", "переводчик": "730", "ілюстратор": "440", "іл": "440",
    "художник": "440", "упорядник": "220", "упоряд": "220", "укладач": "220", "уклад": "220",
    "составитель": "220", "сост": "220", "иллюстратор": "440", "ил": "440",
})


def relator_to_marc21(code: str) -> str:
    """The MARC21 code for a UNIMARC relator; an unknown code is kept as it is."""
    code = code.strip()
    return RELATOR_TO_MARC21.get(code, code)


def relator_to_unimarc(code: str) -> str | None:
    """The UNIMARC code for a MARC21 relator code, id.loc.gov URI or role term; None if unknown."""
    text = code.strip().rstrip("/").rsplit("/", 1)[-1]
    text = strip_isbd(text).lower().rstrip(".")
    if text.isdigit() and len(text) == 3:
        return text
    return RELATOR_TO_UNIMARC.get(text) or _RELATOR_TERMS.get(text)


# --- coded values ------------------------------------------------------------------------------


def invert(mapping: dict[str, str], **overrides: str) -> dict[str, str]:
    """The reverse of a one-to-one-ish mapping, first key winning, with explicit overrides."""
    reverse: dict[str, str] = {}
    for key, value in mapping.items():
        reverse.setdefault(value, key)
    reverse.update(overrides)
    return reverse


# UNIMARC 100$a/8 type of publication date → MARC21 008/06 (marc-moose, plus k and u).
DATE_TYPE_TO_MARC21 = {
    "a": "c", "b": "d", "c": "u", "d": "s", "e": "r", "f": "q", "g": "m", "h": "t", "i": "p",
    "j": "e", "k": "p", "u": "n", "|": "|",
}
DATE_TYPE_TO_UNIMARC = invert(DATE_TYPE_TO_MARC21, i="g", k="g", b="u", p="i")
# UNIMARC 100$a/17 target audience → MARC21 008/22 (marc-moose, with u = unknown → blank).
AUDIENCE_TO_MARC21 = {
    "a": "j", "b": "a", "c": "b", "d": "c", "e": "d", "k": "e", "m": "g", "u": " ", "|": "|",
}
AUDIENCE_TO_UNIMARC = invert(AUDIENCE_TO_MARC21, f="k", **{" ": " "})
# UNIMARC 100$a/20 government publication → MARC21 008/28.
GOVERNMENT_TO_MARC21 = {
    "a": "f", "b": "s", "c": "l", "d": "l", "e": "c", "f": "i", "g": "z", "h": "o", "u": "u",
    "y": " ", "z": "z", "|": "|",
}
GOVERNMENT_TO_UNIMARC = invert(GOVERNMENT_TO_MARC21, l="d", z="z", a="z", m="z")
# Leader/06 type of record, leader/07 bibliographic level, leader/05 status, leader/17 level.
RECORD_TYPE_TO_MARC21 = {
    "a": "a", "b": "t", "c": "c", "d": "d", "e": "e", "f": "f", "g": "g", "i": "i", "j": "j",
    "k": "k", "l": "m", "m": "o", "r": "r",
}
RECORD_TYPE_TO_UNIMARC = invert(RECORD_TYPE_TO_MARC21, p="m")
BIB_LEVEL_TO_MARC21 = {"a": "a", "c": "c", "i": "i", "m": "m", "s": "s"}
BIB_LEVEL_TO_UNIMARC = invert(BIB_LEVEL_TO_MARC21, b="a", d="m")
STATUS_TO_MARC21 = {"c": "c", "d": "d", "n": "n", "p": "p", "o": "c"}
STATUS_TO_UNIMARC = invert(STATUS_TO_MARC21, a="c")
ENCODING_LEVEL_TO_MARC21 = {" ": " ", "1": "1", "2": "8", "3": "3"}
ENCODING_LEVEL_TO_UNIMARC = invert(
    ENCODING_LEVEL_TO_MARC21, **{"2": "3", "4": " ", "5": "3", "7": "3", "u": "3", "z": " "},
    I=" ", K="3", L="3", M="3",
)
# MARC21 6XX second indicator ↔ the source code UNIMARC keeps in $2.
THESAURUS_TO_SOURCE = {"0": "lcsh", "1": "lcshac", "2": "mesh", "3": "nal", "5": "cash", "6": "rvm"}
SOURCE_TO_THESAURUS = invert(THESAURUS_TO_SOURCE, lc="0")


def material(record_type: str, level: str) -> str:
    """The MARC21 008 material configuration for leader/06-07 (BK, CR, MU, MP, VM, CF, MX)."""
    if record_type in "at":
        return "CR" if level in "bis" else "BK"
    for letters, name in (("cdij", "MU"), ("ef", "MP"), ("gkor", "VM"), ("m", "CF"), ("p", "MX")):
        if record_type in letters:
            return name
    return "BK"


# 008/18-34 positions each material leaves undefined (blank); the rest get the fill character.
UNDEFINED_008 = {
    "BK": {32}, "CR": {20, 30, 31, 32}, "MP": {24, 26, 27, 30, 32}, "MU": {32, 34},
    "CF": {18, 19, 20, 21, 24, 25, 27, *range(29, 35)}, "VM": {21, *range(23, 28), 30, 31, 32},
    "MX": {*range(18, 23), *range(24, 35)},
}
AUDIENCE_008 = {"BK", "MU", "CF", "VM"}  # materials with target audience at 008/22
GOVERNMENT_008 = {"BK", "CR", "MP", "CF", "VM"}  # materials with government publication at 28


def lookup(mapping: dict[str, str], value: str, default: str) -> str:
    """One coded value looked up in ``mapping``, ``default`` when absent."""
    return mapping.get(value, default)


# --- holdings (copy level) ---------------------------------------------------------------------

# Copy-level data element, its Koha MARC21 952 code and its Koha UNIMARC 995 code, so a Koha
# item crosses whole (branches, item type, notes, statuses too). 952 from the Koha manual; 995
# from Koha's Ukrainian framework (uk-UA unimarc_bibliographic_*_local), as in marc.holdings.
ITEM_SUBFIELDS: tuple[tuple[str, str, str], ...] = (
    ("homebranch", "a", "b"), ("holdingbranch", "b", "c"), ("location", "c", "e"),
    ("acquired", "d", "5"), ("vendor", "e", "s"), ("price", "g", "p"), ("enumchron", "h", "v"),
    ("inventory", "i", "j"), ("callnumber", "o", "k"), ("barcode", "p", "f"), ("copy", "t", "6"),
    ("uri", "u", "7"), ("itemtype", "y", "r"), ("public_note", "z", "u"),
    ("nonpublic_note", "x", "x"), ("collection", "8", "h"), ("cn_source", "2", "4"),
    ("materials", "3", "l"), ("withdrawn", "0", "0"), ("lost", "1", "2"), ("damaged", "4", "1"),
    ("restricted", "5", "3"), ("notforloan", "7", "o"), ("itemnumber", "9", "9"),
    ("last_seen", "r", "i"), ("last_borrowed", "s", "m"), ("due", "q", "n"),
)  # fmt: skip
_KOHA_CODES = {
    ("952", "995"): {m21: uni for _, m21, uni in ITEM_SUBFIELDS},
    ("995", "952"): {uni: m21 for _, m21, uni in ITEM_SUBFIELDS},
}
HOLDINGS_TAGS = {"marc21": ("952", "852"), "unimarc": ("995", "910", "852")}


def convert_holdings(
    source: Field, record: pymarc.Record, flavour: str, target: str
) -> Field | None:
    """One copy in the target's Koha scheme (952 MARC21, 995 UNIMARC); None if it is no copy.

    ``marc.holdings`` decides what is a copy: a 952 naming only a place is a note, and an 852
    is a title-level location when the record has copy-level fields.
    """
    if source.tag == "852" and record.get_fields(*COPY_LEVEL[flavour]):
        return None
    alone = pymarc.Record()
    alone.fields = [source]
    holdings = read_holdings(alone, flavour)
    if not holdings:
        return None
    scheme = default_scheme(target)
    codes = _KOHA_CODES.get((source.tag, scheme))
    if codes is None:  # IRBIS 910 or 852: through the common Holding model
        return write_holding(holdings[0], scheme)
    return datafield(scheme, " ", " ", [(codes[c], v) for c, v in pairs(source) if c in codes])


def convert_fields(
    record: pymarc.Record, source: str, target: str, handle: Callable[[Field], list[Field | None] | None]
) -> tuple[list[Field], Counter[str]]:
    """Every field of ``record`` in the ``target`` flavour, and the tags not carried, counted.

    Holdings go through the holdings schemes; any other field through ``handle`` (the
    direction's table of field handlers), which answers None for a tag it does not carry.
    """
    fields: list[Field] = []
    uncovered: Counter[str] = Counter()
    for original in record.fields:
        made: list[Field | None] | None
        if original.tag in HOLDINGS_TAGS[source]:
            holding = convert_holdings(original, record, source, target)
            made = None if holding is None else [holding]
        else:
            made = handle(original)
        if made is None:
            uncovered[original.tag] += 1
        else:
            fields.extend(one for one in made if one is not None)
    return fields, uncovered
