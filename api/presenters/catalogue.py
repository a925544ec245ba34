"""What the catalogue looks like in REST answers: editions, their copies, cataloguing counts and plan."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from collection.catalogue import search as catalogue_search
from collection.catalogue.editions import record_from_marc
from collection.catalogue.models import Edition
from collection.catalogue.search import SearchResult
from collection.fund.models import Copy
from marc.view import bib_view


class EditionSummaryOut(BaseModel):
    """The columns a results list shows."""

    id: int
    title: str
    authors: str
    publisher: str
    year: str
    isbn: str | None
    udc: str
    bbk: str
    flavour: str
    doc_type: str
    status: str


class EditionCopyOut(BaseModel):
    """A copy as the edition's page lists it (the fund's ``CopyOut`` has its documents too)."""

    inventory_number: str
    barcode: str | None
    location: str
    call_number: str
    price: Decimal | None
    acquired: datetime.date | None
    status: str


class EditionOut(EditionSummaryOut):
    """An edition with its normalised view, its MARC-in-JSON record and its copies."""

    view: dict[str, Any]
    marc: dict[str, Any]
    copies: list[EditionCopyOut]


class EditionPageOut(BaseModel):
    """A page of search results and what the query was taken for (isbn, class, copy, words…)."""

    items: list[EditionSummaryOut]
    total: int
    page: int
    per_page: int
    pages: int
    keys: list[str]


class CountsOut(BaseModel):
    """Counts of cataloguing work in a year, by kind (with the plan), person, month or quarter."""

    year: int
    by: str
    rows: list[dict[str, Any]]  # the columns depend on ``by``: kinds, people or periods


class PlanValueOut(BaseModel):
    """A kind's planned count and, where set, its upper bound."""

    planned: int
    planned_max: int | None


class PlanOut(BaseModel):
    """The annual plan per kind; ``default`` when none was saved for the year."""

    year: int
    default: bool
    plan: dict[str, PlanValueOut]


def edition_summary(edition: Edition) -> EditionSummaryOut:
    """The columns a results list shows."""
    return EditionSummaryOut(
        id=edition.id, title=edition.title, authors=edition.authors, publisher=edition.publisher,
        year=edition.year, isbn=edition.isbn, udc=edition.udc, bbk=edition.bbk, flavour=edition.flavour,
        doc_type=edition.doc_type, status=edition.status,
    )  # fmt: skip


def edition_copy_out(copy: Copy) -> EditionCopyOut:
    """A copy as the edition's page lists it."""
    acquired = copy.acquired if isinstance(copy.acquired, datetime.date) else None
    return EditionCopyOut(inventory_number=copy.inventory_number, barcode=copy.barcode,
                          location=copy.location, call_number=copy.call_number, price=copy.price,
                          acquired=acquired, status=copy.status)  # fmt: skip


def edition_detail(session: Session, edition: Edition) -> EditionOut:
    """An edition with its normalised view, its MARC fields and its copies."""
    view = bib_view(record_from_marc(edition.marc), edition.flavour).as_dict()
    return EditionOut(**edition_summary(edition).model_dump(), view=view, marc=edition.marc,
                      copies=[edition_copy_out(c) for c in catalogue_search.copies_of(session, edition.id)])


def edition_page(result: SearchResult) -> EditionPageOut:
    """Search results as the API lists them."""
    return EditionPageOut(items=[edition_summary(e) for e in result.items], total=result.total,
                          page=result.page, per_page=result.per_page, pages=result.pages,
                          keys=list(result.keys))  # fmt: skip


def plan_out(year: int, plan: dict[str, tuple[int, int | None]], default: bool) -> PlanOut:
    """The plan per kind."""
    return PlanOut(year=year, default=default,
                   plan={kind: PlanValueOut(planned=planned, planned_max=planned_max)
                         for kind, (planned, planned_max) in plan.items()})  # fmt: skip
