"""Text fitted to an output encoding: characters cp1251 cannot hold become their nearest form.

The modifier-letter apostrophe U+02BC that Ukrainian texts use becomes ’, Latin accented letters
their base letter, anything else "?"; MARC-8 and UTF-8 hold everything.
"""

from __future__ import annotations

import copy
import unicodedata
from collections import Counter

import pymarc
from pymarc import Subfield

# cp1251 stand-ins for characters it lacks that Ukrainian and Russian records use.
_NEAREST = {
    "\u02bc": "\u2019", "\u02b9": "'", "\u2032": "'", "\u2033": '"', "\u2010": "-",
    "\u2011": "-", "\u2012": "\u2013", "\u2212": "-", "\u2009": " ", "\u202f": " ",
}  # fmt: skip


# Encodings that hold every character (MARC-8 writes the rest as numeric character references)
# or are not Python codecs; only the others are fitted.
_HOLD_EVERYTHING = frozenset({"utf-8", "marc-8", "iso-5426"})


def needs_fitting(encoding: str) -> bool:
    """True for a narrow code page (cp1251, cp866) whose lacking characters must be replaced."""
    return encoding not in _HOLD_EVERYTHING


def fitted_to(record: pymarc.Record, encoding: str) -> pymarc.Record:
    """A copy of the record whose text ``encoding`` can hold (see ``fit_text``)."""
    return fit_record(record, encoding)[0]


def fit_record(record: pymarc.Record, encoding: str) -> tuple[pymarc.Record, Counter[str]]:
    """A copy of the record whose text ``encoding`` can hold, and the characters replaced.

    The counter holds each replaced character (as it was, NFC) and how often it was replaced,
    so a summary can say per record what a narrow code page cost.
    """
    replaced: Counter[str] = Counter()
    fitted = copy.deepcopy(record)
    for field in fitted.fields:
        if field.control_field:
            field.data = fit_text(field.data or "", encoding, replaced)
        else:
            field.subfields = [Subfield(sub.code, fit_text(sub.value, encoding, replaced))
                               for sub in field.subfields]
    return fitted, replaced


def fit_text(text: str, encoding: str, replaced: Counter[str] | None = None) -> str:
    """Text a single-byte code page can hold: each character it lacks becomes its nearest form.

    U+02BC (the Ukrainian apostrophe) → ’; accented letters → their base letter; combining
    marks (stress accents) are dropped; anything else → "?". Each replaced character is
    counted in ``replaced`` when given.
    """
    text = unicodedata.normalize("NFC", text)
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    out: list[str] = []
    for char in text:
        if _fits(char, encoding):
            out.append(char)
            continue
        out.append(_NEAREST.get(char) or _nearest(char, encoding))
        if replaced is not None:
            replaced[char] += 1
    return "".join(out)


def _nearest(char: str, encoding: str) -> str:
    """A combining mark → nothing; a letter with marks → its base letter if that fits; else "?"."""
    if unicodedata.combining(char):
        return ""
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and _fits(base, encoding) else "?"


def _fits(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True
