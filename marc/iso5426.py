"""ISO 5426 codec: the extended Latin set UNIMARC declares with 100$a/26-27 = "03".

G0 is ASCII; the upper half holds symbols, letters like Ł and Æ, and non-spacing marks
(0xC0-0xDF) that, as in MARC-8, come *before* the letter they modify. The table follows
ISO-IR-053 as tabulated by Die Deutsche Bibliothek (xbib) and Index Data (yaz, 2008 revision).

    >>> decode_iso5426(b"Soci\\xc2et\\xc2e")
    ('Société', [])
    >>> encode_iso5426("Łódź")
    b'\\xe8\\xc2od\\xc2z'
"""

from __future__ import annotations

import re
import unicodedata

from marc.errors import EncodingError

# Upper half: spacing characters (position -> character).
_SPACING = {
    0x88: "\x98", 0x89: "\x9c",  # non-sort begin / end, as in MARC-8
    0xA1: "¡", 0xA2: "„", 0xA3: "£", 0xA4: "$", 0xA5: "¥", 0xA6: "†", 0xA7: "§", 0xA8: "′",
    0xA9: "‘", 0xAA: "“", 0xAB: "«", 0xAC: "♭", 0xAD: "©", 0xAE: "℗", 0xAF: "®",
    0xB0: "ʻ", 0xB1: "ʼ", 0xB2: "‚", 0xB6: "‡", 0xB7: "·", 0xB8: "″", 0xB9: "’", 0xBA: "”",
    0xBB: "»", 0xBC: "♯", 0xBD: "ʹ", 0xBE: "ʺ", 0xBF: "¿",
    0xE1: "Æ", 0xE2: "Đ", 0xE6: "Ĳ", 0xE8: "Ł", 0xE9: "Ø", 0xEA: "Œ", 0xEC: "Þ",
    0xF1: "æ", 0xF2: "đ", 0xF3: "ð", 0xF5: "ı", 0xF6: "ĳ", 0xF8: "ł", 0xF9: "ø", 0xFA: "œ",
    0xFB: "ß", 0xFC: "þ",
}
# Upper half: non-spacing marks, written before their base letter.
_MARKS = {
    0xC0: "\u0309", 0xC1: "\u0300", 0xC2: "\u0301", 0xC3: "\u0302", 0xC4: "\u0303",
    0xC5: "\u0304", 0xC6: "\u0306", 0xC7: "\u0307", 0xC8: "\u0308", 0xC9: "\u0308",  # umlaut
    0xCA: "\u030a", 0xCB: "\u0315", 0xCC: "\u0312", 0xCD: "\u030b", 0xCE: "\u031b",
    0xCF: "\u030c", 0xD0: "\u0327", 0xD1: "\u031c", 0xD2: "\u0326", 0xD3: "\u0328",
    0xD4: "\u0325", 0xD5: "\u032e", 0xD6: "\u0323", 0xD7: "\u0324", 0xD8: "\u0332",
    0xD9: "\u0333", 0xDA: "\u0329", 0xDB: "\u032d",
    0xDD: "\ufe20", 0xDE: "\ufe21", 0xDF: "\ufe23",  # ligature left/right half, tilde right half
}
_REPLACEMENT = "\ufffd"
_LIGATURE, _DOUBLE_TILDE = "\u0361", "\u0360"


def _decode_table() -> dict[int, str]:
    """Byte -> character for str.translate; undefined upper-half bytes become U+FFFD."""
    table = {byte: chr(byte) for byte in range(0x80)}
    table.update({byte: _REPLACEMENT for byte in range(0x80, 0x100)})
    table.update(_SPACING)
    table.update(_MARKS)
    return table


_DECODE = _decode_table()
_MARK_CLASS = "".join(sorted(set(_MARKS.values())))
_MARKS_THEN_BASE = re.compile(f"([{_MARK_CLASS}]+)(.)", re.S)
# A two-letter ligature or double tilde: left half on the first letter, right half on the next.
_DOUBLE_MARK = re.compile("\ufe20([^\ufe21\ufe23]*)(\ufe21|\ufe23)")
_ESCAPE = re.compile(rb"\x1b[\x20-\x2f]*[\x30-\x7e]?")

_ENCODE_SPACING = {char: bytes([code]) for code, char in _SPACING.items() if code != 0xA4}
_ENCODE_SPACING.update({chr(code): bytes([code]) for code in range(0x80) if code != 0x1B})
_ENCODE_MARKS = {char: bytes([code]) for code, char in _MARKS.items() if code != 0xC9}
_ENCODE_MARKS.update({_LIGATURE: b"\xdd", _DOUBLE_TILDE: b"\xdd", "\ufe22": b"\xdd"})
_SECOND_HALF_OF = {_LIGATURE: b"\xde", _DOUBLE_TILDE: b"\xdf"}


def decode_iso5426(data: bytes) -> tuple[str, list[str]]:
    """Decode one ISO 5426 field/subfield byte string to NFC Unicode, never raising.

    Returns (text, problems); undefined bytes become U+FFFD and each is named in problems.
    Escape sequences (a switch to another ISO 2022 set) are skipped and reported. Unlike
    MARC-8, no &#xHHHH; references are expanded: that is LC's MARC 21 convention, not UNIMARC's.
    """
    if data.isascii() and b"\x1b" not in data:
        return data.decode("ascii"), []
    problems: list[str] = []
    pieces: list[str] = []
    start = 0
    for escape in _ESCAPE.finditer(data):
        pieces.append(_translate(data, start, escape.start(), problems))
        sequence = escape.group()[1:].decode("latin-1")
        problems.append(
            f"escape sequence ESC {sequence} at byte {escape.start()} ignored:"
            " only ISO 5426 is decoded here"
        )
        start = escape.end()
    pieces.append(_translate(data, start, len(data), problems))
    text = "".join(pieces)
    if text and text[-1] in _MARK_CLASS:
        problems.append("combining mark at the end with no base character after it")
    text = _MARKS_THEN_BASE.sub(r"\2\1", text)
    if "\ufe20" in text:
        text = _DOUBLE_MARK.sub(_join_double_mark, text).replace("\ufe20", _LIGATURE)
    return unicodedata.normalize("NFC", text), problems


def _translate(data: bytes, start: int, stop: int, problems: list[str]) -> str:
    """Bytes start..stop to characters (marks still before their base), naming unknown bytes."""
    text = data[start:stop].decode("latin-1").translate(_DECODE)
    if _REPLACEMENT in text:
        for index, char in enumerate(text, start):
            if char == _REPLACEMENT:
                problems.append(f"unknown ISO 5426 character 0x{data[index]:02X} at byte {index}")
    return text


def _join_double_mark(match: re.Match[str]) -> str:
    """Left half + right half of a ligature/double tilde -> the one Unicode double mark."""
    double = _LIGATURE if match.group(2) == "\ufe21" else _DOUBLE_TILDE
    return double + match.group(1)


def encode_iso5426(text: str) -> bytes:
    """Encode Unicode to ISO 5426: marks before their letter, precomposed letters decomposed.

    Raises EncodingError naming the first character ISO 5426 cannot hold (e.g. Cyrillic, which
    UNIMARC carries in ISO 5427 instead).
    """
    if text.isascii() and "\x1b" not in text:
        return text.encode("ascii")
    out = bytearray()
    second_half = b""  # the right half owed to the letter after a ligature or double tilde
    for cluster in _clusters(unicodedata.normalize("NFC", text)):
        marks, base = _cluster_bytes(cluster)
        out += second_half + marks + base
        second_half = b""
        for mark in cluster[1:]:
            second_half = _SECOND_HALF_OF.get(mark, second_half)
    return bytes(out)


def _clusters(text: str) -> list[str]:
    """Split NFC text into base characters, each with the marks that follow it."""
    clusters: list[str] = []
    for char in text:
        if clusters and char >= "\u0300" and unicodedata.category(char)[0] == "M":
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _cluster_bytes(cluster: str) -> tuple[bytes, bytes]:
    """(marks, base) bytes for one cluster, trying the precomposed then the decomposed form."""
    decomposed = unicodedata.normalize("NFD", cluster)
    for form in (cluster, decomposed):
        base, marks = form[0], form[1:]
        if base in _ENCODE_SPACING and all(mark in _ENCODE_MARKS for mark in marks):
            return b"".join(_ENCODE_MARKS[mark] for mark in marks), _ENCODE_SPACING[base]
    if cluster[0] in _ENCODE_MARKS:
        name = unicodedata.name(cluster[0], "unnamed mark")
        raise EncodingError(f"ISO 5426 cannot hold a mark with no letter before it: {name}")
    bad = next(
        (char for char in decomposed if char not in _ENCODE_SPACING and char not in _ENCODE_MARKS),
        cluster[0],
    )
    name = unicodedata.name(bad, "control character")
    raise EncodingError(f"ISO 5426 cannot hold {bad!r} (U+{ord(bad):04X} {name})")
