"""The exchange fund (обмінний фонд): offer lists, fund duplicates, libraries' requests.

An exchange round is a ``Programme`` of kind "exchange". The regional library offers copies of
titles (``ExchangeOffer``): from a loaded list (a gift or any file) or drawn from its own fund
(duplicates: the extra copies of an edition, each one reserved by ``ExchangeReservation`` so no
other open round can offer it). While the round is "collecting", libraries request copies; a
request is an ``Order`` (library × title × quantity), so allocation, packing and dispatch are the
state programme's: ``received_by_title`` counts the offered copies as on hand. When fund copies
have been dispatched, ``withdraw_dispatched_copies`` takes them out of the fund with a signed
withdrawal act (reason "transferred").

Every write holds the programme's lock (``lock_programme``) and is audited; the caller's unit of work
commits it (or, by ending without a commit, releases the lock and keeps nothing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.errors import N_
from collection.fund import acts as fund_acts
from collection.fund.models import Copy, WithdrawalAct
from distribution.errors import DistributionError
from distribution.exchange.models import ExchangeOffer, ExchangeReservation
from distribution.programmes.models import Programme
from distribution.programmes.services import (
    get_programme,
    lock_programme,
)
from distribution.shipping.models import Parcel, ParcelLine

DISPATCHED_PARCEL_STATES = ("dispatched", "delivered", "confirmed", "discrepancy")


class NotAnExchangeRound(DistributionError):
    """The programme is not an exchange round (offers and requests belong to exchange rounds)."""

    kind = "conflict"


# --- rounds ------------------------------------------------------------------------------------


class RequestsClosed(DistributionError):
    """The exchange round no longer collects offers and requests (allocation has begun)."""

    kind = "conflict"


def exchange_round(programme: Programme, *, collecting: bool) -> Programme:
    if programme.kind != "exchange":
        raise NotAnExchangeRound(N_("Програма {id} не є обмінним фондом"), params={"id": programme.id})
    if collecting and programme.state != "collecting":
        raise RequestsClosed(
            N_("Заявки до обмінного фонду «{name}» уже не приймаються"), params={"name": programme.name}
        )
    return programme


def get_exchange_round(session: Session, programme_id: int, *, collecting: bool = False) -> Programme:
    """The exchange round (``NotAnExchangeRound`` for another kind; ``RequestsClosed`` when asked)."""
    return exchange_round(get_programme(session, programme_id), collecting=collecting)


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """An exchange round with the size of its offer list."""

    id: int
    name: str
    year: int
    state: str
    titles: int
    offered: int


def exchange_rounds(session: Session, *, open_only: bool = True) -> list[RoundSummary]:
    """Exchange rounds (by default only those collecting requests), newest first, with totals."""
    offered = (
        select(
            ExchangeOffer.programme_id,
            func.count(func.distinct(ExchangeOffer.title_id)).label("titles"),
            func.sum(ExchangeOffer.quantity).label("copies"),
        )
        .where(ExchangeOffer.quantity > 0)
        .group_by(ExchangeOffer.programme_id)
        .subquery()
    )
    stmt = (
        select(Programme, offered.c.titles, offered.c.copies)
        .outerjoin(offered, offered.c.programme_id == Programme.id)
        .where(Programme.kind == "exchange")
        .order_by(Programme.year.desc(), Programme.id.desc())
    )
    if open_only:
        stmt = stmt.where(Programme.state == "collecting")
    return [
        RoundSummary(p.id, p.name, p.year, p.state, int(titles or 0), int(copies or 0))
        for p, titles, copies in session.execute(stmt)
    ]


# --- dispatched fund copies leave the fund ------------------------------------------------------


def withdraw_dispatched_copies(
    session: Session, *, actor: Actor, programme_id: int, act_date: date | None = None
) -> WithdrawalAct | None:
    """Withdraw from the own fund the reserved copies of titles that have been dispatched.

    Per title, dispatched copies (parcels dispatched, delivered, confirmed or in discrepancy)
    are taken from the fund's reserved copies first (gift copies are not in the fund), up to
    the copies reserved. They go into one signed withdrawal act (reason "transferred", so the
    copies' status becomes "transferred") and their reservations become "dispatched". Calling
    again withdraws only what was dispatched since. None when nothing is to be withdrawn.
    """
    get_exchange_round(session, programme_id)
    programme = lock_programme(session, programme_id)
    dispatched = dict(
        session.execute(
            select(ParcelLine.title_id, func.sum(ParcelLine.copies))
            .join(Parcel, Parcel.id == ParcelLine.parcel_id)
            .where(Parcel.programme_id == programme.id, Parcel.state.in_(DISPATCHED_PARCEL_STATES))
            .group_by(ParcelLine.title_id)
        ).all()
    )
    reservations: dict[int, dict[str, list[tuple[ExchangeReservation, Copy]]]] = defaultdict(
        lambda: {"reserved": [], "dispatched": []}
    )
    stmt = (
        select(ExchangeOffer.title_id, ExchangeReservation, Copy)
        .join(ExchangeReservation, ExchangeReservation.offer_id == ExchangeOffer.id)
        .join(Copy, Copy.id == ExchangeReservation.copy_id)
        .where(ExchangeOffer.programme_id == programme.id,
               ExchangeReservation.state.in_(("reserved", "dispatched")))
        .order_by(ExchangeReservation.id)
    )  # fmt: skip
    for title_id, reservation, copy in session.execute(stmt):
        reservations[title_id][reservation.state].append((reservation, copy))
    leaving: list[tuple[ExchangeReservation, Copy]] = []
    for title_id, held in sorted(reservations.items()):
        due = int(dispatched.get(title_id) or 0) - len(held["dispatched"])
        usable = [(r, c) for r, c in held["reserved"]
                  if c.status == "in_fund" and c.withdrawal_act_id is None]  # fmt: skip
        leaving.extend(usable[: max(0, due)])
    if not leaving:
        return None
    act = fund_acts.create_withdrawal_act(
        session, actor=actor, act_date=act_date or date.today(), reason="transferred",
        note=f"Обмінний фонд: {programme.name} (програма {programme.id})",
    )  # fmt: skip
    numbers = [copy.inventory_number for _, copy in leaving]
    fund_acts.add_copies_to_act(session, actor=actor, act=act, inventory_numbers=numbers)
    fund_acts.sign_act(session, actor=actor, act=act)
    for reservation, _copy in leaving:
        reservation.state = "dispatched"
    record_change(
        session, actor=actor, action="update", obj_type="programme", obj_id=programme.id,
        changes={"fund_copies_withdrawn": [None, len(leaving)], "withdrawal_act": [None, act.number]},
    )  # fmt: skip
    session.flush()
    return act
