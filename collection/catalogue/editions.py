"""From a MARC record to an edition's stored fields: view, match keys, quality, content branch.

Pure functions (no database): import, editing and receipts all derive an edition's searchable
and countable fields from its MARC record the same way, here.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pymarc

from marc.marcjson import dict_to_record
from marc.view import BibView, bib_view
from marc.writer import record_to_dict

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

# Content branches (галузі знань) as КСО part 1 groups them, by the first UDC class and by the
# first ББК class. Order matters: the first matching prefix wins.
BRANCHES = ("natural_sciences", "applied_sciences", "social_sciences", "humanities", "arts_sport",
            "fiction", "children", "universal", "unclassified")
_UDC_BRANCHES = (
    ("821", "fiction"), ("0", "universal"), ("1", "humanities"), ("2", "humanities"),
    ("3", "social_sciences"), ("5", "natural_sciences"), ("6", "applied_sciences"),
    ("7", "arts_sport"), ("8", "humanities"), ("9", "humanities"),
)
_BBK_BRANCHES = (
    ("84", "fiction"), ("2", "natural_sciences"), ("3", "applied_sciences"),
    ("4", "applied_sciences"), ("5", "applied_sciences"), ("6", "social_sciences"),
    ("7", "humanities"), ("85", "arts_sport"), ("75", "arts_sport"), ("8", "humanities"),
    ("9", "universal"),
)
# Leader/06-07 to document type (вид документа).
_DOC_TYPES = {"a": "book", "t": "book", "c": "music", "d": "music", "j": "audiovisual",
              "i": "audiovisual", "g": "audiovisual", "e": "cartographic", "f": "cartographic",
              "m": "electronic", "l": "electronic"}


@dataclass(frozen=True, slots=True)
class EditionFields:
    """Everything an Edition row stores that is derived from its record."""

    control_number: str | None
    flavour: str
    marc: dict[str, Any]
    record_hash: str
    title: str
    authors: str
    publisher: str
    year: str
    language: str
    isbn: str | None
    isbns: tuple[str, ...]
    title_key: str
    udc: str
    bbk: str
    doc_type: str
    content_branch: str
    quality: int

    def as_columns(self) -> dict[str, Any]:
        """The Edition column values (everything but the ISBN list)."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "isbns"}


def edition_fields(record: pymarc.Record, flavour: str) -> EditionFields:
    """Derive an edition's stored fields from its MARC record."""
    view = bib_view(record, flavour)
    marc = record_to_dict(record)
    isbns = tuple(dict.fromkeys(i.value for i in view.isbns if i.valid))
    authors = "; ".join(view.authors or view.corporate_authors)
    leader = str(record.leader)
    return EditionFields(
        control_number=(view.control_number or None),
        flavour=flavour,
        marc=marc,
        record_hash=record_hash(marc),
        title=_cut(_title(view), 1000),
        authors=_cut(authors, 1000),
        publisher=_cut(view.publisher or "", 255),
        year=(view.year or "")[:8],
        language=_first_language(view),
        isbn=isbns[0] if isbns else None,
        isbns=isbns,
        title_key=title_key(view.title, view.authors[0] if view.authors else None, view.year,
                            view.publisher),
        udc=_cut("; ".join(view.udc), 255),
        bbk=_cut("; ".join(view.bbk), 255),
        doc_type=doc_type(leader, view),
        content_branch=content_branch(view.udc, view.bbk),
        quality=quality_score(record, view),
    )


def _first_language(view: BibView) -> str:
    return (view.languages[0] if view.languages else "")[:8]


def _title(view: BibView) -> str:
    if view.title and view.remainder_of_title:
        return f"{view.title} : {view.remainder_of_title}"
    return view.title or ""


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def record_hash(marc: dict[str, Any]) -> str:
    """A stable hash of the record's content: equal hashes mean an unchanged re-import."""
    data = json.dumps(marc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def normalise_key_text(text: str | None) -> str:
    """Lower-case letters and digits only, accents removed: "Кобзар : вірші" -> "кобзар вірші"."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFC", text.casefold())
    # Latin loses its accents (é -> e); Cyrillic letters such as й, ї, ґ stay as they are.
    plain = "".join(ch if "\u0400" <= ch <= "\u04ff" else _strip_accents(ch) for ch in folded)
    return _NON_WORD.sub(" ", plain).strip()


def _strip_accents(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def title_key(title: str | None, author: str | None, year: str | None,
              publisher: str | None = None) -> str:
    """The dedup key without ISBN: normalised title + first author's surname + year."""
    surname = normalise_key_text(author).split(" ")[0] if author else ""
    parts = [normalise_key_text(title)[:200], surname, (year or "")[:4]]
    return "|".join(parts)[:255]


def content_branch(udc: list[str], bbk: list[str]) -> str:
    """The КСО content branch from the first UDC index, else the first ББК index."""
    for index, table in ((udc, _UDC_BRANCHES), (bbk, _BBK_BRANCHES)):
        if index:
            first = index[0].strip()
            for prefix, branch in table:
                if first.startswith(prefix):
                    if table is _UDC_BRANCHES and "-93" in first:
                        return "children"
                    return branch
    return "unclassified"


def doc_type(leader: str, view: BibView) -> str:
    """Document type (вид документа) from the leader, analytics from a host link."""
    if view.host is not None or (len(leader) > 7 and leader[7] in "ab"):
        return "analytic"
    if len(leader) > 7 and leader[7] == "s":
        return "serial"
    return _DOC_TYPES.get(leader[6:7], "other")


# Completeness weights: what a cataloguer misses most when a field is absent.
_QUALITY_WEIGHTS = (
    ("title", 20), ("authors", 10), ("publisher", 8), ("place", 4), ("year", 8), ("isbns", 10),
    ("extent", 5), ("languages", 5), ("udc", 10), ("bbk", 10), ("subjects", 10),
)


def quality_score(record: pymarc.Record, view: BibView | None = None) -> int:
    """A 0-100 completeness score: the better record wins when two describe one edition.

    Weighted presence of the fields cataloguers fill in, minus a little for brief records
    (encoding level blank is full in MARC21; '#'/' ' or '1' in UNIMARC are full or near-full).
    """
    view = view or bib_view(record, "marc21")
    score = sum(weight for name, weight in _QUALITY_WEIGHTS if getattr(view, name, None))
    level = str(record.leader)[17:18]
    if level in ("3", "5", "7", "2", "8", "u", "z"):
        score -= 5
    return max(0, min(100, score))


def record_from_marc(marc: dict[str, Any]) -> pymarc.Record:
    """The stored MARC-in-JSON back as a pymarc record."""
    return dict_to_record(marc, [])
