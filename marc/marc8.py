"""MARC-8 codec: field bytes to NFC Unicode with every problem named, and Unicode back to MARC-8.

MARC-8 is ISO 2022-like: G0 (bytes 0x21-0x7E) starts as ASCII and G1 (0xA1-0xFE) as ANSEL, and
escape sequences switch either to Cyrillic, Greek, Hebrew, Arabic, EACC (CJK, three bytes a
character) or the sub/superscript and Greek-symbol sets. Combining marks come *before* their base
character. The state starts afresh in every field but carries across subfield delimiters (real
files put ``ESC ( N`` just before a 0x1F), so decode a field's data in one call, then split it;
the code byte after each 0x1F is structure and is read as ASCII whatever G0 holds.
Characters MARC-8 cannot hold travel as ``&#xHHHH;`` (LC's lossless convention).

    >>> decode_marc8(b"Soci\\xe2et\\xe2e")
    ('Société', [])
    >>> encode_marc8("Київ")
    b'\\x1b(NkI\\x1b)Q\\xc7W\\x1b(B\\x1b)E'
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from pymarc.marc8_mapping import CODESETS, ODD_MAP

ASCII, ANSEL, EACC = 0x42, 0x45, 0x31
BASIC_CYRILLIC, EXTENDED_CYRILLIC, BASIC_GREEK = 0x4E, 0x51, 0x53
BASIC_HEBREW, BASIC_ARABIC, EXTENDED_ARABIC = 0x32, 0x33, 0x34
SUPERSCRIPT, SUBSCRIPT, GREEK_SYMBOLS = 0x70, 0x62, 0x67

SET_NAMES = {
    ASCII: "ASCII", ANSEL: "ANSEL", EACC: "EACC", BASIC_CYRILLIC: "Basic Cyrillic",
    EXTENDED_CYRILLIC: "Extended Cyrillic", BASIC_GREEK: "Basic Greek",
    BASIC_HEBREW: "Basic Hebrew", BASIC_ARABIC: "Basic Arabic",
    EXTENDED_ARABIC: "Extended Arabic", SUPERSCRIPT: "Superscript", SUBSCRIPT: "Subscript",
    GREEK_SYMBOLS: "Greek symbols",
}
# Which set wins when a character is in several; EACC last because it repeats many others.
_PRIORITY = (ASCII, ANSEL, BASIC_CYRILLIC, EXTENDED_CYRILLIC, BASIC_GREEK, BASIC_HEBREW,
             BASIC_ARABIC, EXTENDED_ARABIC, SUPERSCRIPT, SUBSCRIPT, GREEK_SYMBOLS, EACC)
# LC's tables give these sets as G1 sets; the rest are designated into G0.
_G1_SETS = frozenset({ANSEL, EXTENDED_CYRILLIC, EXTENDED_ARABIC})
# "Technique 1": ESC g / ESC b / ESC p lock a custom set into G0, ESC s returns to ASCII.
_TECHNIQUE_1 = frozenset({GREEK_SYMBOLS, SUBSCRIPT, SUPERSCRIPT})
# ANSEL's C1 controls (non-sort begin/end, joiner, non-joiner) work whatever G1 holds.
_C1 = {0x88: "\x98", 0x89: "\x9c", 0x8D: "\u200d", 0x8E: "\u200c"}
_REPLACEMENT = "\ufffd"
# ANSEL's two-part marks decode as the Library of Congress code table maps them: the ligature
# halves 0xEB/0xEC to U+FE20/U+FE21 and the double tilde halves 0xFA/0xFB to U+FE22/U+FE23, each
# on its own letter, so they encode back to the same bytes and other systems map them back.
# The single double-width marks U+0361/U+0360 (UTF-8 records carry them) have no ANSEL code of
# their own: they are written as the first half, with the second half owed to the next letter.
_LIGATURE, _DOUBLE_TILDE = "\u0361", "\u0360"
_RIGHT_HALVES = {0x6C: "\ufe21", 0x7B: "\ufe23"}  # ANSEL positions of the second halves
_FIRST_HALVES = {0x6B: "\ufe20", 0x7A: "\ufe22"}


def _single_byte_sets() -> dict[int, dict[int, tuple[str, bool]]]:
    """pymarc's tables re-keyed by 7-bit position, so a set decodes the same in G0 or G1."""
    sets: dict[int, dict[int, tuple[str, bool]]] = {}
    for final, table in CODESETS.items():
        if final == EACC:
            continue
        sets[final] = {
            code & 0x7F: (chr(uni), bool(combining))
            for code, (uni, combining) in table.items()
            if 0x21 <= code & 0x7F <= 0x7E and code not in _C1
        }
    sets[ANSEL].update({pos: (mark, True) for pos, mark in _FIRST_HALVES.items()})
    sets[ANSEL].update({pos: (mark, True) for pos, mark in _RIGHT_HALVES.items()})
    return sets


_SETS = _single_byte_sets()
_MARKS = frozenset(ch for table in _SETS.values() for ch, combining in table.values() if combining)
_MARK_CLASS = "".join(re.escape(ch) for ch in sorted(_MARKS))
_MARKS_THEN_BASE = re.compile(f"([{_MARK_CLASS}]+)(.)", re.S)
_TRAILING_MARKS = re.compile(f"[{_MARK_CLASS}]+$")
# Marks written before an NCR's "&" end up after it once reordered; they belong to the NCR.
_NCR = re.compile(f"&([{_MARK_CLASS}]*)#x([0-9A-Fa-f]{{1,6}});")


@cache
def _eacc_decode() -> dict[int, str]:
    """EACC (CJK) code -> character; built on first use, since most files never switch to EACC."""
    table = {code: chr(uni) for code, (uni, _combining) in CODESETS[EACC].items()}
    table.update({code: chr(uni) for code, uni in ODD_MAP.items() if code not in table})
    return table


@cache
def _encode_tables() -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]]]:
    """Unicode -> [(set, code)] in priority order, one table for spacing and one for marks.

    Built on the first encode, not at import: reading (and ``komplekt marc stats``) never needs it.
    """
    spacing: dict[str, list[tuple[int, int]]] = {}
    marks: dict[str, list[tuple[int, int]]] = {}
    for final in _PRIORITY:
        if final == EACC:
            for code, (uni, _combining) in sorted(CODESETS[EACC].items()):
                if not all(0x21 <= byte <= 0x7E for byte in code.to_bytes(3, "big")):
                    continue  # 0x212320 holds a space byte; 0x212321 also means U+3000
                candidates = spacing.setdefault(chr(uni), [])
                if all(s != EACC for s, _ in candidates):
                    candidates.append((EACC, code))
            continue
        for position, (ch, combining) in sorted(_SETS[final].items()):
            candidates = (marks if combining else spacing).setdefault(ch, [])
            if all(s != final for s, _ in candidates):
                candidates.append((final, position))
    # The single double-width marks are written as ANSEL's first halves (see _SECOND_HALF_OF).
    marks[_LIGATURE] = [(ANSEL, 0x6B)]
    marks[_DOUBLE_TILDE] = [(ANSEL, 0x7A)]
    return spacing, marks


def _spacing() -> dict[str, list[tuple[int, int]]]:
    return _encode_tables()[0]


def _combining() -> dict[str, list[tuple[int, int]]]:
    return _encode_tables()[1]

_SECOND_HALF_OF = {_LIGATURE: 0x6C, _DOUBLE_TILDE: 0x7B}
_C1_ENCODE = {ch: bytes([code]) for code, ch in _C1.items()}
_STRUCTURE = frozenset("\x1d\x1e\x1f")  # record terminator, field terminator, subfield delimiter


# --- decoding -------------------------------------------------------------------------------


def decode_marc8(data: bytes) -> tuple[str, list[str]]:
    """Decode one MARC-8 field/subfield byte string to NFC Unicode, never raising.

    Returns (text, problems); unmappable bytes become U+FFFD and each is named in problems.
    """
    if data.isascii() and b"\x1b" not in data and b"&#" not in data:
        return data.decode("ascii"), []
    problems: list[str] = []
    pieces: list[str] = []
    g0, g1 = ASCII, ANSEL
    position, end = 0, len(data)
    while position < end:
        escape = data.find(b"\x1b", position)
        stop = end if escape < 0 else escape
        if stop > position:
            pieces.append(_decode_run(data, position, stop, g0, g1, problems))
        if escape < 0:
            break
        g0, g1, position = _read_escape(data, escape, g0, g1, problems)
    text = "".join(pieces)
    if _TRAILING_MARKS.search(text):
        problems.append("combining mark at the end with no base character after it")
    text = _MARKS_THEN_BASE.sub(r"\2\1", text)
    if "&" in text:
        text = _NCR.sub(lambda match: _resolve_ncr(match, problems), text)
    return unicodedata.normalize("NFC", text), problems


def _resolve_ncr(match: re.Match[str], problems: list[str]) -> str:
    """One &#xHHHH; back to its character (with any marks that were written before it)."""
    marks, digits = match.group(1), match.group(2)
    code_point = int(digits, 16)
    if code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        problems.append(f"invalid character reference &#x{digits}; kept as text")
        return match.group(0)
    return chr(code_point) + marks


@lru_cache(maxsize=64)
def _byte_table(g0: int, g1: int) -> dict[int, str]:
    """Byte -> character for one G0/G1 pair of single-byte sets (U+FFFD where undefined)."""
    # C0 controls, space and DEL pass through as themselves, as in the all-ASCII fast path.
    table = {byte: chr(byte) for byte in (*range(0x21), 0x7F)}
    g0_chars, g1_chars = _SETS.get(g0, {}), _SETS.get(g1, {})
    for position in range(0x21, 0x7F):
        table[position] = g0_chars.get(position, (_REPLACEMENT,))[0]
        table[position | 0x80] = g1_chars.get(position, (_REPLACEMENT,))[0]
    for byte in (*range(0x80, 0xA1), 0xFF):
        table[byte] = _C1.get(byte, _REPLACEMENT)
    return table


def _decode_run(data: bytes, start: int, stop: int, g0: int, g1: int, problems: list[str]) -> str:
    """Decode bytes between escape sequences; marks stay in MARC-8 order for now."""
    if EACC in (g0, g1):
        return _decode_multibyte_run(data, start, stop, g0, g1, problems)
    table = _byte_table(g0, g1)
    text = data[start:stop].decode("latin-1").translate(table)
    if g0 != ASCII and table[0x26] == "&" and b"&#" in data[start:stop]:
        text = _references_as_ascii(data, start, stop, text)
    if g0 != ASCII and "\x1f" in text:
        text = _SUBFIELD_CODE.sub(lambda match: _code_as_ascii(data, start + match.start()), text)
    if _REPLACEMENT in text:
        for index, char in enumerate(text):
            if char == _REPLACEMENT:
                problems.append(_unknown(data[start + index], start + index, g0, g1))
    return text


_SUBFIELD_CODE = re.compile("\x1f.", re.S)
_NCR_BYTES = re.compile(rb"&#x[0-9A-Fa-f]{1,6};")


def _references_as_ascii(data: bytes, start: int, stop: int, text: str) -> str:
    """Read &#xHHHH; as ASCII even inside Arabic or Cyrillic G0, where real converters wrote them
    without switching back (IRMARC8.bin); our own writer always puts "&" in ASCII."""
    for match in _NCR_BYTES.finditer(data, start, stop):
        begin, end = match.start() - start, match.end() - start
        text = text[:begin] + match.group().decode("ascii") + text[end:]
    return text


def _code_as_ascii(data: bytes, delimiter: int) -> str:
    """A subfield delimiter and its code: the code is structure, ASCII whatever G0 holds."""
    code = data[delimiter + 1]
    return "\x1f" + (chr(code) if code < 0x80 else _REPLACEMENT)


def _decode_multibyte_run(
    data: bytes, start: int, stop: int, g0: int, g1: int, problems: list[str]
) -> str:
    """Decode a run where G0 or G1 is EACC: three bytes a character, spaces and controls one."""
    table = _byte_table(g0, g1)
    out: list[str] = []
    index = start
    while index < stop:
        byte = data[index]
        if byte == 0x1F and index + 1 < stop:
            out.append(_code_as_ascii(data, index))
            index += 2
            continue
        in_eacc = (g1 if byte & 0x80 else g0) == EACC
        if not in_eacc or byte <= 0x20 or 0x7F <= byte <= 0xA0 or byte == 0xFF:
            out.append(table[byte])
            if table[byte] == _REPLACEMENT:
                problems.append(_unknown(byte, index, g0, g1))
            index += 1
            continue
        triple = data[index : index + 3]
        high = byte & 0x80
        valid = 0
        while valid < len(triple) and _same_half_graphic(triple[valid], high):
            valid += 1
        if triple[:2] == b"!#" and valid == 2 and triple[2:] == b" ":
            valid = 3  # EACC 0x212320, ideographic space, is the one code with a space byte
        if valid < 3:  # cut short by a control byte, a byte of the other half, or the end
            problems.append(f"incomplete EACC character at byte {index}")
            out.append(_REPLACEMENT)
            index += valid
            continue
        code = int.from_bytes(triple, "big") & 0x7F7F7F
        char = _eacc_decode().get(code)
        if char is None:
            where = "G1" if high else "G0"
            problems.append(
                f"unknown MARC-8 character 0x{code:06X} in {where} (EACC) at byte {index}"
            )
            char = _REPLACEMENT
        out.append(char)
        index += 3
    return "".join(out)


def _same_half_graphic(byte: int, high: int) -> bool:
    """Whether a byte can continue an EACC character begun in the same half (G0 or G1)."""
    return byte & 0x80 == high and 0x21 <= byte & 0x7F <= 0x7E


def _unknown(byte: int, index: int, g0: int, g1: int) -> str:
    """The problem message for one byte no designated set defines."""
    if 0x80 <= byte < 0xA0:
        return f"unknown MARC-8 control character 0x{byte:02X} at byte {index}"
    where, final = ("G1", g1) if byte >= 0x80 else ("G0", g0)
    return f"unknown MARC-8 character 0x{byte:02X} in {where} ({SET_NAMES[final]}) at byte {index}"


def _read_escape(
    data: bytes, start: int, g0: int, g1: int, problems: list[str]
) -> tuple[int, int, int]:
    """Apply the escape sequence at data[start]; return (g0, g1, position after it)."""
    end = len(data)
    if start + 1 >= end:
        problems.append(f"incomplete escape sequence at byte {start}")
        return g0, g1, end
    first = data[start + 1]
    if first in _TECHNIQUE_1:
        return first, g1, start + 2
    if first == 0x73:  # ESC s
        return ASCII, g1, start + 2
    index = start + 1
    if first == 0x24:  # "$": a multibyte set follows
        index += 1
    intermediate = data[index] if index < end else None
    if intermediate in (0x28, 0x2C, 0x29, 0x2D):  # ( , -> G0;  ) - -> G1
        index += 1
    elif first != 0x24:
        problems.append(f"unknown escape sequence ESC 0x{first:02X} at byte {start}; ESC ignored")
        return g0, g1, start + 1
    if index < end and data[index] == 0x21:  # "!" as in ESC ) ! E
        index += 1
    if index >= end or not 0x30 <= data[index] <= 0x7E:
        problems.append(f"incomplete escape sequence at byte {start}")
        return g0, g1, index
    final = data[index]
    if final not in SET_NAMES:
        sequence = data[start + 1 : index + 1].decode("latin-1")
        problems.append(f"unknown character set in escape sequence ESC {sequence} at byte {start}")
        return g0, g1, index + 1
    if intermediate in (0x29, 0x2D):
        return g0, final, index + 1
    return final, g1, index + 1


# --- encoding -------------------------------------------------------------------------------


def encode_marc8(text: str) -> bytes:
    """Encode Unicode to MARC-8, ending in the default state (G0 ASCII, G1 ANSEL).

    Marks go before their base; non-Latin scripts use escape sequences; whatever MARC-8 cannot
    hold is written as &#xHHHH; so nothing is ever dropped.
    """
    if text.isascii() and "\x1b" not in text and "&" not in text:
        return text.encode("ascii")
    writer = _Writer()
    text = unicodedata.normalize("NFC", text)
    for start, cluster in _clusters(text):
        if cluster in _PLAIN_ASCII and writer.g0 == ASCII and writer.second_half is None:
            writer.out.append(ord(cluster))  # the common case, without planning
        elif cluster[0] == "&" and _NCR.match(text, start):
            writer.reference(cluster)  # a literal "&#x..;" must not read back as a reference
        else:
            writer.cluster(cluster)
    return writer.finish()


_PLAIN_ASCII = frozenset(chr(code) for code in range(0x20, 0x7F)) - {"&"}


def _clusters(text: str) -> list[tuple[int, str]]:
    """Split NFC text into (offset, base + the marks that follow it)."""
    clusters: list[tuple[int, str]] = []
    for index, char in enumerate(text):
        attached = (
            char >= "\u0300" and unicodedata.category(char)[0] == "M" and char not in _spacing()
        )
        if attached and clusters:
            offset, cluster = clusters[-1]
            clusters[-1] = (offset, cluster + char)
        else:
            clusters.append((index, char))
    return clusters


class _Writer:
    """Accumulates MARC-8 bytes while tracking which sets G0 and G1 hold."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.g0, self.g1 = ASCII, ANSEL
        self.second_half: int | None = None  # ANSEL 0xEC/0xFB owed to the next letter

    def cluster(self, cluster: str) -> None:
        """Write one base character with its marks, the most faithful way MARC-8 allows."""
        second_half, self.second_half = self.second_half, None
        base = cluster[0]
        if _is_passed_through(base) or base in _C1_ENCODE:
            self._control_or_space(cluster)
            return
        for form in _forms(cluster):
            plan = _plan(form, (self.g0, self.g1))
            if plan is not None:
                if second_half is not None:
                    plan.insert(0, (ANSEL, second_half))
                for final, code in plan:
                    self._put(final, code)
                for mark in form[1:]:
                    self.second_half = _SECOND_HALF_OF.get(mark, self.second_half)
                return
        if form[0] in _spacing():  # base is fine, some mark is not: base, then marks as NCRs
            self._put(*_choose(_spacing()[form[0]], (self.g0, self.g1)))
            self.reference(form[1:])
            return
        self.reference(cluster)

    def _control_or_space(self, cluster: str) -> None:
        """Write a space or control byte (real records even put accents on spaces)."""
        base, marks = cluster[0], cluster[1:]
        if base in _STRUCTURE:
            self.reset()  # a subfield delimiter or terminator starts from the default state
        elif all(mark in _combining() for mark in marks):
            for mark in marks:
                self._put(*_choose(_combining()[mark], (self.g0, ANSEL)))
            marks = ""
        if self.g0 == EACC:
            self._designate_g0(ASCII)  # as LC does: readers take 0x20 in EACC as a code byte
        self.out += _C1_ENCODE.get(base) or base.encode("ascii")
        self.reference(marks)  # before a delimiter, marks would cross into the next subfield

    def reference(self, chars: str) -> None:
        """Write characters as LC numeric character references, in ASCII."""
        if chars:
            self._designate_g0(ASCII)
            self.out += "".join(f"&#x{ord(char):04X};" for char in chars).encode("ascii")

    def _put(self, final: int, code: int) -> None:
        """Write one code of a set, designating the set first when it is not in G0 or G1."""
        if final == self.g1 or (final in _G1_SETS and final != self.g0):
            if final != self.g1:
                self.out += b"\x1b)" + bytes([final])
                self.g1 = final
            self.out.append(code | 0x80)
            return
        self._designate_g0(final)
        self.out += code.to_bytes(3, "big") if final == EACC else bytes([code])

    def _designate_g0(self, final: int) -> None:
        """Escape G0 to a set unless it already holds it."""
        if final == self.g0:
            return
        if final in _TECHNIQUE_1:
            self.out += b"\x1b" + bytes([final])
        elif final == ASCII and self.g0 in _TECHNIQUE_1:
            self.out += b"\x1bs"
        elif final == EACC:
            self.out += b"\x1b$1"
        else:
            self.out += b"\x1b(" + bytes([final])
        self.g0 = final

    def reset(self) -> None:
        """Return to the default state every field starts in (G0 ASCII, G1 ANSEL)."""
        self._designate_g0(ASCII)
        if self.g1 != ANSEL:
            self.out += b"\x1b)E"
            self.g1 = ANSEL

    def finish(self) -> bytes:
        """End in the default state and hand back the bytes."""
        self.reset()
        return bytes(self.out)


def _forms(cluster: str) -> list[str]:
    """A letter with marks from most to least composed: "ở", then "ơ" + hook, then "o" + both.

    MARC-8 has ơ and ư as letters but no combining horn, so a partial decomposition is needed.
    """
    decomposed = unicodedata.normalize("NFD", cluster)
    forms = [cluster]
    for split in range(len(decomposed) - 1, 0, -1):
        base = unicodedata.normalize("NFC", decomposed[:split])
        if len(base) == 1:
            forms.append(base + decomposed[split:])
    return forms


def _is_passed_through(char: str) -> bool:
    """Space, DEL and C0 controls other than ESC are written as the byte itself."""
    return (char <= " " or char == "\x7f") and char != "\x1b"


def _plan(form: str, current: tuple[int, int]) -> list[tuple[int, int]] | None:
    """(set, code) pairs for base + marks in MARC-8 order, or None if some part has no code.

    Sets already designated win, so "Київ, 2010" keeps its comma and digits in Basic Cyrillic.
    """
    base, marks = form[0], form[1:]
    if base not in _spacing() or any(mark not in _combining() for mark in marks):
        return None
    # "&" always goes in ASCII, so bytes "&#x..;" in another G0 can be read as a reference.
    base_final, base_code = _choose(_spacing()[base], current if base != "&" else (ASCII,))
    # A mark from the base's own set (Greek accents, Hebrew points) keeps the text in one set.
    plan = [_choose(_combining()[mark], (base_final, ANSEL)) for mark in marks]
    return [*plan, (base_final, base_code)]


def _choose(candidates: list[tuple[int, int]], preferred: tuple[int, ...]) -> tuple[int, int]:
    """The candidate in the first preferred set that has one, else the highest-priority one."""
    for wanted in preferred:
        for final, code in candidates:
            if final == wanted:
                return final, code
    return candidates[0]


# --- detection ------------------------------------------------------------------------------

_DESIGNATION = re.compile(rb"\x1b(?:[gbps]|\$?[(,)\-]!?[1-4BENQSbgp]|\$[1])")


def is_marc8_plausible(data: bytes) -> float:
    """0..1 score that these 8-bit bytes are MARC-8 rather than a single-byte Cyrillic code page.

    Evidence for: valid escape sequences, runs of high bytes that read as ANSEL (marks then a
    letter, spacing characters like Ł or ʹ). Evidence against: runs that do not, which is what
    words in cp1251/cp866 (and UTF-8) look like. 0.5 means no evidence either way (plain ASCII).
    """
    good = 3 * len(_DESIGNATION.findall(data))
    bad = 0
    for run in _HIGH_RUN.finditer(data):
        following = data[run.end() : run.end() + 1]
        run_good, run_bad = _score_run(run.group(), following)
        good += run_good
        bad += run_bad
    if good + bad == 0:
        return 0.5
    return good / (good + bad)


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_ANSEL_MARKS = frozenset(pos | 0x80 for pos, (_ch, combining) in _SETS[ANSEL].items() if combining)
_ANSEL_SPACING = frozenset(
    pos | 0x80 for pos, (_ch, combining) in _SETS[ANSEL].items() if not combining
) | frozenset(_C1)


def _score_run(run: bytes, following: bytes) -> tuple[int, int]:
    """(good, bad) evidence from one run of high bytes: does it read as ANSEL?"""
    if len(run) > 1 and _is_utf8(run):
        return 0, len(run)  # "é" in UTF-8 is C3 A9, which would read as two ANSEL symbols
    marks_waiting = 0
    for byte in run:
        if byte in _ANSEL_MARKS:
            marks_waiting += 1
        elif byte in _ANSEL_SPACING:
            marks_waiting = 0  # a spacing ANSEL character is the marks' base
        else:
            return 0, len(run)
    if marks_waiting == 0 or following.isalnum():
        return len(run), 0
    if len(run) == 1:
        return 0, 0  # one mark before a space: an "apostrophe" in MARC-8, a word in cp1251
    return 0, len(run)


def _is_utf8(run: bytes) -> bool:
    """Whether a run of high bytes is well-formed UTF-8."""
    try:
        run.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
