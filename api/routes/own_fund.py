"""``/api/v1/programmes/{id}/own-fund``: the regional library's own share taken into its fund.

Staff who read programmes see the share; only those who keep the fund (FUND_WRITE) take it.
"""

from __future__ import annotations

import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.access import FUND_WRITE, require
from api.deps import SessionDep
from api.presenters.own_fund import OwnFundShareOut, TakenIntoFundOut, own_fund_share_out, taken_into_fund_out
from api.routes.programmes import Reader
from distribution.programmes.own_fund import fund_share, take_into_fund, taken_into_fund
from distribution.programmes.services import get_programme

router = APIRouter(prefix="/programmes", tags=["programmes"])


class TakeIntoFund(BaseModel):
    """Copies per programme title id to take (all that is left when omitted)."""

    model_config = ConfigDict(extra="forbid")
    receipt_date: datetime.date = Field(default_factory=datetime.date.today)
    quantities: dict[int, int] | None = None
    document: str = ""
    location: str = ""


@router.get("/{programme_id}/own-fund", responses={404: {}})
def own_fund_share(programme_id: int, session: SessionDep, _user: Reader) -> OwnFundShareOut:
    """Per title id: copies left after allocation (``share``) and already taken (``taken``)."""
    get_programme(session, programme_id)
    return own_fund_share_out(fund_share(session, programme_id), taken_into_fund(session, programme_id))


@router.post("/{programme_id}/own-fund", status_code=201, responses={403: {}, 404: {}, 422: {}})
def take_own_fund(
    programme_id: int, body: TakeIntoFund, session: SessionDep, user: Reader
) -> TakenIntoFundOut:
    """Put copies into the fund with one receipt; all or nothing."""
    get_programme(session, programme_id)
    require(user, FUND_WRITE)
    receipt = take_into_fund(
        session, actor=user.actor, programme_id=programme_id, receipt_date=body.receipt_date,
        quantities=body.quantities, document=body.document, location=body.location,
    )  # fmt: skip
    session.commit()
    return taken_into_fund_out(receipt)
