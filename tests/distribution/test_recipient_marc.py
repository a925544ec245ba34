"""MARC for recipients: real records out with a library's holdings, read back, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from collection.audit import Actor
from collection.catalogue.editions import record_from_marc
from collection.catalogue.models import Edition
from collection.db import make_session_factory
from collection.fund.models import Copy
from collection.imports.services import ImportOptions, run_import, start_import
from distribution.allocation.models import AllocationLine
from distribution.errors import InvalidProgrammeData, ProgrammeNotFound
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.services import create_programme
from distribution.shipping.recipient_marc import (
    InvalidRecipientOptions,
    RecipientLine,
    UnknownEdition,
    export_recipient_marc,
    is_local_tag,
    programme_title_lines,
    recipient_records,
    write_recipient_marc,
)
from marc.errors import EncodingError
from marc.fitting import fit_text
from marc.holdings import read_holdings
from marc.model import ReadRecord
from marc.reader import read_bytes
from marc.view import bib_view
from tests.builders import TEST_ACTOR, make_library
from tests.shared_data import data_path

ACTOR = Actor(None, "tests")
MARC21_CP1251 = "edsu__pymarc/1251.dat"  # 6 MARC21 records in cp1251, with 852s
RUSMARC_UKR = "xbib__marc/rusmarc.xml"  # a Ukrainian UNIMARC record with 198 Koha 995 copies
BNF_UNIMARC = "fredericd__marcjs/bib.mrc"  # French UNIMARC (accented Latin), Koha 995
OWN_HOLDINGS = {"marc21": {"852", "952"}, "unimarc": {"995"}}


def import_real(engine, session, *relatives: str) -> list[Edition]:
    """Import real files the way staff do; return their editions in import order."""
    factory = make_session_factory(engine)
    for relative in relatives:
        with factory() as own:
            job = start_import(own, path=data_path(relative), actor=ACTOR,
                               options=ImportOptions(holdings="fund"))  # the copies too
            own.commit()
        assert run_import(factory, job.id, actor=ACTOR).state == "done"
    return list(session.scalars(select(Edition).order_by(Edition.id)))


def lines_for(editions: list[Edition]) -> list[RecipientLine]:
    return [RecipientLine(e.id, i % 3 + 1, Decimal("100.00") + i, "2026/17") for i, e in enumerate(editions)]


def read_back(data: bytes) -> list[ReadRecord]:
    results = list(read_bytes(data))
    assert all(isinstance(r, ReadRecord) for r in results), results
    return results  # type: ignore[return-value]


def regional_item_values(session) -> set[str]:
    """Inventory numbers and barcodes of the regional library's own copies."""
    values: set[str] = set()
    for copy in session.scalars(select(Copy)):
        values.update(v for v in (copy.inventory_number, copy.barcode) if v)
    return values


def assert_for_library(results, editions, lines, library, flavour, encoding, session):
    """Same titles and authors as stored, holdings naming the library one per copy, nothing regional."""
    assert len(results) == len(editions)
    leaked = regional_item_values(session)
    assert len(leaked) > 150  # the RUSMARC record's copies became the regional library's own
    for read, edition, line in zip(results, editions, lines, strict=True):
        assert (read.flavour, read.encoding) == (flavour, encoding)
        source = bib_view(record_from_marc(edition.marc), edition.flavour)
        got = bib_view(read.record, flavour)
        assert got.title == source.title
        assert got.authors == source.authors
        assert got.control_number == f"komplekt-{edition.id}"
        holdings = read_holdings(read.record, flavour)
        assert len(holdings) == line.copies
        assert {h.location for h in holdings} == {library.code}
        assert {h.price for h in holdings} == {line.price}
        assert all(h.inventory_number is None and h.barcode is None for h in holdings)
        local = {f.tag for f in read.record.fields if is_local_tag(f.tag)}
        assert local <= OWN_HOLDINGS[flavour]
        values = {sub.value for f in read.record.fields for sub in f.subfields}
        assert not values & leaked


def test_a_marc21_marc8_library_gets_iso2709_with_its_holdings_and_none_of_ours(engine, session):
    editions = import_real(engine, session, MARC21_CP1251, RUSMARC_UKR)
    assert {e.flavour for e in editions} == {"marc21", "unimarc"}
    library = make_library(session, preferred_flavour="marc21", preferred_encoding="marc-8")
    lines = lines_for(editions)
    out = io.BytesIO()
    assert export_recipient_marc(session, out, library=library, lines=lines) == len(editions)
    results = read_back(out.getvalue())
    assert_for_library(results, editions, lines, library, "marc21", "marc-8", session)
    for read in results:
        record = read.record
        assert str(record.leader)[9] == " "  # MARC-8 declared
        assert record["003"].data == "komplekt"
        assert record["852"]["a"] == library.code and record["852"]["b"] == library.name
        assert [f["t"] for f in record.get_fields("952")] == [
            str(n) for n in range(1, len(record.get_fields("952")) + 1)
        ]
        assert {f["x"] for f in record.get_fields("952")} == {"2026/17"}
    assert "(RU-RKP)ru03-000001RKP" in [f["a"] for f in results[0].record.get_fields("035")]


def test_a_unimarc_cp1251_library_gets_995_per_copy(engine, session):
    editions = import_real(engine, session, MARC21_CP1251, RUSMARC_UKR)
    library = make_library(session, preferred_flavour="unimarc", preferred_encoding="cp1251")
    lines = lines_for(editions)
    records = recipient_records(session, library=library, lines=lines)
    out = io.BytesIO()
    assert write_recipient_marc(records, out, encoding="cp1251") == len(editions)
    results = read_back(out.getvalue())
    assert_for_library(results, editions, lines, library, "unimarc", "cp1251", session)
    for read in results:
        record = read.record
        assert record["100"]["a"][26:30] == "    "  # UNIMARC has no code for cp1251
        assert "003" not in record
        issued = [f for f in record.get_fields("801") if f.indicator2 == "3"]
        assert [(f["a"], f["b"]) for f in issued] == [("UA", "komplekt")]
        assert {(f["b"], f["c"]) for f in record.get_fields("995")} == {(library.code, library.code)}
    ukrainian = results[-1].record
    assert ukrainian["200"]["a"] == "Сучасна соціальна філософія"
    assert len(ukrainian.get_fields("995")) == lines[-1].copies  # not 198


def test_marcxml_is_utf8_whatever_code_page_the_library_prefers(engine, session):
    editions = import_real(engine, session, MARC21_CP1251, RUSMARC_UKR)
    for flavour in ("marc21", "unimarc"):
        library = make_library(session, preferred_flavour=flavour, preferred_encoding="cp1251")
        lines = lines_for(editions)
        out = io.BytesIO()
        export_recipient_marc(session, out, library=library, lines=lines, fmt="marcxml")
        data = out.getvalue()
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        results = read_back(data)
        assert {r.format for r in results} == {"marcxml"}
        assert_for_library(results, editions, lines, library, flavour, "utf-8", session)
        for read in results:
            if flavour == "marc21":
                assert str(read.record.leader)[9] == "a"
            else:
                assert read.record["100"]["a"][26:28] == "50"
    with pytest.raises(InvalidRecipientOptions) as error:
        export_recipient_marc(
            session, io.BytesIO(), library=library, lines=lines, fmt="marcxml", encoding="cp1251"
        )
    assert error.value.field == "encoding"


def test_the_same_edition_downloads_the_same_bytes_so_reimport_is_idempotent(engine, session):
    editions = import_real(engine, session, MARC21_CP1251)
    library = make_library(session, preferred_flavour="marc21", preferred_encoding="utf-8")
    first, second = io.BytesIO(), io.BytesIO()
    export_recipient_marc(session, first, library=library, lines=[(editions[0].id, 2)])
    export_recipient_marc(session, second, library=library, lines=[(editions[0].id, 2)])
    assert first.getvalue() == second.getvalue()
    (read,) = read_back(first.getvalue())
    assert read.record["001"].data == f"komplekt-{editions[0].id}"
    assert read.record["005"].data.startswith(f"{editions[0].updated_at:%Y%m%d}")
    assert read.record.get_fields("952")[0].get_subfields("g") == []  # no price given, none written


def test_lines_of_one_edition_and_of_a_merged_one_make_one_record(engine, session):
    editions = import_real(engine, session, MARC21_CP1251)
    kept, merged = editions[0], editions[1]
    merged.status, merged.merged_into_id = "merged", kept.id
    session.commit()
    library = make_library(session, preferred_flavour="marc21", preferred_encoding="utf-8")
    lines = [
        RecipientLine(merged.id, 2, Decimal("10")),
        RecipientLine(kept.id, 1, Decimal("12.5")),
        RecipientLine(editions[2].id, 0),
    ]
    (record,) = recipient_records(session, library=library, lines=lines)
    assert record["001"].data == f"komplekt-{kept.id}"
    assert [f["g"] for f in record.get_fields("952")] == ["10.00", "10.00", "12.50"]
    assert [f["t"] for f in record.get_fields("952")] == ["1", "2", "3"]


def test_an_unknown_edition_is_named(engine, session):
    editions = import_real(engine, session, MARC21_CP1251)
    library = make_library(session)
    with pytest.raises(UnknownEdition) as error:
        recipient_records(session, library=library, lines=[(editions[0].id, 1), (987654, 2), (987650, 1)])
    assert error.value.kind == "not_found" and error.value.field == "edition_id"
    assert "987650, 987654" in str(error.value)
    with pytest.raises(InvalidRecipientOptions) as bad:
        recipient_records(session, library=library, lines=[(editions[0].id, -1)])
    assert bad.value.field == "copies"


def test_marc8_is_refused_for_unimarc(session):
    library = make_library(session, preferred_flavour="unimarc", preferred_encoding="marc-8")
    with pytest.raises(InvalidRecipientOptions) as error:
        recipient_records(session, library=library, lines=[])
    assert error.value.field == "encoding"
    assert recipient_records(session, library=library, lines=[], encoding="utf-8") == []


def test_characters_cp1251_lacks_become_their_nearest_form_unless_strict(engine, session):
    editions = import_real(engine, session, BNF_UNIMARC)
    library = make_library(session, preferred_flavour="unimarc", preferred_encoding="cp1251")
    lines = [(e.id, 1) for e in editions]
    out = io.BytesIO()
    assert export_recipient_marc(session, out, library=library, lines=lines) == len(editions)
    results = read_back(out.getvalue())
    assert len(results) == len(editions)
    texts = " ".join(sub.value for r in results for f in r.record.fields for sub in f.subfields)
    assert "é" not in texts and "premiere" in texts.lower()
    with pytest.raises(EncodingError, match="record 1 .*cannot be written in cp1251"):
        export_recipient_marc(session, io.BytesIO(), library=library, lines=lines, strict=True)
    assert fit_text("Пʼять пісень Éluard на́голос", "cp1251") == "П’ять пісень Eluard наголос"


def test_programme_titles_become_priced_lines(session):
    editions = [Edition(flavour="unimarc", marc={"leader": "", "fields": []}, title=t) for t in "AB"]
    session.add_all(editions)
    library = make_library(session)
    programme = create_programme(session, actor=TEST_ACTOR, name="Програма 2026", year=2026)
    first = ProgrammeTitle(
        programme_id=programme.id, edition_id=editions[0].id, title="A", price=Decimal("350.00")
    )
    second = ProgrammeTitle(programme_id=programme.id, edition_id=editions[1].id, title="B")
    session.add_all([first, second])
    session.flush()
    session.add(
        AllocationLine(programme_id=programme.id, library_id=library.id, title_id=second.id, quantity=4)
    )
    session.commit()
    lines = programme_title_lines(
        session, programme.id, library.id, {first.id: 3, second.id: 0}, shipment_number="2026/17"
    )
    assert lines == [RecipientLine(editions[0].id, 3, Decimal("350.00"), "2026/17")]
    assert programme_title_lines(session, programme.id, library.id) == [
        RecipientLine(editions[1].id, 4, None, "")
    ]
    with pytest.raises(InvalidProgrammeData, match="424242"):
        programme_title_lines(session, programme.id, library.id, {first.id: 1, 424242: 1})
    with pytest.raises(ProgrammeNotFound):
        programme_title_lines(session, 424242, library.id, {first.id: 1})


@pytest.mark.parametrize(("tag", "local"), [
    ("952", True), ("995", True), ("910", True), ("999", True), ("090", True), ("852", True),
    ("876", True), ("899", True), ("856", False), ("245", False), ("200", False), ("035", False),
    ("080", False), ("801", False),
])  # fmt: skip
def test_local_tags_are_the_regional_librarys_own(tag, local):
    assert is_local_tag(tag) is local
