"""ISBN and ISSN normalisation, on numbers built here and on real records."""

from __future__ import annotations

import pymarc
import pytest

from marc.isbn import Isbn, issn_is_valid, normalise_issn, parse_isbn
from marc.view import bib_view
from tests.shared_data import data_path


def read_iso(relative: str) -> list[pymarc.Record]:
    with data_path(relative).open("rb") as stream:
        reader = pymarc.MARCReader(stream, to_unicode=True, force_utf8=True, permissive=True)
        return [record for record in reader if record is not None]


def control_number(record: pymarc.Record) -> str:
    return record.get_fields("001")[0].data.strip()


# ---------------------------------------------------------------- ISBN


def test_isbn10_becomes_isbn13_digits():
    assert parse_isbn("0786808772") == Isbn("9780786808779", "0786808772", True)


def test_hyphenated_isbn13_loses_its_hyphens():
    assert parse_isbn("978-966-2783-85-8").value == "9789662783858"


def test_ukrainian_isbn10_with_hyphens_is_normalised():
    assert parse_isbn("966-504-025-1").value == "9789665040255"


def test_isbn_prefix_is_ignored():
    assert parse_isbn("ISBN 978-966-2783-85-8").value == "9789662783858"
    assert parse_isbn("ISBN-10: 0786808772").value == "9780786808779"


def test_binding_qualifier_is_separated_off():
    isbn = parse_isbn("0786816155 (pbk.)")
    assert (isbn.value, isbn.qualifier, isbn.valid) == ("9780786816156", "pbk.", True)
    assert isbn.raw == "0786816155 (pbk.)"


def test_cyrillic_qualifier_and_price_are_separated_off():
    isbn = parse_isbn("966-504-025-1 (в пер.) : 45 р. 00 к.")
    assert isbn.value == "9789665040255"
    assert isbn.qualifier == "в пер."
    assert isbn.price == "45 р. 00 к."


def test_several_qualifiers_are_joined():
    assert parse_isbn("0914378295 (lim. ed.) (v. 1)").qualifier == "lim. ed.; v. 1"


def test_dollar_price_after_colon_is_separated_off():
    isbn = parse_isbn("0345404475 (pbk.) : $11.00")
    assert (isbn.value, isbn.qualifier, isbn.price) == ("9780345404473", "pbk.", "$11.00")


def test_qualifier_glued_to_the_number_is_split():
    isbn = parse_isbn("0440487331pbk.")
    assert (isbn.value, isbn.qualifier) == ("9780440487333", "pbk.")


def test_cyrillic_kha_as_check_digit_is_read_as_x():
    assert parse_isbn("0-8044-2957-Х").value == "9780804429573"


def test_wrong_check_digit_is_kept_raw_and_flagged():
    isbn = parse_isbn("978184533213X (hbk.)")
    assert isbn.valid is False
    assert isbn.value == "978184533213X"
    assert isbn.raw == "978184533213X (hbk.)"
    assert isbn.qualifier == "hbk."


def test_thirteen_digits_without_bookland_prefix_are_invalid():
    assert parse_isbn("8901452100503").valid is False


def test_digits_straight_after_a_number_make_it_invalid():
    isbn = parse_isbn("089542262X295")
    assert (isbn.valid, isbn.value) == (False, "089542262X295")


def test_text_that_is_no_number_is_kept():
    isbn = parse_isbn("HL00361126 :")
    assert (isbn.valid, isbn.value, isbn.raw) == (False, "HL00361126", "HL00361126 :")


def test_cancelled_isbn_is_flagged_even_with_a_good_check_digit():
    isbn = parse_isbn("0786808772", cancelled=True)
    assert isbn.valid is False
    assert isbn.value == "0786808772"


def test_isbn_results_are_cached():
    parse_isbn("0786808772")
    hits = parse_isbn.cache_info().hits
    parse_isbn("0786808772")
    assert parse_isbn.cache_info().hits == hits + 1


# ---------------------------------------------------------------- ISSN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0955-2359", "0955-2359"),
        ("09552359", "0955-2359"),
        ("SSN 1028-8171", "1028-8171"),  # periouni.mrc: "ISSN" lost its I
        ("1256-0480$f1256-0480", "1256-0480"),  # periouni.mrc: a subfield flattened into $a
        ("0000-000x", "0000-000X"),
        ("c", None),
        ("", None),
    ],
)
def test_issn_is_normalised_to_nnnn_nnnx(text, expected):
    assert normalise_issn(text) == expected


def test_issn_check_digit_is_checked_separately():
    assert issn_is_valid("0955-2359") is True
    assert issn_is_valid("1606-8686") is False  # as printed in periouni.mrc
    assert normalise_issn("1606-8686") == "1606-8686"


# ---------------------------------------------------------------- real records


def test_evergreen_bad_isbns_are_kept_and_flagged():
    records = pymarc.parse_xml_to_array(
        str(data_path("evergreen-library-system__Evergreen/badisbns.xml"))
    )
    views = {control_number(r): bib_view(r, "marc21").as_dict() for r in records}
    assert len(views) == 10
    assert views["ocm25104511"]["isbn"] == ["0553101315175", "9780553204308", "9780553268478"]
    assert views["ocm25104511"]["isbn_invalid"] == ["0553101315175"]
    assert views["ocm25104511"]["price"] == "$6.99"
    assert views["ocm69733027"]["isbn_invalid"] == ["978184533213X (hbk.)"]
    assert views["ocm69733027"]["isbn"] == ["978184533213X", "9781845332136"]
    assert views["mrq01239723"]["isbn_invalid"] == ["8901452100503"]  # an $a, not a $z
    assert views["mrq00398759"]["isbn_invalid"] == ["4980858214bbd :"]
    # every record of this fixture has at least one bad ISBN
    assert all(view["isbn_invalid"] for view in views.values())


def test_pymarc_multi_isbn_record_gives_three_isbn13_with_qualifiers():
    (record,) = read_iso("edsu__pymarc/multi_isbn.dat")
    isbns = bib_view(record, "marc21").isbns
    assert [i.value for i in isbns] == ["9780914378280", "9780914378297", "9780914378266"]
    assert [i.qualifier for i in isbns] == ["v. 1", "lim. ed.; v. 1", "pbk.; v. 1"]
    assert all(i.valid for i in isbns)


def test_cornell_qualifier_in_subfield_q_is_attached():
    records = read_iso("folio-org__mod-data-import/CornellFOLIOExemplars.mrc")
    (record,) = [r for r in records if control_number(r) == "9766936"]
    isbns = bib_view(record, "marc21").isbns
    assert [(i.raw, i.value, i.qualifier) for i in isbns] == [
        ("9789662783858", "9789662783858", "paperback"),
        ("9662783857", "9789662783858", "paperback"),
    ]
