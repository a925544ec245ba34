"""Programme pages for the title list and the libraries' orders: lists and file uploads.

A file with any bad row changes nothing; the page shows every error by row and column and
offers the error report as xlsx or csv.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.auth.models import User
from api.deps import SessionDep
from api.pages.programme_common import (
    Reader,
    Writer,
    load_form_file,
    programme_or_404,
    step_page,
    whole_number,
)
from api.rendering import flash, redirect
from collection.errors import N_
from distribution.programmes import queries
from distribution.programmes.models import Programme
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import load_orders
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles, programme_titles

router = APIRouter()


# --- titles ----------------------------------------------------------------------------------------


def _titles_page(
    request: Request, session: Session, user: User, programme: Programme, **outcome: Any
) -> Response:
    q = str(request.query_params.get("q", "")).strip()
    found = queries.search_titles(programme_titles(session, programme.id), q)
    page = queries.page_of(found, whole_number(request.query_params.get("page")))
    return step_page(request, user, programme, "titles", q=q, titles=page, **outcome)


@router.get("/{programme_id}/titles")
def titles_page(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """The title list (searchable) and the form to load it from csv/xlsx."""
    return _titles_page(request, session, user, programme_or_404(session, programme_id))


@router.post("/{programme_id}/titles")
async def titles_upload(programme_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Load the title list; any bad row refuses the whole file and every error is shown."""
    programme = programme_or_404(session, programme_id)
    result = await load_form_file(
        request,
        session,
        programme,
        lambda *, stream, filename: load_titles(
            session, actor=user.actor, programme_id=programme_id, titles=parse_title_file(stream, filename)
        ),
        partial(_titles_page, request, session, user, programme),
        marc=True,
    )
    if isinstance(result, Response):
        return result
    if result.extra.get("editions_created"):
        flash(
            request,
            N_("Нових бібліографічних записів (коротких): {count}"),
            "info",
            count=result.extra["editions_created"],
        )
    return redirect(f"/programmes/{programme_id}/titles")


# --- orders ----------------------------------------------------------------------------------------


def _orders_page(
    request: Request, session: Session, user: User, programme: Programme, **outcome: Any
) -> Response:
    filters = {name: str(request.query_params.get(name, "")).strip() for name in ("library", "isbn")}
    orders = queries.orders_page(
        session,
        programme.id,
        library=filters["library"],
        isbn=filters["isbn"],
        page=whole_number(request.query_params.get("page")),
    )
    return step_page(request, user, programme, "orders", filters=filters, orders=orders, **outcome)


@router.get("/{programme_id}/orders")
def orders_page(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """The libraries' orders (filter by library code or ISBN, 100 a page) and the upload form."""
    return _orders_page(request, session, user, programme_or_404(session, programme_id))


@router.post("/{programme_id}/orders")
async def orders_upload(programme_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Load orders; a file with any bad row changes nothing and offers its error report."""
    programme = programme_or_404(session, programme_id)
    result = await load_form_file(
        request,
        session,
        programme,
        lambda *, stream, filename: load_orders(
            session, actor=user.actor, programme_id=programme_id, orders=parse_order_file(stream, filename)
        ),
        partial(_orders_page, request, session, user, programme),
    )
    if isinstance(result, Response):
        return result
    return redirect(f"/programmes/{programme_id}/orders")
