"""Catalogue pages: search, a record (view, MARC fields, copies), the field editor, the counts.

The editor works without JavaScript: every button is a plain form post; "add subfield",
"remove field" and the like re-render the form with the unsaved rows, "save" sends them all
to ``edit_edition`` as one ``replace_fields`` operation, and errors come back next to the
offending field or subfield.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from api.access import (
    CATALOGUE_EDIT,
    CATALOGUE_READ,
    IMPORT_EXPORT,
    PLAN_EDIT,
    may,
    require,
    require_staff_area,
)
from api.auth.models import User
from api.deps import PageUser, SessionDep
from api.errors import PageNotFound
from api.i18n import translator_for
from api.rendering import flash, redirect, render
from collection.audit import entries_for_object
from collection.catalogue import counts as cataloguing_counts
from collection.catalogue import search as catalogue_search
from collection.catalogue import services as catalogue
from collection.catalogue.editions import record_from_marc
from collection.catalogue.exporting import ExportSummary, check_export_options, iter_export
from collection.catalogue.models import EVENT_KINDS, PLAN_KINDS
from collection.catalogue.record_edits import RecordInvalid
from collection.catalogue.reports import report_xlsx
from collection.errors import N_, CollectionError
from marc.view import bib_view

router = APIRouter(prefix="/catalogue")

KIND_LABELS = {
    "created": N_("каталогізовано"),
    "classified": N_("систематизовано"),
    "subject_indexed": N_("предметизовано"),
    "analytic": N_("аналітичний розпис"),
    "edited": N_("відредаговано"),
    "imported": N_("узято з файлів (не в плані)"),
}
SEARCH_FIELDS = [
    ("title", N_("назва")), ("author", N_("автор")), ("isbn", "ISBN"),
    ("class", N_("УДК / ББК")), ("inventory", N_("інвентарний номер")),
    ("barcode", N_("штрихкод")),
]
VIEW_LABELS = [
    ("title", N_("Назва")), ("remainder_of_title", N_("Продовження назви")),
    ("responsibility", N_("Відомості про відповідальність")), ("authors", N_("Автори")),
    ("corporate_authors", N_("Колективні автори")), ("edition", N_("Відомості про видання")),
    ("place", N_("Місце видання")), ("publisher", N_("Видавництво")), ("year", N_("Рік")),
    ("extent", N_("Обсяг")), ("series", N_("Серія")), ("isbn", "ISBN"),
    ("isbn_invalid", N_("Недійсні ISBN")), ("issns", "ISSN"), ("languages", N_("Мови")),
    ("udc", N_("УДК")), ("bbk", N_("ББК")), ("subjects", N_("Предметні рубрики")),
    ("price", N_("Ціна")), ("control_number", N_("Контрольний номер")),
]
EXPORT_FORMATS = [("iso2709", "ISO 2709 (.mrc)"), ("marcxml", "MARCXML"), ("json", "MARC-in-JSON")]
_EXTENSIONS = {"iso2709": "mrc", "marcxml": "xml", "json": "json"}
COPY_STATUS_LABELS = {
    "in_fund": N_("у фонді"), "withdrawn": N_("вибув"), "lost": N_("втрачено"),
    "transferred": N_("передано"),
}


def _reader(user: PageUser) -> User:
    require_staff_area(user, CATALOGUE_READ)  # a library user is told the catalogue does not exist
    return user


Reader = Annotated[User, Depends(_reader)]


def _year(value: str | int | None) -> int:
    try:
        return int(value) if value else date.today().year
    except ValueError:
        return date.today().year


# ------------------------------------------------------------------ counts (before /{id})


def _plan_values(plan: dict[str, tuple[int, int | None]]) -> dict[str, str]:
    values = {}
    for kind, (planned, planned_max) in plan.items():
        values[kind] = str(planned)
        values[f"{kind}_max"] = "" if planned_max is None else str(planned_max)
    return values


def _render_counts(request: Request, session: Any, user: User, year: int, *,
                   values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200) -> Response:
    report = cataloguing_counts.cataloguing_report(
        session, year, tz=request.app.state.settings.timezone)
    plan, _default = cataloguing_counts.get_plan(session, year)
    return render(request, "catalogue/counts.html", {
        "report": report, "year": year, "kinds": EVENT_KINDS, "plan_kinds": PLAN_KINDS,
        "kind_labels": KIND_LABELS,
        "can_plan": may(user, PLAN_EDIT), "values": values or _plan_values(plan),
        "errors": errors or {},
    }, status_code=status_code)


@router.get("/counts")
def counts_page(request: Request, session: SessionDep, user: Reader,
                year: str | None = None) -> Response:
    """Cataloguing counts of a year: kind by month, by person, and the plan with % done."""
    return _render_counts(request, session, user, _year(year))


@router.get("/counts.xlsx")
def counts_xlsx(request: Request, session: SessionDep, _user: Reader,
                year: str | None = None) -> Response:
    """The same counts as a spreadsheet."""
    t = translator_for(request)
    year_value = _year(year)
    report = cataloguing_counts.cataloguing_report(
        session, year_value, tz=request.app.state.settings.timezone)
    labels = {kind: t.gettext(label) for kind, label in KIND_LABELS.items()} | {
        "kind": t.gettext(N_("Вид роботи")), "planned": t.gettext(N_("План")),
        "planned_max": t.gettext(N_("План, верхня межа")), "done": t.gettext(N_("Виконано")),
        "percent": t.gettext(N_("% виконання")), "month": t.gettext(N_("Місяць")),
        "person": t.gettext(N_("Працівник")), "total": t.gettext(N_("Усього")),
        "sheet_plan": t.gettext(N_("План")), "sheet_months": t.gettext(N_("За місяцями")),
        "sheet_people": t.gettext(N_("За працівниками")),
    }
    return Response(
        report_xlsx(report, labels),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="cataloguing-{year_value}.xlsx"'},
    )


@router.post("/counts/plan")
async def save_plan(request: Request, session: SessionDep, user: Reader) -> Response:
    """Save the year's plan (admin, methodologist)."""
    require(user, PLAN_EDIT)
    form = await request.form()
    year = _year(str(form.get("year", "")))
    values = {name: str(form.get(name, "")).strip()
              for kind in PLAN_KINDS for name in (kind, f"{kind}_max")}
    errors: dict[str, str] = {}
    plan: dict[str, tuple[int, int | None]] = {}
    for kind in PLAN_KINDS:
        planned, planned_max = values[kind], values[f"{kind}_max"]
        if not planned.isdigit():
            errors[kind] = N_("Ціле невід'ємне число")
        if planned_max and not planned_max.isdigit():
            errors[f"{kind}_max"] = N_("Ціле невід'ємне число")
        if kind not in errors and f"{kind}_max" not in errors:
            plan[kind] = (int(planned), int(planned_max) if planned_max else None)
    try:
        if errors:
            raise CollectionError(N_("Перевірте план"), errors=errors)
        cataloguing_counts.set_plan(session, user.actor, year, plan)
        session.commit()
    except CollectionError as error:
        session.rollback()
        return _render_counts(request, session, user, year, values=values, errors=error.errors,
                              status_code=422)
    flash(request, N_("План на {year} рік збережено"), year=year)
    return redirect(f"/catalogue/counts?year={year}")


# ------------------------------------------------------------------ search


@router.get("")
def search_page(request: Request, session: SessionDep, user: Reader, q: str = "",
                field: str = "", page: int = 1) -> Response:
    """One search box for any key, results in a table with paging."""
    field_value = field if field in dict(SEARCH_FIELDS) else None
    result = catalogue_search.search_editions(session, q, field=field_value, page=page, per_page=20)
    return render(request, "catalogue/search.html", {
        "q": q, "field": field_value or "", "fields": SEARCH_FIELDS, "result": result,
        "can_export": may(user, IMPORT_EXPORT), "export_formats": EXPORT_FORMATS,
    })


@router.get("/export")
def export_selection(session: SessionDep, user: Reader, q: str = "", field: str = "",
                     format: str = "iso2709") -> Response:
    """Download every record the search finds as MARC (collection.catalogue.exporting does the writing)."""
    require(user, IMPORT_EXPORT)  # exporting is for those who import and export (as /api/v1/export)
    check_export_options(format, None, "utf-8")
    field_value = field if field in dict(SEARCH_FIELDS) else None
    ids = catalogue_search.search_edition_ids(session, q, field=field_value)
    chunks = iter_export(session, ExportSummary(), edition_ids=ids, format=format)
    return StreamingResponse(chunks, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="catalogue-selection.{_EXTENSIONS[format]}"'})


# ------------------------------------------------------------------ record


def _edition(session: Any, edition_id: int) -> Any:
    try:
        return catalogue.get_edition(session, edition_id)
    except catalogue_search.EditionNotFound as missing:
        raise PageNotFound() from missing


def _view_rows(edition: Any) -> list[tuple[str, str]]:
    view = bib_view(record_from_marc(edition.marc), edition.flavour).as_dict()
    rows = []
    for key, label in VIEW_LABELS:
        value = view.get(key)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        if value:
            rows.append((label, str(value)))
    host = view.get("host")
    if host:
        rows.append((N_("Джерело (аналітика)"),
                     " ".join(str(v) for v in (host.get("title"), host.get("part")) if v)))
    return rows


@router.get("/{edition_id}")
def record_page(edition_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """A record: its normalised view, its MARC fields as a table, its copies and history."""
    edition = _edition(session, edition_id)
    return render(request, "catalogue/record.html", {
        "edition": edition, "view_rows": _view_rows(edition),
        "rows": _rows_from_marc(edition.marc), "copies": catalogue_search.copies_of(session, edition.id),
        "copy_status_labels": COPY_STATUS_LABELS, "can_edit": may(user, CATALOGUE_EDIT),
        "history": entries_for_object(session, "edition", edition.id)[:20],
    })


# ------------------------------------------------------------------ editor


def _rows_from_marc(marc: dict) -> list[dict[str, Any]]:
    rows = []
    for item in marc.get("fields") or []:
        ((tag, value),) = item.items()
        if isinstance(value, str):
            rows.append({"tag": tag, "control": True, "data": value, "ind1": " ", "ind2": " ",
                         "subfields": []})
        else:
            rows.append({"tag": tag, "control": False, "data": "",
                         "ind1": value.get("ind1") or " ", "ind2": value.get("ind2") or " ",
                         "subfields": [list(s.items())[0] for s in value.get("subfields") or []]})
    return rows


def _rows_from_form(form: Any) -> list[dict[str, Any]]:
    rows = []
    count = int(form.get("n", "0") or 0)
    for i in range(min(count, 2000)):
        if f"tag-{i}" not in form:
            continue
        control = form.get(f"kind-{i}") == "control"
        subfields = []
        for j in range(min(int(form.get(f"nsub-{i}", "0") or 0), 500)):
            if f"code-{i}-{j}" in form:
                subfields.append((str(form.get(f"code-{i}-{j}", "")).strip(),
                                  str(form.get(f"value-{i}-{j}", ""))))
        rows.append({"tag": str(form.get(f"tag-{i}", "")).strip(), "control": control,
                     "data": str(form.get(f"data-{i}", "")),
                     "ind1": str(form.get(f"ind1-{i}", "")) or " ",
                     "ind2": str(form.get(f"ind2-{i}", "")) or " ", "subfields": subfields})
    return rows


def _rows_to_fields(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields = []
    for row in rows:
        if row["control"]:
            fields.append({row["tag"]: row["data"]})
        else:
            fields.append({row["tag"]: {"ind1": row["ind1"][:1] if row["ind1"] else " ",
                                        "ind2": row["ind2"][:1] if row["ind2"] else " ",
                                        "subfields": [{c: v} for c, v in row["subfields"]]}})
    return fields


# Copy-level fields (a copy each) stay out of the editor: a record with two hundred copies
# would be thousands of inputs (more than a form may post), and copies are kept by the fund
# accounting pages. They are kept as they are on save, after the edited fields.
HOLDING_TAGS = {"unimarc": frozenset({"995", "910"}), "marc21": frozenset({"952"})}


def _split_holdings(marc: dict, flavour: str) -> tuple[dict, list[dict]]:
    """The record without its copy-level fields, and those fields."""
    tags = HOLDING_TAGS.get(flavour, frozenset())
    kept, holdings = [], []
    for item in marc.get("fields") or []:
        (holdings if next(iter(item)) in tags else kept).append(item)
    return {**marc, "fields": kept}, holdings


_ACTION = re.compile(r"^(add-sub|remove-sub|remove-field|add-field|add-control)(?::(\d+))?(?::(\d+))?$")


def _apply_action(rows: list[dict[str, Any]], action: str) -> None:
    match = _ACTION.match(action)
    if not match:
        return
    name, i, j = match.group(1), match.group(2), match.group(3)
    index = int(i) if i is not None else None
    if name == "add-field":
        rows.append({"tag": "", "control": False, "data": "", "ind1": " ", "ind2": " ",
                     "subfields": [("a", "")]})
    elif name == "add-control":
        rows.append({"tag": "", "control": True, "data": "", "ind1": " ", "ind2": " ",
                     "subfields": []})
    elif index is not None and 0 <= index < len(rows):
        if name == "add-sub":
            rows[index]["subfields"].append(("", ""))
        elif name == "remove-field":
            del rows[index]
        elif name == "remove-sub" and j is not None and 0 <= int(j) < len(rows[index]["subfields"]):
            del rows[index]["subfields"][int(j)]


def _page_errors(error: CollectionError) -> tuple[dict[str, str], list[str]]:
    """Errors keyed by the editor's element ids (f3, f3-tag, f3-ind1, f3-s0), plus record-level."""
    if not isinstance(error, RecordInvalid):
        return {}, [error.message, *error.errors.values()]
    by_id: dict[str, str] = {}
    record_level: list[str] = []
    for key, message in error.errors.items():
        loc = error.locations[key]
        if loc.field is None:
            record_level.append(message)
        elif loc.subfield is not None:
            by_id[f"f{loc.field}-s{loc.subfield}"] = message
        elif loc.part:
            by_id[f"f{loc.field}-{loc.part}"] = message
        else:
            by_id[f"f{loc.field}"] = message
    return by_id, record_level


def _render_editor(request: Request, edition: Any, rows: list[dict[str, Any]], *,
                   errors: dict[str, str] | None = None, record_errors: list[str] | None = None,
                   status_code: int = 200) -> Response:
    _record, holdings = _split_holdings(edition.marc, edition.flavour)
    return render(request, "catalogue/edit.html", {
        "edition": edition, "rows": rows, "errors": errors or {},
        "record_errors": record_errors or [], "holdings": len(holdings),
        "holding_tags": sorted(HOLDING_TAGS.get(edition.flavour, ())),
    }, status_code=status_code)


@router.get("/{edition_id}/edit")
def edit_page(edition_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """The field editor (cataloguer, admin)."""
    require(user, CATALOGUE_EDIT)
    edition = _edition(session, edition_id)
    record, _holdings = _split_holdings(edition.marc, edition.flavour)
    return _render_editor(request, edition, _rows_from_marc(record))


@router.post("/{edition_id}/edit")
async def edit_submit(edition_id: int, request: Request, session: SessionDep,
                      user: Reader) -> Response:
    """Add/remove rows (re-render), or save all rows; errors are shown next to their inputs."""
    require(user, CATALOGUE_EDIT)
    edition = _edition(session, edition_id)
    form = await request.form()
    rows = _rows_from_form(form)
    action = str(form.get("action", "save"))
    if action != "save":
        _apply_action(rows, action)
        return _render_editor(request, edition, rows)
    _record, holdings = _split_holdings(edition.marc, edition.flavour)
    fields = _rows_to_fields(rows) + holdings  # after the rows: error positions stay the rows'
    try:
        catalogue.edit_edition(session, user.actor, edition.id,
                               [{"op": "replace_fields", "fields": fields}])
        session.commit()
    except CollectionError as error:
        session.rollback()
        errors, record_errors = _page_errors(error)
        return _render_editor(request, edition, rows, errors=errors,
                              record_errors=record_errors, status_code=422)
    flash(request, N_("Запис збережено"))
    return redirect(f"/catalogue/{edition.id}")
