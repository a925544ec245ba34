"""Cataloguing counts (облік каталогізації): events by period, person and kind, against the plan.

The counting is pure (``count_events``, ``compare_with_plan``); ``cataloguing_report`` loads a
year's events and plan and puts them together. Records taken from files ("imported") are
counted as their own kind and never against the plan: they are not the department's work.
Periods are taken in the library's time zone: an edit at 00:30 on 1 April in Kyiv belongs to
April, whatever UTC says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.catalogue.models import (
    EVENT_KINDS,
    PLAN_KINDS,
    CataloguingEvent,
    CataloguingPlan,
)
from collection.errors import N_, InvalidValueError

DIMENSIONS = ("kind", "person", "month", "quarter", "year")
DEFAULT_TIMEZONE = "Europe/Kyiv"
# The regional library's standing plan: 1,020 catalogue records a year (catalogued, classified
# and subject-indexed), 100 analytic records and 1,100-3,000 records edited.
DEFAULT_PLAN: dict[str, tuple[int, int | None]] = {
    "created": (1020, None), "classified": (1020, None), "subject_indexed": (1020, None),
    "analytic": (100, None), "edited": (1100, 3000),
}
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class EventRow:
    """One cataloguing event as counting needs it."""

    at: datetime
    username: str
    kind: str


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One kind of work: planned (a range when ``planned_max`` is set), done, per cent done."""

    kind: str
    planned: int
    planned_max: int | None
    done: int

    @property
    def percent(self) -> Decimal | None:
        if not self.planned:
            return None
        return (Decimal(self.done * 100) / self.planned).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class CataloguingReport:
    """A year's counts: kind by month, by person, and the plan with what is done."""

    year: int
    by_kind_month: dict[str, list[int]]  # kind -> 12 monthly counts
    by_person: dict[str, dict[str, int]]  # username -> kind -> count
    plan: list[PlanLine]
    plan_is_default: bool

    @property
    def imported(self) -> int:
        """Records taken from files in the year (outside the plan)."""
        return sum(self.by_kind_month.get("imported", ()))

    @property
    def month_totals(self) -> list[int]:
        return [sum(counts[m] for counts in self.by_kind_month.values()) for m in range(12)]


def period_of(at: datetime, period: str, tz: ZoneInfo) -> str:
    """"2026-03", "2026-Q1" or "2026" for a timestamp, in the time zone ``tz``."""
    local = at.astimezone(tz)
    if period == "month":
        return f"{local.year}-{local.month:02d}"
    if period == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return str(local.year)


def count_events(
    rows: Iterable[EventRow], by: tuple[str, ...], tz: ZoneInfo | None = None
) -> Counter[tuple[str, ...]]:
    """Counts keyed by the ``by`` dimensions (kind, person, month, quarter, year), in order."""
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension(s) {unknown}")
    zone = tz or ZoneInfo(DEFAULT_TIMEZONE)
    counts: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        key = tuple(
            row.kind if d == "kind" else row.username if d == "person" else period_of(row.at, d, zone)
            for d in by
        )
        counts[key] += 1
    return counts


def compare_with_plan(
    done: Mapping[str, int], plan: Mapping[str, tuple[int, int | None]]
) -> list[PlanLine]:
    """One line per planned kind, in the order of PLAN_KINDS ("imported" is never planned)."""
    return [PlanLine(kind, *plan.get(kind, (0, None)), done=done.get(kind, 0))
            for kind in PLAN_KINDS]


# ------------------------------------------------------------------ queries


def _year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValueError(N_("Рік має бути між 2000 і 2100"), field="year")


def load_events(session: Session, year: int, tz: ZoneInfo) -> list[EventRow]:
    """Every event of the (local) calendar year."""
    start, end = _year_bounds(year, tz)
    stmt = select(CataloguingEvent.at, CataloguingEvent.username, CataloguingEvent.kind).where(
        CataloguingEvent.at >= start, CataloguingEvent.at < end)
    return [EventRow(at, username, kind) for at, username, kind in session.execute(stmt)]


def get_plan(session: Session, year: int) -> tuple[dict[str, tuple[int, int | None]], bool]:
    """The year's plan by kind and whether it is the default (no plan saved for the year)."""
    _check_year(year)
    rows = session.scalars(select(CataloguingPlan).where(CataloguingPlan.year == year)).all()
    if not rows:
        return dict(DEFAULT_PLAN), True
    plan: dict[str, tuple[int, int | None]] = {kind: (0, None) for kind in PLAN_KINDS}
    plan.update({row.kind: (row.planned, row.planned_max) for row in rows})
    return plan, False


def set_plan(
    session: Session, actor: Actor, year: int, values: Mapping[str, tuple[int, int | None]]
) -> dict[str, tuple[int, int | None]]:
    """Save the year's plan for the kinds given (others keep their saved or default value)."""
    _check_year(year)
    errors: dict[str, str] = {}
    for kind, (planned, planned_max) in values.items():
        if kind not in PLAN_KINDS:
            errors[kind] = N_("Невідомий вид роботи")
        elif planned < 0:
            errors[kind] = N_("План не може бути від'ємним")
        elif planned_max is not None and planned_max < planned:
            errors[f"{kind}_max"] = N_("Верхня межа плану менша за нижню")
    if errors:
        raise InvalidValueError(N_("Перевірте план"), errors=errors)
    current, _default = get_plan(session, year)
    saved = {row.kind: row for row in session.scalars(
        select(CataloguingPlan).where(CataloguingPlan.year == year))}
    changes: dict[str, list] = {}
    for kind in PLAN_KINDS:
        planned, planned_max = values.get(kind, current[kind])
        row = saved.get(kind)
        if row is None:
            row = CataloguingPlan(year=year, kind=kind)
            session.add(row)
        if (row.planned, row.planned_max) != (planned, planned_max):
            changes[kind] = [_plan_text(row.planned, row.planned_max), _plan_text(planned, planned_max)]
        row.planned, row.planned_max, row.updated_by = planned, planned_max, actor.username
    if changes:
        record_change(session, actor=actor, action="update", obj_type="cataloguing_plan",
                      obj_id=year, changes=changes)
    session.flush()
    return get_plan(session, year)[0]


def _plan_text(planned: int | None, planned_max: int | None) -> str | None:
    if planned is None:
        return None
    return f"{planned}-{planned_max}" if planned_max is not None else str(planned)


def cataloguing_report(
    session: Session, year: int, *, tz: str = DEFAULT_TIMEZONE
) -> CataloguingReport:
    """The year's counts by kind × month and by person, with the plan and per cent done."""
    _check_year(year)
    zone = ZoneInfo(tz)
    rows = load_events(session, year, zone)
    by_month = count_events(rows, ("kind", "month"), zone)
    by_kind_month = {kind: [by_month[(kind, f"{year}-{m:02d}")] for m in range(1, 13)]
                     for kind in EVENT_KINDS}
    by_person: dict[str, dict[str, int]] = {}
    for (person, kind), n in sorted(count_events(rows, ("person", "kind"), zone).items()):
        by_person.setdefault(person, dict.fromkeys(EVENT_KINDS, 0))[kind] = n
    plan, is_default = get_plan(session, year)
    totals = {kind: sum(counts) for kind, counts in by_kind_month.items()}
    return CataloguingReport(year, by_kind_month, by_person, compare_with_plan(totals, plan),
                             is_default)


def counts_table(
    session: Session, year: int, by: str, *, tz: str = DEFAULT_TIMEZONE
) -> list[dict[str, object]]:
    """Rows for the REST API: by kind (with the plan), by person or by month/quarter (per kind)."""
    _check_year(year)
    if by not in ("kind", "person", "month", "quarter"):
        raise InvalidValueError(N_("Невідоме групування"), field="by")
    report = cataloguing_report(session, year, tz=tz)
    if by == "kind":
        rows: list[dict[str, object]] = [
            {"kind": line.kind, "count": line.done, "planned": line.planned,
             "planned_max": line.planned_max,
             "percent": float(line.percent) if line.percent is not None else None}
            for line in report.plan]
        # Records taken from files: their own line, never planned (no per cent).
        rows.append({"kind": "imported", "count": report.imported, "planned": None,
                     "planned_max": None, "percent": None})
        return rows
    if by == "person":
        return [{"person": person, **counts, "total": sum(counts.values())}
                for person, counts in report.by_person.items()]
    zone = ZoneInfo(tz)
    counts = count_events(load_events(session, year, zone), (by, "kind"), zone)
    periods = sorted({period for period, _kind in counts})
    return [{by: period, **{kind: counts[(period, kind)] for kind in EVENT_KINDS}}
            for period in periods]
