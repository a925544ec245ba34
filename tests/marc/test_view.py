"""The normalised bibliographic view, on real MARC21/UNIMARC records and on records built here."""

from __future__ import annotations

import json
import re
import unicodedata

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from marc.view import BibView, HostLink, bib_view, clean
from tests.shared_data import data_path

# ---------------------------------------------------------------- builders


def make_record(*fields: Field, leader: str = "00000nam a2200000 i 4500") -> pymarc.Record:
    """A record with the given leader and fields, in that order."""
    record = pymarc.Record(leader=leader)
    for fld in fields:
        record.add_field(fld)
    return record


def df(tag: str, text: str, ind: str = "  ") -> Field:
    """A data field from "$aTitle /$cAuthor." notation ("‡a...‡c$6.99" when a value has "$")."""
    pieces = text.split("‡" if "‡" in text else "$")[1:]
    subfields = [Subfield(piece[0], piece[1:]) for piece in pieces]
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subfields)


def cf(tag: str, data: str) -> Field:
    return Field(tag=tag, data=data)


def marc21(*fields: Field, leader: str = "00000nam a2200000 i 4500") -> BibView:
    return bib_view(make_record(*fields, leader=leader), "marc21")


def unimarc(*fields: Field, leader: str = "00000nam0 2200000   450 ") -> BibView:
    return bib_view(make_record(*fields, leader=leader), "unimarc")


def read_iso(relative: str) -> list[pymarc.Record]:
    with data_path(relative).open("rb") as stream:
        reader = pymarc.MARCReader(stream, to_unicode=True, force_utf8=True, permissive=True)
        return [record for record in reader if record is not None]


def read_xml(relative: str) -> list[pymarc.Record]:
    return pymarc.parse_xml_to_array(str(data_path(relative)))


def nfc(text: str) -> str:
    """The view gives NFC text; expected values are written in whatever form the editor had."""
    return unicodedata.normalize("NFC", text)


def control_number(record: pymarc.Record) -> str | None:
    fields = record.get_fields("001")
    return fields[0].data.strip() if fields else None


def by_control_number(records: list[pymarc.Record], number: str) -> pymarc.Record:
    (record,) = [r for r in records if control_number(r) == number]
    return record


# ---------------------------------------------------------------- punctuation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Summerland /", "Summerland"),
        ("New York :", "New York"),
        ("Miramax Books/Hyperion Books for Children,", "Miramax Books/Hyperion Books for Children"),
        ("Chabon, Michael.", "Chabon, Michael"),
        ("Dick, Philip K.", "Dick, Philip K."),  # an initial keeps its period
        ("1st ed.", "1st ed."),  # so does a short abbreviation
        ("К.", "К."),  # Київ
        ("Андрущенко, В.П.", "Андрущенко, В.П."),
        (
            "Abū al-Khayr, ʻAlī ʻAbd al-Ḥamīd.",
            "Abū al-Khayr, ʻAlī ʻAbd al-Ḥamīd",
        ),  # combining marks
        ("Her Waste ; pt. 1", "Her Waste ; pt. 1"),
        ("a novel /", "a novel"),
        ("[Lha-sa :", "Lha-sa"),  # unbalanced bracket
        ("s.n.,", "s.n."),
        ("Le Clert,...", "Le Clert,..."),  # an ellipsis is kept
        ("2-ге вид., доп.", "2-ге вид., доп."),  # Ukrainian abbreviations keep their period
        ("Govt. Print. Off.", "Govt. Print. Off."),
        ("с. 5-9.", "с. 5-9"),  # a period after a number is punctuation
        ("Vol. 1.", "Vol. 1"),
        ("Aya\u0304z", "Ay\u0101z"),  # decomposed letters come back composed
        (", 1465-1927, facsimiles", "1465-1927, facsimiles"),
        ("  ", None),
    ],
)
def test_isbd_punctuation_is_trimmed_but_abbreviations_keep_their_period(raw, expected):
    assert clean(raw) == expected


# ---------------------------------------------------------------- MARC21 built in code


def test_marc21_title_remainder_and_responsibility_come_from_245():
    view = marc21(df("245", "$aThe amazing adventures :$ba novel /$cMichael Chabon.", "14"))
    assert (view.title, view.remainder_of_title, view.responsibility) == (
        "The amazing adventures",
        "a novel",
        "Michael Chabon",
    )


def test_marc21_title_takes_part_number_and_name():
    view = marc21(df("245", "$aParamount :$bthe rise & fall.$nVol. one,$p1917-1927.", "00"))
    assert view.title == "Paramount. Vol. one. 1917-1927"


def test_marc21_personal_authors_are_main_then_added_in_record_order_without_repeats():
    view = marc21(
        df("100", "$aAyaz, Shaikh,$d1923-1997.", "1 "),
        df("245", "$aFikr-i Ayāz /"),
        df("700", "$aFarrukhi, Asif,$d1959-", "1 "),
        df("700", "$aAyaz, Shaikh.", "1 "),
        df("710", "$aInstitut istorii.$bOtdel.", "2 "),
        df("111", "$aConference on Things", "2 "),
    )
    assert view.authors == ["Ayaz, Shaikh", "Farrukhi, Asif"]
    assert view.corporate_authors == ["Institut istorii. Otdel", "Conference on Things"]


def test_marc21_publication_prefers_260_or_264_publication_statement():
    view = marc21(
        df("264", "$c©2016", " 4"),
        df("264", "$aCherkasy :$bVertykalʹ,$c2016.", " 1"),
    )
    assert (view.place, view.publisher, view.year) == ("Cherkasy", "Vertykalʹ", "2016")


def test_marc21_year_prefers_008_date1_over_260c():
    view = marc21(
        cf("008", "940328s1990    ko            000 0 kor d"),
        df("260", "$aSŏul :$bYŏwŏn,$c1990$g(1992 printing)"),
    )
    assert view.year == "1990"


def test_marc21_year_falls_back_to_a_plausible_year_in_260c():
    view = marc21(
        cf("008", "070810s193u    enka          000 0 eng d"), df("264", "$c2557 [2014]", " 1")
    )
    assert view.year == "2014"  # 2557 is the Thai calendar, not a Gregorian year


def test_marc21_year_is_none_when_nothing_gives_four_digits():
    assert marc21(df("260", "$a[England? :$bs.n.,$c193-?]")).year is None


def test_marc21_languages_come_from_008_then_041_lower_case_and_unique():
    view = marc21(
        cf("008", "011001m20009999ii                001 0 sano "),
        df("041", "$asanengkan$hsan", "0 "),  # the old run-together form
        df("041", "$aENG", "0 "),
    )
    assert view.languages == ["san", "eng", "kan"]
    assert view.as_dict()["language"] == "san"


def test_marc21_fill_characters_give_no_language():
    assert marc21(cf("008", "170110         xx" + " " * 18 + "|||" + " u")).languages == []


def test_marc21_isbn_price_and_invalid_isbns():
    view = marc21(
        df("020", "$z0553101315175"),
        df("020", "‡a0553268473 (pbk.) :‡c$6.99"),
        df("020", "$a9780190494889$qhardcover ;$qalkaline paper"),
    )
    data = view.as_dict()
    assert data["isbn"] == ["0553101315175", "9780553268478", "9780190494889"]
    assert data["isbn_invalid"] == ["0553101315175"]
    assert view.price == "$6.99"
    assert view.isbns[2].qualifier == "hardcover; alkaline paper"


def test_marc21_isbn_list_in_dict_is_unique_but_isbns_keep_every_form():
    view = marc21(df("020", "$a9789662783858"), df("020", "$a9662783857"))
    assert len(view.isbns) == 2
    assert view.as_dict()["isbn"] == ["9789662783858"]


def test_marc21_issn_edition_extent_and_series():
    view = marc21(
        df("022", "$a0955-2359"),
        df("250", "$a2-ге вид., доп."),
        df("300", "$a219 pages :$billustrations ;$c20 cm"),
        df("490", "$aSŏmun munʼgo ;$v237", "0 "),
        df("830", "$aSŏmun munʼgo.", " 0"),
    )
    assert view.issns == ["0955-2359"]
    assert view.edition == "2-ге вид., доп."
    assert view.extent == "219 pages"
    assert view.series == ["Sŏmun munʼgo"]


def test_marc21_udc_and_bbk():
    view = marc21(
        df("080", "$a821.161.2-3"),
        df("084", "$a84(4Укр)6-44$2rubbk"),
        df("084", "$aШ5(4Укр)"),  # no $2 but plainly ББК
        df("084", "$a89.5"),  # no $2, could be any scheme: not taken
        df("084", "$aINF 732f$2stub"),
    )
    assert view.udc == ["821.161.2-3"]
    assert view.bbk == ["84(4Укр)6-44", "Ш5(4Укр)"]


def test_marc21_subjects_join_subdivisions_and_split_uncontrolled_terms():
    view = marc21(
        df("650", "$aHistorians$zUkraine$vDictionaries$xUkrainian.", " 0"),
        df("651", "$aCherkasʹka oblastʹ (Ukraine)$vBio-bibliography.", " 0"),
        df("650", "$aHistorians.$2fast$0(OCoLC)fst00957686", " 7"),
        df("653", "$aBibliography.$aUkraine.", "0 "),
        df("600", "$aShevchenko, Taras,$d1814-1861$vPoetry.", "10"),
    )
    assert view.subjects == [
        "Historians -- Ukraine -- Dictionaries -- Ukrainian",
        "Cherkasʹka oblastʹ (Ukraine) -- Bio-bibliography",
        "Historians",
        "Bibliography",
        "Ukraine",
        "Shevchenko, Taras -- Poetry",
    ]


def test_marc21_analytic_links_to_its_host_through_773():
    view = marc21(
        df("245", "$aAn article /$cA. Author."),
        df(
            "773",
            "$tБібліотечний форум України.$w(UA-KyNPL)123456$x2519-4240$g2023, № 2, с. 5-9.",
            "0 ",
        ),
        leader="00000naa a2200000 i 4500",
    )
    assert view.host == HostLink(
        tag="773",
        title="Бібліотечний форум України",
        control_number="(UA-KyNPL)123456",
        part="2023, № 2, с. 5-9",
        issn="2519-4240",
        isbn=None,
    )
    assert view.bibliographic_level == "a"


def test_marc21_control_number_and_leader_codes():
    view = marc21(cf("001", "   00282214 "), leader="00799cam a2200241 a 4500")
    assert view.control_number == "00282214"
    assert (view.record_type, view.bibliographic_level) == ("a", "m")


# ---------------------------------------------------------------- UNIMARC built in code


def test_unimarc_title_block_from_200():
    view = unimarc(
        df(
            "200",
            "$aСучасна соціальна філософія$eнавч. посіб."
            "$fВ. П. Андрущенко$gза ред. М. І. Михальченка",
            "1 ",
        )
    )
    assert view.title == "Сучасна соціальна філософія"
    assert view.remainder_of_title == "навч. посіб."
    assert view.responsibility == "В. П. Андрущенко ; за ред. М. І. Михальченка"


def test_unimarc_title_takes_part_number_and_name():
    view = unimarc(df("200", "$aІсторія України$hТ. 2$iКозацька доба", "1 "))
    assert view.title == "Історія України. Т. 2. Козацька доба"


def test_unimarc_persons_use_b_or_g_for_forenames_in_record_order():
    view = unimarc(
        df("700", "$aШевченко$bТ. Г.", " 1"),
        df("701", "$aМихальченко$gМ.І."),  # Ukrainian Koha puts the initials in $g
        df("702", "$aKenyon$bFrederic George$f1863-1952$4080", " 1"),
        df("710", "$aЕтнографічне товариство$bСекція", "02"),
        df("712", '$aВидавництво "Генеза"', "02"),
    )
    assert view.authors == ["Шевченко, Т. Г.", "Михальченко, М.І.", "Kenyon, Frederic George"]
    assert view.corporate_authors == ["Етнографічне товариство. Секція", 'Видавництво "Генеза"']


def test_unimarc_publication_edition_extent_and_year_from_100():
    view = unimarc(
        df("100", "$a20110313d2006    k  y0ukry50      ca"),
        df("205", "$a2-ге вид."),
        df("210", "$aК.$cГенеза$d2007"),
        df("215", "$a368 с. :$cіл."),
    )
    assert (view.place, view.publisher, view.edition, view.extent) == (
        "К.",
        "Генеза",
        "2-ге вид.",
        "368 с.",
    )
    assert view.year == "2006"  # 100$a/9-12 wins over 210$d


def test_unimarc_year_falls_back_to_210d_when_100_has_no_date():
    view = unimarc(df("100", "$a20110313              frey50        "), df("210", "$aК.$d1996"))
    assert view.year == "1996"


def test_unimarc_214_publication_is_read_when_210_is_absent():
    view = unimarc(df("214", "$aЛьвів$cСтаріший Лев$d2019", " 0"))
    assert (view.place, view.publisher, view.year) == ("Львів", "Старіший Лев", "2019")


def test_unimarc_isbn_with_qualifier_in_b_and_price_in_d():
    view = unimarc(df("010", "$a966-504-025-1$bв пер.$dЦіна 45 грн"), df("010", "$z966-504-025-2"))
    assert [(i.value, i.valid, i.qualifier) for i in view.isbns] == [
        ("9789665040255", True, "в пер."),
        ("966-504-025-2", False, None),
    ]
    assert view.price == "Ціна 45 грн"


def test_unimarc_price_falls_back_to_text_inside_the_isbn_subfield():
    view = unimarc(df("010", "$a966-504-025-1 (в пер.) : 45 р. 00 к."))
    assert view.price == "45 р. 00 к."


def test_unimarc_languages_issn_udc_bbk_series():
    view = unimarc(
        df("011", "$a0955-2359"),
        df("101", "$aukrrus$cеng", "1 "),
        df("225", "$aБібліотека школяра$v12", "1 "),
        df("675", "$a821.161.2-3$v 4$zukr"),
        df("686", "$a84(4Укр)6-44$2rubbk"),
        df("686", "$a74.200"),  # RUSMARC 686 without $2
        df("686", "$a823$2Cadre de classement de la Bibliographie nationale française"),
    )
    assert view.languages == ["ukr", "rus"]
    assert view.issns == ["0955-2359"]
    assert view.series == ["Бібліотека школяра"]
    assert view.udc == ["821.161.2-3"]
    assert view.bbk == ["84(4Укр)6-44", "74.200"]


def test_unimarc_series_from_410_embedded_title():
    view = unimarc(df("410", "$12001 $aБібліотека української літератури$v5", " 0"))
    assert view.series == ["Бібліотека української літератури"]


def test_unimarc_subjects_from_600_to_608():
    view = unimarc(
        df("600", "$aШевченко$bТарас Григорович$xКритика і тлумачення", " 1"),
        df("606", "$311931593$aGravure$311931476$yFrance$311976033$z16e siècle"),
        df("607", "$aУкраїна$xІсторія$z20 ст."),
        df("608", "$aПідручники"),
        df("610", "$aнеконтрольований термін"),  # not one of the subject tags
    )
    assert view.subjects == [
        "Шевченко, Тарас Григорович -- Критика і тлумачення",
        "Gravure -- France -- 16e siècle",
        "Україна -- Історія -- 20 ст.",
        "Підручники",
    ]


def test_unimarc_461_with_subfields_following_the_embedded_tag():
    view = unimarc(
        df("461", "$10010000123$12001 $aВісник Харківського університету$v№ 5", " 1"),
        leader="00000naa0 2200000   450 ",
    )
    assert view.host == HostLink(
        tag="461",
        title="Вісник Харківського університету",
        control_number="0000123",
        part="№ 5",
    )


def test_unimarc_463_with_the_embedded_field_inside_the_1_subfield():
    view = unimarc(df("463", "$12001 $aТом 2$v2023, № 4$1001RU/NLR/123", " 1"))
    assert view.host == HostLink(
        tag="463", title="Том 2", control_number="RU/NLR/123", part="2023, № 4"
    )


def test_unimarc_463_without_title_is_completed_from_461():
    view = unimarc(
        df("461", "$1001set-1$12001 $aЖурнал", " 1"),
        df("463", "$1001piece-7$v№ 3", " 1"),
    )
    assert view.host == HostLink(tag="463", title="Журнал", control_number="piece-7", part="№ 3")


def test_unimarc_host_in_standard_subfield_form():
    view = unimarc(df("461", "$tЛітературна Україна$x0024-4570$v2024, № 1$0LU-1", " 1"))
    assert view.host == HostLink(
        tag="461",
        title="Літературна Україна",
        control_number="LU-1",
        part="2024, № 1",
        issn="0024-4570",
    )


def test_no_host_without_a_link_field():
    assert unimarc(df("200", "$aКнига")).host is None
    assert marc21(df("245", "$aBook")).host is None


def test_unknown_flavour_is_refused():
    with pytest.raises(ValueError):
        bib_view(make_record(), "mab2")


def test_as_dict_has_the_agreed_keys_and_is_json_able():
    data = unimarc(df("010", "$a966-504-025-1"), df("461", "$tЖурнал", " 1")).as_dict()
    for key in (
        "control_number", "isbn", "isbn_invalid", "title", "authors", "publisher", "year",
        "language", "languages", "udc", "bbk", "issns", "remainder_of_title", "responsibility",
        "corporate_authors", "edition", "place", "extent", "series", "subjects", "price", "host",
        "record_type", "bibliographic_level",
    ):  # fmt: skip
        assert key in data
    assert data["host"]["title"] == "Журнал"
    json.dumps(data)


def test_an_empty_record_gives_an_empty_view():
    view = marc21()
    assert view == BibView(record_type="a", bibliographic_level="m")
    assert view.as_dict()["language"] is None


# ---------------------------------------------------------------- real UNIMARC


def test_ukrainian_rusmarc_record():
    (record,) = read_xml("xbib__marc/rusmarc.xml")
    view = bib_view(record, "unimarc")
    assert view.title == "Сучасна соціальна філософія"
    assert view.responsibility == "Андрущенко В.П., Михальченко М.І."
    assert view.authors == ["Андрущенко, В.П.", "Михальченко, М.І."]
    assert (view.place, view.publisher, view.year) == ("К.", "Генеза", "1996")
    assert view.extent == "368 с."
    assert view.as_dict()["isbn"] == ["9789665040255"]
    assert view.languages == ["ukr"]
    assert view.udc == ["1"]
    assert view.control_number is None  # the record has no 001; Koha keeps 090


def test_bnf_unimarc_records():
    records = read_xml("fredericd__marcjs/bib.xml")
    lieure = bib_view(by_control_number(records, "FRBNF32385266000000X"), "unimarc")
    assert lieure.title == "La gravure en France au XVIe siècle"
    assert lieure.remainder_of_title == "la gravure dans le livre et dans l'ornement"
    assert lieure.responsibility == "par J. Lieure"
    assert lieure.authors == ["Lieure, Jules"]
    assert lieure.year == "1927"
    assert lieure.languages == ["fre"]
    assert lieure.extent == "1 vol. (64 p., 72 pl.)"
    assert lieure.subjects == [
        "Gravure -- France -- 16e siècle",
        "Ornements (art) -- France -- 16e siècle",
    ]
    claudin = bib_view(by_control_number(records, "FRBNF323346280000008"), "unimarc")
    assert claudin.authors == [
        "Claudin, Anatole",
        "Lacombe, Paul",
        "Clément-Janin, Michel-Hilaire",
        "Delisle, Léopold",
    ]
    assert claudin.year == "1900"  # 100$a: dates 1900-1914


def test_periouni_serials_give_issns_and_titles():
    records = read_iso("xbib__marc/periouni.mrc")
    views = [bib_view(r, "unimarc") for r in records]
    assert len(views) == 3064
    history = views[1]
    assert history.control_number == "040085864"
    assert history.issns == ["0955-2359"]
    assert history.title == "20 century British history"
    assert (history.place, history.publisher, history.year) == (
        "Oxford",
        "Oxford University Press",
        "1990",
    )
    assert history.bibliographic_level == "s"
    assert history.corporate_authors == ["Institute of Contemporary British History"]
    assert history.subjects == ["Grande-Bretagne -- 20e siècle -- Périodiques"]
    with_issn = [v for v in views if v.issns]
    assert len(with_issn) == 2569
    assert all(re.fullmatch(r"\d{4}-\d{3}[\dX]", i) for v in with_issn for i in v.issns)
    assert all(v.title for v in views)


def test_taiwanese_unimarc_record_with_embedded_461():
    records = read_iso("marc4j__marc4j/pride-and-prejudice-fixed.mrc")
    view = bib_view(by_control_number(records, "9704112"), "unimarc")
    assert view.title == "理性與感性"
    assert view.year == "1996"
    assert view.languages == ["chi"]  # written "chi." in 101$a
    assert view.host == HostLink(tag="461", title="經典今譯", control_number=None, part="1")


# ---------------------------------------------------------------- real MARC21


def test_summerland():
    (record,) = read_iso("marc4j__marc4j/summerland.mrc")
    view = bib_view(record, "marc21")
    assert view.control_number == "12883376"
    assert view.title == "Summerland"
    assert view.responsibility == "Michael Chabon"
    assert view.authors == ["Chabon, Michael"]
    assert view.edition == "1st ed."
    assert (view.place, view.publisher, view.year) == (
        "New York",
        "Miramax Books/Hyperion Books for Children",
        "2002",
    )
    assert view.extent == "500 p."
    assert view.as_dict()["isbn"] == ["9780786808779", "9780786816156"]
    assert view.languages == ["eng"]
    assert view.subjects == ["Fantasy", "Baseball -- Fiction", "Magic -- Fiction"]


def test_chabon_kavalier_and_clay():
    records = read_iso("marc4j__marc4j/chabon.mrc")
    view = bib_view(by_control_number(records, "11939876"), "marc21")
    assert view.title == "The amazing adventures of Kavalier and Clay"
    assert view.remainder_of_title == "a novel"
    assert view.as_dict()["isbn"] == ["9780679450047"]
    assert view.isbns[0].qualifier == "acid-free paper"
    assert view.year == "2000"


def test_traject_records():
    records = read_iso("traject__traject/test_data.utf8.mrc")
    assert len(records) == 30
    fikr = bib_view(by_control_number(records, "00282214"), "marc21")
    assert fikr.title == "Fikr-i Ayāz"
    assert fikr.authors == [
        "Ayaz, Shaikh",
        nfc("Farruk̲h̲ī, Āṣif"),
        nfc("Pīrzādah, Shāh Muḥammad"),
    ]
    assert (fikr.place, fikr.publisher, fikr.year) == ("Karācī", "Dāniyāl", "1998")
    assert fikr.languages == ["urd"]
    sumadhva = bib_view(by_control_number(records, "2001417245"), "marc21")
    assert sumadhva.languages == ["san", "eng", "kan"]  # 008 san + 041 "sanengkan"
    khayr = bib_view(by_control_number(records, "2005461726"), "marc21")
    assert khayr.authors == ["Abū al-Khayr, ʻAlī ʻAbd al-Ḥamīd"]
    korea = bib_view(by_control_number(records, "53029833"), "marc21")
    assert korea.corporate_authors == ["Korea (North)"]
    assert korea.series == ["Zakonodatelʹstvo stran narodnoĭ demokratii"]


def test_cornell_ukrainian_record():
    records = read_iso("folio-org__mod-data-import/CornellFOLIOExemplars.mrc")
    view = bib_view(by_control_number(records, "9766936"), "marc21")
    assert view.title == nfc("Krai͡eznavt͡si Cherkavshchyny")
    assert view.remainder_of_title == "biobibliohrafichnyĭ dovidnyk"
    assert view.authors == ["Melʹnychenko, V. M.", "Holysh, H. M."]
    assert (view.place, view.publisher, view.year) == ("Cherkasy", "Vertykalʹ", "2016")
    assert view.languages == ["ukr"]  # 041 $b eng is the summary's language, not the text's
    assert view.as_dict()["isbn"] == ["9789662783858"]
    assert view.extent == "219 pages"
    assert len(view.corporate_authors) == 2
    assert view.corporate_authors[0].endswith("Ukraïny. Cherkasʹka oblasna orhanizat︠s︡ii︠a︡")


def test_cornell_price_from_020c():
    records = read_iso("folio-org__mod-data-import/CornellFOLIOExemplars.mrc")
    view = bib_view(by_control_number(records, "4442869"), "marc21")
    assert view.price == "$11.00"
    assert view.authors == ["Dick, Philip K.", "Zelazny, Roger", "Cassidy, Joanna"]
    assert view.year == "1996"


def test_udc_from_080_and_no_bbk_from_a_bare_number():
    records = read_iso("marc4j__marc4j/pride-and-prejudice-fixed.mrc")
    austen = bib_view(by_control_number(records, "01ocm40620222"), "marc21")
    assert austen.udc == ["821.111-3", "821.111-3AUSj7pri"]
    assert austen.series == ["Penguin popular classics"]
    finnish = bib_view(by_control_number(records, "ocn014081759x"), "marc21")
    assert finnish.bbk == []  # 084 "89.5" without $2 is not taken for ББК


def test_springer_ebooks_link_to_their_collection_through_773():
    records = read_iso("evergreen-library-system__Evergreen/oss.marc")
    view = bib_view(by_control_number(records, "978-0-387-35767-6"), "marc21")
    assert view.host == HostLink(
        tag="773", title="Springer e-books", control_number=None, part=None
    )


def test_every_real_file_record_gets_a_view():
    files = {
        "marc21": [
            "traject__traject/test_data.utf8.mrc",
            "folio-org__mod-data-import/CornellFOLIOExemplars.mrc",
            "marc4j__marc4j/pride-and-prejudice-fixed.mrc",
        ],
        "unimarc": ["xbib__marc/periouni.mrc"],
    }
    for flavour, paths in files.items():
        for path in paths:
            for record in read_iso(path):
                json.dumps(bib_view(record, flavour).as_dict())
