"""Programme pages for allocation and packing: run them, adjust by hand, print packing lists.

Allocation and packing run synchronously in the request (regional scale takes seconds) and
report their counts in a flash; the pages then show the stored result.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.i18n import translator_for
from api.pages.programme_common import (
    SURPLUS_LABELS,
    Reader,
    Writer,
    programme_or_404,
    step_page,
    translated,
    whole_number,
)
from api.rendering import flash, redirect
from collection.errors import N_, CollectionError
from distribution.allocation.rules import SURPLUS_DESTINATIONS
from distribution.allocation.services import adjust_allocation, allocate_programme, allocation_rows
from distribution.errors import AllocationLimitExceeded
from distribution.libraries.models import STATUSES
from distribution.programmes import queries
from distribution.programmes.models import Programme
from distribution.programmes.report import programme_report
from distribution.programmes.titles import programme_titles
from distribution.shipping.packing import pack_programme
from distribution.shipping.rules import LIMIT_FIELDS, CarrierLimits, carrier_limit_errors

router = APIRouter()

PARCEL_GROUPS_PER_PAGE = 50  # libraries per packing page


# --- allocation ------------------------------------------------------------------------------------


def _allocation_page(
    request: Request,
    session: Session,
    user: Any,
    programme: Programme,
    *,
    filters: dict[str, str] | None = None,
    page: int | None = None,
    failed: dict | None = None,
    status_code: int = 200,
) -> Response:
    query = request.query_params
    filters = filters or {name: str(query.get(name, "")).strip() for name in ("library", "title")}
    titles = {t.id: t for t in programme_titles(session, programme.id)}
    rows = allocation_rows(session, programme.id)
    who = queries.adjusted_by(session, programme.id)
    code = filters["library"].upper()
    if code:
        rows = [r for r in rows if r["library_code"].startswith(code)]
    if filters["title"]:
        wanted = {t.id for t in queries.search_titles(list(titles.values()), filters["title"])}
        if filters["title"].isdigit() and len(filters["title"]) < 10:
            wanted.add(int(filters["title"]))  # a title's number, as the orders file may use it
        rows = [r for r in rows if r["title_id"] in wanted]
    for row in rows:
        row.setdefault("adjusted_by", who.get((row["library_code"], row["title_id"]), ""))
    sums = {"ordered": sum(r["ordered"] for r in rows), "allocated": sum(r["allocated"] for r in rows)}
    shown = queries.page_of(rows, page or whole_number(query.get("page")))
    return step_page(
        request,
        user,
        programme,
        "allocation",
        rows=shown,
        sums=sums,
        titles=titles,
        filters=filters,
        totals=programme_report(session, programme.id)["totals"],
        failed=failed or {},
        statuses=STATUSES,
        destinations=[(d, SURPLUS_LABELS[d]) for d in SURPLUS_DESTINATIONS],
        status_code=status_code,
    )


@router.get("/{programme_id}/allocation")
def allocation_page(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """The allocation per library × title (filterable), the form to run it, hand adjustments."""
    return _allocation_page(request, session, user, programme_or_404(session, programme_id))


@router.post("/{programme_id}/allocation")
async def allocation_run(programme_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Allocate everything received over the orders (largest remainder) and store the plan."""
    programme_or_404(session, programme_id)
    form = await request.form()
    destination = str(form.get("surplus_destination", "") or "")
    priority = [s for s in form.getlist("priority") if s in STATUSES]
    held = [s for s in form.getlist("held") if s in STATUSES]
    try:
        plan = allocate_programme(
            session,
            actor=user.actor,
            programme_id=programme_id,
            surplus_destination=destination or None,
            priority_statuses=priority,
            held_statuses=held,
            reset=form.get("reset") == "on",
        )
        session.commit()
    except CollectionError as error:
        session.rollback()
        flash(request, error.message, "error", **error.params)
        return redirect(f"/programmes/{programme_id}/allocation")
    given = {key: q for key, q in plan.allocations.items() if q}
    flash(
        request,
        N_("Розподілено примірників: {copies}; бібліотек: {libraries}; надлишок: {surplus}"),
        copies=sum(given.values()),
        libraries=len({library for library, _ in given}),
        surplus=sum(plan.surplus.values()),
    )
    if plan.surplus and not destination:
        flash(request, N_("Куди передати надлишок, не вирішено"), "info")
    return redirect(f"/programmes/{programme_id}/allocation")


@router.post("/{programme_id}/allocation/adjust")
async def allocation_adjust(
    programme_id: int, request: Request, session: SessionDep, user: Writer
) -> Response:
    """Set one line's quantity by hand; beyond the limits nothing changes and the page says why."""
    programme = programme_or_404(session, programme_id)
    form = await request.form()
    code = str(form.get("library_code", "")).strip().upper()
    title = whole_number(form.get("title_id"), 0)
    wanted = str(form.get("quantity", "")).strip()
    filters = {
        "library": str(form.get("f_library", "")).strip(),
        "title": str(form.get("f_title", "")).strip(),
    }
    page = whole_number(form.get("page"))
    back = f"/programmes/{programme_id}/allocation?{urlencode({**filters, 'page': page})}"
    t = translator_for(request)
    failed = {"key": (code, title), "quantity": wanted}
    show = partial(
        _allocation_page, request, session, user, programme, filters=filters, page=page, failed=failed
    )
    if not code or not title or not wanted.isdigit() or len(wanted) > 9:
        failed["message"] = t.gettext(N_("Кількість — ціле число, не менше 0"))
        return show(status_code=422)
    try:
        adjust_allocation(
            session,
            actor=user.actor,
            programme_id=programme_id,
            changes={(code, title): int(wanted)},
            allow_over_order=form.get("allow_over_order") == "on",
        )
        session.commit()
    except CollectionError as error:  # beyond received or ordered: 409; anything else: 422
        session.rollback()
        failed["message"] = t.gettext(error.message, **error.params)
        return show(status_code=409 if isinstance(error, AllocationLimitExceeded) else 422)
    flash(
        request,
        N_("{library}, назва {title}: розподілено {quantity}"),
        library=code,
        title=title,
        quantity=int(wanted),
    )
    return redirect(back)


# --- packing ---------------------------------------------------------------------------------------

def _limits(values: dict[str, str]) -> tuple[CarrierLimits | None, dict[str, str]]:
    """Carrier limits from the form, or the field errors (every field checked, bounds by the domain)."""
    parsed: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for name in LIMIT_FIELDS:
        try:
            number = Decimal(values[name].replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite():
            parsed[name] = number
        else:
            errors[name] = N_("Має бути число")
    weight, copies, packaging = (parsed.get(name) for name in LIMIT_FIELDS)
    errors = carrier_limit_errors(weight, copies, packaging) | errors
    if errors:
        return None, errors
    return CarrierLimits(max_weight=weight, max_copies=int(copies), packaging_weight=packaging), {}


def _packing_page(
    request: Request,
    session: Session,
    user: Any,
    programme: Programme,
    *,
    values: dict | None = None,
    **outcome: Any,
) -> Response:
    library = str(request.query_params.get("library", "")).strip()
    groups = queries.parcels_by_library(session, programme.id, library=library)
    defaults = CarrierLimits()
    shown = queries.page_of(groups, whole_number(request.query_params.get("page")), PARCEL_GROUPS_PER_PAGE)
    return step_page(
        request,
        user,
        programme,
        "packing",
        groups=shown,
        library=library,
        parcel_count=sum(len(g.parcels) for g in groups),
        states=queries.parcel_states(groups),
        titles=queries.titles_by_id(session, programme.id),
        values=values or {name: str(getattr(defaults, name)) for name in LIMIT_FIELDS},
        **outcome,
    )


@router.get("/{programme_id}/packing")
def packing_page(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """Parcels per library with their lines, the carrier-limits form, the print link."""
    return _packing_page(request, session, user, programme_or_404(session, programme_id))


@router.post("/{programme_id}/packing")
async def packing_run(programme_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Plan parcels for every library from the stored allocation within the carrier's limits."""
    programme = programme_or_404(session, programme_id)
    form = await request.form()
    values = {name: str(form.get(name, "") or "").strip() for name in LIMIT_FIELDS}
    limits, errors = _limits(values)
    if limits is None:
        return _packing_page(
            request,
            session,
            user,
            programme,
            values=values,
            errors=translated(request, errors),
            status_code=422,
        )
    try:
        stored = pack_programme(session, actor=user.actor, programme_id=programme_id, limits=limits)
        session.commit()
    except CollectionError as error:
        session.rollback()
        flash(request, error.message, "error", **error.params)
        return redirect(f"/programmes/{programme_id}/packing")
    parcels = [p for items in stored.values() for p in items]
    flash(
        request,
        N_("Сплановано посилок: {parcels}; бібліотек: {libraries}; примірників: {copies}"),
        parcels=len(parcels),
        libraries=len(stored),
        copies=sum(p.copies for p in parcels),
    )
    oversize = sum(1 for p in parcels if p.oversize)
    if oversize:
        flash(request, N_("Посилок із примірником, важчим за ліміт: {count}"), "info", count=oversize)
    return redirect(f"/programmes/{programme_id}/packing")


@router.get("/{programme_id}/packing/print")
def packing_print(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """Packing lists, one printed page per parcel (``?library=`` for one library's parcels)."""
    programme = programme_or_404(session, programme_id)
    library = str(request.query_params.get("library", "")).strip()
    return step_page(
        request,
        user,
        programme,
        "packing",
        template="programmes/packing_print.html",
        library=library,
        groups=queries.parcels_by_library(session, programme_id, library=library),
        titles=queries.titles_by_id(session, programme_id),
    )
