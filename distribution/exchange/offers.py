"""Exchange offers: loaded from a list (a gift or any file) or drawn from the fund's duplicates,
each fund copy reserved so no other open round offers it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.catalogue.models import Edition
from collection.db import savepoint
from collection.errors import N_
from collection.fund.models import Copy
from distribution.errors import DistributionError, InvalidProgrammeData
from distribution.exchange.models import ExchangeOffer, ExchangeReservation
from distribution.exchange.services import exchange_round, get_exchange_round
from distribution.programmes.models import Order, Programme, ProgrammeTitle
from distribution.programmes.services import (
    LoadResult,
    ParsedRows,
    in_chunks,
    lock_programme,
)
from distribution.programmes.titles import TITLE_COLUMNS, copy_weight, match_title_rows, store_title_rows
from distribution.spreadsheets import ROW_FIELD, Column, integer

FILE_SOURCES = ("file", "gift")  # what a loaded offer list may be; "duplicates" are drawn, not loaded
OFFER_COLUMNS = (
    *TITLE_COLUMNS,
    Column("quantity", integer(minimum=0), ("кількість", "к-сть", "кількість примірників", "примірників",
                                            "пропонується", "запропоновано")),
)  # fmt: skip


JUST_RESERVED = N_("Ці примірники щойно зарезервував інший обмін; спробуйте ще раз")


class CopiesJustReserved(DistributionError):
    """A concurrent round reserved some of the same fund copies first (the schema refused ours)."""

    kind = "conflict"


# --- offer lists from a file -------------------------------------------------------------------


def load_offers(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    offers: ParsedRows,
    source: str = "file",
) -> LoadResult:
    """Load an offer list (isbn,title,author,publisher,year,price,quantity) into a collecting round.

    ``offers`` comes from ``distribution.exchange.offer_files.parse_offer_file`` (rows typed by
    ``OFFER_COLUMNS``, with the cell errors found). Titles are linked to catalogue editions
    exactly as ``load_titles`` does (a brief edition when the catalogue has none). All or
    nothing: any bad row leaves everything as it was and every error is named by row and
    column. Loading the same file again changes nothing; a new quantity updates that title's
    offer (audited). Offers absent from the file stay.
    """
    if source not in FILE_SOURCES:
        raise InvalidProgrammeData(N_("Недопустиме значення"), field="source")
    get_exchange_round(session, programme_id, collecting=True)
    result, rows = offers
    if not result.errors:
        match_title_rows(session, rows, result.errors)
    if result.errors:
        return result
    programme = exchange_round(lock_programme(session, programme_id), collecting=True)
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
    session.flush()
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
            title = _title_for_edition(session, programme, session.get_one(Edition, edition_id), price)
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
    programme = exchange_round(lock_programme(session, programme_id), collecting=True)
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
        session.flush()
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
        with savepoint(session):  # a clash undoes only this call's reservations, not the caller's work
            _reserve_copies(session, actor, programme, chosen, outcome)
    except IntegrityError as clash:  # another round reserved one of these copies a moment earlier
        raise CopiesJustReserved(JUST_RESERVED) from clash
    record_change(
        session, actor=actor, action="update", obj_type="programme", obj_id=programme.id,
        changes={"duplicates_offered": [None, outcome.copies], "duplicates_keep": [None, keep],
                 "titles_created": [None, outcome.titles_created],
                 "released_from_closed_rounds": [None, released]},
    )  # fmt: skip
    session.flush()
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
