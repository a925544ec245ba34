"""Shipment pages: a programme's shipments (filters, bulk "packed", bulk dispatch from the
carrier's register) and a public library's incoming shipments.

One shipment's page and the staff's steps are in ``api.pages.shipment_detail``, the receiving
side (delivered, receipt, MARC) in ``api.pages.shipment_receipt``; all share the labels and
access rules here. Programme staff act; a methodologist reads (no forms, POSTs refused);
a public library's user sees only its own shipments, and only once they have left.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.access import is_library_user, shipment_scope
from api.auth.models import User
from api.deps import PageUser, SessionDep
from api.errors import PageNotFound
from api.pages.programme_common import (
    COLUMN_LABELS,
    UNREADABLE,
    Reader,
    Writer,
    download,
    programme_or_404,
    step_page,
    table_format_or_404,
    translated,
    whole_number,
)
from api.pages.programme_uploads import UploadProblem, keep_errors, table_upload
from api.rendering import flash, redirect, render
from collection.errors import N_, CollectionError
from distribution.errors import InvalidShipmentData
from distribution.programmes.models import Programme
from distribution.shipping import queries
from distribution.shipping.bulk_dispatch import (
    DISPATCH_COLUMNS,
    BulkDispatchRefused,
    dispatch_shipments,
    items_from_table,
)
from distribution.shipping.dispatch import mark_packed
from distribution.shipping.models import SHIPMENT_STATES, Shipment
from distribution.shipping.queries import incoming_shipments
from distribution.spreadsheets import RowError, Table, read_table, write_table
from distribution.vocabulary import CARRIER_LABELS, DISCREPANCY_LABELS, SHIPMENT_STATE_LABELS

router = APIRouter()

STATE_LABELS = SHIPMENT_STATE_LABELS
DISPATCH_COLUMN_LABELS = {
    **COLUMN_LABELS,
    "shipment_number": N_("номер відправлення"),
    "carrier": N_("перевізник"),
    "tracking_number": N_("номер ТТН"),
    "dispatched_on": N_("дата"),
    "state": N_("стан"),
}
# The register staff download, fill in and load back; the library columns are there to read by.
REGISTER_HEADER = ("shipment_number", "library_code", "library_name", "carrier", "tracking_number", "date")
BAD_DATE = N_("Дата у форматі РРРР-ММ-ДД або ДД.ММ.РРРР")
FUTURE_DATE = N_("Ця дата ще не настала")


# --- access ----------------------------------------------------------------------------------------


def _viewer(user: PageUser) -> User:
    """Programme staff, or a public library's user (who sees only its own shipments)."""
    shipment_scope(user)
    return user


def _receiver(user: Annotated[User, Depends(_viewer)]) -> User:
    """Who may say a shipment arrived and confirm it: the library itself, or programme staff."""
    shipment_scope(user, write=True)
    return user


def _library_user(user: PageUser) -> User:
    if not is_library_user(user) or user.library_id is None:
        raise PageNotFound()
    return user


Viewer = Annotated[User, Depends(_viewer)]
Receiver = Annotated[User, Depends(_receiver)]
LibraryUser = Annotated[User, Depends(_library_user)]


def labels() -> dict[str, Any]:
    """The labels every shipment page uses."""
    return {
        "shipment_state_labels": STATE_LABELS,
        "carrier_labels": CARRIER_LABELS,
        "discrepancy_labels": DISCREPANCY_LABELS,
    }


def form_date(
    values: dict[str, str], name: str, errors: dict[str, str], today: date | None = None
) -> date | None:
    """The date field ``name`` (ISO or ДД.ММ.РРРР, not in the future), or an error in ``errors``."""
    parsed = None
    text = values.get(name, "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    if parsed is None:
        errors[name] = BAD_DATE
    elif parsed > (today or date.today()) + timedelta(days=1):  # a day's grace for time zones
        errors[name] = FUTURE_DATE
        return None
    return parsed


# --- a programme's shipments -----------------------------------------------------------------------


def _list_page(
    request: Request, session: Session, user: User, programme: Programme, **outcome: Any
) -> Response:
    query = request.query_params
    filters = {"state": str(query.get("state", "")).strip(), "library": str(query.get("library", "")).strip()}
    if filters["state"] not in SHIPMENT_STATES:
        filters["state"] = ""
    rows = queries.shipment_rows(
        session,
        programme.id,
        state=filters["state"],
        library=filters["library"],
        page=whole_number(query.get("page")),
    )
    return step_page(
        request,
        user,
        programme,
        "shipments",
        template="shipments/list.html",
        heading=None,
        rows=rows,
        filters=filters,
        counts=queries.state_counts(session, programme.id),
        states=SHIPMENT_STATES,
        column_labels=DISPATCH_COLUMN_LABELS,
        **labels(),
        **outcome,
    )


@router.get("/programmes/{programme_id}/shipments")
def shipments_page(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """The programme's shipments with their totals, filters by state and library, bulk actions."""
    return _list_page(request, session, user, programme_or_404(session, programme_id))


@router.post("/programmes/{programme_id}/shipments/pack")
async def shipments_pack(programme_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Mark the chosen planned shipments (or all planned ones) packed; others are left alone."""
    programme_or_404(session, programme_id)
    form = await request.form()
    if form.get("all_planned") == "1":
        chosen = queries.planned_ids(session, programme_id)
    else:
        chosen = [int(v) for v in form.getlist("shipment") if str(v).isdigit() and len(str(v)) < 10]
    packed, skipped = 0, 0
    for shipment_id in chosen:
        shipment = session.get(Shipment, shipment_id)
        if shipment is None or shipment.programme_id != programme_id:
            skipped += 1
            continue
        try:
            mark_packed(session, actor=user.actor, shipment_id=shipment_id)
            session.commit()
            packed += 1
        except CollectionError:  # no longer planned: a colleague got there first
            session.rollback()
            skipped += 1
    if not chosen:
        flash(request, N_("Оберіть відправлення"), "error")
    else:
        flash(
            request,
            N_("Позначено як упаковані: {packed}; пропущено: {skipped}"),
            packed=packed,
            skipped=skipped,
        )
    return redirect(f"/programmes/{programme_id}/shipments")


@router.post("/programmes/{programme_id}/shipments/dispatch")
async def shipments_dispatch(
    programme_id: int, request: Request, session: SessionDep, user: Writer
) -> Response:
    """Dispatch from the carrier's register (csv/xlsx); one bad row and nothing is dispatched."""
    programme = programme_or_404(session, programme_id)
    form = await request.form()
    try:
        data, name = await table_upload(form)
        table = _read_register(data, name)
    except UploadProblem as problem:
        errors = translated(request, {"file": problem.message}, problem.params)
        return _list_page(request, session, user, programme, errors=errors, status_code=422)
    problems = list(table.errors)
    if not problems:
        try:
            dispatched = dispatch_shipments(
                session, actor=user.actor, programme_id=programme_id, items=items_from_table(table)
            )
            session.commit()
        except BulkDispatchRefused as refused:
            session.rollback()  # releases the programme's lock before the page is rendered
            problems = refused.problems
        except InvalidShipmentData as empty:  # no rows at all
            session.rollback()
            problems = [RowError(1, "", empty.message, empty.params)]
    if problems:
        load = _refused(request, programme, name, problems)
        return _list_page(request, session, user, programme, load=load, status_code=422)
    flash(request, N_("Відправлено за реєстром {file}: {count}"), file=name, count=len(dispatched))
    return redirect(f"/programmes/{programme_id}/shipments")


@router.get("/programmes/{programme_id}/shipments/register.{fmt}")
def register_template(programme_id: int, fmt: str, session: SessionDep, _user: Writer) -> Response:
    """The shipments not yet sent as a register to fill in (tracking numbers) and load back."""
    programme_or_404(session, programme_id)
    out = io.BytesIO()
    rows = [
        (number, code, name, carrier, "", "")
        for number, code, name, carrier in queries.unsent(session, programme_id)
    ]
    write_table(out, table_format_or_404(fmt), REGISTER_HEADER, rows, sheet="register")
    return download(out.getvalue(), fmt, f"programme-{programme_id}-dispatch-register")


def _read_register(data: bytes, name: str) -> Table:
    """The uploaded register as a table; a file the readers cannot open is an ``UploadProblem``."""
    try:
        return read_table(io.BytesIO(data), name, DISPATCH_COLUMNS)
    except UNREADABLE as error:
        raise UploadProblem(N_("Не вдалося прочитати файл {name}"), name=name) from error


def _refused(request: Request, programme: Programme, name: str, problems: list[RowError]) -> dict[str, Any]:
    """A refused register for the page: its problems by row (kept for download under a token)."""
    token = keep_errors(request.app.state.settings, programme.id, name, problems)
    return {"file": name, "rows": 0, "errors": problems, "token": token, "row_offset": 0}


# --- a library's incoming shipments ----------------------------------------------------------------


@router.get("/incoming")
def incoming_page(request: Request, session: SessionDep, user: LibraryUser) -> Response:
    """The library's shipments from dispatch on, newest first, filterable by state."""
    state = str(request.query_params.get("state", "")).strip()
    shipments = incoming_shipments(session, user.library_id)
    counts = {s: sum(1 for x in shipments if x.state == s) for s in SHIPMENT_STATES[2:]}
    if state in counts:
        shipments = [s for s in shipments if s.state == state]
    else:
        state = ""
    return render(
        request,
        "shipments/incoming.html",
        {
            "shipments": shipments,
            "state": state,
            "counts": counts,
            "programmes": queries.programme_names(session, {s.programme_id for s in shipments}),
            **labels(),
        },
    )
