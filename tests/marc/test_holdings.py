"""Copy-level holdings in 852, 952, 995 and 910: reading real fields, writing, round trips."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from marc.holdings import (
    SCHEMES,
    Holding,
    default_scheme,
    holding_field,
    parse_date,
    parse_price,
    read_holdings,
)
from tests.shared_data import data_path

# ---------------------------------------------------------------- builders


def make_holding(**overrides) -> Holding:
    """A fully described copy; tests override what they are about."""
    values = dict(
        inventory_number="206033",
        barcode="2000100014080",
        location="АБ",
        call_number="84(4Укр)6 А66",
        price=Decimal("120.50"),
        price_raw="120.50",
        acquired=date(2024, 3, 15),
        date_raw="2024-03-15",
        copies=1,
        status="0",
        source_tag="995",
    )
    values.update(overrides)
    return Holding(**values)


def df(tag: str, text: str) -> Field:
    """A data field from "$aValue$bValue" notation ("‡a...‡c$6.99" when a value has "$")."""
    pieces = text.split("‡" if "‡" in text else "$")[1:]
    return Field(
        tag=tag,
        indicators=Indicators(" ", " "),
        subfields=[Subfield(p[0], p[1:]) for p in pieces],
    )


def make_record(*fields: Field) -> pymarc.Record:
    record = pymarc.Record()
    for fld in fields:
        record.add_field(fld)
    return record


def round_trip(holding: Holding, scheme: str) -> Holding:
    """Write a holding in ``scheme`` and read it back from a record of the matching flavour."""
    flavour = "marc21" if scheme in ("852", "952") else "unimarc"
    (back,) = read_holdings(make_record(holding_field(holding, scheme)), flavour)
    return back


def read_iso(relative: str) -> list[pymarc.Record]:
    with data_path(relative).open("rb") as stream:
        reader = pymarc.MARCReader(stream, to_unicode=True, force_utf8=True, permissive=True)
        return [record for record in reader if record is not None]


def by_control_number(records: list[pymarc.Record], number: str) -> pymarc.Record:
    (record,) = [r for r in records if r.get_fields("001") and r["001"].data == number]
    return record


# ---------------------------------------------------------------- prices


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45 р. 00 к.", Decimal("45.00")),
        ("Цена 45 р. 50 к.", Decimal("45.50")),
        ("12 грн 5 коп.", Decimal("12.05")),
        ("1 200 грн 50 коп", Decimal("1200.50")),
        ("120.50", Decimal("120.50")),
        ("120,50 грн", Decimal("120.50")),
        ("1 200,00 грн", Decimal("1200.00")),
        ("1\u00a0200,00", Decimal("1200.00")),
        ("$1,200.50", Decimal("1200.50")),
        ("1.200,50 €", Decimal("1200.50")),
        ("1.200.000", Decimal("1200000")),
        ("45р.", Decimal("45")),
        ("4.30", Decimal("4.30")),
    ],
)
def test_prices_parse_to_decimal(text, expected):
    assert parse_price(text) == expected


@pytest.mark.parametrize("text", ["б. ц.", "б.ц.", "без ціни", "Available", "", "р."])
def test_unparseable_prices_give_none(text):
    assert parse_price(text) is None


def test_unparseable_price_is_kept_raw_on_the_holding():
    (holding,) = read_holdings(make_record(df("995", "$j1$pбез ціни")), "unimarc")
    assert (holding.price, holding.price_raw) == (None, "без ціни")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20240315", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("2011-03-29 15:09:25", date(2011, 3, 29)),  # Koha timestamp in rusmarc.xml 995$g
        ("15.03.2024", date(2024, 3, 15)),
        ("5.3.2024", date(2024, 3, 5)),
        ("061222", date(2006, 12, 22)),
        ("970226", date(1997, 2, 26)),
    ],
)
def test_dates_parse(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2023-02-30", "20241315", "6/18/1996", "весна 2020", "", "2024"])
def test_unparseable_dates_give_none(text):
    assert parse_date(text) is None


def test_unparseable_date_is_kept_raw_on_the_holding():
    (holding,) = read_holdings(make_record(df("910", "$b123$cвесна 2020")), "unimarc")
    assert (holding.acquired, holding.date_raw) == (None, "весна 2020")


# ---------------------------------------------------------------- reading each scheme


def test_koha_952_subfields():
    record = make_record(
        df(
            "952",
            "$00$10$aCENTRAL$bBRANCH2$cREF$d2024-03-15$g120,50$i4215$oHB172.5 .B87$p35609000970837",
        )
    )
    assert read_holdings(record, "marc21") == [
        Holding(
            inventory_number="4215",
            barcode="35609000970837",
            location="REF",
            call_number="HB172.5 .B87",
            price=Decimal("120.50"),
            price_raw="120,50",
            acquired=date(2024, 3, 15),
            date_raw="2024-03-15",
            status="0",
            source_tag="952",
        )
    ]


def test_koha_952_location_falls_back_to_holding_then_home_branch():
    (holding,) = read_holdings(make_record(df("952", "$aCENTRAL$bBRANCH2$p1")), "marc21")
    assert holding.location == "BRANCH2"
    (holding,) = read_holdings(make_record(df("952", "$aCENTRAL$p1")), "marc21")
    assert holding.location == "CENTRAL"


def test_koha_status_reports_raised_flags():
    (holding,) = read_holdings(make_record(df("952", "$00$12$41$p1")), "marc21")
    assert holding.status == "lost=2,damaged=1"
    (holding,) = read_holdings(make_record(df("995", "$01$2ADB$f1")), "unimarc")
    assert holding.status == "withdrawn=1,lost=ADB"


def test_koha_995_subfields_from_the_ukrainian_framework():
    record = make_record(
        df("995", "$bSTL$cAB$eЧЗ$f2000100014080$j206033$k1/А66$p4.30$52006-03-20$00$o0$g2008-03-13")
    )
    (holding,) = read_holdings(record, "unimarc")
    assert holding == Holding(
        inventory_number="206033",
        barcode="2000100014080",
        location="ЧЗ",
        call_number="1/А66",
        price=Decimal("4.30"),
        price_raw="4.30",
        acquired=date(2006, 3, 20),
        date_raw="2006-03-20",
        status="0",
        source_tag="995",
    )


def test_irbis_910_subfields_and_copy_count():
    record = make_record(df("910", "$A0$B12345$C20240315$DАБ$E45 р. 00 к.$H2000100014080$15"))
    (holding,) = read_holdings(record, "unimarc")
    assert holding == Holding(
        inventory_number="12345",
        barcode="2000100014080",
        location="АБ",
        call_number=None,
        price=Decimal("45.00"),
        price_raw="45 р. 00 к.",
        acquired=date(2024, 3, 15),
        date_raw="20240315",
        copies=5,
        status="0",
        source_tag="910",
    )


def test_irbis_group_accounting_without_inventory_number_is_a_holding():
    (holding,) = read_holdings(make_record(df("910", "$aU$dЧЗ$110")), "unimarc")
    assert (holding.copies, holding.status, holding.inventory_number) == (10, "U", None)


def test_marc21_852_location_call_number_and_barcode():
    record = make_record(
        df("852", "$aUkOxU$bBodleian$cStacks$kRef$hM94.G00395$iC49$p500881138$j98947")
    )
    (holding,) = read_holdings(record, "marc21")
    assert holding == Holding(
        inventory_number="98947",
        barcode="500881138",
        location="Bodleian",
        call_number="Ref M94.G00395 C49",
        price=None,
        price_raw=None,
        acquired=None,
        date_raw=None,
        source_tag="852",
    )


def test_852_is_ignored_when_copy_level_fields_exist():
    record = make_record(df("852", "$j1/А66$kА66"), df("995", "$f1$j1"), df("995", "$f2$j2"))
    holdings = read_holdings(record, "unimarc")
    assert [h.source_tag for h in holdings] == ["995", "995"]


def test_local_995_and_910_in_marc21_are_not_holdings():
    record = make_record(
        df("245", "$aA MARC21 book"),
        df("995", "$acolor$bblue red green$c282"),  # perl4lib test.mrc
        df("910", "$aHEALTH SCIENCES: W per review$bHorizon bib#"),  # UVA local note
    )
    assert read_holdings(record) == []  # flavour guessed from 245


def test_952_is_not_read_from_unimarc():
    record = make_record(df("200", "$aКнига"), df("952", "$p123$i456"))
    assert read_holdings(record) == []


def test_a_952_with_only_a_location_is_not_a_copy():
    assert read_holdings(make_record(df("952", "$aLibrary has 2 copies.")), "marc21") == []


def test_a_995_with_only_a_branch_is_a_copy():
    (holding,) = read_holdings(make_record(df("995", "$bSTL")), "unimarc")
    assert holding.location == "STL"


def test_empty_fields_give_no_holdings():
    assert read_holdings(make_record(df("995", "$j   "), df("910", "")), "unimarc") == []


def test_default_scheme_per_flavour():
    assert default_scheme("marc21") == "952"
    assert default_scheme("unimarc") == "995"
    with pytest.raises(ValueError):
        default_scheme("mab2")


# ---------------------------------------------------------------- writing and round trips


@pytest.mark.parametrize("scheme", ["952", "995", "910"])
def test_copy_level_round_trip_keeps_every_detail(scheme):
    holding = make_holding(source_tag=scheme, price_raw="120,50 грн", date_raw="15.03.2024")
    assert round_trip(holding, scheme) == holding


@pytest.mark.parametrize("scheme", ["952", "995", "910"])
def test_round_trip_keeps_unparseable_price_and_date(scheme):
    holding = make_holding(
        source_tag=scheme, price=None, price_raw="б. ц.", acquired=None, date_raw="весна 2020"
    )
    assert round_trip(holding, scheme) == holding


def test_852_round_trip_keeps_what_852_can_hold():
    holding = make_holding(
        source_tag="852", price=None, price_raw=None, acquired=None, date_raw=None, status=None
    )
    assert round_trip(holding, "852") == holding


def test_852_write_drops_price_date_status():
    field = holding_field(make_holding(), "852", branch="UA-LuORL")
    assert field.tag == "852"
    assert [(s.code, s.value) for s in field.subfields] == [
        ("a", "UA-LuORL"),
        ("b", "АБ"),
        ("h", "84(4Укр)6 А66"),
        ("j", "206033"),
        ("p", "2000100014080"),
    ]


def test_irbis_round_trip_keeps_status_and_copy_count():
    holding = make_holding(source_tag="910", status="1", copies=3, inventory_number=None)
    assert round_trip(holding, "910") == holding


@pytest.mark.parametrize("scheme", ["952", "995"])
def test_koha_round_trip_keeps_raised_status(scheme):
    holding = make_holding(source_tag=scheme, status="withdrawn=1,lost=2")
    assert round_trip(holding, scheme) == holding


def test_written_952_uses_koha_subfields_and_branch():
    field = holding_field(make_holding(source_tag="952"), "952", branch="LUOUNB")
    assert [(s.code, s.value) for s in field.subfields] == [
        ("0", "0"),
        ("a", "LUOUNB"),
        ("b", "LUOUNB"),
        ("c", "АБ"),
        ("d", "2024-03-15"),
        ("g", "120.50"),
        ("i", "206033"),
        ("o", "84(4Укр)6 А66"),
        ("p", "2000100014080"),
    ]
    assert field.indicators == Indicators(" ", " ")


def test_written_995_uses_the_ukrainian_koha_subfields():
    field = holding_field(make_holding(), "995", branch="STL")
    assert [(s.code, s.value) for s in field.subfields] == [
        ("0", "0"),
        ("5", "2024-03-15"),
        ("b", "STL"),
        ("c", "STL"),
        ("e", "АБ"),
        ("f", "2000100014080"),
        ("j", "206033"),
        ("k", "84(4Укр)6 А66"),
        ("p", "120.50"),
    ]


def test_converting_irbis_to_koha_puts_date_and_price_in_koha_form():
    irbis = make_holding(
        source_tag="910", price_raw="120 грн 50 коп", date_raw="20240315", copies=1
    )
    field = holding_field(irbis, "995")
    assert field["5"] == "2024-03-15"
    assert field["p"] == "120.50"
    back = round_trip(irbis, "995")
    assert (back.acquired, back.price, back.inventory_number) == (
        irbis.acquired,
        irbis.price,
        irbis.inventory_number,
    )


def test_converting_koha_to_irbis_writes_compact_date_and_drops_koha_flags():
    koha = make_holding(source_tag="952", status="lost=1")
    field = holding_field(koha, "910")
    assert field["c"] == "20240315"
    assert field.get("a") is None
    assert round_trip(replace(koha, status="0"), "910").status == "0"


def test_copy_count_is_written_only_for_groups():
    assert holding_field(make_holding(source_tag="910"), "910").get("1") is None
    assert holding_field(make_holding(source_tag="910", copies=4), "910")["1"] == "4"


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError):
        holding_field(make_holding(), "949")
    assert SCHEMES == ("852", "952", "995", "910")


# ---------------------------------------------------------------- real files


def test_ukrainian_rusmarc_record_has_198_koha_copies():
    (record,) = pymarc.parse_xml_to_array(str(data_path("xbib__marc/rusmarc.xml")))
    holdings = read_holdings(record, "unimarc")
    assert len(holdings) == 198  # the title-level 852 is not a copy
    first = holdings[0]
    assert first == Holding(
        inventory_number="206033",
        barcode="206033",
        location="AB",
        call_number="1/А66",
        price=Decimal("4.30"),
        price_raw="4.30",
        acquired=date(2006, 3, 20),
        date_raw="2006-03-20",
        status="0",
        source_tag="995",
    )
    assert len({h.inventory_number for h in holdings}) == 198
    assert {h.price for h in holdings} == {Decimal("4.30"), Decimal("4.29"), Decimal("48.00")}
    assert {h.acquired for h in holdings} == {date(2006, 3, 20), date(2011, 3, 13)}
    assert {h.location for h in holdings} == {"AB", "CHZ", "STL"}
    assert {h.status for h in holdings} == {"0"}
    assert read_holdings(record) == holdings  # flavour guessed from 200
    for holding in holdings:
        assert round_trip(holding, "995") == holding


def test_rusmarc_copy_without_inventory_subfield_still_has_its_barcode():
    (record,) = pymarc.parse_xml_to_array(str(data_path("xbib__marc/rusmarc.xml")))
    missing = [h for h in read_holdings(record, "unimarc") if h.inventory_number is None]
    assert len(missing) == 1  # one of the 198 has no $j
    assert missing[0].barcode


def test_koha_marc21_items_in_marc_moose_biblios():
    records = pymarc.parse_xml_to_array(str(data_path("fredericd__marc-moose/biblios.xml")))
    holdings = [h for r in records for h in read_holdings(r, "marc21")]
    assert len(holdings) == 8
    assert holdings[0] == Holding(
        inventory_number=None,
        barcode="000426795",
        location="MC",
        call_number="HB172.5 .B87 1993",
        price=None,
        price_raw=None,
        acquired=None,
        date_raw=None,
        status="0",
        source_tag="952",
    )
    for holding in holdings:
        assert round_trip(holding, "952") == holding


def test_oxford_852_in_pride_and_prejudice():
    records = read_iso("marc4j__marc4j/pride-and-prejudice-fixed.mrc")
    (holding,) = read_holdings(by_control_number(records, "UkOxUb10768856"))
    assert (holding.location, holding.call_number, holding.barcode) == (
        "Bodleian",
        "M94.G00395",
        "500881138",
    )
    assert holding.source_tag == "852"


def test_french_995_in_bnf_records_gives_call_numbers():
    records = pymarc.parse_xml_to_array(str(data_path("fredericd__marcjs/bib.xml")))
    call_numbers = [h.call_number for r in records for h in read_holdings(r, "unimarc")]
    assert call_numbers == ["0 A 3", "0 A 4", "0 A 8 ter", "0 A 10 (1)", "0 A 10 (2)", "0 A 12"]


def test_perl4lib_marc21_records_ignore_their_local_995():
    records = read_iso("perl4lib__marc-perl/test.mrc")
    holdings = [h for r in records for h in read_holdings(r)]
    assert holdings
    assert {h.source_tag for h in holdings} == {"852"}
