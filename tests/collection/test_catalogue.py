"""The catalogue: search by every kind of key, editing with validation, events for each action."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from collection.audit import Actor, entries_for_object
from collection.catalogue.models import CataloguingEvent, Edition
from collection.catalogue.record_edits import RecordInvalid
from collection.catalogue.search import EditionNotFound, get_edition, search_editions
from collection.catalogue.services import create_edition, edit_edition
from collection.errors import InvalidValueError
from collection.fund.models import Copy
from marc.reader import read_path
from marc.samples import sample_records
from tests.shared_data import data_path

OLENA = Actor(7, "olena")


def real_record(relative: str, number: int = 1):
    """The ``number``-th record of a real file in ../shared/data, with its flavour."""
    results = [r for r in read_path(data_path(relative)) if hasattr(r, "record")]
    found = results[number - 1]
    return found.record, found.flavour


def events_of(session, edition_id: int) -> list[str]:
    stmt = select(CataloguingEvent.kind).where(CataloguingEvent.edition_id == edition_id)
    return sorted(session.scalars(stmt))


def add_copy(session, edition: Edition, inventory: str, barcode: str | None = None) -> Copy:
    copy = Copy(edition_id=edition.id, inventory_number=inventory, barcode=barcode)
    session.add(copy)
    session.commit()
    return copy


def minimal_marc21(title: str = "Кобзар", **extra_fields) -> dict:
    fields = [{"001": "hand-1"},
              {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}}]
    fields.extend({tag: value} for tag, value in extra_fields.items())
    return {"leader": "00000nam a2200000 i 4500", "fields": fields}


# ------------------------------------------------------------------ search


def test_search_finds_a_cyrillic_cp1251_record_by_title_words_in_any_case(session):
    record, flavour = real_record("edsu__pymarc/1251.dat", 2)
    edition = create_edition(session, OLENA, record, flavour)
    found = search_editions(session, "психологический ТРЕНИНГ")
    assert [e.id for e in found.items] == [edition.id]
    assert found.keys == ("words",)


def test_search_by_author_and_by_title_field(session):
    record, flavour = real_record("edsu__pymarc/1251.dat", 1)
    edition = create_edition(session, OLENA, record, flavour)
    assert search_editions(session, "ильина", field="author").total == 1
    assert search_editions(session, "ильина", field="title").total == 0
    assert search_editions(session, "Ильина").items == [edition]


def test_search_by_isbn_10_with_hyphens_finds_the_ukrainian_unimarc_record(session):
    record, flavour = real_record("xbib__marc/rusmarc.xml")
    edition = create_edition(session, OLENA, record, flavour)
    for query in ("966-504-025-1", "9665040251", "978-966-504-025-5", "ISBN 966-504-025-1"):
        found = search_editions(session, query)
        assert found.items == [edition], query
        assert "isbn" in found.keys


def test_search_by_inventory_number_and_barcode_is_exact_on_copies(session):
    record, flavour = real_record("edsu__pymarc/1251.dat", 3)
    edition = create_edition(session, OLENA, record, flavour)
    add_copy(session, edition, "206033", "2000000206033")
    assert search_editions(session, "206033").items == [edition]
    assert search_editions(session, "2000000206033").items == [edition]
    assert search_editions(session, "20603").total == 0  # no prefix matching on copies
    assert search_editions(session, "206033", field="barcode").total == 0
    assert search_editions(session, "206033", field="inventory").total == 1


def test_search_by_udc_or_bbk_prefix(session):
    first, flavour = real_record("edsu__pymarc/1251.dat", 1)  # УДК 624.01:532.5(075.8), ББК 38.1я73
    second, _ = real_record("edsu__pymarc/1251.dat", 2)  # УДК 159.922.7, ББК 88.4
    a = create_edition(session, OLENA, first, flavour)
    b = create_edition(session, OLENA, second, flavour)
    assert search_editions(session, "624.01").items == [a]
    assert search_editions(session, "38.1я").items == [a]
    assert search_editions(session, "159.9").items == [b]
    assert search_editions(session, "88", field="class").items == [b]


def test_search_pages_results_and_skips_merged_editions(session):
    editions = [create_edition(session, OLENA, r, "unimarc")
                for r in sample_records(5, seed=3, copies=(0, 0))]
    for e in editions:
        e.title = f"Спільна назва {e.id}"
    editions[0].status = "merged"
    session.commit()
    first = search_editions(session, "спільна", page=1, per_page=3)
    second = search_editions(session, "спільна", page=2, per_page=3)
    assert first.total == 4 and first.pages == 2
    assert len(first.items) == 3 and len(second.items) == 1
    assert editions[0] not in first.items + second.items


def test_an_empty_query_finds_nothing_and_an_unknown_field_is_refused(session):
    assert search_editions(session, "  ").total == 0
    with pytest.raises(InvalidValueError):
        search_editions(session, "x", field="colour")


# ------------------------------------------------------------------ create


def test_creating_a_classified_subject_indexed_record_counts_three_kinds(session):
    record, flavour = real_record("edsu__pymarc/1251.dat", 1)
    edition = create_edition(session, OLENA, record, flavour)
    assert events_of(session, edition.id) == ["classified", "created", "subject_indexed"]
    assert edition.title.startswith("Основы гидравлического")
    assert edition.isbn == "9785930933420"
    assert entries_for_object(session, "edition", edition.id)[0].action == "create"


def test_creating_an_analytic_record_counts_it_as_analytic(session):
    marc = minimal_marc21("Стаття про бібліотеки", **{"773": {
        "ind1": "0", "ind2": " ", "subfields": [{"t": "Бібліотечний форум"}, {"g": "2025, № 3"}]}})
    marc["leader"] = "00000naa a2200000 i 4500"
    edition = create_edition(session, OLENA, marc, "marc21")
    assert events_of(session, edition.id) == ["analytic", "created"]


def test_a_new_record_without_a_title_or_with_a_bad_isbn_is_refused(session):
    with pytest.raises(RecordInvalid) as missing:
        create_edition(session, OLENA, {"leader": "00000nam a2200000 i 4500",
                                        "fields": [{"001": "x"}]}, "marc21")
    assert "245" in missing.value.errors
    with pytest.raises(RecordInvalid) as unimarc:
        create_edition(session, OLENA, {"leader": "00000nam0 2200000   450 ", "fields": [
            {"200": {"ind1": "1", "ind2": " ", "subfields": [{"f": "Автор"}]}}]}, "unimarc")
    assert "200$a" in unimarc.value.errors
    bad = minimal_marc21(**{"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": "966-504-025-2"}]}})
    with pytest.raises(RecordInvalid) as isbn:
        create_edition(session, OLENA, bad, "marc21")
    assert list(isbn.value.errors) == ["020[2]$a[0]"]
    assert session.scalars(select(Edition)).all() == []


def test_an_invalid_isbn_in_z_is_accepted(session):
    marc = minimal_marc21(**{"020": {"ind1": " ", "ind2": " ", "subfields": [{"z": "966-504-025-2"}]}})
    edition = create_edition(session, OLENA, marc, "marc21")
    assert edition.isbn is None


# ------------------------------------------------------------------ edit


@pytest.fixture
def ukrainian(session) -> Edition:
    record, flavour = real_record("xbib__marc/rusmarc.xml")
    edition = create_edition(session, Actor(None, "import"), record, flavour)
    session.commit()
    return edition


def test_setting_a_subfield_rederives_the_columns_and_counts_one_edit(session, ukrainian):
    edition = edit_edition(session, OLENA, ukrainian.id, [
        {"op": "set_subfield", "field": "200", "subfield": "a", "value": "Сучасна філософія"}])
    assert edition.title == "Сучасна філософія"
    assert edition.title_key.startswith("сучасна філософія|")
    events = session.scalars(select(CataloguingEvent).where(CataloguingEvent.username == "olena"))
    assert [e.kind for e in events] == ["edited"]
    audit = entries_for_object(session, "edition", ukrainian.id)[0]
    assert audit.action == "update" and audit.username == "olena"
    assert list(audit.changes) == ["200"]
    assert "Сучасна філософія" in audit.changes["200"][1]


def test_adding_classification_and_subjects_counts_them_once(session, ukrainian):
    # rusmarc.xml has UDC (675) but no ББК and no subjects
    edit_edition(session, OLENA, ukrainian.id, [
        {"op": "add_field", "tag": "606", "ind1": "0", "ind2": " ",
         "subfields": [{"a": "Соціальна філософія"}]},
        {"op": "add_field", "tag": "686", "subfields": [{"a": "87.6"}, {"2": "rubbk"}]}])
    kinds = session.scalars(select(CataloguingEvent.kind).where(CataloguingEvent.username == "olena"))
    assert sorted(kinds) == ["edited", "subject_indexed"]  # it was already classified (UDC)
    assert get_edition(session, ukrainian.id).bbk == "87.6"


def test_an_invalid_isbn_is_an_error_on_that_subfield_and_changes_nothing(session, ukrainian):
    with pytest.raises(RecordInvalid) as error:
        edit_edition(session, OLENA, ukrainian.id, [
            {"op": "set_subfield", "field": 0, "subfield": 0, "value": "966-504-025-9"}])
    assert error.value.errors == {"010[0]$a[0]": error.value.errors["010[0]$a[0]"]}
    assert error.value.locations["010[0]$a[0]"].subfield == 0
    session.rollback()
    assert get_edition(session, ukrainian.id).isbn == "9789665040255"
    assert events_of(session, ukrainian.id) == ["classified", "created"]
    # the same number moved to $z is fine
    edition = edit_edition(session, OLENA, ukrainian.id, [
        {"op": "set_subfield", "field": 0, "subfield": 0, "code": "z", "value": "966-504-025-9"}])
    assert edition.isbn is None


@pytest.mark.parametrize(("change", "key"), [
    ({"op": "add_field", "tag": "02", "subfields": [{"a": "x"}]}, "02[3].tag"),
    ({"op": "add_field", "tag": "005", "subfields": [{"a": "x"}]}, "005[3]"),
    ({"op": "add_field", "tag": "500", "data": "a note"}, "500[3]"),
    ({"op": "add_field", "tag": "500", "subfields": []}, "500[3]"),
    ({"op": "add_field", "tag": "500", "subfields": [{"A": "x"}]}, "500[3]$A[0]"),
    ({"op": "add_field", "tag": "500", "subfields": [{"a": " "}]}, "500[3]$a[0]"),
    ({"op": "add_field", "tag": "500", "ind1": "#", "subfields": [{"a": "x"}]}, "500[3].ind1"),
], ids=["short-tag", "control-with-subfields", "data-without-subfields", "no-subfields",
        "upper-code", "empty-value", "hash-indicator"])
def test_structural_rules_name_the_offending_field(session, change, key):
    edition = create_edition(session, OLENA, minimal_marc21(**{"100": {
        "ind1": "1", "ind2": " ", "subfields": [{"a": "Шевченко, Тарас"}]}}), "marc21")
    with pytest.raises(RecordInvalid) as error:
        edit_edition(session, OLENA, edition.id, [{**change, "position": 3}])
    assert list(error.value.errors) == [key]


def test_removing_the_title_field_is_refused(session):
    edition = create_edition(session, OLENA, minimal_marc21(), "marc21")
    with pytest.raises(RecordInvalid) as error:
        edit_edition(session, OLENA, edition.id, [{"op": "remove_field", "field": "245"}])
    assert list(error.value.errors) == ["245"]


def test_indicators_subfield_removal_and_operation_errors(session):
    edition = create_edition(session, OLENA, minimal_marc21(**{"500": {
        "ind1": " ", "ind2": " ", "subfields": [{"a": "Примітка"}, {"5": "ЛОУНБ"}]}}), "marc21")
    edit_edition(session, OLENA, edition.id, [
        {"op": "set_indicators", "field": 1, "ind1": "0", "ind2": "4"},
        {"op": "remove_subfield", "field": "500", "subfield": 1}])
    fields = get_edition(session, edition.id).marc["fields"]
    assert fields[1]["245"]["ind2"] == "4"
    assert fields[2]["500"]["subfields"] == [{"a": "Примітка"}]
    with pytest.raises(InvalidValueError) as error:
        edit_edition(session, OLENA, edition.id, [{"op": "remove_field", "field": 9},
                                                  {"op": "explode"}])
    assert set(error.value.errors) == {"changes[0]", "changes[1]"}


def test_imported_oddities_do_not_block_an_unrelated_edit(session):
    marc = minimal_marc21(**{"910": {"ind1": "#", "ind2": " ", "subfields": [{"A": "irbis"}]}})
    edition = create_edition(session, OLENA, minimal_marc21(), "marc21")
    edition.marc = marc  # as an import would have stored it
    session.commit()
    edit_edition(session, OLENA, edition.id, [{"op": "set_subfield", "field": "245",
                                               "subfield": 0, "value": "Заповіт"}])
    assert get_edition(session, edition.id).title == "Заповіт"


def test_an_edit_that_changes_nothing_is_not_counted(session, ukrainian):
    edit_edition(session, OLENA, ukrainian.id, [])
    assert events_of(session, ukrainian.id) == ["classified", "created"]


def test_an_unknown_edition_is_not_found(session):
    with pytest.raises(EditionNotFound):
        get_edition(session, 999)


def test_the_receipt_forms_edition_list_uses_the_one_catalogue_search(session):
    from collection.catalogue.models import EditionIsbn
    from collection.catalogue.search import editions_to_choose
    from tests.collection.fund_builders import make_edition

    percent = make_edition(session, title="Знижка 100% на все")
    other = make_edition(session, title="Знижка 1000 на все")
    second_isbn = "9786170000026"
    percent.isbns.append(EditionIsbn(isbn13=second_isbn))
    session.commit()
    assert editions_to_choose(session, "100%") == [percent]  # % is a character, not a wildcard
    assert editions_to_choose(session, second_isbn) == [percent]  # any ISBN, not only the first
    assert {percent, other} <= set(editions_to_choose(session, ""))  # nothing typed: the list to pick from
