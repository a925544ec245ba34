"""What the exchange fund looks like in REST answers: rounds, offer lists, a library's requests."""

from __future__ import annotations

import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from distribution.exchange import offers as exchange_offers
from distribution.exchange import services as exchange
from distribution.libraries.models import Library
from distribution.programmes.models import Programme


class RoundOut(BaseModel):
    """An exchange round and the size of its offer list."""

    id: int
    name: str
    year: int
    state: str
    titles: int
    offered: int


class OfferOut(BaseModel):
    """An offer line. Staff also see ``sources`` and ``requested`` (by every library); a line
    carries ``requested_by_library`` when one library was asked about. The routes leave the keys
    that do not apply out of the answer (``response_model_exclude_none``) rather than send null."""

    title_id: int
    isbn: str
    title: str
    author: str
    publisher: str
    year: str
    offered: int
    sources: dict[str, int] | None = None
    requested: int | None = None
    requested_by_library: int | None = None


class RoundRefOut(BaseModel):
    """The round an offer list belongs to."""

    id: int
    name: str
    year: int
    state: str


class RoundOffersOut(BaseModel):
    """A round and its offer list."""

    programme: RoundRefOut
    offers: list[OfferOut]


class FundOfferOut(BaseModel):
    """What drawing the fund's duplicates offered: editions, copies, titles added, inventory numbers."""

    editions: int
    copies: int
    titles_created: int
    inventory_numbers: list[str]


class ActRefOut(BaseModel):
    """A withdrawal act by its number and date."""

    id: int
    number: str
    date: datetime.date


class WithdrawnOut(BaseModel):
    """The signed act that withdrew dispatched fund copies (null when there were none)."""

    act: ActRefOut | None
    copies: int


class RequestOut(BaseModel):
    """Copies of one title a library asks for."""

    title_id: int
    isbn: str
    title: str
    quantity: int


class LibraryRequestsOut(BaseModel):
    """One library's requests in a round."""

    programme_id: int
    library_code: str
    requests: list[RequestOut]


class RequestsSetOut(LibraryRequestsOut):
    """A library's requests after a change, and how many lines the change touched."""

    created: int
    updated: int
    removed: int
    unchanged: int


def round_out(summary: exchange.RoundSummary) -> RoundOut:
    """A round as the library side lists it."""
    return RoundOut(id=summary.id, name=summary.name, year=summary.year, state=summary.state,
                    titles=summary.titles, offered=summary.offered)  # fmt: skip


def offer_out(row: exchange_offers.OfferRow, *, totals: bool) -> OfferOut:
    """An offer line; ``totals`` (staff only) adds the sources and what all libraries requested."""
    offer = OfferOut(title_id=row.title_id, isbn=row.isbn, title=row.title, author=row.author,
                     publisher=row.publisher, year=row.year, offered=row.offered)  # fmt: skip
    if totals:
        offer.sources, offer.requested = row.sources, row.requested
    if row.requested_by_library is not None:
        offer.requested_by_library = row.requested_by_library
    return offer


def round_offers_out(
    programme: Programme, rows: list[exchange_offers.OfferRow], *, staff: bool
) -> RoundOffersOut:
    """A round's offer list: a library user sees its own requests, staff the totals too."""
    ref = RoundRefOut(id=programme.id, name=programme.name, year=programme.year, state=programme.state)
    return RoundOffersOut(programme=ref, offers=[offer_out(row, totals=staff) for row in rows])


def library_requests_out(session: Session, programme: Programme, library: Library) -> LibraryRequestsOut:
    """One library's requests in a round."""
    rows = exchange_offers.offer_list(session, programme.id, library.id)
    return LibraryRequestsOut(
        programme_id=programme.id, library_code=library.code,
        requests=[RequestOut(title_id=r.title_id, isbn=r.isbn, title=r.title,
                             quantity=r.requested_by_library)
                  for r in rows if r.requested_by_library],
    )  # fmt: skip
