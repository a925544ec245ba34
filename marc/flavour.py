"""Tell MARC21 from UNIMARC by the tags a record uses.

UNIMARC has 200 (title), 100 (general processing data, 8-digit date first), 101, 210, 215 and
7XX names with $a/$b; MARC21 has 245, 008, 020, 040, 260/264 and 300. RUSMARC is UNIMARC with
local fields, so it is read as UNIMARC.
"""

from __future__ import annotations

from collections.abc import Iterable

from marc.sniff import is_ascii_digits

_UNIMARC_TAGS = frozenset({"200", "101", "102", "210", "214", "215", "225", "010", "011", "606",
                           "675", "686", "700", "701", "702", "801", "995"})
_MARC21_TAGS = frozenset({"245", "008", "020", "022", "040", "041", "260", "264", "300", "490",
                          "650", "651", "082", "080", "852", "952", "250", "100", "110"})
# Record types (leader/06) that exist only in MARC21: authority and holdings records.
_MARC21_ONLY_TYPES = frozenset("zuvxy")


def detect_flavour(tags: Iterable[str], leader: str, general_data: str | None = None) -> str:
    """Return "unimarc" or "marc21" for a record with these tags.

    ``general_data`` is the content of field 100 (raw text): in UNIMARC it starts with
    ``$a`` holding an eight-digit date, in MARC21 100 is the main personal name.
    """
    tagset = set(tags)
    if len(leader) > 6 and leader[6] in _MARC21_ONLY_TYPES:
        return "marc21"
    unimarc = len(tagset & _UNIMARC_TAGS)
    marc21 = len(tagset & _MARC21_TAGS)
    if "200" in tagset:
        unimarc += 2
    if "245" in tagset:
        marc21 += 2
    if general_data is not None and _looks_like_unimarc_100(general_data):
        unimarc += 2
    return "unimarc" if unimarc > marc21 else "marc21"


def _looks_like_unimarc_100(text: str) -> bool:
    """UNIMARC 100$a begins with the date entered on file, YYYYMMDD."""
    start = text.find("\x1fa")
    text = text[start + 2:] if start >= 0 else text.lstrip(" ")
    return len(text) >= 8 and is_ascii_digits(text[:8]) and text[:2] in ("19", "20")
