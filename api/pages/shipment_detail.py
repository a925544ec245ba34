"""One shipment's page and the staff's steps: pack, unpack, dispatch, correction.

Staff see everything about it (history, parcels, corrections) and act by its state; the
receiving library sees its lines, says it arrived, confirms receipt or reports discrepancies
per title, and downloads the MARC records of what it got. A form with errors shows each next
to its field or row, and nothing is stored. The receiving side's steps (delivered, receipt)
and the MARC download are in ``api.pages.shipment_receipt``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.access import LIBRARY_SIDE_WRITE, is_library_user, may, shipment_scope
from api.auth.models import User
from api.deps import SessionDep
from api.errors import PageNotFound
from api.pages.programme_common import Writer, page_context, translated
from api.pages.shipment_pages import (
    CARRIER_LABELS,
    Viewer,
    form_date,
    labels,
)
from api.rendering import flash, redirect, render
from collection.audit import entries_for_object
from collection.errors import N_, CollectionError
from distribution.errors import InvalidShipmentData, ShipmentNotFound, ShipmentStateError
from distribution.programmes.services import get_programme
from distribution.shipping import queries
from distribution.shipping.acceptance import correct_shipment, write_off_lost
from distribution.shipping.dispatch import dispatch_shipment, mark_packed, unpack
from distribution.shipping.models import CARRIERS, DISCREPANCY_KINDS, Shipment
from distribution.shipping.queries import corrections_of, get_shipment, library_of

router = APIRouter()

EXTRA_ROWS = 2  # blank discrepancy rows with a title to choose (a second kind for one title)
HISTORY_SHOWN = 50
MAX_COPIES = 100_000


def shipment_or_404(session: Session, shipment_id: int, user: User) -> Shipment:
    """The shipment as ``user`` may see it (a library: its own, once sent), or the "not found" page."""
    try:
        return get_shipment(session, shipment_id, library_id=shipment_scope(user))
    except ShipmentNotFound as missing:
        raise PageNotFound() from missing


def whole(text: str, *, signed: bool = False) -> int | None:
    """A whole number typed into a form ("3", "-2", "+1"), or None."""
    cleaned = text.strip().replace(" ", "")
    digits = cleaned[1:] if signed and cleaned[:1] in "+-" and cleaned[1:] else cleaned
    if not digits.isdigit() or len(digits) > 6:
        return None
    return -int(digits) if cleaned.startswith("-") else int(digits)


# --- the page ----------------------------------------------------------------------------------------


def accept_rows(lines: list[queries.LineRow]) -> list[dict[str, Any]]:
    """The receipt form's rows: one per title sent, then a few with a title to choose."""
    rows = [
        {"i": i, "title_id": line.title_id, "title": line.title, "isbn": line.isbn, "sent": line.copies}
        for i, line in enumerate(line for line in lines if line.copies > 0)
    ]
    rows += [{"i": len(rows) + n, "title_id": None} for n in range(EXTRA_ROWS)]
    return rows


def detail_page(
    request: Request,
    session: Session,
    user: User,
    shipment_id: int,
    *,
    failed: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The shipment's page for ``user``; ``failed`` names the form to show again with its errors."""
    shipment = shipment_or_404(session, shipment_id, user)
    is_library = is_library_user(user)
    programme = get_programme(session, shipment.programme_id)
    lines = queries.line_rows(session, shipment)
    context: dict[str, Any] = {
        "shipment": shipment,
        "library": library_of(session, shipment),
        "lines": lines,
        "copies": sum(line.copies for line in lines),
        "total": sum((line.total for line in lines if line.total is not None), 0),
        "parcels": queries.parcels_of(session, shipment),
        "names": queries.title_names(session, shipment),
        "corrections": corrections_of(session, shipment.id),
        "original": session.get(Shipment, shipment.corrects_id) if shipment.corrects_id else None,
        "is_library": is_library,
        "can_receive": may(user, LIBRARY_SIDE_WRITE),
        "accept_rows": accept_rows(lines),
        "failed": failed,
        "values": values or {},
        "errors": errors or {},
        "today": date.today().isoformat(),
        "carriers": [(c, CARRIER_LABELS[c]) for c in CARRIERS],
        "kinds": DISCREPANCY_KINDS,
        **labels(),
    }
    if is_library:
        context |= {"programme": programme, "can_write": False, "history": []}
        return render(request, "shipments/detail.html", context, status_code=status_code)
    context |= {
        "history": entries_for_object(session, "shipment", shipment.number)[:HISTORY_SHOWN],
        "extra_titles": queries.allocated_titles(session, shipment),
    }
    return render(
        request,
        "shipments/detail.html",
        page_context(request, user, programme, step="shipments", heading=None, **context),
        status_code=status_code,
    )


@router.get("/shipments/{shipment_id}")
def shipment_page(shipment_id: int, request: Request, session: SessionDep, user: Viewer) -> Response:
    """A shipment: library, state, lines, parcels, discrepancies, corrections, history, actions."""
    return detail_page(request, session, user, shipment_id)


def step_failed(request: Request, session: Session, error: CollectionError, shipment_id: int) -> Response:
    """A step the shipment's state no longer allows: say so on its page."""
    session.rollback()
    flash(request, error.message, "error", **error.params)
    return redirect(f"/shipments/{shipment_id}")


def take_step(
    request: Request,
    session: Session,
    user: User,
    shipment_id: int,
    step: Callable[..., Shipment],
    done: str,
    **options: object,
) -> Response:
    """Take ``step`` (a ``dispatch`` service) on the shipment and say ``done`` (with its
    ``{number}``) on its page; a state that no longer allows the step is said there instead."""
    try:
        shipment = step(session, actor=user.actor, shipment_id=shipment_id, **options)
        session.commit()
    except ShipmentStateError as error:
        return step_failed(request, session, error, shipment_id)
    flash(request, done, number=shipment.number)
    return redirect(f"/shipments/{shipment_id}")


def form_failed(
    request: Request,
    session: Session,
    user: User,
    shipment_id: int,
    form: str,
    values: dict[str, str],
    errors: dict[str, str],
    params: dict[str, Any] | None = None,
) -> Response:
    """The shipment's page with ``form`` shown again, each error next to its field; nothing stored."""
    return detail_page(
        request,
        session,
        user,
        shipment_id,
        failed=form,
        values=values,
        errors=translated(request, errors, params),
        status_code=422,
    )


# --- staff steps -------------------------------------------------------------------------------------


@router.post("/shipments/{shipment_id}/pack")
def shipment_pack(shipment_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Planned → packed."""
    shipment_or_404(session, shipment_id, user)
    return take_step(request, session, user, shipment_id, mark_packed, N_("Відправлення {number} упаковано"))


@router.post("/shipments/{shipment_id}/unpack")
def shipment_unpack(shipment_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Packed → planned (while it has not left)."""
    shipment_or_404(session, shipment_id, user)
    done = N_("Відправлення {number} повернуто до запланованих")
    return take_step(request, session, user, shipment_id, unpack, done)


def form_values(form: FormData) -> dict[str, str]:
    """The form's text fields, stripped (files are left out)."""
    return {name: str(value).strip() for name, value in form.multi_items() if isinstance(value, str)}


@router.post("/shipments/{shipment_id}/dispatch")
async def shipment_dispatch(
    shipment_id: int, request: Request, session: SessionDep, user: Writer
) -> Response:
    """Record carrier, tracking number (per parcel too) and date: the shipment leaves and freezes."""
    shipment_or_404(session, shipment_id, user)
    values = form_values(await request.form())
    errors: dict[str, str] = {}
    dispatched_on = form_date(values, "dispatched_on", errors)
    parcel_tracking = {
        int(name[7:]): value
        for name, value in values.items()
        if name.startswith("parcel-") and name[7:].isdigit() and len(name) < 16 and value
    }
    for number, value in parcel_tracking.items():
        if len(value) > 64:
            errors[f"parcel-{number}"] = N_("Не довше {max} символів")
    if dispatched_on is None or errors:
        return form_failed(request, session, user, shipment_id, "dispatch", values, errors, {"max": 64})
    try:
        return take_step(
            request,
            session,
            user,
            shipment_id,
            dispatch_shipment,
            N_("Відправлення {number} відправлено"),
            carrier=values.get("carrier", ""),
            tracking_number=values.get("tracking_number", ""),
            dispatched_on=dispatched_on,
            parcel_tracking=parcel_tracking,
            note=values.get("note", "")[:2000],
        )
    except InvalidShipmentData as error:
        session.rollback()
        return form_failed(
            request, session, user, shipment_id, "dispatch", values, error.errors, error.params
        )


@router.post("/shipments/{shipment_id}/correct")
async def shipment_correct(shipment_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Issue a correction: signed copies per title, a new carrier or tracking number, the reason."""
    shipment = shipment_or_404(session, shipment_id, user)
    values = form_values(await request.form())
    errors: dict[str, str] = {}
    changes: dict[int, int] = {}
    fields = {f"c{line.title_id}": line.title_id for line in shipment.lines}
    extra = values.get("c_extra_title", "")
    if extra.isdigit() and len(extra) < 10:
        fields.setdefault("c_extra_copies", int(extra))
    elif values.get("c_extra_copies"):
        errors["c_extra_title"] = N_("Оберіть назву")
    for name, title_id in fields.items():
        if not values.get(name):
            continue
        copies = whole(values[name], signed=True)
        if copies is None or abs(copies) > MAX_COPIES:
            errors[name] = N_("Ціле число; зі знаком мінус — зняти примірники")
        elif copies:
            changes[title_id] = changes.get(title_id, 0) + copies
    by_title = {title_id: name for name, title_id in fields.items()}
    if not errors:
        try:
            correction = correct_shipment(
                session,
                actor=user.actor,
                shipment_id=shipment_id,
                lines=changes,
                carrier=values.get("c_carrier") or None,
                tracking_number=values.get("c_tracking_number") or None,
                note=values.get("c_note", "")[:2000],
            )
            session.commit()
        except InvalidShipmentData as error:
            session.rollback()
            for key, message in (error.errors or {"lines": error.message}).items():
                field = key.removeprefix("lines.")
                name = by_title.get(int(field), "c_lines") if field.isdigit() else f"c_{field}"
                errors[name] = message
        except ShipmentStateError as error:
            return step_failed(request, session, error, shipment_id)
        else:
            flash(
                request,
                N_("Виправлення {number} до відправлення {original} видано"),
                number=correction.number,
                original=shipment.number,
            )
            return redirect(f"/shipments/{correction.id}")
    return form_failed(request, session, user, shipment_id, "correct", values, errors, {"max": 64})


@router.post("/shipments/{shipment_id}/discrepancies/{discrepancy_id}/write-off")
async def shipment_write_off(
    shipment_id: int, discrepancy_id: int, request: Request, session: SessionDep, user: Writer
) -> Response:
    """Write off copies of a reported shortage as lost in transit (no longer allocatable)."""
    shipment_or_404(session, shipment_id, user)
    copies = whole(form_values(await request.form()).get("copies", "")) or 0
    try:
        write_off_lost(
            session, actor=user.actor, shipment_id=shipment_id, discrepancy_id=discrepancy_id, copies=copies
        )  # fmt: skip
        session.commit()
    except (InvalidShipmentData, ShipmentNotFound) as error:
        return step_failed(request, session, error, shipment_id)
    flash(request, N_("Списано як втрачені в дорозі: {copies} прим."), copies=copies)
    return redirect(f"/shipments/{shipment_id}")
