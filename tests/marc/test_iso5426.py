"""ISO 5426 codec (UNIMARC 100$a/26-27 = "03"): accents before letters, Polish/Czech/Nordic
letters, round trips, and a clear error for what the set cannot hold (Cyrillic needs ISO 5427).

The shared real-data folder holds no ISO 5426 bytes: its UNIMARC records that declare "0103"
(fredericd__marcjs/bib.mrc, xbib__marc/periouni.mrc) are in fact UTF-8. So these tests use
bibliographic text a cataloguer meets, not files.
"""

from __future__ import annotations

import doctest
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marc.iso5426
from marc.errors import EncodingError, MarcError
from marc.iso5426 import decode_iso5426, encode_iso5426


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xc2e", "é"),  # acute
        (b"\xc1a", "à"),  # grave
        (b"\xc3o", "ô"),  # circumflex
        (b"\xc8e", "ë"),  # diaeresis (trema)
        (b"\xc9u", "ü"),  # umlaut: the same Unicode mark
        (b"\xcfc", "č"),  # caron
        (b"\xd0c", "ç"),  # cedilla
        (b"\xd3a", "ą"),  # ogonek
        (b"\xcaA", "Å"),  # ring above
        (b"\xcdo", "ő"),  # double acute
        (b"\xe8", "Ł"),
        (b"\xf8", "ł"),
        (b"\xe9", "Ø"),
        (b"\xfb", "ß"),
        (b"\xa2", "„"),
        (b"\xbd", "ʹ"),  # soft sign in transliterated Cyrillic
    ],
)
def test_known_characters_decode(data, text):
    assert decode_iso5426(data) == (text, [])


def test_french_title_reads_with_accents_after_their_letters():
    assert decode_iso5426(b"Soci\xc2et\xc2e linn\xc2eenne") == ("Société linnéenne", [])


def test_two_marks_on_one_letter_compose():
    assert decode_iso5426(b"Vi\xd6\xc3et Nam") == ("Việt Nam", [])


def test_non_sort_marks_survive_as_c1_controls():
    assert decode_iso5426(b"\x88Le \x89chat") == ("\x98Le \x9cchat", [])


def test_ligature_halves_become_one_double_inverted_breve():
    assert decode_iso5426(b"Mal\xddi\xdeukova") == ("Mali\u0361ukova", [])


def test_plain_ascii_is_returned_as_is():
    assert decode_iso5426(b"200 1#$aKobzar") == ("200 1#$aKobzar", [])


# --- broken input --------------------------------------------------------------------------


def test_undefined_byte_becomes_replacement_character_with_its_position():
    assert decode_iso5426(b"ab\xe0") == ("ab\ufffd", ["unknown ISO 5426 character 0xE0 at byte 2"])


def test_escape_to_another_set_is_reported_and_skipped():
    text, problems = decode_iso5426(b"ab\x1b(Ncd\xc2e")
    assert text == "abcdé"
    assert problems == ["escape sequence ESC (N at byte 2 ignored: only ISO 5426 is decoded here"]


def test_accent_with_no_letter_after_it_is_reported():
    assert decode_iso5426(b"abc\xc2")[1] == [
        "combining mark at the end with no base character after it"
    ]


@given(st.binary(max_size=200))
def test_random_bytes_never_raise(data):
    text, problems = decode_iso5426(data)
    assert isinstance(text, str)
    assert all(isinstance(problem, str) for problem in problems)


# --- encoding ------------------------------------------------------------------------------


def test_accent_is_written_before_its_letter():
    assert encode_iso5426("Société") == b"Soci\xc2et\xc2e"


def test_diaeresis_is_written_as_trema_0xc8():
    assert encode_iso5426("Noël, Müller") == b"No\xc8el, M\xc8uller"


def test_letters_with_their_own_code_are_not_decomposed():
    assert encode_iso5426("Łódź, Øresund, Straße") == b"\xe8\xc2od\xc2z, \xe9resund, Stra\xfbe"


def test_ligature_gets_both_halves():
    assert encode_iso5426("Mali\u0361ukova") == b"Mal\xddi\xdeukova"


@pytest.mark.parametrize(
    "text",
    [
        "Société linnéenne de Bordeaux",
        "Ärger über Öl",
        "Łódź : Wydawnictwo Łódzkie",
        "Příliš žluťoučký kůň",
        "Việt Nam",
        "Ångström ©℗ „quote“ ‚x‘ «ja»",
        "Shevchenko, Taras Hryhorovych, 1814-1861",
        "Ṭabarī, Muḥammad ibn Jarīr",
    ],
)
def test_bibliographic_text_round_trips(text):
    assert decode_iso5426(encode_iso5426(text)) == (text, [])


@pytest.mark.parametrize(
    ("text", "named"),
    [("Кобзар", "U+041A"), ("ціна ₴", "U+0446"), ("Price ₴", "U+20B4"), ("a\x1bb", "U+001B")],
)
def test_unrepresentable_character_raises_encoding_error_naming_it(text, named):
    with pytest.raises(EncodingError, match=re.escape(named)):
        encode_iso5426(text)


def test_encoding_error_is_a_marc_error():
    with pytest.raises(MarcError):
        encode_iso5426("Київ")


def test_accent_without_a_letter_cannot_be_written():
    with pytest.raises(EncodingError, match="no letter before it"):
        encode_iso5426("\u0301a")


# --- properties ----------------------------------------------------------------------------


def _representable() -> list[str]:
    """Every character up to U+2FFF that encode_iso5426 accepts on its own."""
    alphabet = []
    for code in range(0x20, 0x3000):
        char = chr(code)
        if nfc(char) != char or char in "\ufe20\ufe21\ufe22\ufe23":
            continue
        try:
            encode_iso5426(char)
        except EncodingError:
            continue
        alphabet.append(char)
    return alphabet


ALPHABET = _representable()


def test_representable_alphabet_has_the_latin_a_librarian_expects():
    for char in "éèêëçñøåæœßłŁčšžőűąęāīūʹʺ„“":
        assert char in ALPHABET
    assert "ї" not in ALPHABET and "€" not in ALPHABET


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*ALPHABET, "\u0323", "\u0301", "\u0361"]), max_size=40))
def test_representable_text_round_trips(pieces):
    text = "".join(pieces)
    if text[:1] in ("\u0323", "\u0301", "\u0361"):
        text = "x" + text  # a mark needs a letter before it
    assert decode_iso5426(encode_iso5426(text)) == (nfc(text), [])


def test_docstring_examples_hold():
    assert doctest.testmod(marc.iso5426).failed == 0
