"""Programme pages: the list with the form for a new programme, a programme's overview, reports.

The steps have their own modules (``programme_orders``, ``programme_deliveries``,
``programme_fulfilment``); their routers are included here, so the app registers one router.
"""

from __future__ import annotations

import io
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.auth.models import User
from api.deps import SessionDep
from api.errors import PageNotFound
from api.i18n import translator_for
from api.pages import programme_deliveries, programme_fulfilment, programme_orders
from api.pages.programme_common import (
    Reader,
    Writer,
    download,
    page_context,
    programme_or_404,
    table_format_or_404,
    whole_number,
)
from api.pages.programme_uploads import kept_errors
from api.rendering import flash, redirect, render
from collection.errors import N_, CollectionError
from distribution.programmes import queries
from distribution.programmes.models import PROGRAMME_KINDS, PROGRAMME_STATES
from distribution.programmes.report import programme_report, write_report
from distribution.programmes.services import create_programme
from distribution.spreadsheets import write_error_report

router = APIRouter(prefix="/programmes")


# --- the list and a new programme ------------------------------------------------------------------


def _list_page(
    request: Request,
    session: Session,
    user: User,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    filters = {
        name: str(request.query_params.get(name, "")).strip() for name in ("kind", "year", "state", "q")
    }
    rows = queries.list_programmes(
        session,
        kind=filters["kind"] if filters["kind"] in PROGRAMME_KINDS else "",
        year=whole_number(filters["year"], 0) or None,
        state=filters["state"] if filters["state"] in PROGRAMME_STATES else "",
        q=filters["q"],
    )
    return render(
        request,
        "programmes/list.html",
        page_context(
            request,
            user,
            rows=rows,
            filters=filters,
            year_options=[(str(y), str(y)) for y in queries.programme_years(session)],
            values=values or {"kind": "state", "year": str(date.today().year), "name": ""},
            errors=errors or {},
        ),
        status_code=status_code,
    )


@router.get("")
def programmes_page(request: Request, session: SessionDep, user: Reader) -> Response:
    """Programmes with their totals, filters, and (for writers) the form to create one."""
    return _list_page(request, session, user)


@router.post("")
async def programme_create(request: Request, session: SessionDep, user: Writer) -> Response:
    """Create a programme, or show the form again with each error next to its field."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("kind", "year", "name")}
    year = whole_number(values["year"], 0) if values["year"] else 0
    try:
        programme = create_programme(
            session, actor=user.actor, name=values["name"], year=year, kind=values["kind"]
        )
        session.commit()
    except CollectionError as error:
        session.rollback()
        return _list_page(request, session, user, values=values, errors=error.errors, status_code=422)
    flash(request, N_("Програму «{name}» створено"), name=programme.name)
    return redirect(f"/programmes/{programme.id}")


# --- overview and report ---------------------------------------------------------------------------


@router.get("/{programme_id}")
def overview(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """A programme: its state, the totals (ordered … confirmed, surplus), its steps, the report."""
    programme = programme_or_404(session, programme_id)
    report = programme_report(session, programme_id)
    return render(
        request,
        "programmes/overview.html",
        page_context(
            request,
            user,
            programme,
            step="",
            totals=report["totals"],
            districts=report["districts"],
            publishers=report["publishers"],
            counts=queries.step_counts(session, programme_id),
        ),
    )


@router.get("/{programme_id}/report.{fmt}")
def report_download(programme_id: int, fmt: str, session: SessionDep, _user: Reader) -> Response:
    """The totals per title and per library as xlsx or csv."""
    programme_or_404(session, programme_id)
    out = io.BytesIO()
    write_report(programme_report(session, programme_id), out, table_format_or_404(fmt))
    return download(out.getvalue(), fmt, f"programme-{programme_id}-report")


@router.get("/{programme_id}/errors/{token}.{fmt}")
def error_report(
    programme_id: int, token: str, fmt: str, request: Request, session: SessionDep, _user: Reader
) -> Response:
    """The error report of a refused upload (row, column, problem, value)."""
    programme_or_404(session, programme_id)
    kept = kept_errors(request.app.state.settings, programme_id, token)
    if kept is None:
        raise PageNotFound()
    file, errors = kept
    out = io.BytesIO()
    write_error_report(out, errors, table_format_or_404(fmt), translator_for(request).gettext)
    stem = file.rsplit(".", 1)[0] or "upload"
    return download(out.getvalue(), fmt, f"{stem}-errors")


for _step in (programme_orders, programme_deliveries, programme_fulfilment):
    router.include_router(_step.router)
