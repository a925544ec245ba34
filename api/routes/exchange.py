"""``/api/v1/programmes/{id}/offers`` (staff) and ``/api/v1/exchange`` (libraries): the exchange fund.

Staff who run programmes upload offer lists, draw the fund's duplicates and read the offer list
with requested totals; the methodologist reads. A library user sees the open rounds (kind
"exchange", still collecting) and reads and sets only its own library's requests; other
libraries' requests and totals are never shown to it, and anything else looks absent (404).
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.access import (
    LIBRARY_SIDE_READ,
    PROGRAMME_READ,
    PROGRAMME_WRITE,
    is_library_user,
    library_scope,
    requesting_library,
    require,
    require_staff_area,
    visible_round,
)
from api.auth.models import User
from api.deps import CurrentUser, SessionDep, TranslatorDep
from api.presenters.exchange import (
    ActRefOut,
    FundOfferOut,
    LibraryRequestsOut,
    OfferOut,
    RequestsSetOut,
    RoundOffersOut,
    RoundOut,
    WithdrawnOut,
    library_requests_out,
    offer_out,
    round_offers_out,
    round_out,
)
from api.presenters.programmes import LoadSummaryOut, load_json
from collection.errors import N_
from distribution.exchange import offers as exchange_offers
from distribution.exchange import requests as exchange_requests
from distribution.exchange import services as exchange
from distribution.exchange.offer_files import parse_offer_file
from distribution.libraries.services import get_library

router = APIRouter(tags=["exchange"])
MAX_UPLOAD_BYTES = 5_000_000


# --- who may see what: the rules are in api.access (visible_round, requesting_library) -------------


def _staff(user: CurrentUser) -> User:
    require_staff_area(user, PROGRAMME_READ)  # offers are staff's: a library user finds nothing (404)
    return user


def _staff_writer(user: CurrentUser) -> User:
    require_staff_area(user, PROGRAMME_WRITE)
    return user


Staff = Annotated[User, Depends(_staff)]
StaffWriter = Annotated[User, Depends(_staff_writer)]


# --- shapes ---------------------------------------------------------------------------------------


class FundDuplicatesIn(BaseModel):
    """Offer the copies beyond ``keep`` of every edition (or of the editions listed)."""

    model_config = ConfigDict(extra="forbid")
    keep: int = Field(default=1, ge=0, le=10_000)
    edition_ids: list[int] | None = None


class RequestsIn(BaseModel):
    """Copies wanted per title id (0 withdraws a request; titles not named stay as they are)."""

    model_config = ConfigDict(extra="forbid")
    quantities: dict[int, int] = Field(min_length=1)


# --- staff: offers of a round ---------------------------------------------------------------------


@router.get("/programmes/{programme_id}/offers", response_model_exclude_none=True)
def list_offers(
    programme_id: int, session: SessionDep, _user: Staff,
    q: Annotated[str, Query(description="search in title, author, ISBN")] = "",
    library: Annotated[str, Query(description="a library code: adds its own requests")] = "",
) -> list[OfferOut]:  # fmt: skip
    """The round's offer list with sources and requested totals."""
    library_id = get_library(session, library).id if library else None
    rows = exchange_offers.offer_list(session, programme_id, library_id, search=q)
    return [offer_out(row, totals=True) for row in rows]


@router.post("/programmes/{programme_id}/offers", response_model=LoadSummaryOut, responses={
    413: {"description": "The file is over 5 MB"},
    422: {"model": LoadSummaryOut, "description": "rows refused"},
})  # fmt: skip
async def upload_offers(
    programme_id: int, session: SessionDep, user: StaffWriter, t: TranslatorDep,
    file: Annotated[UploadFile, File(description="isbn,title,author,publisher,year,price,quantity")],
    source: Annotated[str, Form(description="file or gift")] = "file",
) -> Any:  # fmt: skip
    """Load an offer list; all or nothing (422 lists every refused row), idempotent."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return JSONResponse({"detail": t.gettext(N_("Файл завеликий (до 5 МБ)"))}, status_code=413)
    try:
        offers = parse_offer_file(io.BytesIO(data), file.filename or "offers.csv")  # parsed at the edge
        result = exchange_offers.load_offers(
            session, actor=user.actor, programme_id=programme_id, offers=offers, source=source
        )
        session.commit()
    except ValueError as error:  # an unsupported file type
        return JSONResponse({"detail": str(error), "errors": [{"field": "file", "message": str(error)}]},
                            status_code=422)  # fmt: skip
    summary = load_json(result, t.gettext).model_dump(mode="json")
    return JSONResponse(summary, status_code=200 if result.ok else 422)


@router.post("/programmes/{programme_id}/offers/fund-duplicates")
def draw_fund_duplicates(
    programme_id: int, body: FundDuplicatesIn, session: SessionDep, user: StaffWriter
) -> FundOfferOut:
    """Offer (and reserve) the fund's copies beyond ``keep`` per edition; again offers nothing new."""
    outcome = exchange_offers.offer_fund_duplicates(
        session, actor=user.actor, programme_id=programme_id, keep=body.keep, edition_ids=body.edition_ids
    )
    session.commit()
    return FundOfferOut(editions=outcome.editions, copies=outcome.copies,
                        titles_created=outcome.titles_created, inventory_numbers=outcome.inventory_numbers)


@router.post("/programmes/{programme_id}/offers/withdraw-dispatched")
def withdraw_dispatched(programme_id: int, session: SessionDep, user: StaffWriter) -> WithdrawnOut:
    """Withdraw dispatched fund copies with a signed act (reason "transferred"); null when none."""
    act = exchange.withdraw_dispatched_copies(session, actor=user.actor, programme_id=programme_id)
    session.commit()
    if act is None:
        return WithdrawnOut(act=None, copies=0)
    return WithdrawnOut(act=ActRefOut(id=act.id, number=act.number, date=act.date), copies=len(act.copies))


# --- libraries: open rounds and their own requests ------------------------------------------------


@router.get("/exchange")
def open_rounds(session: SessionDep, user: CurrentUser) -> list[RoundOut]:
    """Exchange rounds collecting requests, newest first."""
    require(user, LIBRARY_SIDE_READ)
    return [round_out(r) for r in exchange.exchange_rounds(session)]


@router.get("/exchange/{programme_id}", response_model_exclude_none=True)
def round_offers(
    programme_id: int, session: SessionDep, user: CurrentUser, q: str = "", library: str = ""
) -> RoundOffersOut:
    """A round's offer list: a library user sees its own requests, staff the totals too."""
    programme = visible_round(session, user, programme_id)
    library_id = library_scope(user)
    if library_id is None and library:
        library_id = get_library(session, library).id
    rows = exchange_offers.offer_list(session, programme.id, library_id, search=q)
    return round_offers_out(programme, rows, staff=not is_library_user(user))


@router.get("/exchange/{programme_id}/requests/{library_code}")
def library_requests(
    programme_id: int, library_code: str, session: SessionDep, user: CurrentUser
) -> LibraryRequestsOut:
    """One library's requests in a round (a library user: only its own)."""
    programme = visible_round(session, user, programme_id)
    library = requesting_library(session, user, library_code, write=False)
    return library_requests_out(session, programme, library)


@router.put("/exchange/{programme_id}/requests/{library_code}")
def set_requests(
    programme_id: int, library_code: str, body: RequestsIn, session: SessionDep, user: CurrentUser
) -> RequestsSetOut:
    """Set a library's requested copies per title while the round collects (409 after)."""
    programme = visible_round(session, user, programme_id, write=True)
    library = requesting_library(session, user, library_code, write=True)
    outcome = exchange_requests.request_copies(session, actor=user.actor, programme_id=programme.id,
                                      library_id=library.id, quantities=body.quantities)  # fmt: skip
    session.commit()
    return RequestsSetOut(created=outcome.created, updated=outcome.updated, removed=outcome.removed,
                          unchanged=outcome.unchanged,
                          **library_requests_out(session, programme, library).model_dump())  # fmt: skip
