"""Character encodings of MARC records: detection from the bytes, and decoding with a fallback.

Ukrainian exports are often mis-declared (the leader says UTF-8 while the bytes are cp1251, or
leader/09 is blank while the bytes are UTF-8), so the declaration is only one hint: the bytes
decide, and every assumption that contradicts the declaration is reported as a warning.
"""

from __future__ import annotations

from marc import iso5426, marc8
from marc.errors import EncodingError

# Bytes of Cyrillic letters in the two single-byte code pages we meet (IRBIS, old exports).
_CP1251_LETTERS = frozenset(range(0xC0, 0x100)) | {0xA8, 0xB8, 0xAA, 0xBA, 0xAF, 0xBF, 0xB2, 0xB3,
                                                    0xA5, 0xB4}
_CP866_LETTERS = frozenset(range(0x80, 0xB0)) | frozenset(range(0xE0, 0xF8))
# Frequent Cyrillic lower-case letters (о, е, а, и, н, т, с, р, в, і) in each code page.
_CP1251_FREQUENT = frozenset(b"\xee\xe5\xe0\xe8\xed\xf2\xf1\xf0\xe2\xb3")
_CP866_FREQUENT = frozenset(b"\xae\xa5\xa0\xa8\xad\xe2\xe1\xe0\xa2\xe6")

# UNIMARC 100$a/26-27 character set codes (the first G0 set) that mean "Unicode".
UNIMARC_UTF8_CODES = frozenset({"50"})
UNIMARC_ISO5426_CODES = frozenset({"03"})


def has_high_bytes(data: bytes) -> bool:
    """True when the bytes are not plain 7-bit ASCII."""
    return not data.isascii()


def is_valid_utf8(data: bytes) -> bool:
    """True when the bytes decode as UTF-8 without error."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def cyrillic_codepage(data: bytes, *, lone_letters: bool = False) -> str | None:
    """Name the single-byte Cyrillic code page these bytes look like, or None.

    Cyrillic text puts high bytes in runs (whole words); MARC-8 and ISO 5426 put one combining
    mark before an ASCII letter. Between cp1251 and cp866 the frequent letters decide.
    With ``lone_letters`` a single high byte not followed by a letter (an initial "В.", a
    location code "с" in 995) counts as a letter too: a record that cannot be MARC-8 (UNIMARC
    without a character set code) has many of them in its holdings.
    """
    high = [b for b in data if b >= 0x80]
    if not high:
        return None
    in_words = 0  # high bytes in runs of three or more: letters inside words
    run = 0
    for b in data + b" ":
        if b >= 0x80:
            run += 1
            continue
        if run >= 3 or (lone_letters and run and not chr(b).isalpha()):
            in_words += run
        run = 0
    # MARC-8 and ISO 5426 put one or two combining marks before a letter; Cyrillic words are
    # runs of letters, so most high bytes must sit in runs of three or more.
    if in_words < len(high) * 0.5:
        return None
    score_1251 = sum(b in _CP1251_LETTERS for b in high) + 2 * sum(b in _CP1251_FREQUENT for b in high)
    score_866 = sum(b in _CP866_LETTERS for b in high) + 2 * sum(b in _CP866_FREQUENT for b in high)
    if max(score_1251, score_866) < len(high):
        return None
    return "cp866" if score_866 > score_1251 else "cp1251"


def declared_encoding(flavour: str, leader9: str, unimarc_charset: str | None) -> str:
    """The encoding a record's own coded data claims: leader/09 or UNIMARC 100$a/26-27."""
    if flavour == "unimarc":
        if unimarc_charset in UNIMARC_ISO5426_CODES:
            return "iso-5426"
        return "utf-8"  # '50' (ISO 10646) or unstated: modern UNIMARC exports are UTF-8
    return "utf-8" if leader9 == "a" else "marc-8"


def detect_encoding(
    data: bytes, flavour: str, leader9: str, unimarc_charset: str | None = None
) -> tuple[str, list[str]]:
    """Decide the encoding of one record's field bytes; return it with any warnings."""
    declared = declared_encoding(flavour, leader9, unimarc_charset)
    # UNIMARC has no code for Cyrillic code pages: 100$a/26-27 left blank leaves the bytes to
    # decide (komplekt writes cp1251 so), which is no contradiction and so no warning.
    unstated = flavour == "unimarc" and unimarc_charset is not None and not unimarc_charset.strip()
    if not has_high_bytes(data):
        if b"\x1b" in data and flavour == "marc21":
            return "marc-8", []
        return declared, []
    if is_valid_utf8(data):
        if declared == "utf-8":
            return "utf-8", []
        return "utf-8", [f"declared {_declaration(flavour, declared)} but the bytes are valid "
                         "UTF-8; read as UTF-8"]
    if declared == "utf-8" and _mostly_utf8(data):
        return "utf-8", ["some bytes are not valid UTF-8; those fields were read with a fallback"]
    cyrillic = cyrillic_codepage(data, lone_letters=unstated)
    if unstated and cyrillic is not None:
        return cyrillic, []
    if declared == "marc-8" and (b"\x1b" in data or cyrillic is None):
        return "marc-8", []
    if declared == "iso-5426" and cyrillic is None:
        return "iso-5426", []
    if cyrillic is not None:
        return cyrillic, [f"declared {_declaration(flavour, declared)} but the bytes look like "
                          f"{cyrillic} Cyrillic; read as {cyrillic}"]
    if marc8.is_marc8_plausible(data) >= 0.5:
        return "marc-8", [f"declared {_declaration(flavour, declared)} but the bytes are not "
                          "valid UTF-8 and look like MARC-8; read as MARC-8"]
    return declared, [f"bytes are not valid {declared}; undecodable bytes replaced with U+FFFD"]


def _mostly_utf8(data: bytes) -> bool:
    """True when nearly every high byte belongs to a valid UTF-8 sequence (a few bad bytes)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid_multibyte = sum(1 for ch in text if ord(ch) >= 0x80 and ch != "\ufffd")
    return valid_multibyte >= 4 * bad


def _declaration(flavour: str, encoding: str) -> str:
    where = "100$a/26-29" if flavour == "unimarc" else "leader/09"
    return f"{encoding} ({where})"


def decode(data: bytes, encoding: str) -> tuple[str, list[str]]:
    """Decode one field's bytes; never raises. Returns the text and any problems found."""
    if encoding == "marc-8":  # before the ASCII shortcut: &#xHHHH; references are MARC-8 text
        return marc8.decode_marc8(data)
    if data.isascii():
        return data.decode("ascii"), []
    if encoding == "iso-5426":
        return iso5426.decode_iso5426(data)
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as err:
        fallback = cyrillic_codepage(data) if encoding == "utf-8" else None
        if fallback is not None:
            return data.decode(fallback), [f"invalid {encoding} at byte {err.start}; this "
                                           f"field read as {fallback}"]
        return data.decode(encoding, errors="replace"), [
            f"invalid {encoding} at byte {err.start}: {err.reason}; replaced with U+FFFD"
        ]


def encode(text: str, encoding: str) -> bytes:
    """Encode text for ISO 2709 output; characters the target cannot hold raise EncodingError."""
    if encoding == "marc-8":
        return marc8.encode_marc8(text)
    if encoding == "iso-5426":
        return iso5426.encode_iso5426(text)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as err:
        bad = text[err.start:err.end]
        raise EncodingError(
            f"{bad!r} (U+{ord(bad[0]):04X}) cannot be written in {encoding}"
        ) from None
