"""Cataloguing counts: by period in the library's time zone, by person and kind, against the plan."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from collection.audit import Actor, entries_for_object
from collection.catalogue.counts import (
    DEFAULT_PLAN,
    EventRow,
    PlanLine,
    cataloguing_report,
    compare_with_plan,
    count_events,
    counts_table,
    get_plan,
    set_plan,
)
from collection.catalogue.models import CataloguingEvent
from collection.catalogue.services import create_edition
from collection.errors import InvalidValueError
from marc.samples import sample_records

KYIV = ZoneInfo("Europe/Kyiv")
ADMIN = Actor(1, "admin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_an_event_just_after_midnight_in_kyiv_counts_in_the_new_month():
    rows = [EventRow(at(2026, 3, 31, 21, 30), "olena", "edited"),  # 1 April 00:30 in Kyiv
            EventRow(at(2026, 3, 31, 20, 30), "olena", "edited")]
    assert count_events(rows, ("month",), KYIV) == {("2026-03",): 1, ("2026-04",): 1}
    assert count_events(rows, ("quarter",), KYIV) == {("2026-Q1",): 1, ("2026-Q2",): 1}


def test_counts_by_person_and_kind():
    rows = [EventRow(at(2026, 5, 1), "olena", "created"), EventRow(at(2026, 5, 2), "olena", "edited"),
            EventRow(at(2026, 5, 3), "petro", "edited")]
    counts = count_events(rows, ("person", "kind"))
    assert counts == {("olena", "created"): 1, ("olena", "edited"): 1, ("petro", "edited"): 1}
    with pytest.raises(ValueError):
        count_events(rows, ("colour",))


def test_the_plan_comparison_gives_per_cent_done_and_keeps_a_range():
    lines = compare_with_plan({"created": 510, "edited": 1650}, DEFAULT_PLAN)
    by_kind = {line.kind: line for line in lines}
    assert by_kind["created"].percent == Decimal("50.0")
    assert by_kind["edited"] == PlanLine("edited", 1100, 3000, 1650)
    assert by_kind["edited"].percent == Decimal("150.0")
    assert by_kind["analytic"].done == 0
    assert PlanLine("analytic", 0, None, 3).percent is None


def add_event(session, edition_id: int, kind: str, when: datetime, username: str = "olena") -> None:
    session.add(CataloguingEvent(edition_id=edition_id, kind=kind, at=when, username=username))
    session.commit()


def test_the_year_report_counts_kind_by_month_and_person(session):
    edition = create_edition(session, Actor(3, "olena"), next(sample_records(1)), "unimarc")
    add_event(session, edition.id, "edited", at(2025, 12, 31, 22, 30), "petro")  # 2026 in Kyiv
    add_event(session, edition.id, "edited", at(2026, 2, 10), "petro")
    add_event(session, edition.id, "analytic", at(2027, 1, 5), "petro")  # another year
    created_year = edition.created_at.astimezone(KYIV).year
    report = cataloguing_report(session, 2026)
    assert report.by_kind_month["edited"][:2] == [1, 1]
    assert report.by_person["petro"]["edited"] == 2
    assert report.by_person["petro"]["analytic"] == 0
    assert report.plan_is_default
    if created_year == 2026:
        assert report.by_person["olena"]["created"] == 1
    assert counts_table(session, 2026, "kind")[-2] == {
        "kind": "edited", "count": 2, "planned": 1100, "planned_max": 3000, "percent": 0.2}
    assert counts_table(session, 2026, "month")[0]["month"] == "2026-01"
    assert counts_table(session, 2026, "quarter")[0] == {
        "quarter": "2026-Q1", "created": 0, "classified": 0, "subject_indexed": 0,
        "analytic": 0, "edited": 2, "imported": 0}


def test_imported_records_are_their_own_line_and_never_count_against_the_plan(session):
    edition = create_edition(session, Actor(3, "olena"), next(sample_records(1)), "unimarc",
                             events=False)
    for day in range(1, 4):
        add_event(session, edition.id, "imported", at(2026, 3, day), "import")
    add_event(session, edition.id, "created", at(2026, 3, 5))
    report = cataloguing_report(session, 2026)
    assert report.imported == 3
    created = next(line for line in report.plan if line.kind == "created")
    assert created.done == 1 and created.percent == Decimal("0.1")  # 1 of 1,020, not 4
    assert [line.kind for line in report.plan] == [
        "created", "classified", "subject_indexed", "analytic", "edited"]
    assert counts_table(session, 2026, "kind")[-1] == {
        "kind": "imported", "count": 3, "planned": None, "planned_max": None, "percent": None}
    with pytest.raises(InvalidValueError) as refused:
        set_plan(session, ADMIN, 2026, {"imported": (100, None)})
    assert "imported" in refused.value.errors


def test_the_plan_is_set_per_year_and_audited(session):
    set_plan(session, ADMIN, 2027, {"created": (1200, None), "edited": (1000, 2500)})
    plan, default = get_plan(session, 2027)
    assert not default
    assert plan["created"] == (1200, None)
    assert plan["edited"] == (1000, 2500)
    assert plan["analytic"] == DEFAULT_PLAN["analytic"]  # untouched kinds keep the default
    assert get_plan(session, 2026) == (DEFAULT_PLAN, True)
    audit = entries_for_object(session, "cataloguing_plan", 2027)[0]
    assert audit.changes["created"] == [None, "1200"]


def test_a_bad_plan_or_year_is_refused(session):
    with pytest.raises(InvalidValueError) as error:
        set_plan(session, ADMIN, 2027, {"edited": (3000, 1100), "created": (-1, None)})
    assert set(error.value.errors) == {"edited_max", "created"}
    with pytest.raises(InvalidValueError):
        cataloguing_report(session, 1900)
