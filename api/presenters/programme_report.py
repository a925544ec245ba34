"""The programme report as REST and ``komplekt programme report --format json`` show it.

Per title and per library (and summed per publisher and per district): ordered, received,
allocated, packed, dispatched, confirmed — the rows ``distribution.programmes.report`` adds up.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class StepCounts(BaseModel):
    """Copies at each step: ordered, received, allocated, packed, dispatched, confirmed."""

    model_config = ConfigDict(extra="forbid")  # a column the report adds must be named here too

    ordered: int
    received: int
    allocated: int
    packed: int
    dispatched: int
    confirmed: int


class ReportProgrammeOut(BaseModel):
    """The programme the report is about."""

    id: int
    name: str
    year: int
    kind: str
    state: str
    surplus_destination: str | None


class TitleReportOut(StepCounts):
    """One title; ``surplus`` = usable received − allocated − taken into the fund − lost."""

    title_id: int
    isbn: str
    title: str
    publisher: str
    damaged: int
    wrong_title: int
    to_fund: int
    lost: int
    surplus: int


class LibraryReportOut(StepCounts):
    """One library; its ``received`` is what reached it, by its own word."""

    library_code: str
    name: str
    district: str


class PublisherReportOut(StepCounts):
    """A publisher's titles summed."""

    publisher: str
    titles: int


class DistrictReportOut(StepCounts):
    """A district's libraries summed."""

    district: str
    libraries: int


class ReportTotalsOut(StepCounts):
    """The programme's totals, with surplus, copies taken into the own fund and lost in transit."""

    surplus: int
    to_fund: int
    lost: int


class ProgrammeReportOut(BaseModel):
    """The whole report: the programme, its titles, libraries, publishers, districts and totals."""

    programme: ReportProgrammeOut
    titles: list[TitleReportOut]
    libraries: list[LibraryReportOut]
    publishers: list[PublisherReportOut]
    districts: list[DistrictReportOut]
    totals: ReportTotalsOut


def report_out(report: dict[str, Any]) -> ProgrammeReportOut:
    """The report's rows as the typed answer (the same fields and values)."""
    return ProgrammeReportOut.model_validate(report)
