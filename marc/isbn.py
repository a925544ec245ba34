"""ISBN and ISSN normalisation: one comparable form for matching, the raw text never lost.

An ISBN subfield often carries more than the number: a binding qualifier ("(pbk.)",
"(в пер.)"), a volume ("(v. 1)") or a price ("0553268473 (pbk.) : $6.99"). These are separated
off. Valid ISBN-10 and ISBN-13 both become ISBN-13 digits without hyphens; anything invalid is
kept as written and flagged. Results are cached because the same numbers recur across the
100k-record files this runs over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import isbn as _isbn
from stdnum import issn as _issn

_PREFIX = re.compile(r"^\s*ISBN(?:[\s-]*1[03])?\s*:?\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^\d(?:[\s-]?\d){8,11}[\s-]?[\dXxХх]")
_PARENS = re.compile(r"\(([^()]*)\)")
_ISBD_EDGES = " \t:;,/="  # not ".": "pbk." and "в пер." end in abbreviations
_ISSN = re.compile(r"(\d{4})\s*[-‐–]?\s*(\d{3}[\dXxХх])")
_CYRILLIC_X = str.maketrans({"Х": "X", "х": "X", "x": "X"})


@dataclass(frozen=True, slots=True)
class Isbn:
    """One ISBN as found in a record: its comparable value and what was written."""

    value: str  # ISBN-13 digits when valid, otherwise the number as written
    raw: str  # the whole subfield text
    valid: bool
    qualifier: str | None = None  # "pbk.", "в пер.", "v. 1" ...
    price: str | None = None  # a price written in the same subfield, raw


@lru_cache(maxsize=65536)
def parse_isbn(text: str, cancelled: bool = False) -> Isbn:
    """Split an ISBN subfield into number, qualifier and price; normalise a valid number.

    ``cancelled`` marks text from a cancelled/invalid-ISBN subfield (MARC21 020$z,
    UNIMARC 010$z): it is parsed the same way but always flagged invalid.
    """
    body = _PREFIX.sub("", text.strip())
    if body.startswith("(") and ")" in body:  # "(0373197527pbk.) :" wraps everything
        close = body.index(")")
        body = body[1:close] + body[close + 1 :]
    head, rest = _split_head(body)
    match = _NUMBER.match(head)
    number = match.group(0) if match else ""
    digits = re.sub(r"[\s-]", "", number).translate(_CYRILLIC_X)
    leftover = head[len(number) :].strip(_ISBD_EDGES)
    # digits straight after the number ("089542262X295") mean it was cut in the wrong place
    valid = bool(digits) and not cancelled and not leftover[:1].isdigit() and _isbn.is_valid(digits)
    qualifiers, price = _qualifiers_and_price(rest)
    if valid:
        if leftover:  # "0440487331pbk." -> qualifier "pbk."
            qualifiers.insert(0, leftover)
        value = _isbn.to_isbn13(digits)
    else:
        value = head.strip(_ISBD_EDGES) or text.strip()
    return Isbn(
        value=value,
        raw=text,
        valid=valid,
        qualifier="; ".join(qualifiers) or None,
        price=price,
    )


@lru_cache(maxsize=16384)
def normalise_issn(text: str) -> str | None:
    """The ISSN in ``text`` as NNNN-NNNX, or None when there is none.

    A well-formed number with a wrong check digit is still returned: it is what the
    publication prints and still identifies it. Use ``issn_is_valid`` to tell.
    """
    match = _ISSN.search(text)
    if not match:
        return None
    return f"{match.group(1)}-{match.group(2).translate(_CYRILLIC_X)}"


@lru_cache(maxsize=16384)
def issn_is_valid(text: str) -> bool:
    """Whether ``text`` holds an ISSN with a correct check digit."""
    number = normalise_issn(text)
    return number is not None and _issn.is_valid(number)


def _split_head(body: str) -> tuple[str, str]:
    """Cut the number part off at the first "(", ":" or ";" that follows it."""
    cut = len(body)
    for mark in ("(", ":", ";"):
        at = body.find(mark)
        if 0 < at < cut:
            cut = at
    return body[:cut].strip(), body[cut:]


def _qualifiers_and_price(rest: str) -> tuple[list[str], str | None]:
    """Parenthesised qualifiers and any text before ":" are qualifiers; after ":" a price."""
    qualifiers = [q.strip(_ISBD_EDGES + " ") for q in _PARENS.findall(rest)]
    qualifiers = [q for q in qualifiers if q]
    remaining = _PARENS.sub(" ", rest)
    price: str | None = None
    before, colon, after = remaining.partition(":")
    if colon:
        price = after.strip(" ;,/=") or None
    else:
        before = remaining
    extra = before.strip(_ISBD_EDGES)
    if extra:
        if not colon and any(ch.isdigit() for ch in extra):
            price = extra
        else:
            qualifiers.extend(
                q.strip(_ISBD_EDGES) for q in extra.split(";") if q.strip(_ISBD_EDGES)
            )
    return qualifiers, price
