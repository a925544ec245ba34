"""Cataloguing counts as a spreadsheet: the plan, kind by month and by person (pandas → xlsx)."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

import pandas as pd

from collection.catalogue.counts import CataloguingReport
from collection.catalogue.models import EVENT_KINDS


def report_frames(
    report: CataloguingReport, labels: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    """The report's three tables; ``labels`` names the kinds and the column headings."""
    def label(key: str) -> str:
        return labels.get(key, key)

    plan = pd.DataFrame(
        [{label("kind"): label(line.kind), label("planned"): line.planned,
          label("planned_max"): line.planned_max, label("done"): line.done,
          label("percent"): float(line.percent) if line.percent is not None else None}
         for line in report.plan])
    months = pd.DataFrame(
        {label(kind): report.by_kind_month[kind] for kind in EVENT_KINDS},
        index=pd.Index([f"{report.year}-{m:02d}" for m in range(1, 13)], name=label("month")))
    months.loc[label("total")] = months.sum()
    people = pd.DataFrame.from_dict(report.by_person, orient="index",
                                    columns=list(EVENT_KINDS)).rename(columns=label)
    people.index.name = label("person")
    return {label("sheet_plan"): plan, label("sheet_months"): months.reset_index(),
            label("sheet_people"): people.reset_index()}


def report_xlsx(report: CataloguingReport, labels: Mapping[str, str]) -> bytes:
    """The report as an .xlsx workbook, one sheet per table."""
    buffer = BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in report_frames(report, labels).items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
