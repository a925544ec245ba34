"""MARC import: what a cataloguer relies on, on real files, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collection.audit import Actor, AuditEntry
from collection.catalogue.editions import edition_fields
from collection.catalogue.models import CataloguingEvent, Edition, EditionIsbn
from collection.db import make_session_factory
from collection.fund.models import Copy, UsedInventoryNumber
from collection.imports.models import AlternativeRecord, ImportJob, QuarantinedRecord
from collection.imports.services import ImportOptions, run_import, start_import
from marc.reader import read_path
from marc.samples import sample_records
from marc.writer import record_to_iso2709
from tests.shared_data import data_path

ACTOR = Actor(None, "tests")
FUND = ImportOptions(holdings="fund")  # holdings taken into the fund (not the default)
ROOT = Path(__file__).resolve().parents[2]


def do_import(engine, path, *, options=None, tolerance=0, batch_size=1000, resume=True):
    factory = make_session_factory(engine)
    with factory() as session:
        job = start_import(session, path=path, actor=ACTOR, options=options, resume=resume)
        session.commit()  # run_import reads the job from its own sessions
    return run_import(factory, job.id, actor=ACTOR, batch_size=batch_size,
                      quality_tolerance=tolerance)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def write_records(path: Path, records) -> Path:
    with open(path, "wb") as out:
        for record in records:
            out.write(record_to_iso2709(record, "utf-8"))
    return path


def test_real_file_imports_every_record_and_a_second_run_creates_nothing(engine, session):
    path = data_path("xbib__marc/periouni.mrc")
    first = do_import(engine, path, batch_size=500)
    assert first.state == "done"
    assert first.count("read") == 3064
    assert first.count("created") + first.count("updated") + first.count("unchanged") == 3064
    editions = count(session, Edition)
    assert editions == first.count("created")
    second = do_import(engine, path, batch_size=500)
    summary = second.summary()
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 3064)
    assert count(session, Edition) == editions


def test_bad_records_are_quarantined_with_position_and_raw_bytes_and_the_good_ones_imported(
        engine, session):  # fmt: skip
    path = data_path("edsu__pymarc/bad_records.mrc")
    job = do_import(engine, path)
    assert job.count("errors") == 2
    assert job.count("created") >= 5
    quarantined = session.scalars(select(QuarantinedRecord).order_by(QuarantinedRecord.record_number)).all()
    assert len(quarantined) == 2
    data = path.read_bytes()
    for item in quarantined:
        assert item.reason and item.state == "open"
        assert item.raw and data[item.offset:item.offset + len(item.raw)] == item.raw


def test_holdings_become_copies_once_and_numbers_are_registered(engine, session):
    path = data_path("xbib__marc/rusmarc.xml")  # a Ukrainian RUSMARC record with 198 copies in 995
    first = do_import(engine, path, options=FUND)
    assert first.count("copies_created") == 197
    assert first.count("holdings_without_inventory") == 1
    assert count(session, Copy) == 197
    assert count(session, UsedInventoryNumber) == 197
    second = do_import(engine, path, options=FUND)
    assert second.count("copies_created") == 0
    assert second.count("copies_existing") == 197
    assert count(session, Copy) == 197


def test_a_record_from_another_source_matches_on_a_shared_isbn(engine, session, tmp_path):
    record = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    do_import(engine, write_records(tmp_path / "a.mrc", [record]), options=ImportOptions(source="A"))
    record["001"].data = "other-system-42"
    job = do_import(engine, write_records(tmp_path / "b.mrc", [record]),
                    options=ImportOptions(source="B"))
    assert job.count("created") == 0
    assert job.count("unchanged") + job.count("updated") == 1
    assert count(session, Edition) == 1


def test_volumes_of_one_source_sharing_an_isbn_stay_separate_editions(engine, session, tmp_path):
    first, second = sample_records(2, flavour="marc21", copies=(0, 0))
    second.remove_fields("020")
    second.add_ordered_field(first["020"])
    job = do_import(engine, write_records(tmp_path / "set.mrc", [first, second]))
    assert job.count("created") == 2


def test_a_worse_record_does_not_overwrite_a_better_one_and_is_kept_for_review(
        engine, session, tmp_path):  # fmt: skip
    full = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    do_import(engine, write_records(tmp_path / "full.mrc", [full]))
    brief = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    for tag in ("080", "084", "650", "300", "264"):
        brief.remove_fields(tag)
    job = do_import(engine, write_records(tmp_path / "brief.mrc", [brief]))
    assert job.count("alternatives") == 1 and job.count("updated") == 0
    edition = session.scalars(select(Edition)).one()
    assert edition.quality == edition_fields(full, "marc21").quality
    alternative = session.scalars(select(AlternativeRecord)).one()
    assert alternative.state == "pending" and alternative.quality < alternative.stored_quality
    again = do_import(engine, write_records(tmp_path / "brief2.mrc", [brief]), resume=False)
    assert again.count("alternatives") == 0 and again.count("unchanged") == 1
    assert count(session, AlternativeRecord) == 1


def test_a_better_record_replaces_the_stored_one_with_an_imported_event_and_audit(
        engine, session, tmp_path):  # fmt: skip
    full = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    brief = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    brief.remove_fields("650")
    do_import(engine, write_records(tmp_path / "brief.mrc", [brief]))
    path = write_records(tmp_path / "full.mrc", [full])
    job = do_import(engine, path)
    assert job.count("updated") == 1
    edition = session.scalars(select(Edition)).one()
    read_back = next(read_path(path))
    assert edition.record_hash == edition_fields(read_back.record, "marc21").record_hash
    kinds = session.scalars(select(CataloguingEvent.kind).order_by(CataloguingEvent.id)).all()
    assert kinds == ["imported", "imported"]  # taken from files: not the department's work
    audit = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "edition")).one()
    assert audit.changes["import_job"] == [None, job.id]
    superseded = session.scalars(select(AlternativeRecord)).one()
    assert superseded.state == "superseded"


def test_a_tolerance_lets_a_slightly_worse_record_replace(engine, session, tmp_path):
    full = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    do_import(engine, write_records(tmp_path / "full.mrc", [full]))
    brief = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    brief.remove_fields("650")
    job = do_import(engine, write_records(tmp_path / "brief.mrc", [brief]), tolerance=10)
    assert job.count("updated") == 1


def test_every_new_edition_has_an_imported_event_and_its_isbns(engine, session):
    job = do_import(engine, data_path("edsu__pymarc/multi_isbn.dat"))
    assert count(session, CataloguingEvent) == job.count("created")
    assert set(session.scalars(select(CataloguingEvent.kind))) == {"imported"}
    editions = session.scalars(select(Edition)).all()
    for edition in editions:
        fields = edition_fields(next(r for r in [_record(edition)]), edition.flavour)
        stored = set(session.scalars(select(EditionIsbn.isbn13)
                                     .where(EditionIsbn.edition_id == edition.id)))
        assert stored == set(fields.isbns)


def _record(edition):
    from collection.catalogue.editions import record_from_marc

    return record_from_marc(edition.marc)


def test_unknown_option_values_are_refused_before_anything_is_written(engine, session, tmp_path):
    from collection.errors import InvalidValueError

    with pytest.raises(InvalidValueError) as raised:
        do_import(engine, data_path("edsu__pymarc/one.dat"), options=ImportOptions(flavour="x"))
    assert raised.value.field == "flavour"
    assert count(session, ImportJob) == 0


@pytest.mark.parametrize("stage", ["flushed", "committed"])
def test_a_killed_import_resumes_and_ends_complete_without_duplicates(
        db_url, engine, session, tmp_path, stage):  # fmt: skip
    """The process dies (os._exit) in batch 3 before or after its commit; a re-run completes."""
    records = list(sample_records(250, flavour="marc21", copies=(1, 2)))
    path = write_records(tmp_path / "books.mrc", records)
    script = textwrap.dedent(f"""
        import os
        from collection.audit import Actor
        from collection.db import make_engine, make_session_factory
        from collection.imports.services import ImportOptions, run_import, start_import
        factory = make_session_factory(make_engine({db_url!r}))
        actor = Actor(None, "tests")
        with factory() as session:
            job = start_import(session, path={str(path)!r}, actor=actor,
                               options=ImportOptions(holdings="fund"))
            session.commit()
        def crash(number, stage):
            if number == 3 and stage == {stage!r}:
                os._exit(9)
        run_import(factory, job.id, actor=actor, batch_size=50, checkpoint=crash)
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    job = session.scalars(select(ImportJob)).one()
    assert job.state == "running"
    assert job.resume_from == (150 if stage == "committed" else 100)
    assert count(session, Edition) == job.resume_from  # nothing of the unfinished batch
    session.expire_all()

    resumed = do_import(engine, path, batch_size=50, options=FUND)  # the job keeps its choice
    assert resumed.id == job.id and resumed.state == "done"
    assert resumed.count("created") == 250 and resumed.count("read") == 250
    assert count(session, Edition) == 250
    copies = sum(len(r.get_fields("952")) for r in records)
    assert count(session, Copy) == copies
    no_isbns = session.scalar(select(func.count()).select_from(Edition).where(
        ~Edition.id.in_(select(EditionIsbn.edition_id))))  # fmt: skip
    no_copies = session.scalar(select(func.count()).select_from(Edition).where(
        ~Edition.id.in_(select(Copy.edition_id))))  # fmt: skip
    assert (no_isbns, no_copies) == (0, 0)


def test_unimarc_holdings_become_copies_and_those_without_a_number_are_only_counted(
        engine, session, tmp_path):  # fmt: skip
    records = list(sample_records(5, flavour="unimarc", copies=(1, 1)))
    for record in records[3:]:
        field = record["995"]
        field.subfields = [s for s in field.subfields if s.code != "j"]  # no inventory number
    job = do_import(engine, write_records(tmp_path / "u.mrc", records), options=FUND)
    assert job.count("created") == 5
    assert job.count("copies_created") == 3
    assert job.count("holdings_without_inventory") == 2
    assert count(session, Copy) == 3


def test_flavour_override_applies_to_every_record(engine, session):
    path = data_path("edsu__pymarc/testunimarc.dat")
    results = [r for r in read_path(path) if hasattr(r, "record")]
    job = do_import(engine, path, options=ImportOptions(flavour="unimarc"))
    assert job.count("read") == len(results) or job.count("errors")
    assert set(session.scalars(select(Edition.flavour))) <= {"unimarc"}


def test_a_file_with_one_book_from_several_sources_reimports_without_changes(engine, session):
    """Pride and Prejudice editions: records of different sources share ISBNs in one file."""
    path = data_path("marc4j__marc4j/pride-and-prejudice-fixed.mrc")
    first = do_import(engine, path, batch_size=100)
    assert first.count("errors") == 0
    second = do_import(engine, path, batch_size=100)
    assert (second.count("created"), second.count("updated")) == (0, 0)
    assert second.count("unchanged") == second.count("read")


def test_worker_processes_give_the_same_result_as_one_process(engine, session, tmp_path):
    records = list(sample_records(120, flavour="marc21", copies=(0, 2)))
    path = write_records(tmp_path / "books.mrc", records)
    factory = make_session_factory(engine)
    with factory() as s:
        job = start_import(s, path=path, actor=ACTOR, options=FUND)
        s.commit()
    parallel = run_import(factory, job.id, actor=ACTOR, batch_size=25, workers=2)
    assert parallel.count("created") == 120
    assert parallel.count("copies_created") == sum(len(r.get_fields("952")) for r in records)
    again = do_import(engine, path, resume=False, options=FUND)  # one process: all there
    assert again.count("unchanged") == 120


def test_retrying_a_quarantined_record_that_now_reads_imports_it(engine, session, tmp_path):
    """E.g. a record quarantined by an older reader: the raw bytes are all a retry needs."""
    from collection.errors import InvalidValueError
    from collection.imports.review import retry_quarantined

    job = do_import(engine, data_path("edsu__pymarc/bad_records.mrc"), options=FUND)
    good = record_to_iso2709(next(sample_records(1, flavour="marc21", copies=(1, 1))))
    session.add(QuarantinedRecord(job_id=job.id, record_number=999, offset=0, reason="old",
                                  raw=good, format="iso2709"))
    session.commit()
    editions = count(session, Edition)
    item = retry_quarantined(session, job.id, 999, actor=ACTOR)
    assert item.state == "retried" and item.edition_id is not None
    assert count(session, Edition) == editions + 1 and count(session, Copy) == 1
    still_bad = session.scalars(select(QuarantinedRecord).where(
        QuarantinedRecord.job_id == job.id, QuarantinedRecord.record_number != 999)).first()
    with pytest.raises(InvalidValueError):
        retry_quarantined(session, job.id, still_bad.record_number, actor=ACTOR)
    session.expire_all()
    assert session.get(QuarantinedRecord, still_bad.id).state == "open"


# ------------------------------------------------ imports keep a cataloguer's work (issue 10)


def test_holdings_are_not_taken_into_the_fund_unless_asked(engine, session):
    path = data_path("xbib__marc/rusmarc.xml")  # a Ukrainian RUSMARC record with 198 copies in 995
    job = do_import(engine, path)
    assert job.options["holdings"] == "ignore"
    assert job.count("created") == 1
    assert (job.count("copies_created"), job.count("holdings_ignored")) == (0, 198)
    assert count(session, Copy) == 0 and count(session, UsedInventoryNumber) == 0
    taken = do_import(engine, path, options=FUND)  # a new job: other options
    assert taken.options["holdings"] == "fund"
    assert taken.count("copies_created") == 197 and count(session, Copy) == 197


def test_an_unknown_holdings_choice_is_refused_naming_the_option(engine, session):
    from collection.errors import InvalidValueError

    with pytest.raises(InvalidValueError) as raised:
        do_import(engine, data_path("edsu__pymarc/one.dat"), options=ImportOptions(holdings="all"))
    assert raised.value.field == "holdings"


def test_a_reimport_never_undoes_a_cataloguers_edit_and_keeps_the_incoming_as_an_alternative(
        engine, session):  # fmt: skip
    from collection.catalogue.services import edit_edition
    from collection.imports.review import accept_alternative

    path = data_path("edsu__pymarc/1251.dat")  # six MARC21 records in cp1251
    first = do_import(engine, path)
    edition = session.scalars(select(Edition).order_by(Edition.id)).first()
    original_title = edition.title
    edit_edition(session, Actor(None, "olena"), edition.id, [
        {"op": "set_subfield", "field": "245", "subfield": "a", "value": "Виправлена назва"}])
    session.commit()
    assert edition.edited_locally_at is not None

    again = do_import(engine, path, resume=False)
    assert again.count("kept_local") == 1 and again.count("updated") == 0
    assert again.count("unchanged") == first.count("created") - 1
    session.expire_all()
    assert session.get(Edition, edition.id).title.startswith("Виправлена назва")
    alternative = session.scalars(select(AlternativeRecord)).one()
    assert (alternative.edition_id, alternative.state) == (edition.id, "pending")
    assert alternative.job_id == again.id

    third = do_import(engine, path, resume=False)  # already set aside: not proposed twice
    assert (third.count("kept_local"), third.count("unchanged")) == (0, first.count("created"))
    assert count(session, AlternativeRecord) == 1

    accept_alternative(session, alternative.id, actor=Actor(None, "olena"))
    session.commit()
    assert session.get(Edition, edition.id).title == original_title


def test_imported_records_are_counted_apart_and_not_against_the_plan(engine, session):
    from collection.catalogue.counts import cataloguing_report, counts_table
    from collection.db import now_utc

    job = do_import(engine, data_path("xbib__marc/periouni.mrc"), batch_size=1000)
    year = now_utc().year
    report = cataloguing_report(session, year, tz="UTC")
    assert report.imported >= job.count("created") > 3000  # 301.5 % of 1,020 before
    assert set(session.scalars(select(CataloguingEvent.kind))) == {"imported"}
    created = next(line for line in report.plan if line.kind == "created")
    assert created.done == 0 and created.percent == 0
    assert "imported" not in {line.kind for line in report.plan}
    rows = {row["kind"]: row for row in counts_table(session, year, "kind", tz="UTC")}
    assert rows["imported"]["count"] == report.imported and rows["imported"]["planned"] is None
    assert rows["created"]["count"] == 0 and rows["created"]["percent"] == 0
