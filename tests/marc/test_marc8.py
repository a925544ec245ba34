"""MARC-8 codec: real LC-style records decode to the same text their MARCXML twins hold,
everything decoded survives a write back to MARC-8, and broken bytes are reported, never fatal."""

from __future__ import annotations

import doctest
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymarc.marc8 import marc8_to_unicode

import marc.marc8
from marc.marc8 import decode_marc8, encode_marc8, is_marc8_plausible
from tests.shared_data import data_path

pytestmark = pytest.mark.shared_data

# Well-formed MARC-8 files with escape sequences (Cyrillic, Hebrew, Arabic, CJK, sub/superscript)
# and the larger plain-ANSEL files; SOURCES.md lists them as MARC-8.
MARC8_FILES = [
    "solrmarc__solrmarc/specTestRecs.mrc",
    "solrmarc__solrmarc/u5278992.mrc",
    "xbib__marc/IRMARC8.bin",
    "xbib__marc/diacritic4.mrc",
    "perl4lib__marc-perl/hebrew1.marc",
    "perl4lib__marc-perl/hebrew2.marc",
    "perl4lib__marc-perl/hebrew3.marc",
    "perl4lib__marc-perl/hebrew4.marc",
    "perl4lib__marc-perl/cjk1.marc",
    "perl4lib__marc-perl/cjk2.marc",
    "perl4lib__marc-perl/cjk3.marc",
    "perl4lib__marc-perl/cjk4.marc",
    "evergreen-library-system__Evergreen/hebrew.marc",
    "evergreen-library-system__Evergreen/jazz_1k.mrc",
    "evergreen-library-system__Evergreen/lul_fre_100.mrc",
    "indexdata__yaz/marc7.marc",
    "indexdata__yaz/marc9.marc",
    "marc4j__marc4j/brkrtest.mrc",
    "folio-org__mod-data-import/61PRINT160129.mrc",
    "solrmarc__solrmarc/uva_001_2000.mrc",
    "ruby-marc__ruby-marc/marc8_accented_chars.marc",
    "ruby-marc__ruby-marc/escaped_character_reference.marc8.marc",
]
# Files pymarc decodes correctly, to cross-check field by field.
PYMARC_AGREES = [
    "perl4lib__marc-perl/hebrew1.marc",
    "perl4lib__marc-perl/hebrew2.marc",
    "perl4lib__marc-perl/hebrew3.marc",
    "perl4lib__marc-perl/hebrew4.marc",
    "perl4lib__marc-perl/cjk1.marc",
    "perl4lib__marc-perl/cjk2.marc",
    "perl4lib__marc-perl/cjk4.marc",
    "indexdata__yaz/marc7.marc",
    "indexdata__yaz/marc9.marc",
    "xbib__marc/diacritic4.mrc",
]


# --- helpers: just enough ISO 2709 to get field bytes out of a real file -------------------


def iso2709_fields(path: Path) -> Iterator[tuple[str, bytes]]:
    """(tag, field bytes without the terminator) for every field of every record."""
    for raw in path.read_bytes().split(b"\x1d"):
        if len(raw) < 24 or not raw[12:17].isdigit():
            continue
        base = int(raw[12:17])
        directory = raw[24 : raw.index(b"\x1e")]
        for entry in range(0, len(directory) - 11, 12):
            tag = directory[entry : entry + 3].decode("ascii")
            length = int(directory[entry + 3 : entry + 7])
            start = int(directory[entry + 7 : entry + 12])
            yield tag, raw[base + start : base + start + length].rstrip(b"\x1e")


def subfields(text: str) -> list[tuple[str, str]]:
    """(code, value) pairs of a decoded data field (indicators dropped)."""
    return [(part[:1], part[1:]) for part in text.split("\x1f")[1:]]


@cache
def decoded_values(relative: str) -> list[str]:
    """Every subfield value (and control field) decoded from one real file."""
    values = []
    for tag, raw in iso2709_fields(data_path(relative)):
        text, _problems = decode_marc8(raw)
        values.extend([text] if tag < "010" else [value for _code, value in subfields(text)])
    return values


def problems_in(relative: str) -> list[str]:
    """Every problem reported while decoding every field of one real file."""
    return [p for _tag, raw in iso2709_fields(data_path(relative)) for p in decode_marc8(raw)[1]]


def marcxml_records(path: Path) -> list[list[tuple[str, object]]]:
    """Per record, (tag, control text or [(code, value)]) in field order."""
    ns = "{http://www.loc.gov/MARC21/slim}"
    records = []
    for record in ET.parse(path).getroot().iter(f"{ns}record"):
        fields: list[tuple[str, object]] = []
        for field in record:
            if field.tag == f"{ns}controlfield":
                fields.append((field.get("tag"), field.text or ""))
            elif field.tag == f"{ns}datafield":
                values = [(sub.get("code"), sub.text or "") for sub in field]
                fields.append((field.get("tag"), values))
        records.append(fields)
    return records


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- decoding: what a cataloguer sees ------------------------------------------------------


def test_ansel_accent_is_moved_after_its_letter_and_composed():
    assert decode_marc8(b"Soci\xe2et\xe2e linn\xe2eenne") == ("Société linnéenne", [])


def test_two_accents_on_one_letter_compose_in_canonical_order():
    # Vietnamese "ậ": MARC-8 writes circumflex, dot below, then the letter.
    assert decode_marc8(b"\xe3\xf2a") == ("ậ", [])


def test_plain_ascii_comes_back_unchanged():
    assert decode_marc8(b"10\x1faAnna Karenina /\x1fcLeo Tolstoy.") == (
        "10\x1faAnna Karenina /\x1fcLeo Tolstoy.",
        [],
    )


def test_cyrillic_escape_reads_russian_title():
    assert decode_marc8(b"\x1b(NmOSKWA\x1b(B") == ("Москва", [])


def test_ukrainian_letters_come_from_extended_cyrillic_in_g1():
    assert decode_marc8(b"\x1b(Nk\x1b)Q\xe0RUNT \xc6 \xc7VA\x1b(B\x1b)E") == ("КҐрунт і їжа", [])


def test_subscripts_and_superscripts_use_their_technique_1_sets():
    assert decode_marc8(b"H\x1bb2\x1bsO, 10\x1bp3\x1bs") == ("H₂O, 10³", [])


def test_ligature_halves_decode_as_the_lc_code_table_maps_them():
    # LC: 0xEB/0xEC are U+FE20/U+FE21, each on its own letter (no longer one U+0361).
    assert decode_marc8(b"Mal\xebi\xecukova") == ("Mali\ufe20u\ufe21kova", [])


def test_double_tilde_halves_decode_as_the_lc_code_table_maps_them():
    assert decode_marc8(b"\xfan\xfbg") == ("n\ufe22g\ufe23", [])


def test_ligature_and_double_tilde_halves_encode_back_to_the_same_bytes():
    for data in (b"Mal\xebi\xecukova", b"\xfan\xfbg"):
        assert encode_marc8(decode_marc8(data)[0]) == data


def test_lossless_references_from_lc_are_turned_back_into_characters():
    assert decode_marc8(b"Price &#x20B4;12, &#x200F;") == ("Price ₴12, \u200f", [])


def test_reference_written_inside_arabic_g0_is_still_a_reference():
    assert decode_marc8(b"\x1b(3GSGJ,&#x200F;\x1b(B") == ("اسات،\u200f", [])


def test_literal_ampersand_is_written_in_ascii_so_it_never_reads_as_a_reference():
    assert encode_marc8("Київ & Львів").count(b"\x1b(B&") == 1


def test_escape_carried_across_a_subfield_keeps_the_code_ascii():
    # u5278992.mrc 880 (260): "ESC ( N" closes $b and Cyrillic goes on after the delimiter.
    text, problems = decode_marc8(b"  \x1faMOSKWA\x1fb\x1b(N\x1fkSMO,\x1fc2010.")
    assert subfields(text) == [("a", "MOSKWA"), ("b", ""), ("k", "смо,"), ("c", "2010.")]
    assert problems == []


def lc_halves(text: str) -> str:
    """The twin's single U+0361/U+0360 as the LC code table's two halves, one on each letter."""
    text = re.sub("(.)\u0361(.)", "\\1\ufe20\\2\ufe21", nfc(text))
    return nfc(re.sub("(.)\u0360(.)", "\\1\ufe22\\2\ufe23", text))


def test_spectestrecs_decode_to_the_values_of_their_marcxml_twin():
    # The twin (solrmarc's) writes the ligature as one U+0361; we decode LC's two halves.
    records = data_path("solrmarc__solrmarc/specTestRecs.mrc")
    twin = marcxml_records(data_path("solrmarc__solrmarc/specTestRecs.xml"))
    decoded: list[list[tuple[str, object]]] = [[]]
    for tag, raw in iso2709_fields(records):
        if tag == "001" and decoded[-1]:
            decoded.append([])
        text, problems = decode_marc8(raw)
        assert problems == [], (tag, raw)
        decoded[-1].append((tag, text if tag < "010" else subfields(text)))
    expected = [
        [(tag, lc_halves(v) if isinstance(v, str) else [(c, lc_halves(x)) for c, x in v])
         for tag, v in rec]
        for rec in twin
    ]
    assert len(decoded) == len(expected) == 76
    assert decoded == expected


def test_spectestrecs_cyrillic_comes_through():
    values = decoded_values("solrmarc__solrmarc/specTestRecs.mrc")
    cyrillic = sum(1 for value in values for char in value if "\u0400" <= char <= "\u04ff")
    assert cyrillic > 200


@pytest.mark.parametrize("relative", PYMARC_AGREES)
def test_hebrew_and_cjk_files_agree_with_pymarc(relative):
    for tag, raw in iso2709_fields(data_path(relative)):
        if tag < "010" or b"\x1b" not in raw:
            continue
        ours = [value for _code, value in subfields(decode_marc8(raw)[0])]
        theirs = [nfc(marc8_to_unicode(part[1:], True)) for part in raw.split(b"\x1f")[1:]]
        assert ours == theirs, (relative, tag)


def test_ruby_marc_reference_fixture_decodes_its_references():
    values = decoded_values("ruby-marc__ruby-marc/escaped_character_reference.marc8.marc")
    assert values and not any("&#x" in value for value in values)


def test_irmarc8_keeps_lcs_right_to_left_marks_as_characters():
    # Some of its references sit inside Basic Arabic G0, e.g. "...TQ,&#x200F;ESC(B" in 260 $b.
    values = decoded_values("xbib__marc/IRMARC8.bin")
    assert "\u200fمركز العبادي للدراسات والنشر،\u200f" in values
    assert any("\u200f" in value for value in values)
    assert not any("&#" in value for value in values)


@pytest.mark.parametrize("relative", MARC8_FILES)
def test_well_formed_files_decode_without_problems(relative):
    assert problems_in(relative) == []


# --- round trip: what we write, we read back -----------------------------------------------


@pytest.mark.parametrize("relative", MARC8_FILES)
def test_every_real_subfield_survives_encoding_and_decoding(relative):
    for value in decoded_values(relative):
        assert decode_marc8(encode_marc8(value)) == (value, []), value


@pytest.mark.parametrize(
    "relative", ["solrmarc__solrmarc/specTestRecs.mrc", "xbib__marc/IRMARC8.bin"]
)
def test_real_fields_are_rewritten_byte_for_byte_where_lc_style_allows(relative):
    fields = [raw for tag, raw in iso2709_fields(data_path(relative)) if tag >= "010"]
    same = sum(encode_marc8(decode_marc8(raw)[0]) == raw for raw in fields)
    # The rest differ only in where an escape falls around punctuation or a reference.
    assert same >= 0.95 * len(fields)


def test_ukrainian_title_is_written_with_cyrillic_escapes_and_ends_in_default_state():
    written = encode_marc8("Ґрунт і їжа, 2010")
    assert written.startswith(b"\x1b)Q\xe0\x1b(N")
    assert written.endswith(b"\x1b(B\x1b)E")
    assert b", 2010" in written  # digits and comma stay in Basic Cyrillic, as LC writes them


@pytest.mark.parametrize(
    "text",
    ["Київ", "Ἀθῆναι", "שָׁלוֹם", "中文 한국어", "H₂O", "x³", "المكتبة", "Ґ", "αβγ"],
)
def test_each_field_ends_back_in_ascii_and_ansel(text):
    # Appending default-state bytes after the field must read as themselves.
    assert decode_marc8(encode_marc8(text) + b"ab\xe2e")[0] == text + "abé"


def test_characters_marc8_lacks_are_written_as_references_not_dropped():
    written = encode_marc8("Ціна: 12 ₴")
    assert written.endswith(b"12 \x1b(B&#x20B4;\x1b)E")  # the hryvnia sign is not in MARC-8
    assert decode_marc8(written) == ("Ціна: 12 ₴", [])


def test_text_that_looks_like_a_reference_is_protected():
    assert encode_marc8("&#x41;") == b"&#x0026;#x41;"
    assert decode_marc8(encode_marc8("&#x41;"))[0] == "&#x41;"


def test_escape_character_in_text_is_written_as_a_reference():
    assert encode_marc8("a\x1bb") == b"a&#x001B;b"


def test_vietnamese_horn_letters_keep_ansel_o_hook_and_u_hook():
    # ANSEL has ơ/ư as letters but no combining horn: "ở" is hook above + ơ (brkrtest.mrc).
    assert encode_marc8("Sở hữu") == b"S\xe0\xbc h\xe4\xbdu"
    assert decode_marc8(b"S\xe0\xbc h\xe4\xbdu") == ("Sở hữu", [])


def test_accent_on_the_letter_after_a_ligature_gets_the_second_half():
    # A UTF-8 record's single U+0361 is written as ANSEL's two halves, read back as U+FE20/FE21.
    assert encode_marc8("Mali\u0361ukova") == b"Mal\xebi\xecukova"


# --- broken input: reported, never fatal ---------------------------------------------------


def test_truncated_escape_is_reported_and_text_kept():
    assert decode_marc8(b"abc\x1b") == ("abc", ["incomplete escape sequence at byte 3"])
    assert decode_marc8(b"abc\x1b(")[1] == ["incomplete escape sequence at byte 3"]


def test_unknown_byte_becomes_replacement_character_with_its_position():
    assert decode_marc8(b"ab\xaf") == (
        "ab\ufffd",
        ["unknown MARC-8 character 0xAF in G1 (ANSEL) at byte 2"],
    )


def test_unknown_character_set_is_named():
    text, problems = decode_marc8(b"a\x1b(Zb")
    assert text == "ab"
    assert problems == ["unknown character set in escape sequence ESC (Z at byte 1"]


def test_bad_marc8_escape_fixture_keeps_its_words():
    problems = problems_in("edsu__pymarc/bad_marc8_escape.dat")
    assert any(p.startswith("unknown escape sequence ESC 0x74") for p in problems)
    assert any("Bordeaux" in value for value in decoded_values("edsu__pymarc/bad_marc8_escape.dat"))


def test_incomplete_escape_fixture_reports_each_broken_place():
    problems = problems_in("marc4j__marc4j/incomplete_esc_seq.mrc")
    assert any(p.startswith("incomplete escape sequence") for p in problems)
    assert any(p.startswith("incomplete EACC character") for p in problems)


def test_bad_eacc_fixture_names_the_unknown_east_asian_code():
    problems = problems_in("edsu__pymarc/bad_eacc_encoding.dat")
    assert "unknown MARC-8 character 0x7B3639 in G0 (EACC) at byte 42" in problems


@given(st.binary(max_size=200))
def test_random_bytes_never_raise(data):
    text, problems = decode_marc8(data)
    assert isinstance(text, str)
    assert all(isinstance(problem, str) for problem in problems)


ESCAPE_SOUP = [b"\x1b", b"(", b")", b"$", b"1", b"N", b"Q", b"\xe2", b"\xeb", b"\xec", b"!#",
               b"\x1f", b"a", b" ", b"&#x", b"41;"]


@given(st.lists(st.sampled_from(ESCAPE_SOUP), max_size=40))
def test_escape_heavy_byte_soup_never_raises(pieces):
    decode_marc8(b"".join(pieces))


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*ESCAPE_SOUP, b"\x1bb", b"\x1bs", b"\xe3o"]), max_size=30))
def test_whatever_is_read_from_broken_bytes_can_be_written_back(pieces):
    text, _problems = decode_marc8(b"".join(pieces))
    assert decode_marc8(encode_marc8(text)) == (text, [])


# --- properties ----------------------------------------------------------------------------


def _representable_alphabet() -> list[str]:
    """What MARC-8 holds without references, from the codec's own encoding table: Latin with
    ANSEL accents (also on letters Unicode has no precomposed form for), Cyrillic incl. ґ є і ї,
    Greek, Hebrew, Arabic letters."""
    spacing = [c for c in marc.marc8._spacing() if c.isalpha() and c.isprintable()]
    non_cjk = [c for c in spacing if c < "\u1000" and unicodedata.normalize("NFC", c) == c]
    accents = "\u0301\u0308\u030c"
    latin = [nfc(base + accent) for base in "aeiouycnszAEIOUY" for accent in accents]
    return sorted(set(non_cjk) | set(latin) | set(" .,-:;/()0123456789"))


ALPHABET = _representable_alphabet()


def test_alphabet_covers_the_scripts_a_ukrainian_library_needs():
    for char in "ґєіїҐЄІЇабвАБВαβγאבгšéøŁ":
        assert char in ALPHABET


@settings(max_examples=300)
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_representable_text_round_trips_without_references(text):
    written = encode_marc8(text)
    assert b"&#x" not in written
    assert decode_marc8(written) == (nfc(text), [])


# The single double-width marks U+0361/U+0360 are written as ANSEL's halves and read back as
# the LC code table's U+FE20-FE23 halves, so they are left out here.
HALF_MARKS = "\u0361\u0360"
ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=HALF_MARKS), max_size=60
)


@settings(max_examples=300)
@given(ANY_TEXT)
def test_any_text_encodes_and_round_trips_through_references(text):
    assert decode_marc8(encode_marc8(text)) == (nfc(text), [])


# --- detection -----------------------------------------------------------------------------


def _records_with_high_bytes(relative: str) -> list[bytes]:
    raw = data_path(relative).read_bytes().split(b"\x1d")
    return [record for record in raw if not record.isascii()]


@pytest.mark.parametrize(
    "relative",
    ["evergreen-library-system__Evergreen/jazz_1k.mrc", "solrmarc__solrmarc/uva_001_2000.mrc",
     "xbib__marc/IRMARC8.bin", "solrmarc__solrmarc/specTestRecs.mrc"],
)
def test_real_marc8_records_look_like_marc8(relative):
    scores = [is_marc8_plausible(record) for record in _records_with_high_bytes(relative)]
    assert sum(score >= 0.5 for score in scores) >= 0.99 * len(scores)


@pytest.mark.parametrize(
    "relative",
    ["edsu__pymarc/1251.dat", "ruby-marc__ruby-marc/cp866_unimarc.marc",
     "xbib__marc/periouni.mrc"],
)
def test_cyrillic_code_pages_and_utf8_do_not_look_like_marc8(relative):
    scores = [is_marc8_plausible(record) for record in _records_with_high_bytes(relative)]
    assert scores and max(scores) < 0.5


def test_plain_ascii_is_no_evidence_either_way():
    assert is_marc8_plausible(b"Anna Karenina") == 0.5


def test_docstring_examples_hold():
    assert doctest.testmod(marc.marc8).failed == 0
