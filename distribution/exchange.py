"""The exchange fund (обмінний фонд): offer lists, fund duplicates, libraries' requests.

An exchange round is a ``Programme`` of kind "exchange". The regional library offers copies of
titles (``ExchangeOffer``): from a loaded list (a gift or any file) or drawn from its own fund
(duplicates: the extra copies of an edition, each one reserved by ``ExchangeReservation`` so no
other open round can offer it). While the round is "collecting", libraries request copies; a
request is an ``Order`` (library × title × quantity), so allocation, packing and dispatch are the
state programme's: ``received_by_title`` counts the offered copies as on hand. When fund copies
have been dispatched, ``withdraw_dispatched_copies`` takes them out of the fund with a signed
withdrawal act (reason "transferred").

Every write holds the programme's lock (``lock_programme``), is audited and commits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collection import fund_services
from collection.audit import Actor, record_change
from collection.errors import N_
from collection.models import Copy, Edition, WithdrawalAct
from distribution.errors import DistributionError, InvalidProgrammeData, LibraryNotFound
from distribution.libraries import Library
from distribution.models import (
    ExchangeOffer,
    ExchangeReservation,
    Order,
    Parcel,
    ParcelLine,
    Programme,
    ProgrammeTitle,
)
from distribution.programmes import (
    TITLE_COLUMNS,
    ChangeCounts,
    LoadResult,
    copy_weight,
    get_programme,
    in_chunks,
    lock_programme,
    offered_by_title,
    read_title_file,
    store_title_rows,
)
from distribution.tables import ROW_FIELD, Column, integer

FILE_SOURCES = ("file", "gift")  # what a loaded offer list may be; "duplicates" are drawn, not loaded
DISPATCHED_PARCEL_STATES = ("dispatched", "delivered", "confirmed", "discrepancy")
OFFER_COLUMNS = (
    *TITLE_COLUMNS,
    Column("quantity", integer(minimum=0), ("кількість", "к-сть", "кількість примірників", "примірників",
                                            "пропонується", "запропоновано")),
)  # fmt: skip


class NotAnExchangeRound(DistributionError):
    """The programme is not an exchange round (offers and requests belong to exchange rounds)."""

    kind = "conflict"


JUST_RESERVED = N_("Ці примірники щойно зарезервував інший обмін; спробуйте ще раз")


class CopiesJustReserved(DistributionError):
    """A concurrent round reserved some of the same fund copies first (the schema refused ours)."""

    kind = "conflict"


class RequestsClosed(DistributionError):
    """The exchange round no longer collects offers and requests (allocation has begun)."""

    kind = "conflict"


# --- rounds ------------------------------------------------------------------------------------


def _exchange_round(programme: Programme, *, collecting: bool) -> Programme:
    if programme.kind != "exchange":
        raise NotAnExchangeRound(N_("Програма {id} не є обмінним фондом"), params={"id": programme.id})
    if collecting and programme.state != "collecting":
        raise RequestsClosed(
            N_("Заявки до обмінного фонду «{name}» уже не приймаються"), params={"name": programme.name}
        )
    return programme


def get_exchange_round(session: Session, programme_id: int, *, collecting: bool = False) -> Programme:
    """The exchange round (``NotAnExchangeRound`` for another kind; ``RequestsClosed`` when asked)."""
    return _exchange_round(get_programme(session, programme_id), collecting=collecting)


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


# --- offer lists from a file -------------------------------------------------------------------


def load_offers(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    stream: BinaryIO,
    filename: str,
    source: str = "file",
) -> LoadResult:
    """Load an offer list (isbn,title,author,publisher,year,price,quantity) into a collecting round.

    Titles are linked to catalogue editions exactly as ``load_titles`` does (a brief edition
    when the catalogue has none). All or nothing: any bad row leaves everything as it was and
    every error is named by row and column. Loading the same file again changes nothing; a new
    quantity updates that title's offer (audited). Offers absent from the file stay.
    """
    if source not in FILE_SOURCES:
        raise InvalidProgrammeData(N_("Недопустиме значення"), field="source")
    get_exchange_round(session, programme_id, collecting=True)
    result, rows = read_title_file(session, stream, filename, OFFER_COLUMNS)
    if result.errors:
        return result
    programme = _exchange_round(lock_programme(session, programme_id), collecting=True)
    stored = store_title_rows(session, programme, rows)
    existing = {
        offer.title_id: offer
        for offer in session.scalars(
            select(ExchangeOffer).where(
                ExchangeOffer.programme_id == programme.id, ExchangeOffer.source == source
            )
        )
    }
    for row in rows:
        title: ProgrammeTitle = row["programme_title"]
        offer = existing.get(title.id)
        if offer is None:
            session.add(
                ExchangeOffer(
                    programme_id=programme.id, title_id=title.id, source=source, quantity=row["quantity"],
                    source_file=result.file[:255], source_row=row[ROW_FIELD], updated_by=actor.username,
                )
            )  # fmt: skip
            result.created += 1
        elif offer.quantity != row["quantity"]:
            record_change(
                session, actor=actor, action="update", obj_type="exchange_offer",
                obj_id=f"{programme.id}/{title.isbn or title.id}/{source}",
                changes={"quantity": [offer.quantity, row["quantity"]]},
            )  # fmt: skip
            offer.quantity, offer.updated_by = row["quantity"], actor.username
            offer.source_file, offer.source_row = result.file[:255], row[ROW_FIELD]
            result.updated += 1
        else:
            result.unchanged += 1
    result.extra.update({"source": source, "offered": sum(r["quantity"] for r in rows),
                         "titles_created": stored.created, "titles_updated": stored.updated,
                         "editions_created": stored.editions_created})  # fmt: skip
    if result.created or result.updated or stored.created or stored.updated:
        record_change(
            session, actor=actor, action="update", obj_type="programme", obj_id=programme.id,
            changes={"offers_file": [None, result.file], "offers_source": [None, source],
                     "offers_created": [None, result.created], "offers_updated": [None, result.updated],
                     "titles_created": [None, stored.created]},
        )  # fmt: skip
    session.commit()
    return result


# --- duplicates from the own fund --------------------------------------------------------------


@dataclass(slots=True)
class FundOffer:
    """What ``offer_fund_duplicates`` did: editions and copies newly offered, titles added."""

    editions: int = 0
    copies: int = 0
    titles_created: int = 0
    inventory_numbers: list[str] = field(default_factory=list)


def _held() -> Any:
    """Copies some open round holds: a "reserved" reservation exists for them."""
    return exists().where(ExchangeReservation.copy_id == Copy.id, ExchangeReservation.state == "reserved")


def _release_closed_rounds(session: Session) -> int:
    """Copies still held by closed rounds were never dispatched: they are free again."""
    closed_offers = (
        select(ExchangeOffer.id)
        .join(Programme, Programme.id == ExchangeOffer.programme_id)
        .where(Programme.state == "closed")
    )
    result = session.execute(
        update(ExchangeReservation)
        .where(ExchangeReservation.state == "reserved", ExchangeReservation.offer_id.in_(closed_offers))
        .values(state="released")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _title_for_edition(
    session: Session, programme: Programme, edition: Edition, price: Any
) -> ProgrammeTitle:
    """A programme title for a fund edition, described from its catalogue record."""
    title = ProgrammeTitle(
        programme_id=programme.id, edition_id=edition.id, isbn=edition.isbn,
        title=(edition.title or "?")[:1000], author=(edition.authors or "")[:255],
        publisher=(edition.publisher or "")[:255], year=(edition.year or "")[:8], price=price,
        copy_weight=copy_weight(edition, None),
    )  # fmt: skip
    session.add(title)
    return title


def _reserve_copies(
    session: Session, actor: Actor, programme: Programme, chosen: Mapping[int, list[Copy]], outcome: FundOffer
) -> None:
    """Reserve the chosen copies per edition under its title's "duplicates" offer (both made if new)."""
    titles = {
        t.edition_id: t
        for t in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.programme_id == programme.id))
    }
    offers = {
        o.title_id: o
        for o in session.scalars(
            select(ExchangeOffer).where(
                ExchangeOffer.programme_id == programme.id, ExchangeOffer.source == "duplicates"
            )
        )
    }
    for edition_id, copies in sorted(chosen.items()):
        title = titles.get(edition_id)
        if title is None:
            price = next((c.price for c in copies if c.price is not None), None)
            title = _title_for_edition(session, programme, session.get(Edition, edition_id), price)
            session.flush()
            outcome.titles_created += 1
        offer = offers.get(title.id)
        old = offer.quantity if offer else 0
        if offer is None:
            offer = ExchangeOffer(programme_id=programme.id, title_id=title.id, source="duplicates",
                                  quantity=0, updated_by=actor.username)  # fmt: skip
            session.add(offer)
            session.flush()
        offer.quantity, offer.updated_by = old + len(copies), actor.username
        session.add_all(ExchangeReservation(offer_id=offer.id, copy_id=c.id) for c in copies)
        numbers = [c.inventory_number for c in copies]
        record_change(
            session, actor=actor, action="update", obj_type="exchange_offer",
            obj_id=f"{programme.id}/{title.isbn or title.id}/duplicates",
            changes={"quantity": [old, offer.quantity], "reserved_copies": [None, numbers]},
        )  # fmt: skip
        outcome.editions += 1
        outcome.copies += len(copies)
        outcome.inventory_numbers.extend(numbers)


def offer_fund_duplicates(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    keep: int = 1,
    edition_ids: Iterable[int] | None = None,
) -> FundOffer:
    """Offer the extra copies of editions the fund holds more than ``keep`` copies of.

    A copy counts when it is "in_fund" and in no withdrawal act. Copies already held for an
    open round count as gone, so calling again offers nothing new. The copies offered are the
    last accessioned (the fund keeps its first copies) and are reserved for this round; each
    edition gets a programme title if it has none and a "duplicates" offer line.
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or not 0 <= keep <= 10_000:
        raise InvalidProgrammeData(N_("Ціле число від 0 до 10000"), field="keep")
    get_exchange_round(session, programme_id, collecting=True)
    programme = _exchange_round(lock_programme(session, programme_id), collecting=True)
    released = _release_closed_rounds(session)
    available = (Copy.status == "in_fund") & Copy.withdrawal_act_id.is_(None)
    counts = select(Copy.edition_id, func.count(Copy.id)).where(available).group_by(Copy.edition_id)
    held = (
        select(Copy.edition_id, func.count(Copy.id))
        .join(ExchangeReservation, ExchangeReservation.copy_id == Copy.id)
        .where(available, ExchangeReservation.state == "reserved")
        .group_by(Copy.edition_id)
    )
    wanted = sorted(set(edition_ids)) if edition_ids is not None else None
    totals: dict[int, int] = {}
    holding: dict[int, int] = {}
    for chunk in in_chunks(wanted) if wanted is not None else [None]:
        where = [] if chunk is None else [Copy.edition_id.in_(chunk)]
        having = func.count(Copy.id) > keep
        totals.update(session.execute(counts.where(*where).having(having)).all())
        holding.update(session.execute(held.where(*where)).all())
    extra = {e: n - keep - holding.get(e, 0) for e, n in totals.items() if n - keep - holding.get(e, 0) > 0}
    outcome = FundOffer()
    if not extra:
        if released:
            record_change(session, actor=actor, action="update", obj_type="programme", obj_id=programme.id,
                          changes={"released_from_closed_rounds": [None, released]})  # fmt: skip
        session.commit()
        return outcome
    chosen: dict[int, list[Copy]] = defaultdict(list)
    for chunk in in_chunks(sorted(extra)):
        stmt = (
            select(Copy)
            .where(available, Copy.edition_id.in_(chunk), ~_held())
            .order_by(Copy.edition_id, Copy.id.desc())
        )
        for copy in session.scalars(stmt):
            if len(chosen[copy.edition_id]) < extra[copy.edition_id]:
                chosen[copy.edition_id].append(copy)
    try:
        _reserve_copies(session, actor, programme, chosen, outcome)
        record_change(
            session, actor=actor, action="update", obj_type="programme", obj_id=programme.id,
            changes={"duplicates_offered": [None, outcome.copies], "duplicates_keep": [None, keep],
                     "titles_created": [None, outcome.titles_created],
                     "released_from_closed_rounds": [None, released]},
        )  # fmt: skip
        session.commit()
    except IntegrityError as clash:  # another round reserved one of these copies a moment earlier
        session.rollback()
        raise CopiesJustReserved(JUST_RESERVED) from clash
    return outcome


# --- requests ----------------------------------------------------------------------------------


@dataclass(slots=True)
class RequestResult(ChangeCounts):
    """What ``request_copies`` changed in the library's requests."""

    removed: int = 0


def _quantity(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    if not text:
        return 0
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else None


def request_copies(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    library_id: int,
    quantities: Mapping[int, object],
) -> RequestResult:
    """Set the library's requests for some titles of a collecting exchange round.

    ``quantities`` maps title ids to copies (0 withdraws the request; titles not named stay as
    they were). Each must be a whole number from 0 to the copies offered; errors name the title
    field (``title_<id>``) and nothing changes. The caller decides whose library this is: the
    REST and page layers pass only the user's own library.
    """
    get_exchange_round(session, programme_id, collecting=True)
    library = session.get(Library, library_id)
    if library is None:
        raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": library_id})
    programme = _exchange_round(lock_programme(session, programme_id), collecting=True)
    offered = offered_by_title(session, programme.id)
    errors: dict[str, str] = {}
    wanted: dict[int, int] = {}
    for raw_id, raw_quantity in quantities.items():
        title_id = int(raw_id) if str(raw_id).isdecimal() else 0
        quantity = _quantity(raw_quantity)
        if offered.get(title_id, 0) <= 0:
            errors[f"title_{title_id}"] = N_("Цієї назви немає в пропозиції")
        elif quantity is None or not 0 <= quantity <= offered[title_id]:
            errors[f"title_{title_id}"] = N_("Ціле число від 0 до запропонованої кількості")
        else:
            wanted[title_id] = quantity
    if errors:
        session.rollback()
        raise InvalidProgrammeData(N_("Перевірте виділені поля"), errors=errors)
    isbn_of = dict(
        session.execute(
            select(ProgrammeTitle.id, ProgrammeTitle.isbn).where(ProgrammeTitle.programme_id == programme.id)
        ).all()
    )
    orders = {
        o.title_id: o
        for o in session.scalars(
            select(Order).where(Order.programme_id == programme.id, Order.library_id == library.id)
        )
    }
    outcome = RequestResult()
    for title_id, quantity in sorted(wanted.items()):
        order = orders.get(title_id)
        old = order.quantity if order else 0
        if old == quantity and (order is not None or quantity == 0):
            outcome.unchanged += 1
            continue
        if order is None:
            session.add(Order(programme_id=programme.id, library_id=library.id, title_id=title_id,
                              quantity=quantity, source_file="exchange request"))  # fmt: skip
            outcome.created += 1
        elif quantity == 0:
            session.execute(delete(Order).where(Order.id == order.id))
            outcome.removed += 1
        else:
            order.quantity = quantity
            outcome.updated += 1
        record_change(
            session, actor=actor, action="update", obj_type="order",
            obj_id=f"{programme.id}/{library.code}/{isbn_of.get(title_id) or title_id}",
            changes={"quantity": [old, quantity]},
        )  # fmt: skip
    session.commit()
    return outcome


# --- the offer list ----------------------------------------------------------------------------


@dataclass(slots=True)
class OfferRow:
    """One title of an offer list: what is offered (by source) and what is requested."""

    title_id: int
    isbn: str
    title: str
    author: str
    publisher: str
    year: str
    offered: int
    sources: dict[str, int]
    requested: int  # by every library together
    requested_by_library: int | None  # by the library asked about (None: none asked about)


def offer_list(
    session: Session, programme_id: int, library_id: int | None = None, *, search: str = ""
) -> list[OfferRow]:
    """The round's offered titles in list order, with requested totals (and the library's own).

    ``search`` keeps titles whose title, author or ISBN contains it (case-insensitive).
    """
    programme = get_exchange_round(session, programme_id)
    sources: dict[int, dict[str, int]] = defaultdict(dict)
    for title_id, source, quantity in session.execute(
        select(ExchangeOffer.title_id, ExchangeOffer.source, ExchangeOffer.quantity).where(
            ExchangeOffer.programme_id == programme.id
        )
    ):
        sources[title_id][source] = quantity
    requested = dict(
        session.execute(
            select(Order.title_id, func.sum(Order.quantity))
            .where(Order.programme_id == programme.id)
            .group_by(Order.title_id)
        ).all()
    )
    own: dict[int, int] = {}
    if library_id is not None:
        own = dict(
            session.execute(
                select(Order.title_id, Order.quantity).where(
                    Order.programme_id == programme.id, Order.library_id == library_id
                )
            ).all()
        )
    offered = select(ExchangeOffer.title_id).where(ExchangeOffer.programme_id == programme.id)
    ordered = select(Order.title_id).where(Order.programme_id == programme.id)
    stmt = select(ProgrammeTitle).where(
        ProgrammeTitle.programme_id == programme.id,
        or_(ProgrammeTitle.id.in_(offered), ProgrammeTitle.id.in_(ordered)),
    )
    needle = search.strip().lower()
    rows = []
    for title in session.scalars(stmt.order_by(ProgrammeTitle.id)):
        isbn = title.isbn or ""
        if needle and not any(needle in value.lower() for value in (title.title, title.author, isbn)):
            continue
        rows.append(
            OfferRow(
                title_id=title.id, isbn=isbn, title=title.title, author=title.author,
                publisher=title.publisher, year=title.year, offered=sum(sources[title.id].values()),
                sources=dict(sources[title.id]), requested=int(requested.get(title.id) or 0),
                requested_by_library=int(own.get(title.id, 0)) if library_id is not None else None,
            )
        )  # fmt: skip
    return rows


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
        session.rollback()
        return None
    act = fund_services.create_withdrawal_act(
        session, actor=actor, act_date=act_date or date.today(), reason="transferred",
        note=f"Обмінний фонд: {programme.name} (програма {programme.id})", commit=False,
    )  # fmt: skip
    numbers = [copy.inventory_number for _, copy in leaving]
    fund_services.add_copies_to_act(session, actor=actor, act=act, inventory_numbers=numbers, commit=False)
    fund_services.sign_act(session, actor=actor, act=act, commit=False)
    for reservation, _copy in leaving:
        reservation.state = "dispatched"
    record_change(
        session, actor=actor, action="update", obj_type="programme", obj_id=programme.id,
        changes={"fund_copies_withdrawn": [None, len(leaving)], "withdrawal_act": [None, act.number]},
    )  # fmt: skip
    session.commit()
    return act
