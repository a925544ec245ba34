"""collection/editions.py: an edition's stored fields derived from real records (no database)."""

from __future__ import annotations

import pytest

from collection.catalogue.editions import (
    content_branch,
    doc_type,
    edition_fields,
    normalise_key_text,
    quality_score,
    record_from_marc,
    record_hash,
    title_key,
)
from marc.model import ReadRecord
from marc.reader import read_path
from marc.view import bib_view
from tests.shared_data import data_path


def first_record(relative: str) -> ReadRecord:
    return next(r for r in read_path(data_path(relative)) if isinstance(r, ReadRecord))


def test_a_ukrainian_rusmarc_record_gives_its_title_key_branch_and_language():
    read = first_record("xbib__marc/rusmarc.xml")
    fields = edition_fields(read.record, read.flavour)
    assert fields.flavour == "unimarc"
    assert fields.title.startswith("Сучасна соціальна філософія")
    assert fields.title_key == "сучасна соціальна філософія|андрущенко|1996"
    assert fields.language == "ukr"
    assert fields.content_branch == "humanities"  # UDC 1: philosophy
    assert fields.doc_type == "book"


def test_a_cp1251_marc21_record_is_classified_by_its_udc():
    read = first_record("edsu__pymarc/1251.dat")
    fields = edition_fields(read.record, read.flavour)
    assert fields.udc.startswith("624.01")
    assert fields.content_branch == "applied_sciences"
    assert fields.title_key.startswith("основы гидравлического расчета")


def test_title_keys_ignore_case_punctuation_and_latin_accents_but_keep_ukrainian_letters():
    assert normalise_key_text("Кобзар : вірші") == "кобзар вірші"
    assert normalise_key_text("Éléments, de l'algèbre") == "elements de l algebre"
    assert normalise_key_text("Їжак і ґудзик") == "їжак і ґудзик"
    assert title_key("Кобзар", "Шевченко, Тарас", "1840 р.") == "кобзар|шевченко|1840"
    assert title_key(None, None, None) == "||"


@pytest.mark.parametrize(("udc", "bbk", "branch"), [
    (["821.161.2"], [], "fiction"),
    (["821.161.2-93"], [], "children"),
    (["94(477)"], [], "humanities"),
    (["33"], [], "social_sciences"),
    ([], ["84(4Укр)6"], "fiction"),
    ([], ["65"], "social_sciences"),
    ([], [], "unclassified"),
])  # fmt: skip
def test_content_branch_follows_udc_then_bbk(udc, bbk, branch):
    assert content_branch(udc, bbk) == branch


def test_document_type_comes_from_the_leader_and_host_links():
    read = first_record("edsu__pymarc/one.dat")
    view = bib_view(read.record, read.flavour)
    assert doc_type(str(read.record.leader), view) == "book"
    assert doc_type("00000nas a2200000 a 4500", view) == "serial"
    assert doc_type("00000naa a2200000 a 4500", view) == "analytic"


def test_a_fuller_record_scores_higher_than_the_same_record_stripped():
    read = first_record("edsu__pymarc/1251.dat")
    full = quality_score(read.record, bib_view(read.record, "marc21"))
    for tag in ("080", "084", "650", "653", "300", "260", "264"):
        read.record.remove_fields(tag)
    brief = quality_score(read.record, bib_view(read.record, "marc21"))
    assert 0 <= brief < full <= 100


def test_quality_orders_the_real_files_records_sensibly():
    """Across a real file, every score is in range and records with more fields score higher."""
    reads = [r for r in read_path(data_path("xbib__marc/periouni.mrc")) if isinstance(r, ReadRecord)]
    scored = [(edition_fields(r.record, r.flavour).quality, len(r.record.fields)) for r in reads[:300]]
    assert all(0 <= q <= 100 for q, _ in scored)
    low = [n for q, n in scored if q <= min(q for q, _ in scored)]
    high = [n for q, n in scored if q >= max(q for q, _ in scored)]
    assert sum(high) / len(high) > sum(low) / len(low)


def test_the_stored_record_comes_back_unchanged_and_hashes_the_same():
    read = first_record("xbib__marc/rusmarc.xml")
    fields = edition_fields(read.record, read.flavour)
    again = edition_fields(record_from_marc(fields.marc), fields.flavour)
    assert again.record_hash == fields.record_hash == record_hash(fields.marc)
    assert again.isbns == fields.isbns
