"""MARC21 ↔ UNIMARC crosswalk: each mapping both ways, real-file round trips, uncovered tags."""

from __future__ import annotations

import re
from collections import Counter

import pymarc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield

from marc.crosswalk import (
    Conversion,
    UnknownFlavourError,
    convert,
    relator_to_marc21,
    relator_to_unimarc,
    strip_isbd,
    uncovered_summary,
)
from tests.shared_data import data_path

# --- builders ---------------------------------------------------------------------------------


def df(tag: str, spec: str, ind1: str = " ", ind2: str = " ") -> Field:
    """A data field from "$aTitle$bMore" (each "$" starts a subfield code)."""
    subfields = [Subfield(part[0], part[1:]) for part in spec.split("$")[1:]]
    return Field(tag, Indicators(ind1, ind2), subfields=subfields)


def make_record(*fields: Field, leader: str = "00000nam a2200000 i 4500") -> pymarc.Record:
    """A record holding ``fields`` under ``leader``."""
    record = pymarc.Record()
    record.leader = pymarc.leader.Leader(leader)
    for made in fields:
        record.add_field(made)
    return record


def make_unimarc(*fields: Field, leader: str = "00000nam0 2200000   450 ") -> pymarc.Record:
    """A UNIMARC record (its leader ends in 450)."""
    return make_record(*fields, leader=leader)


def to_marc21(*fields: Field, leader: str = "00000nam0 2200000   450 ") -> pymarc.Record:
    """Convert a UNIMARC record built from ``fields`` to MARC21."""
    return convert(make_unimarc(*fields, leader=leader), "unimarc", "marc21").record


def to_unimarc(*fields: Field, leader: str = "00000nam a2200000 i 4500") -> pymarc.Record:
    """Convert a MARC21 record built from ``fields`` to UNIMARC."""
    return convert(make_record(*fields, leader=leader), "marc21", "unimarc").record


def subs(record: pymarc.Record, tag: str) -> list[list[tuple[str, str]]]:
    """Every ``tag`` field's subfields as (code, value) pairs."""
    return [[(s.code, s.value) for s in f.subfields] for f in record.get_fields(tag)]


def one(record: pymarc.Record, tag: str) -> list[tuple[str, str]]:
    """The subfields of the record's only ``tag`` field."""
    (found,) = subs(record, tag)
    return found


def indicators(record: pymarc.Record, tag: str) -> str:
    """Both indicators of the first ``tag`` field."""
    return "".join(record.get_fields(tag)[0].indicators)


# --- API --------------------------------------------------------------------------------------


def test_same_source_and_target_returns_an_independent_copy_with_nothing_uncovered():
    record = make_record(df("245", "$aTitle"), df("035", "$a(OCoLC)1"))
    result = convert(record, "marc21", "marc21")
    assert isinstance(result, Conversion)
    assert result.uncovered == Counter()
    assert result.record.as_marc() == record.as_marc()
    result.record["245"]["a"] = "Changed"
    assert record["245"]["a"] == "Title"


def test_an_unknown_flavour_is_refused():
    with pytest.raises(UnknownFlavourError):
        convert(make_record(), "marc21", "rusmarc")


def test_uncovered_tags_are_counted_never_copied():
    record = make_record(
        df("245", "$aTitle"), df("035", "$a1"), df("035", "$a2"), df("999", "$aLocal")
    )
    result = convert(record, "marc21", "unimarc")
    assert result.uncovered == Counter({"035": 2, "999": 1})
    assert not result.record.get_fields("035", "999")


def test_local_9xx_in_unimarc_other_than_holdings_are_uncovered():
    record = make_unimarc(df("200", "$aНазва"), df("992", "$aGEO"), df("995", "$f123"))
    result = convert(record, "unimarc", "marc21")
    assert result.uncovered == Counter({"992": 1})
    assert one(result.record, "952") == [("p", "123")]


def test_irbis_910_and_koha_995_in_marc21_are_local_fields_not_holdings():
    result = convert(make_record(df("910", "$aNote"), df("995", "$acolor")), "marc21", "unimarc")
    assert result.uncovered == Counter({"910": 1, "995": 1})


def test_uncovered_summary_names_the_most_frequent_first():
    assert uncovered_summary(Counter({"856": 3, "035": 12})) == "not converted: 035 ×12, 856 ×3"
    assert uncovered_summary(Counter()) == "everything converted"


# --- leader, 008 ↔ 100 ------------------------------------------------------------------------


def test_marc21_leader_says_unicode_and_maps_type_level_and_encoding_level():
    record = to_marc21(df("200", "$aX"), leader="01234cas0 22000003  450 ")
    leader = str(record.leader)
    assert (leader[5], leader[6], leader[7], leader[9], leader[17]) == ("c", "a", "s", "a", "3")
    assert leader[20:] == "4500"


def test_unimarc_leader_maps_back_and_marks_a_component_part_below_its_host():
    record = to_unimarc(df("245", "$aX"), df("773", "$tHost"), leader="00000naa a2200000 i 4500")
    leader = str(record.leader)
    assert (leader[6], leader[7], leader[8], leader[9]) == ("a", "a", "2", " ")
    assert leader[20:] == "450 "


def test_100_becomes_a_valid_40_character_008():
    record = to_marc21(df("100", "$a20240115d2023    k  y0ukry50      ca"), df("101", "$aukr", "0"))
    data = record["008"].data
    assert len(data) == 40
    assert data[0:6] == "240115"  # date entered
    assert data[6:15] == "s2023    "  # single date, no second date
    assert data[22] == "e"  # adult, serious
    assert data[28] == " "  # not a government publication
    assert data[35:38] == "ukr"
    assert one(record, "040") == [("b", "ukr")]  # language of cataloguing


def test_008_becomes_a_valid_36_character_100_with_unicode_character_set():
    record = to_unimarc(
        Field("008", data="860911s1952    ru " + "||||" + "e" + "|" * 12 + "rus d"),
        df("040", "$aDLC$bukr$cDLC"),
        df("245", "$aКонституция."),
    )
    coded = one(record, "100")[0][1]
    assert len(coded) == 36
    assert coded[0:8] == "19860911"
    assert coded[8:17] == "d1952    "
    assert coded[17] == "k"  # 008/22 e → adult, serious
    assert coded[22:25] == "ukr"
    assert coded[26:30] == "50  "
    assert coded[34:36] == "ca"  # Cyrillic title
    assert one(record, "101") == [("a", "rus")]  # no 041: the language comes from 008


def test_unknown_date_digits_are_u_in_marc21_and_blank_in_unimarc():
    record = to_unimarc(Field("008", data="000101s19uu    xx            000 0 ukr d"))
    assert one(record, "100")[0][1][9:13] == "19  "
    back = to_marc21(df("100", "$a20000101f19  19  u  y0ukry50      ca"))
    assert back["008"].data[6:15] == "q19uu19uu"


def test_a_serial_continuing_resource_keeps_its_open_dates():
    back = to_marc21(
        df("100", "$a19901203a19909999   y0frey0103    ba"), leader="00000nas  2200000   450 "
    )
    assert back["008"].data[6:15] == "c19909999"


# --- identifiers, languages -------------------------------------------------------------------


def test_isbn_qualifier_and_price_go_to_020_q_and_c():
    record = to_marc21(df("010", "$a978-966-03-3951-6$bв пер.$d120 грн$z966-03-0000-0"))
    assert one(record, "020") == [
        ("a", "9789660339516"),
        ("q", "в пер."),
        ("c", "120 грн"),
        ("z", "9660300000"),
    ]


def test_isbn_with_a_parenthetical_qualifier_and_price_becomes_010():
    record = to_unimarc(df("020", "$a0786816155 (pbk.) :$cUSD 4.95"), df("020", "$z123"))
    assert subs(record, "010") == [
        [("a", "0-7868-1615-5"), ("b", "pbk."), ("d", "USD 4.95")],
        [("z", "123")],
    ]


def test_issn_field_both_ways():
    record = to_marc21(df("011", "$a0955-2359$y1234-5679$f0955-2359"))
    assert one(record, "022") == [("a", "0955-2359"), ("z", "1234-5679"), ("l", "0955-2359")]
    back = to_unimarc(df("022", "$a0955-2359$z1234-5679"))
    assert one(back, "011") == [("a", "0955-2359"), ("y", "1234-5679")]


def test_languages_of_a_translation_go_to_041_and_008():
    record = to_marc21(df("101", "$aukr$ceng", "1"))
    assert one(record, "041") == [("a", "ukr"), ("h", "eng")]
    assert indicators(record, "041") == "1 "
    assert record["008"].data[35:38] == "ukr"


def test_run_together_language_codes_are_split_into_101_subfields():
    record = to_unimarc(df("041", "$asanengkan", "0"))
    assert one(record, "101") == [("a", "san"), ("a", "eng"), ("a", "kan")]
    assert indicators(record, "101") == "0 "


# --- title, edition, publication, extent, series, notes ---------------------------------------


def test_title_gets_isbd_punctuation_and_245_indicators():
    record = to_marc21(
        df("200", "$aІсторія бібліотек$bТекст$eнавч. посіб.$fО. Петренко$gпер. з англ. І. Коваль"),
        df("700", "$aПетренко$bО.", ind2="1"),
    )
    assert one(record, "245") == [
        ("a", "Історія бібліотек"),
        ("h", "[Текст] :"),
        ("b", "навч. посіб. /"),
        ("c", "О. Петренко ; пер. з англ. І. Коваль."),
    ]
    assert indicators(record, "245") == "10"


def test_title_without_a_main_entry_and_with_non_filing_marks():
    record = to_marc21(df("200", "$a\u0098The \u009cbest of times$hPart 2$iThe end"))
    assert one(record, "245") == [("a", "The best of times."), ("n", "Part 2,"), ("p", "The end.")]
    assert indicators(record, "245") == "04"


def test_245_loses_its_punctuation_and_splits_other_and_parallel_titles():
    record = to_unimarc(
        df("245", "$aKavalier and Clay :$ba novel = roman /$cMichael Chabon ; ed. by X.", "1", "4")
    )
    assert one(record, "200") == [
        ("a", "Kavalier and Clay"),
        ("e", "a novel"),
        ("d", "roman"),
        ("f", "Michael Chabon"),
        ("g", "ed. by X."),
    ]
    assert indicators(record, "200") == "1 "


def test_edition_both_ways():
    record = to_marc21(df("205", "$a2-ге вид.$fза ред. І. Коваль"))
    assert one(record, "250") == [("a", "2-ге вид. /"), ("b", "за ред. І. Коваль.")]
    assert one(to_unimarc(df("250", "$a1st ed. /$bedited by X.")), "205") == [
        ("a", "1st ed."),
        ("f", "edited by X."),
    ]


def test_publication_210_and_260_both_ways():
    record = to_marc21(df("210", "$aКиїв$aЛьвів$cЛибідь$d2023$eХарків$gФактор$h2022"))
    assert one(record, "260") == [
        ("a", "Київ ;"),
        ("a", "Львів :"),
        ("b", "Либідь,"),
        ("c", "2023"),
        ("e", "(Харків :"),
        ("f", "Фактор,"),
        ("g", "2022)"),  # no period after a closing parenthesis
    ]
    back = to_unimarc(df("260", "$aNew York :$bRandom House,$cc2000$e(Kingsport :$fPrinter)."))
    assert one(back, "210") == [
        ("a", "New York"),
        ("c", "Random House"),
        ("d", "c2000"),
        ("e", "Kingsport"),
        ("g", "Printer"),
    ]


def test_rda_264_goes_to_214_and_back_with_its_function():
    record = to_unimarc(df("264", "$aKyiv :$bLybid,$c2023.", ind2="1"))
    assert one(record, "214") == [("a", "Kyiv"), ("c", "Lybid"), ("d", "2023")]
    assert indicators(record, "214") == " 1"
    again = convert(record, "unimarc", "marc21").record
    assert one(again, "264") == [("a", "Kyiv :"), ("b", "Lybid,"), ("c", "2023")]
    assert not again.get_fields("260")


def test_extent_both_ways():
    assert one(to_marc21(df("215", "$a320 с.$cіл.$d21 см$e1 CD")), "300") == [
        ("a", "320 с. :"),
        ("b", "іл. ;"),
        ("c", "21 см +"),
        ("e", "1 CD"),
    ]
    assert one(to_unimarc(df("300", "$a639 p. ;$c25 cm.")), "215") == [
        ("a", "639 p."),
        ("d", "25 cm"),
    ]


def test_series_both_ways_with_tracing():
    record = to_marc21(df("225", "$aБібліотека студента$v12$x1234-5679", "2"))
    assert one(record, "490") == [
        ("a", "Бібліотека студента,"),
        ("x", "1234-5679 ;"),
        ("v", "12"),
    ]
    assert indicators(record, "490") == "1 "
    back = to_unimarc(df("490", "$aSeries ;$vv. 3", "0"))
    assert one(back, "225") == [("a", "Series"), ("v", "v. 3")]
    assert indicators(back, "225") == "1 "
    assert indicators(to_unimarc(df("440", "$aTraced ;$vv. 1")), "225") == "2 "


@pytest.mark.parametrize(("unimarc", "marc21"), [("300", "500"), ("320", "504"), ("330", "520")])
def test_notes_both_ways(unimarc: str, marc21: str):
    assert one(to_marc21(df(unimarc, "$aIncludes index")), marc21) == [("a", "Includes index.")]
    assert one(to_unimarc(df(marc21, "$aIncludes index.")), unimarc) == [("a", "Includes index")]


# --- names and relators -----------------------------------------------------------------------


def test_authors_with_relators_become_100_and_700():
    record = to_marc21(
        df("700", "$aПетренко$bОлена$f1970-$4070", ind2="1"),
        df("701", "$aКоваль$bІван$4070", ind2="1"),
        df("702", "$aШевчук$bАнна$4340", ind2="1"),
        df("702", "$aSmith$bJohn$4730", ind2="1"),
    )
    assert one(record, "100") == [("a", "Петренко, Олена,"), ("d", "1970-"), ("4", "aut")]
    assert indicators(record, "100") == "1 "
    assert subs(record, "700") == [
        [("a", "Коваль, Іван."), ("4", "aut")],
        [("a", "Шевчук, Анна."), ("4", "edt")],
        [("a", "Smith, John."), ("4", "trl")],
    ]


def test_names_become_surname_and_forenames_and_701_or_702_by_role():
    record = to_unimarc(
        df("100", "$aChabon, Michael,$d1963-$eauthor.", "1"),
        df("700", "$aKoval, Ivan.", "1"),
        df("700", "$aShevchuk, Anna,$eeditor.", "1"),
        df("700", "$aVoltaire,$d1694-1778$4ill", "0"),
    )
    assert one(record, "700") == [("a", "Chabon"), ("b", "Michael"), ("f", "1963-"), ("4", "070")]
    assert indicators(record, "700") == " 1"
    assert one(record, "701") == [("a", "Koval"), ("b", "Ivan")]
    assert subs(record, "702") == [
        [("a", "Shevchuk"), ("b", "Anna"), ("4", "340")],
        [("a", "Voltaire"), ("f", "1694-1778"), ("4", "440")],
    ]
    assert [f.indicators[1] for f in record.get_fields("702")] == ["1", "0"]


@pytest.mark.parametrize(
    ("numeric", "alphabetic"), [("070", "aut"), ("340", "edt"), ("440", "ill"), ("730", "trl")]
)
def test_relator_codes_both_ways(numeric: str, alphabetic: str):
    assert relator_to_marc21(numeric) == alphabetic
    assert relator_to_unimarc(alphabetic) == numeric
    assert relator_to_unimarc(f"http://id.loc.gov/vocabulary/relators/{alphabetic}") == numeric


def test_role_words_in_relator_terms_are_recognised():
    assert relator_to_unimarc("translator.") == "730"
    assert relator_to_unimarc("пер.") == "730"
    assert relator_to_unimarc("not a role") is None


def test_corporate_bodies_and_meetings():
    record = to_marc21(
        df("710", "$aУкраїна$bВерховна Рада", "0", "1"),
        df("712", "$aКонференція$d3$eКиїв$f2020", "1", "2"),
    )
    assert one(record, "110") == [("a", "Україна."), ("b", "Верховна Рада.")]
    assert indicators(record, "110") == "1 "
    assert one(record, "711") == [
        ("a", "Конференція"),
        ("n", "(3 :"),
        ("c", "Київ :"),
        ("d", "2020)"),
    ]
    back = to_unimarc(
        df("110", "$aKorea (North).$bMinistry.", "1"), df("711", "$aMeeting$n(2nd :$d1990)")
    )
    assert one(back, "710") == [("a", "Korea"), ("c", "North"), ("b", "Ministry")]
    assert indicators(back, "710") == "01"
    assert one(back, "711") == [("a", "Meeting"), ("d", "2nd"), ("f", "1990")]
    assert indicators(back, "711") == "12"


def test_only_the_first_main_entry_stays_1xx():
    record = to_marc21(df("700", "$aAuthor$bA."), df("710", "$aBody", "0", "2"))
    assert [f.tag for f in record.get_fields("100", "110", "700", "710")] == ["100", "710"]


# --- subjects, classification -----------------------------------------------------------------


def test_subjects_swap_place_and_period_subdivisions_and_keep_their_system():
    record = to_marc21(
        df("606", "$aБібліотеки$yУкраїна$z21 ст.$jДовідники$2unbist"),
        df("600", "$aШевченко$bТарас$f1814-1861$xКритика", ind2="1"),
        df("607", "$aКиїв$xІсторія"),
        df("608", "$aПідручники$2lcgft"),
    )
    assert one(record, "650") == [
        ("a", "Бібліотеки"),
        ("z", "Україна"),
        ("y", "21 ст."),
        ("v", "Довідники."),
        ("2", "unbist"),
    ]
    assert indicators(record, "650") == " 7"
    assert one(record, "600") == [
        ("a", "Шевченко, Тарас,"),
        ("d", "1814-1861"),
        ("x", "Критика."),
    ]
    assert indicators(record, "600") == "14"
    assert one(record, "651") == [("a", "Київ"), ("x", "Історія.")]
    assert one(record, "655") == [("a", "Підручники."), ("2", "lcgft")]


def test_marc21_subjects_go_to_606_607_608_and_601_with_thesaurus_in_2():
    record = to_unimarc(
        df("650", "$aComic books, strips, etc.$xAuthorship$zUnited States$vFiction.", ind2="0"),
        df("651", "$aNew York (N.Y.)$vFiction.", ind2="0"),
        df("655", "$aHumorous stories.$2gsafd", ind2="7"),
        df("610", "$aUnited Nations.$bGeneral Assembly$xHistory.", "2", "0"),
        df("611", "$aOlympic Games$d(2012)", "2", "4"),
    )
    assert one(record, "606") == [
        ("a", "Comic books, strips, etc."),
        ("x", "Authorship"),
        ("y", "United States"),
        ("j", "Fiction"),
        ("2", "lcsh"),
    ]
    assert one(record, "607") == [("a", "New York (N.Y.)"), ("j", "Fiction"), ("2", "lcsh")]
    assert one(record, "608") == [("a", "Humorous stories"), ("2", "gsafd")]
    assert subs(record, "601") == [
        [("a", "United Nations"), ("b", "General Assembly"), ("x", "History"), ("2", "lcsh")],
        [("a", "Olympic Games"), ("f", "2012")],
    ]
    assert [f.indicators[0] for f in record.get_fields("601")] == ["0", "1"]


def test_udc_dewey_and_bbk_classification_both_ways():
    record = to_marc21(
        df("675", "$a027.022(477)$v 3"),
        df("676", "$a020$v23"),
        df("686", "$a78.34(4Укр)$2rubbk"),
    )
    assert one(record, "080") == [("a", "027.022(477)"), ("2", "3")]
    assert one(record, "082") == [("a", "020"), ("2", "23")]
    assert indicators(record, "082") == "04"
    assert one(record, "084") == [("a", "78.34(4Укр)"), ("2", "rubbk")]
    back = to_unimarc(
        df("080", "$a027.022$x(477)$22"), df("082", "$a020$a021$223"), df("084", "$a78.3$2rubbk")
    )
    assert one(back, "675") == [("a", "027.022(477)"), ("v", "2")]
    assert subs(back, "676") == [[("a", "020"), ("v", "23")], [("a", "021"), ("v", "23")]]
    assert one(back, "686") == [("a", "78.3"), ("2", "rubbk")]


# --- host item link, 856 ----------------------------------------------------------------------


def test_embedded_host_link_463_becomes_773():
    record = to_marc21(
        df(
            "463",
            "$1001UA-100$12001 $aБібліотечний форум$1700 1$aКоваль$bІ.$1210  $aКиїв$cФорум$d2023"
            "$1011  $a1234-5679$vС. 10-15",
            ind2="1",
        ),
        leader="00000naa2 2200000   450 ",
    )
    assert one(record, "773") == [
        ("a", "Коваль, І."),
        ("t", "Бібліотечний форум."),
        ("d", "Київ : Форум, 2023."),
        ("g", "С. 10-15"),
        ("x", "1234-5679"),
        ("w", "UA-100"),
    ]
    assert indicators(record, "773") == "0 "
    assert str(record.leader)[7] == "a"


def test_773_becomes_embedded_fields_in_463_for_a_component_part():
    record = to_unimarc(
        df("773", "$aKoval, I.$tBibliotechnyi forum.$dKyiv : Forum, 2023.$gP. 10-15$wUA-100", "0"),
        leader="00000naa a2200000 i 4500",
    )
    assert one(record, "463") == [
        ("1", "001UA-100"),
        ("1", "700 1"),
        ("a", "Koval"),
        ("b", "I."),
        ("1", "2001 "),
        ("a", "Bibliotechnyi forum"),
        ("1", "210  "),
        ("a", "Kyiv"),
        ("c", "Forum"),
        ("d", "2023"),
        ("v", "P. 10-15"),
    ]
    assert indicators(record, "463") == " 1"
    volume = to_unimarc(df("773", "$tSet$w42"), leader="00000nam a2200000 i 4500")
    assert one(volume, "461") == [("1", "00142"), ("1", "2001 "), ("a", "Set")]


def test_standard_subfield_host_links_are_read_too():
    record = to_marc21(df("461", "$tЗібрання творів$v Т. 2$0UA-7", ind2="1"))
    assert one(record, "773") == [("t", "Зібрання творів."), ("g", "Т. 2"), ("w", "UA-7")]


def test_856_is_copied_both_ways():
    field = df("856", "$uhttp://example.org/x$zFull text", "4", "0")
    assert one(to_marc21(field), "856") == [("u", "http://example.org/x"), ("z", "Full text")]
    assert indicators(to_unimarc(field), "856") == "40"


# --- holdings ---------------------------------------------------------------------------------


def test_koha_995_becomes_952_keeping_the_copy_details():
    record = to_marc21(
        df("995", "$bSTL$cAB$eЧЗ$f2000100014080$j206033$k1/А66$p4.30$52006-03-20$rBOOK$00")
    )
    assert one(record, "952") == [
        ("a", "STL"),
        ("b", "AB"),
        ("c", "ЧЗ"),
        ("p", "2000100014080"),
        ("i", "206033"),
        ("o", "1/А66"),
        ("g", "4.30"),
        ("d", "2006-03-20"),
        ("y", "BOOK"),
        ("0", "0"),
    ]


def test_koha_952_becomes_995():
    record = to_unimarc(
        df("952", "$aLUOUNB$cАБ$d2024-03-15$g120.50$i206033$o84 А66$p2000100014080")
    )
    assert one(record, "995") == [
        ("b", "LUOUNB"),
        ("e", "АБ"),
        ("5", "2024-03-15"),
        ("p", "120.50"),
        ("j", "206033"),
        ("k", "84 А66"),
        ("f", "2000100014080"),
    ]


def test_irbis_910_becomes_the_target_scheme():
    record = to_marc21(df("910", "$a0$b12345$c20240315$dАБ$e45.00$h2000100014080$r84 А66"))
    found = dict(one(record, "952"))
    assert found["i"] == "12345"  # inventory number
    assert found["p"] == "2000100014080"  # barcode
    assert found["c"] == "АБ"  # location
    assert found["o"] == "84 А66"  # call number
    assert found["g"] == "45.00"  # price
    assert found["d"] == "2024-03-15"  # date, in Koha's form


def test_852_becomes_a_copy_only_when_the_record_has_no_copy_level_field():
    record = to_unimarc(df("852", "$aUkKyNBU$bАБ$h027$iП30$pBC-2"))
    found = dict(one(record, "995"))
    assert (found["e"], found["k"], found["f"]) == ("АБ", "027 П30", "BC-2")
    result = convert(make_record(df("852", "$bАБ"), df("952", "$p1$i1")), "marc21", "unimarc")
    assert result.uncovered == Counter({"852": 1})
    assert len(result.record.get_fields("995")) == 1


# --- real files -------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Text compared for meaning: punctuation, brackets, case and spacing ignored."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip().casefold()


def _values(record: pymarc.Record, tags: list[str], codes: str) -> list[str]:
    return [s.value for f in record.get_fields(*tags) for s in f.subfields if s.code in codes]


def _texts(record: pymarc.Record, tags: list[str], codes: str) -> list[str]:
    return [t for t in (_norm(v) for v in _values(record, tags, codes)) if t]


def _joined(record: pymarc.Record, tags: list[str], codes: str) -> str:
    return _norm(" ".join(_values(record, tags, codes)))


def _bodies(record: pymarc.Record, tags: list[str], codes: str) -> list[str]:
    names = (
        _norm(" ".join(s.value for s in f.subfields if s.code in codes))
        for f in record.get_fields(*tags)
    )
    return sorted(name for name in names if name)


def _isbns(values: list[str]) -> list[str]:
    return sorted(re.sub(r"[^0-9X]", "", v.upper().split(" (")[0]) for v in values)


def marc21_view(record: pymarc.Record) -> dict[str, object]:
    """The covered meaning of a MARC21 record: title, names, ISBNs, imprint, languages."""
    coded = record["008"].data if record.get_fields("008") else ""
    languages = set(_values(record, ["041"], "a")) | {coded[35:38]} - {"", "   ", "|||"}
    return {
        "title": sorted(_joined(record, ["245"], "anpbc").split()),
        "authors": sorted(_texts(record, ["100", "700"], "a")),
        "bodies": _bodies(record, ["110", "710"], "abcn"),
        "isbns": _isbns(_values(record, ["020"], "a")),
        "year": sorted(
            y for v in _values(record, ["260", "264"], "c") for y in re.findall(r"\d{4}", v)
        ),
        "publisher": _texts(record, ["260", "264"], "b"),
        "languages": sorted({c for v in languages for c in re.findall(r"[a-z]{3}", v)}),
        "subjects": sorted(_texts(record, ["600", "610", "650", "651", "655"], "a")),
    }


def unimarc_view(record: pymarc.Record) -> dict[str, object]:
    """The covered meaning of a UNIMARC record: title, names, ISBNs, imprint, languages.

    The title statement is compared as words: a parallel statement of responsibility may
    come back next to the first one rather than after the parallel title.
    """
    authors = []
    for person in record.get_fields("700", "701", "702"):
        forenames = (person.get("b") or person.get("g") or "").lstrip(", ")
        authors.append(_norm(f"{person.get('a') or ''} {forenames}"))
    return {
        "title": sorted(_joined(record, ["200"], "acdefghi").split()),
        "authors": sorted(a for a in authors if a),
        "bodies": _bodies(record, ["710", "711", "712"], "abc"),
        "isbns": _isbns(_values(record, ["010"], "a")),
        "year": sorted(
            y for v in _values(record, ["210", "214"], "d") for y in re.findall(r"\d{4}", v)
        ),
        "publisher": _texts(record, ["210", "214"], "c"),
        "languages": sorted(_texts(record, ["101"], "a")),
        "subjects": sorted(_texts(record, ["600", "601", "606", "607", "608"], "a")),
    }


def _read_iso(relative: str, **options: bool) -> list[pymarc.Record]:
    with data_path(relative).open("rb") as stream:
        return [r for r in pymarc.MARCReader(stream, **options) if r is not None]


def _marc21_round_trip(record: pymarc.Record) -> pymarc.Record:
    unimarc = convert(record, "marc21", "unimarc")
    back = convert(unimarc.record, "unimarc", "marc21")
    assert back.uncovered == Counter()  # everything the crosswalk wrote, it can read back
    return back.record


def _unimarc_round_trip(record: pymarc.Record) -> pymarc.Record:
    marc21 = convert(record, "unimarc", "marc21")
    back = convert(marc21.record, "marc21", "unimarc")
    assert back.uncovered == Counter()
    return back.record


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "relative", ["traject__traject/test_data.utf8.mrc", "marc4j__marc4j/chabon.mrc"]
)
def test_marc21_round_trip_keeps_the_covered_meaning(relative: str):
    records = _read_iso(relative)
    assert records
    for record in records:
        assert marc21_view(_marc21_round_trip(record)) == marc21_view(record), record.get("001")


@pytest.mark.shared_data
def test_chabon_in_unimarc():
    first = _read_iso("marc4j__marc4j/chabon.mrc")[0]
    unimarc = convert(first, "marc21", "unimarc")
    assert one(unimarc.record, "200") == [
        ("a", "The amazing adventures of Kavalier and Clay"),
        ("e", "a novel"),
        ("f", "Michael Chabon"),
    ]
    assert one(unimarc.record, "700") == [("a", "Chabon"), ("b", "Michael")]
    assert one(unimarc.record, "010") == [("a", "0-679-45004-1"), ("b", "acid-free paper")]
    assert one(unimarc.record, "210") == [("a", "New York"), ("c", "Random House"), ("d", "c2000")]
    assert one(unimarc.record, "100")[0][1][:17] == "20000313d2000    "
    assert unimarc.uncovered == Counter()
    back = convert(unimarc.record, "unimarc", "marc21").record
    assert one(back, "245") == [
        ("a", "The amazing adventures of Kavalier and Clay :"),
        ("b", "a novel /"),
        ("c", "Michael Chabon."),
    ]
    assert one(back, "100") == [("a", "Chabon, Michael.")]


@pytest.mark.shared_data
def test_traject_records_report_what_is_not_converted():
    total: Counter[str] = Counter()
    for record in _read_iso("traject__traject/test_data.utf8.mrc"):
        total.update(convert(record, "marc21", "unimarc").uncovered)
    assert total["880"] == 81  # vernacular script fields are not mapped
    assert total["035"] == 18
    assert not {"245", "100", "020", "260", "650"} & set(total)


@pytest.mark.shared_data
def test_bnf_unimarc_round_trip_keeps_the_covered_meaning():
    records = pymarc.parse_xml_to_array(str(data_path("fredericd__marcjs/bib.xml")))
    assert len(records) == 6
    for record in records:
        assert unimarc_view(_unimarc_round_trip(record)) == unimarc_view(record), record.get("001")
    marc21 = convert(records[2], "unimarc", "marc21").record
    assert one(marc21, "100") == [("a", "Claudin, Anatole,"), ("d", "1833-1906."), ("4", "aut")]
    assert subs(marc21, "700")[-1] == [
        ("a", "Delisle, Léopold,"),
        ("d", "1826-1910."),
        ("4", "edt"),
    ]
    assert one(marc21, "245")[-1] == ("h", "[Texte imprimé]")
    assert marc21["008"].data[6:15] == "m19001914"


@pytest.mark.shared_data
def test_periouni_serials_round_trip_keeps_the_covered_meaning():
    records = _read_iso(
        "xbib__marc/periouni.mrc", to_unicode=True, force_utf8=True, permissive=True
    )
    assert len(records) == 3064
    for record in records:
        assert unimarc_view(_unimarc_round_trip(record)) == unimarc_view(record), record.get("001")


@pytest.mark.shared_data
def test_periouni_serial_in_marc21():
    records = _read_iso(
        "xbib__marc/periouni.mrc", to_unicode=True, force_utf8=True, permissive=True
    )
    (serial,) = [r for r in records if r.get("001") and r["001"].data == "040085864"]
    result = convert(serial, "unimarc", "marc21")
    assert str(result.record.leader)[6:8] == "as"
    assert result.record["008"].data[6:15] == "c19909999"
    assert one(result.record, "022") == [("a", "0955-2359")]
    assert one(result.record, "245") == [("a", "20 century British history.")]
    assert one(result.record, "110") == [
        ("a", "Institute of Contemporary British History (Londres)")
    ]
    assert one(result.record, "651") == [
        ("a", "Grande-Bretagne"),
        ("y", "20e siècle"),
        ("x", "Périodiques."),
    ]
    assert result.uncovered == Counter(
        {
            "002": 1,
            "035": 2,
            "102": 1,
            "110": 1,
            "326": 2,
            "517": 1,
            "955": 1,
            "972": 1,
            "991": 1,
            "992": 2,
        }
    )


@pytest.mark.shared_data
def test_ukrainian_koha_record_keeps_its_198_copies():
    (record,) = pymarc.parse_xml_to_array(str(data_path("xbib__marc/rusmarc.xml")))
    result = convert(record, "unimarc", "marc21")
    copies = result.record.get_fields("952")
    assert len(copies) == 198
    first = dict((s.code, s.value) for s in copies[0].subfields)
    assert (first["i"], first["p"], first["o"], first["g"], first["d"], first["a"]) == (
        "206033",
        "206033",
        "1/А66",
        "4.30",
        "2006-03-20",
        "STL",
    )
    assert result.uncovered == Counter({"090": 1, "852": 1, "942": 1})


# --- properties -------------------------------------------------------------------------------

_LETTERS = (
    "abcdefghijklmnopqrstuvwxyzабвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
    "ABCDEFGHIJKLMNOPRSTUVWXYZАБВГДЕЄЖЗІЇКЛМНОПРСТУФХЦШЩЮЯ"
)
# Words of four letters or more: a closing period after a one- or two-letter word reads as an
# initial or abbreviation ("Vitamin A.") and is kept, so short final words do not round-trip.
_words = st.lists(st.text(alphabet=_LETTERS, min_size=4, max_size=10), min_size=1, max_size=5).map(
    " ".join
)
_names = st.text(alphabet=_LETTERS, min_size=4, max_size=12)


@st.composite
def _isbn13(draw: st.DrawFn) -> str:
    digits = "978" + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return digits + str(check)


@st.composite
def unimarc_records(draw: st.DrawFn) -> pymarc.Record:
    """Random UNIMARC records built from covered tags."""
    title = df("200", f"$a{draw(_words)}", "1")
    title.subfields += [Subfield("e", draw(_words)), Subfield("f", draw(_words))][
        : draw(st.integers(0, 2))
    ]
    fields = [title, df("101", f"$a{draw(st.sampled_from(['ukr', 'eng', 'rus']))}", "0")]
    fields += [
        df("010", f"$a{isbn}$d{draw(_words)}") for isbn in draw(st.lists(_isbn13(), max_size=2))
    ]
    for tag in draw(st.lists(st.sampled_from(["700", "701", "702"]), max_size=3)):
        role = draw(st.sampled_from(["070", "340", "440", "730"]))
        fields.append(df(tag, f"$a{draw(_names)}$b{draw(_names)}$4{role}", ind2="1"))
    fields.append(df("210", f"$a{draw(_words)}$c{draw(_words)}$d{draw(st.integers(1500, 2030))}"))
    return make_unimarc(*fields)


@st.composite
def marc21_records(draw: st.DrawFn) -> pymarc.Record:
    """Random MARC21 records built from covered tags."""
    fields = [df("245", f"$a{draw(_words)} :$b{draw(_words)} /$c{draw(_words)}.", "1", "0")]
    fields.append(df("100", f"$a{draw(_names)}, {draw(_names)}.", "1"))
    fields += [
        df("700", f"$a{draw(_names)}, {draw(_names)},$eeditor.", "1")
        for _ in range(draw(st.integers(0, 2)))
    ]
    fields += [
        df("020", f"$a{isbn}$c{draw(_words)}") for isbn in draw(st.lists(_isbn13(), max_size=2))
    ]
    fields.append(
        Field("008", data=f"240101s{draw(st.integers(1500, 2030))}    xx            000 0 ukr d")
    )
    return make_record(*fields)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unimarc_records())
def test_random_unimarc_records_come_back_with_the_same_titles_names_and_isbns(
    record: pymarc.Record,
):
    back = _unimarc_round_trip(record)
    assert unimarc_view(back) == unimarc_view(record)
    assert subs(back, "200")[0][0] == subs(record, "200")[0][0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marc21_records())
def test_random_marc21_records_come_back_with_the_same_titles_names_and_isbns(
    record: pymarc.Record,
):
    back = _marc21_round_trip(record)
    assert marc21_view(back) == marc21_view(record)
    assert strip_isbd(back["245"]["a"]) == strip_isbd(record["245"]["a"])
