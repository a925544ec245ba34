"""Programme pages for suppliers' deliveries: the list, registering one, a delivery's lines."""

from __future__ import annotations

import io
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.errors import PageNotFound
from api.pages.programme_common import (
    Reader,
    Writer,
    programme_or_404,
    refused,
    run_load,
    step_page,
    translated,
)
from api.pages.programme_uploads import UploadProblem, table_upload, typed_lines_csv
from api.rendering import flash, redirect
from collection.errors import N_, CollectionError
from distribution.programmes import queries
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.models import Programme

router = APIRouter()

DELIVERY_HEADER = ("isbn", "received", "damaged")


# --- deliveries ------------------------------------------------------------------------------------


def _deliveries_page(
    request: Request,
    session: Session,
    user: Any,
    programme: Programme,
    *,
    values: dict | None = None,
    **outcome: Any,
) -> Response:
    return step_page(
        request,
        user,
        programme,
        "deliveries",
        deliveries=queries.list_deliveries(session, programme.id),
        values=values or {"date": date.today().isoformat()},
        **outcome,
    )


@router.get("/{programme_id}/deliveries")
def deliveries_page(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """The programme's deliveries and the form to register one (a file or typed lines)."""
    return _deliveries_page(request, session, user, programme_or_404(session, programme_id))


def _delivery_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise UploadProblem(N_("Дата у форматі РРРР-ММ-ДД")) from None


@router.post("/{programme_id}/deliveries")
async def delivery_register(
    programme_id: int, request: Request, session: SessionDep, user: Writer
) -> Response:
    """Register a supplier's delivery from a csv/xlsx file or from lines typed into the form."""
    programme = programme_or_404(session, programme_id)
    form = await request.form()
    values = {
        name: str(form.get(name, "") or "").strip()
        for name in ("number", "date", "supplier", "note", "lines")
    }
    errors: dict[str, str] = {}
    try:
        delivered_on = _delivery_date(values["date"])
    except UploadProblem as problem:
        errors["date"] = problem.message
    try:
        upload = await table_upload(form, required=False)
    except UploadProblem as problem:
        errors["file"] = translated(request, {"file": problem.message}, problem.params)["file"]
        upload = None
    typed = values["lines"]
    if upload and typed:
        errors["lines"] = N_("Або файл, або введені рядки — не обидва")
    elif not upload and not typed and "file" not in errors:
        errors["file"] = N_("Оберіть файл csv або xlsx або введіть рядки")
    if typed and not upload and not values["number"]:
        errors["number"] = N_("Вкажіть номер документа")
    show = partial(_deliveries_page, request, session, user, programme, values=values)
    if errors:
        return show(errors=translated(request, errors), status_code=422)
    data, name = upload if upload else (typed_lines_csv(typed, DELIVERY_HEADER), "lines.csv")
    try:
        result = run_load(
            session,
            name,
            lambda: receive_delivery(
                session,
                actor=user.actor,
                programme_id=programme_id,
                lines=parse_delivery_file(io.BytesIO(data), name),  # parsed at the edge
                number=values["number"] or None,
                delivered_on=delivered_on,
                supplier=values["supplier"],
                note=values["note"],
            ),
        )
    except UploadProblem as problem:
        return show(errors=translated(request, {"file": problem.message}, problem.params), status_code=422)
    except CollectionError as error:  # the document number is already registered
        session.rollback()
        errors = translated(request, error.errors or {"number": error.message}, error.params)
        return show(errors=errors, status_code=409)
    if result.errors:
        session.rollback()
        return show(load=refused(request, programme, result, row_offset=0 if upload else 1), status_code=422)
    flash(
        request,
        N_("Надходження {number} зареєстровано: назв {lines}, отримано {received}, пошкоджено {damaged}"),
        number=result.extra["number"],
        lines=result.created,
        received=result.extra["received"],
        damaged=result.extra["damaged"],
    )
    return redirect(f"/programmes/{programme_id}/deliveries/{result.extra['delivery']}")


@router.get("/{programme_id}/deliveries/{delivery_id}")
def delivery_page(
    programme_id: int, delivery_id: int, request: Request, session: SessionDep, user: Reader
) -> Response:
    """One delivery: its document and its lines (title, received, damaged, wrong title)."""
    programme = programme_or_404(session, programme_id)
    delivery = queries.get_delivery(session, programme_id, delivery_id)
    if delivery is None:
        raise PageNotFound()
    titles = queries.titles_by_id(session, programme_id)
    lines = sorted(delivery.lines, key=lambda line: line.title_id)
    return step_page(
        request,
        user,
        programme,
        "deliveries",
        template="programmes/delivery.html",
        delivery=delivery,
        lines=lines,
        titles=titles,
    )
