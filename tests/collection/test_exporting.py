"""MARC export: what goes out, in which flavour and encoding, with which holdings."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pymarc import Subfield
from sqlalchemy import select

from collection.catalogue.exporting import export_editions
from collection.catalogue.models import Edition
from collection.errors import InvalidValueError
from collection.imports.services import ImportOptions
from marc.model import ReadRecord
from marc.reader import read_bytes, read_path
from marc.samples import sample_records
from tests.collection.test_importing import do_import, write_records
from tests.shared_data import data_path


def exported(session, **options) -> tuple[list[ReadRecord], object]:
    out = io.BytesIO()
    summary = export_editions(session, out, **options)
    records = [r for r in read_bytes(out.getvalue()) if isinstance(r, ReadRecord)]
    return records, summary


def test_a_real_file_exported_has_every_imported_record(engine, session):
    job = do_import(engine, data_path("xbib__marc/periouni.mrc"))
    records, summary = exported(session)
    assert summary.errors == 0
    assert len(records) == summary.written == job.count("created")
    assert {r.flavour for r in records} == {"unimarc"}


def test_with_holdings_writes_each_copy_in_the_target_flavours_scheme(engine, session, tmp_path):
    books = list(sample_records(4, flavour="marc21", copies=(1, 3)))
    do_import(engine, write_records(tmp_path / "b.mrc", books), options=ImportOptions(holdings="fund"))
    records, _ = exported(session, with_holdings=True, flavour="unimarc", branch="ЛОУНБ")
    assert sum(len(r.record.get_fields("995")) for r in records) == sum(
        len(b.get_fields("952")) for b in books)
    assert all(not r.record.get_fields("952") for r in records)
    bare, _ = exported(session)
    assert all(not r.record.get_fields("952") for r in bare)  # copies go out only when asked


def test_cp1251_export_of_ukrainian_records_reads_back_the_same_titles(engine, session, tmp_path):
    books = list(sample_records(3, flavour="unimarc", copies=(0, 0)))
    do_import(engine, write_records(tmp_path / "u.mrc", books))
    records, summary = exported(session, encoding="cp1251")
    assert summary.errors == 0
    titles = sorted(r.record["200"]["a"] for r in records)
    assert titles == sorted(session.scalars(select(Edition.title)))
    assert {r.encoding for r in records} == {"cp1251"}


def test_unimarc_cp1251_export_declares_it_and_replaces_what_cp1251_lacks(engine, session, tmp_path):
    # The case: a Ukrainian UNIMARC record with the apostrophe U+02BC, exported in cp1251.
    (source,) = read_path(data_path("xbib__marc/rusmarc.xml"))
    record = source.record
    record["200"].subfields[0] = Subfield("a", "Пʼять пісень")
    do_import(engine, write_records(tmp_path / "u.mrc", [record]))
    records, summary = exported(session, flavour="unimarc", encoding="cp1251")
    assert (summary.written, summary.errors) == (1, 0)  # never dropped over one character
    assert summary.replaced == ["запис 1: замінено символів, яких немає в cp1251: 1 — ʼ (U+02BC)"]
    (back,) = records
    assert back.record["100"]["a"][26:30] == "    "  # not "50  " (UTF-8) any more
    assert (back.encoding, back.warnings) == ("cp1251", [])
    assert back.record["200"]["a"] == "П’ять пісень"
    assert back.record["200"]["f"] == "Андрущенко В.П., Михальченко М.І."


def test_query_since_and_ids_choose_the_editions(engine, session, tmp_path):
    books = list(sample_records(5, flavour="marc21", copies=(0, 0)))
    do_import(engine, write_records(tmp_path / "b.mrc", books))
    editions = session.scalars(select(Edition).order_by(Edition.id)).all()
    one = editions[2]
    by_title, _ = exported(session, query=one.title.split(" ")[0])
    assert one.id in {e for e in _ids(session, by_title)}
    by_isbn, _ = exported(session, query=one.isbn)
    assert len(by_isbn) == 1
    by_ids, _ = exported(session, edition_ids=[editions[0].id, editions[1].id])
    assert len(by_ids) == 2
    assert exported(session, since=date.today() + timedelta(days=2))[0] == []
    assert len(exported(session, since=date.today() - timedelta(days=1))[0]) == 5


def _ids(session, records):
    controls = [r.record["001"].data for r in records]
    return session.scalars(select(Edition.id).where(Edition.control_number.in_(controls)))


def test_impossible_options_are_refused_naming_the_option(session):
    with pytest.raises(InvalidValueError) as raised:
        export_editions(session, io.BytesIO(), format="marcxml", encoding="cp1251")
    assert raised.value.field == "encoding"
    with pytest.raises(InvalidValueError):
        export_editions(session, io.BytesIO(), flavour="rusmarc")
