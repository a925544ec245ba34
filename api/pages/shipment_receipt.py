"""The receiving side of a shipment: "it arrived", confirming receipt, the MARC records.

The library does these for its own shipments; programme staff may do the first two on its
behalf (audited as themselves). A receipt with errors shows each next to its row and stores
nothing.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.access import shipment_scope
from api.deps import SessionDep
from api.errors import PageNotFound
from api.pages.shipment_detail import (
    accept_rows,
    form_failed,
    form_values,
    shipment_or_404,
    step_failed,
    take_step,
    whole,
)
from api.pages.shipment_pages import Receiver, Viewer, form_date
from api.rendering import flash, redirect
from collection.errors import N_
from distribution.errors import InvalidShipmentData, ShipmentStateError
from distribution.shipping import queries
from distribution.shipping.acceptance import Discrepancy, accept_shipment
from distribution.shipping.dispatch import mark_delivered
from distribution.shipping.models import DISCREPANCY_KINDS
from distribution.shipping.queries import library_of
from distribution.shipping.recipient_marc import OUT_FORMATS, export_recipient_marc, shipment_lines

router = APIRouter()


# --- the receiving side (the library, or staff on its behalf) ----------------------------------------


@router.post("/shipments/{shipment_id}/deliver")
async def shipment_deliver(
    shipment_id: int, request: Request, session: SessionDep, user: Receiver
) -> Response:
    """Dispatched → delivered: the carrier handed it over."""
    shipment_or_404(session, shipment_id, user)
    values = form_values(await request.form())
    errors: dict[str, str] = {}
    delivered_on = form_date(values, "delivered_on", errors)
    if delivered_on is None:
        return form_failed(request, session, user, shipment_id, "deliver", values, errors)
    return take_step(
        request,
        session,
        user,
        shipment_id,
        mark_delivered,
        N_("Відправлення {number} доставлено"),
        delivered_on=delivered_on,
        library_id=shipment_scope(user, write=True),
    )


def _reported(
    values: dict[str, str], rows: list[dict[str, Any]], errors: dict[str, str]
) -> list[tuple[int, Discrepancy]]:
    """The filled discrepancy rows as (form row, ``Discrepancy``); row problems go into ``errors``."""
    reported = []
    for row in rows:
        i = row["i"]
        kind, quantity, note = (values.get(f"d{i}_{name}", "") for name in ("kind", "quantity", "note"))
        chosen = values.get(f"d{i}_title", "") if row["title_id"] is None else str(row["title_id"])
        if not (kind or quantity or note):
            continue
        if kind not in DISCREPANCY_KINDS:
            errors[f"d{i}_kind"] = N_("Оберіть вид розбіжності")
        number = whole(quantity)
        if number is None or number <= 0:
            errors[f"d{i}_quantity"] = N_("Кількість — ціле число, більше 0")
        if not (chosen.isdigit() and len(chosen) < 10):
            errors[f"d{i}_title"] = N_("Оберіть назву")
        if len(note) > 255:
            errors[f"d{i}_note"] = N_("Не довше {max} символів")
        if not any(key.startswith(f"d{i}_") for key in errors):
            reported.append((i, Discrepancy(int(chosen), kind, number or 0, note)))
    return reported


@router.post("/shipments/{shipment_id}/accept")
async def shipment_accept(
    shipment_id: int, request: Request, session: SessionDep, user: Receiver
) -> Response:
    """Confirm receipt: everything arrived, or the discrepancies per title (nothing stored on error)."""
    shipment = shipment_or_404(session, shipment_id, user)
    values = form_values(await request.form())
    errors: dict[str, str] = {}
    accepted_on = form_date(values, "accepted_on", errors)
    rows = accept_rows(queries.line_rows(session, shipment))
    reported = _reported(values, rows, errors)
    outcome = values.get("outcome", "")
    if outcome == "all" and (reported or any(key.startswith("d") for key in errors)):
        errors["outcome"] = N_("Ви обрали «усе отримано», але заповнили розбіжності")
    elif outcome == "discrepancies" and not reported and not errors:
        errors["outcome"] = N_("Вкажіть хоча б одну розбіжність")
    elif outcome not in ("all", "discrepancies"):
        errors["outcome"] = N_("Оберіть, чи все отримано")
    if not errors and accepted_on is not None:
        try:
            shipment = accept_shipment(
                session,
                actor=user.actor,
                shipment_id=shipment_id,
                accepted_on=accepted_on,
                discrepancies=[item for _, item in reported] if outcome == "discrepancies" else [],
                library_id=shipment_scope(user, write=True),
            )
            session.commit()
        except InvalidShipmentData as error:
            session.rollback()
            for key, message in error.errors.items():
                _, n, field = (key.split(".") + ["", ""])[:3]
                row = reported[int(n) - 1][0] if n.isdigit() and 0 < int(n) <= len(reported) else None
                errors["outcome" if row is None else f"d{row}_{field.removesuffix('_id')}"] = message
        except ShipmentStateError as error:
            return step_failed(request, session, error, shipment_id)
        else:
            message = (
                N_("Отримання підтверджено: акт приймання {number}")
                if shipment.state == "confirmed"
                else N_("Отримання підтверджено з розбіжностями: акт приймання {number}")
            )
            flash(request, message, number=shipment.acceptance_number)
            return redirect(f"/shipments/{shipment_id}")
    return form_failed(request, session, user, shipment_id, "accept", values, errors, {"max": 255})


# --- MARC for the recipient --------------------------------------------------------------------------


@router.get("/shipments/{shipment_id}/marc")
def shipment_marc(
    shipment_id: int, request: Request, session: SessionDep, user: Viewer,
    fmt: str = Query("iso2709", alias="format"),
) -> Response:  # fmt: skip
    """The MARC records of the shipment's titles with holdings for the library, in its preferred
    flavour and encoding (``?format=iso2709`` or ``marcxml``)."""
    shipment = shipment_or_404(session, shipment_id, user)
    if fmt not in OUT_FORMATS:
        raise PageNotFound()
    out = io.BytesIO()
    export_recipient_marc(
        session, out, library=library_of(session, shipment), lines=shipment_lines(session, shipment.id),
        fmt=fmt, agency=request.app.state.settings.marc_agency,
    )  # fmt: skip
    media, suffix = ("application/marcxml+xml", "xml") if fmt == "marcxml" else ("application/marc", "mrc")
    return Response(
        out.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="shipment-{shipment.number}.{suffix}"'},
    )
