"""Imports of files that are not MARC, empty files and files that read with warnings."""

from __future__ import annotations

import random

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from collection.audit import Actor
from collection.db import make_session_factory
from collection.imports.models import ImportJob
from collection.imports.not_marc import EMPTY_FILE, NotMarcFileError
from collection.imports.review import readable_reason
from collection.imports.services import ImportOptions, is_resumable, run_import, start_import
from tests.shared_data import data_path

ACTOR = Actor(None, "tests")


def do_import(engine, path, options=None):
    factory = make_session_factory(engine)
    with factory() as session:
        job = start_import(session, path=path, actor=ACTOR, options=options)
        session.commit()
    return run_import(factory, job.id, actor=ACTOR)


def xlsx_file(tmp_path):
    book = Workbook()
    book.active.append(["Назва", "Рік"])
    book.active.append(["Кобзар¹", 1840])
    path = tmp_path / "list.xlsx"
    book.save(path)
    return path


def test_an_xlsx_is_refused_as_not_marc_before_any_job_is_made(engine, session, tmp_path):
    with pytest.raises(NotMarcFileError) as raised:
        do_import(engine, xlsx_file(tmp_path))
    assert str(raised.value) == "Це не MARC: схоже на таблицю xlsx (zip)"
    assert session.scalar(select(func.count()).select_from(ImportJob)) == 0


@pytest.mark.parametrize(("content", "looks"), [
    ("Це не MARC, а лист до бібліотеки.\n".encode(), "звичайний текст"),
    (random.Random(7).randbytes(1 << 20), "двійкові дані невідомого формату"),
    (b"%PDF-1.4\n", "документ PDF"),
])
def test_files_that_are_not_marc_are_one_error_naming_what_they_look_like(
        engine, tmp_path, content, looks):  # fmt: skip
    path = tmp_path / "upload.mrc"
    path.write_bytes(content)
    with pytest.raises(NotMarcFileError) as raised:
        do_import(engine, path)
    assert str(raised.value) == f"Це не MARC: схоже на {looks}"


def test_an_xlsx_is_refused_even_when_the_cataloguer_names_iso2709(engine, tmp_path):
    with pytest.raises(NotMarcFileError):
        do_import(engine, xlsx_file(tmp_path), ImportOptions(format="iso2709"))


def test_a_job_whose_file_turned_out_not_marc_fails_with_the_message_and_cannot_be_resumed(
        engine, session, tmp_path):  # fmt: skip
    path = tmp_path / "records.mrc"
    path.write_bytes(b"00000nam  2200000   4500")  # accepted at upload time...
    factory = make_session_factory(engine)
    with factory() as s:
        job = start_import(s, path=path, actor=ACTOR)
        s.commit()
    path.write_bytes("Це не MARC\n".encode())  # ...then replaced: the job reads text
    with pytest.raises(NotMarcFileError):
        run_import(factory, job.id, actor=ACTOR)
    failed = session.get(ImportJob, job.id)
    assert failed.state == "failed"
    assert failed.message == "Це не MARC: схоже на звичайний текст"
    assert not is_resumable(failed)


def test_an_empty_file_finishes_with_a_message_saying_so(engine, tmp_path):
    path = tmp_path / "empty.mrc"
    path.write_bytes(b"")
    job = do_import(engine, path)
    assert job.state == "done" and job.message == EMPTY_FILE
    assert not any(job.summary().values())


def test_reader_warnings_are_counted_and_kept_with_their_record_numbers(engine):
    job = do_import(engine, data_path("edsu__pymarc/1251.dat"))
    assert job.state == "done" and job.count("read") == 6
    assert job.warning_count >= 6
    assert [number for number, _ in job.warnings[:6]] == sorted(n for n, _ in job.warnings[:6])
    assert any("cp1251" in text for _, text in job.warnings)
    assert job.message == ""


def test_a_reason_stored_as_mojibake_is_shown_in_its_real_encoding():
    assert readable_reason("Ð¦Ðµ Ð½Ðµ MARC") == "Це не MARC"
    assert readable_reason("record 3 at byte 0: directory is empty") == (
        "record 3 at byte 0: directory is empty")
