"""Programme page for the regional library's own share: copies taken into its fund.

The form lists what is received and not allocated; staff who keep the fund (FUND_WRITE) put
the chosen copies into one fund receipt, then land on that receipt to print or add to it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import FUND_WRITE, may, require
from api.deps import SessionDep
from api.pages.programme_common import Reader, page_context, programme_or_404, translated
from api.rendering import flash, redirect, render
from collection.errors import N_, CollectionError
from collection.fund.models import Receipt
from distribution.programmes.models import Programme, ProgrammeTitle
from distribution.programmes.own_fund import ProgrammeFundTransfer, fund_share, take_into_fund

router = APIRouter()


def _rows(session: Session, programme_id: int) -> list[dict[str, Any]]:
    share = fund_share(session, programme_id)
    titles = session.scalars(
        select(ProgrammeTitle).where(ProgrammeTitle.id.in_(list(share))).order_by(ProgrammeTitle.title)
    )
    return [{"title": t, "share": share[t.id]} for t in titles] if share else []


def _taken(session: Session, programme_id: int) -> list[tuple[Receipt, int]]:
    stmt = (
        select(Receipt, ProgrammeFundTransfer.copies)
        .join(ProgrammeFundTransfer, ProgrammeFundTransfer.receipt_id == Receipt.id)
        .where(ProgrammeFundTransfer.programme_id == programme_id)
        .order_by(Receipt.id)
    )
    totals: dict[int, tuple[Receipt, int]] = {}
    for receipt, copies in session.execute(stmt):
        totals[receipt.id] = (receipt, totals.get(receipt.id, (receipt, 0))[1] + copies)
    return list(totals.values())


def _page(
    request: Request, session: Session, user: Any, programme: Programme, *,
    values: dict | None = None, errors: dict | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    return render(
        request,
        "programmes/own_fund.html",
        page_context(
            request, user, programme, step="own-fund", rows=_rows(session, programme.id),
            taken=_taken(session, programme.id), can_take=may(user, FUND_WRITE),
            values=values or {"date": date.today().isoformat()}, errors=errors or {},
        ),
        status_code=status_code,
    )  # fmt: skip


@router.get("/programmes/{programme_id}/own-fund")
def own_fund_page(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """What is left after allocation and could go into the own fund; receipts already made."""
    return _page(request, session, user, programme_or_404(session, programme_id))


@router.post("/programmes/{programme_id}/own-fund")
async def own_fund_take(programme_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """Put the chosen copies into the fund with one receipt (acquisitions and admin only)."""
    programme = programme_or_404(session, programme_id)
    require(user, FUND_WRITE)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    quantities: dict[int, int] = {}
    for key, raw in values.items():
        if key.startswith("q_") and raw:
            try:
                quantities[int(key[2:])] = int(raw)
            except ValueError:
                errors[f"quantities.{key[2:]}"] = N_("Ціле число")
    try:
        day = date.fromisoformat(values.get("date", ""))
    except ValueError:
        errors["date"] = N_("Дата у форматі РРРР-ММ-ДД")
    if not errors:
        try:
            receipt = take_into_fund(
                session, actor=user.actor, programme_id=programme.id, receipt_date=day,
                quantities=quantities, document=values.get("document", ""),
                location=values.get("location", ""),
            )  # fmt: skip
            session.commit()
        except CollectionError as error:
            session.rollback()
            errors = dict(error.errors) or {"quantities": error.message}
        else:
            flash(request, N_("Надходження {number} до фонду створено"), number=receipt.number)
            return redirect(f"/fund/receipts/{receipt.id}")
    return _page(request, session, user, programme, values=values, errors=translated(request, errors),
                 status_code=422)  # fmt: skip
