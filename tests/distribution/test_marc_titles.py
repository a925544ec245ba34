"""A programme's title list loaded from real MARC files: rows, editions, prices, errors."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from collection.catalogue.models import Edition
from distribution.programmes.marc_titles import is_marc_file, price_in_hryvnias
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.services import create_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles, programme_titles
from tests.builders import TEST_ACTOR
from tests.shared_data import data_path


def load(session, programme_id, relative):
    path = data_path(relative)
    return load_titles(session, actor=TEST_ACTOR, programme_id=programme_id,
                       titles=parse_title_file(io.BytesIO(path.read_bytes()), path.name))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "amount"),
    [("350 грн", "350.00"), ("UAH 1 250,5", "1250.50"), ("45.00", "45.00"), ("$6.99", None),
     ("р. 25", None), ("б. ц.", None), (None, None)],
)  # fmt: skip
def test_prices_are_taken_only_in_hryvnias(text, amount):
    assert price_in_hryvnias(text) == (Decimal(amount) if amount else None)


def test_marc_files_are_told_from_spreadsheets_by_name():
    assert all(map(is_marc_file, ("a.mrc", "b.XML", "c.json", "d.mrc.gz", "1251.dat")))
    assert not any(map(is_marc_file, ("orders.csv", "titles.xlsx")))


def test_a_cp1251_marc21_file_gives_titles_linked_to_full_editions_and_reloads_unchanged(session):
    programme = create_programme(session, actor=TEST_ACTOR, name="Програма з MARC", year=2026)
    result = load(session, programme.id, "edsu__pymarc/1251.dat")
    assert result.ok and (result.rows, result.created, result.extra["editions_created"]) == (6, 6, 6)
    titles = {t.isbn: t for t in programme_titles(session, programme.id)}
    mio = titles["9785352012864"]
    assert (mio.title, mio.author, mio.year) == ("Мио, мой Мио!", "Линдгрен, Астрид", "2005")
    edition = session.get(Edition, mio.edition_id)
    assert edition.source == "programme-marc" and len(edition.marc["fields"]) > 10  # the record, whole
    again = load(session, programme.id, "edsu__pymarc/1251.dat")
    assert (again.created, again.unchanged, again.extra["editions_created"]) == (0, 6, 0)
    assert session.scalar(select(func.count()).select_from(Edition)) == 6


def test_a_marc_title_is_linked_to_the_edition_the_catalogue_already_has(session):
    first = create_programme(session, actor=TEST_ACTOR, name="Перша", year=2025)
    assert load(session, first.id, "xbib__marc/rusmarc.xml").ok
    second = create_programme(session, actor=TEST_ACTOR, name="Друга", year=2026)
    result = load(session, second.id, "xbib__marc/rusmarc.xml")
    assert result.ok and result.extra["editions_created"] == 0
    (title,) = programme_titles(session, second.id)
    assert title.title == "Сучасна соціальна філософія" and title.isbn == "9789665040255"
    assert title.edition_id == programme_titles(session, first.id)[0].edition_id


def test_a_file_with_unreadable_records_names_them_and_stores_nothing(session):
    programme = create_programme(session, actor=TEST_ACTOR, name="Биті записи", year=2026)
    result = load(session, programme.id, "edsu__pymarc/bad_records.mrc")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(5, "record"), (7, "record")]
    assert "directory" in result.errors[0].message()
    assert session.scalar(select(func.count()).select_from(ProgrammeTitle)) == 0
