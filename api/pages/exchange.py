"""Exchange fund pages: open rounds and the request form (libraries), offers of a round (staff)."""

from __future__ import annotations

import io
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.access import (
    LIBRARY_SIDE_READ,
    PROGRAMME_READ,
    PROGRAMME_WRITE,
    is_library_user,
    may,
    require,
    require_staff_area,
    visible_round,
)
from api.auth.models import User
from api.deps import PageUser, SessionDep
from api.errors import Forbidden
from api.i18n import translator_for
from api.pages.programme_common import STATE_LABELS  # a round's states are a programme's
from api.rendering import flash, redirect, render
from collection.errors import N_, CollectionError
from distribution.exchange import offers as exchange_offers
from distribution.exchange import requests as exchange_requests
from distribution.exchange import services as exchange
from distribution.exchange.offer_files import parse_offer_file
from distribution.exchange.offers import FILE_SOURCES
from distribution.programmes.models import Programme
from distribution.spreadsheets import RowError

router = APIRouter()

MAX_UPLOAD_BYTES = 5_000_000
MAX_ROW_ERRORS_SHOWN = 100
SOURCE_LABELS = {"file": N_("список (файл)"), "gift": N_("дар"), "duplicates": N_("дублети фонду")}


def _staff_reader(user: PageUser) -> User:
    require_staff_area(user, PROGRAMME_READ)  # offers are staff's: a library user finds nothing (404)
    return user


def _staff_writer(user: PageUser) -> User:
    require_staff_area(user, PROGRAMME_WRITE)
    return user


def _exchange_user(user: PageUser) -> User:
    require(user, LIBRARY_SIDE_READ)
    return user


StaffReader = Annotated[User, Depends(_staff_reader)]
StaffWriter = Annotated[User, Depends(_staff_writer)]
ExchangeUser = Annotated[User, Depends(_exchange_user)]


def _context(**extra: object) -> dict[str, object]:
    return {"source_labels": SOURCE_LABELS, "state_labels": STATE_LABELS, **extra}


def _field_errors(session: Session, error: CollectionError) -> dict[str, str]:
    """The refused form's errors by field, its changes rolled back; an error about no field
    goes on to the error page (the user stays loaded for it)."""
    if not error.errors:
        raise error
    session.rollback()
    return error.errors


# --- libraries: open rounds and the request form --------------------------------------------------


@router.get("/exchange")
def rounds(request: Request, session: SessionDep, user: ExchangeUser) -> Response:
    """The exchange rounds collecting requests."""
    return render(request, "exchange/index.html", _context(
        rounds=exchange.exchange_rounds(session), is_library=is_library_user(user),
    ))  # fmt: skip


def _round_page(
    request: Request, session: Session, user: User, programme: Programme, *, q: str = "",
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    rows = exchange_offers.offer_list(session, programme.id, user.library_id, search=q)
    every = exchange_offers.offer_list(session, programme.id, user.library_id) if q else rows
    mine = [r for r in every if r.requested_by_library]
    return render(request, "exchange/round.html", _context(
        programme=programme, rows=rows, mine=mine, q=q, values=values or {}, errors=errors or {},
    ), status_code=status)  # fmt: skip


@router.get("/exchange/{programme_id}")
def round_page(
    programme_id: int, request: Request, session: SessionDep, user: ExchangeUser, q: str = ""
) -> Response:
    """A library's view of an open round: the offers with a quantity box each, and its requests."""
    programme = visible_round(session, user, programme_id)
    if not is_library_user(user):
        return redirect(f"/programmes/{programme.id}/offers")
    return _round_page(request, session, user, programme, q=q)


@router.post("/exchange/{programme_id}")
async def round_request(
    programme_id: int, request: Request, session: SessionDep, user: ExchangeUser
) -> Response:
    """Save the library's requests for the titles on the form (0 or blank withdraws one)."""
    if not is_library_user(user):
        raise Forbidden()  # staff set requests with load-orders or over REST, naming the library
    programme = visible_round(session, user, programme_id, write=True)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if k.startswith("title_") and k[6:].isdecimal()}
    quantities = {int(k[6:]): v for k, v in values.items()}
    q = str(form.get("q", ""))
    try:
        outcome = exchange_requests.request_copies(session, actor=user.actor, programme_id=programme.id,
                                          library_id=user.library_id, quantities=quantities)  # fmt: skip
        session.commit()
    except CollectionError as error:
        return _round_page(request, session, user, programme, q=q, values=values,
                           errors=_field_errors(session, error), status=422)  # fmt: skip
    flash(request, N_("Заявку збережено: нових {created}, змінено {updated}, знято {removed}"),
          created=outcome.created, updated=outcome.updated, removed=outcome.removed)  # fmt: skip
    return redirect(f"/exchange/{programme.id}" + (f"?q={quote(q)}" if q else ""))


# --- staff: offers of a round ---------------------------------------------------------------------


def _offers_page(
    request: Request, session: Session, user: User, programme_id: int, *, q: str = "",
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    row_errors: list[RowError] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    programme = exchange.get_exchange_round(session, programme_id)
    rows = exchange_offers.offer_list(session, programme.id, search=q)
    t = translator_for(request)
    shown = [(e.row, e.column, e.message(t.gettext), e.value) for e in (row_errors or [])]
    return render(request, "exchange/offers.html", _context(
        programme=programme, rows=rows, q=q, can_write=may(user, PROGRAMME_WRITE),
        values=values or {"keep": "1", "source": "file"}, errors=errors or {},
        row_errors=shown[:MAX_ROW_ERRORS_SHOWN], more_errors=max(0, len(shown) - MAX_ROW_ERRORS_SHOWN),
        file_sources=[(s, SOURCE_LABELS[s]) for s in FILE_SOURCES],
        offered=sum(r.offered for r in rows), requested=sum(r.requested for r in rows),
    ), status_code=status)  # fmt: skip


@router.get("/programmes/{programme_id}/offers")
def offers_page(
    programme_id: int, request: Request, session: SessionDep, user: StaffReader, q: str = ""
) -> Response:
    """A round's offer list with requested totals; for writers the upload and fund forms."""
    return _offers_page(request, session, user, programme_id, q=q)


@router.post("/programmes/{programme_id}/offers/upload")
async def offers_upload(
    programme_id: int, request: Request, session: SessionDep, user: StaffWriter
) -> Response:
    """Load an offer list (csv/xlsx); any bad row refuses the file and every error is listed."""
    form = await request.form()
    values = {"source": str(form.get("source", "file")), "keep": "1"}
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read") or not getattr(upload, "filename", ""):
        return _offers_page(request, session, user, programme_id, values=values,
                            errors={"file": N_("Оберіть файл csv або xlsx")}, status=422)  # fmt: skip
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _offers_page(request, session, user, programme_id, values=values,
                            errors={"file": N_("Файл завеликий (до 5 МБ)")}, status=422)  # fmt: skip
    try:
        offers = parse_offer_file(io.BytesIO(data), upload.filename)  # files are parsed here, at the edge
        result = exchange_offers.load_offers(session, actor=user.actor, programme_id=programme_id,
                                             offers=offers, source=values["source"])  # fmt: skip
        session.commit()
    except ValueError:
        session.rollback()
        return _offers_page(request, session, user, programme_id, values=values,
                            errors={"file": N_("Оберіть файл csv або xlsx")}, status=422)  # fmt: skip
    except CollectionError as error:
        return _offers_page(request, session, user, programme_id, values=values,
                            errors=_field_errors(session, error), status=422)  # fmt: skip
    if not result.ok:
        session.rollback()
        return _offers_page(request, session, user, programme_id, values=values,
                            errors={"file": N_("Файл не завантажено: помилки в рядках нижче")},
                            row_errors=result.errors, status=422)  # fmt: skip
    flash(request, N_("Пропозицію завантажено: нових {created}, змінено {updated}, без змін {unchanged}"),
          created=result.created, updated=result.updated, unchanged=result.unchanged)  # fmt: skip
    return redirect(f"/programmes/{programme_id}/offers")


@router.post("/programmes/{programme_id}/offers/fund-duplicates")
async def offers_fund_duplicates(
    programme_id: int, request: Request, session: SessionDep, user: StaffWriter
) -> Response:
    """Offer the fund's copies beyond "keep" per edition (reserving them for this round)."""
    form = await request.form()
    values = {"keep": str(form.get("keep", "")).strip(), "source": "file"}
    keep = int(values["keep"]) if values["keep"].isdecimal() and len(values["keep"]) <= 5 else -1
    try:
        outcome = exchange_offers.offer_fund_duplicates(session, actor=user.actor, programme_id=programme_id,
                                                 keep=keep)  # fmt: skip
        session.commit()
    except CollectionError as error:
        return _offers_page(request, session, user, programme_id, values=values,
                            errors=_field_errors(session, error), status=422)  # fmt: skip
    flash(request, N_("З фонду запропоновано примірників: {copies} (видань: {editions})"),
          copies=outcome.copies, editions=outcome.editions)  # fmt: skip
    return redirect(f"/programmes/{programme_id}/offers")


@router.post("/programmes/{programme_id}/offers/withdraw-dispatched")
def offers_withdraw_dispatched(
    programme_id: int, request: Request, session: SessionDep, user: StaffWriter
) -> Response:
    """Withdraw the dispatched fund copies with a signed act."""
    act = exchange.withdraw_dispatched_copies(session, actor=user.actor, programme_id=programme_id)
    session.commit()
    if act is None:
        flash(request, N_("Відправлених примірників фонду для списання немає"), "info")
        return redirect(f"/programmes/{programme_id}/offers")
    flash(request, N_("Відправлені примірники фонду списано актом {number}"), number=act.number)
    return redirect(f"/fund/acts/{act.id}")
