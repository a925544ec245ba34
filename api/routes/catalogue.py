"""``/api/v1/editions`` and ``/api/v1/cataloguing``: the catalogue and the cataloguing counts.

Staff read the catalogue; cataloguers and admins create and edit records; admins and
methodologists set the annual plan. A library user is told the catalogue does not exist (404).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.access import CATALOGUE_EDIT, CATALOGUE_READ, PLAN_EDIT, Roles, require, require_staff_area
from api.auth.models import User
from api.deps import CurrentUser, SessionDep
from api.presenters.catalogue import (
    CountsOut,
    EditionOut,
    EditionPageOut,
    PlanOut,
    edition_detail,
    edition_page,
    plan_out,
)
from collection.catalogue import counts as cataloguing_counts
from collection.catalogue import search as catalogue_search
from collection.catalogue import services as catalogue

router = APIRouter(tags=["catalogue"])


def _reader(user: CurrentUser) -> User:
    require_staff_area(user, CATALOGUE_READ)  # a library user is told the catalogue does not exist
    return user


def _role_dependency(roles: Roles) -> Any:
    def dependency(user: Annotated[User, Depends(_reader)]) -> User:
        require(user, roles)
        return user

    return dependency


Reader = Annotated[User, Depends(_reader)]
Editor = Annotated[User, Depends(_role_dependency(CATALOGUE_EDIT))]
Planner = Annotated[User, Depends(_role_dependency(PLAN_EDIT))]


class EditionIn(BaseModel):
    """A new record: MARC-in-JSON and its flavour."""

    record: dict[str, Any] = Field(description='MARC-in-JSON: {"leader": ..., "fields": [...]}')
    flavour: str = Field(pattern="^(marc21|unimarc)$")


class EditionPatch(BaseModel):
    """Field/subfield operations, applied in order (see collection/record_edits.py)."""

    model_config = ConfigDict(extra="forbid")

    changes: list[dict[str, Any]] = Field(
        description='e.g. [{"op": "set_subfield", "field": "245", "subfield": "a", "value": "…"}]; '
        "ops: set_subfield, add_subfield, remove_subfield, add_field, remove_field, "
        "set_indicators, set_data, set_tag, replace_fields")


class PlanValue(BaseModel):
    planned: int = Field(ge=0)
    planned_max: int | None = Field(default=None, ge=0)


@router.get("/editions")
def search_editions(
    session: SessionDep, _user: Reader,
    q: Annotated[str, Query(description="ISBN, inventory number, barcode, UDC/ББК, title or author")] = "",
    field: Annotated[str | None, Query(pattern="^(title|author|isbn|class|inventory|barcode)$")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> EditionPageOut:
    """Find editions with one query box (or one named field)."""
    result = catalogue_search.search_editions(session, q, field=field, page=page, per_page=per_page)
    return edition_page(result)


@router.get("/editions/{edition_id}", responses={404: {}})
def get_edition(edition_id: int, session: SessionDep, _user: Reader) -> EditionOut:
    """One edition: normalised view, MARC fields and copies."""
    return edition_detail(session, catalogue.get_edition(session, edition_id))


@router.post("/editions", status_code=201, responses={422: {}})
def create_edition(body: EditionIn, session: SessionDep, user: Editor) -> EditionOut:
    """Enter a new record by hand (counted as created, and classified/subject-indexed/analytic)."""
    edition = catalogue.create_edition(session, user.actor, body.record, body.flavour)
    session.commit()
    return edition_detail(session, edition)


@router.patch("/editions/{edition_id}", responses={404: {}, 422: {}})
def edit_edition(
    edition_id: int, body: EditionPatch, session: SessionDep, user: Editor
) -> EditionOut:
    """Edit by field/subfield; a 422 names each offending field, e.g. ``020[3]$a[0]``."""
    edition = catalogue.edit_edition(session, user.actor, edition_id, body.changes)
    session.commit()
    return edition_detail(session, edition)


@router.get("/cataloguing/counts")
def cataloguing_counts_table(
    session: SessionDep, _user: Reader, year: int | None = None,
    by: Annotated[str, Query(pattern="^(person|kind|month|quarter)$")] = "kind",
) -> CountsOut:
    """Counts of cataloguing work in a year, by kind (with the plan), person, month or quarter."""
    year = year or date.today().year
    return CountsOut(year=year, by=by, rows=cataloguing_counts.counts_table(session, year, by))


@router.get("/cataloguing/plan")
def get_plan(session: SessionDep, _user: Reader, year: int | None = None) -> PlanOut:
    """The annual plan (the standing default when none was saved for the year)."""
    year = year or date.today().year
    plan, default = cataloguing_counts.get_plan(session, year)
    return plan_out(year, plan, default)


@router.put("/cataloguing/plan/{year}", responses={422: {}})
def set_plan(
    year: int, body: dict[str, PlanValue], session: SessionDep, user: Planner
) -> PlanOut:
    """Set the plan of some kinds for a year: ``{"edited": {"planned": 1100, "planned_max": 3000}}``."""
    values = {kind: (v.planned, v.planned_max) for kind, v in body.items()}
    plan = cataloguing_counts.set_plan(session, user.actor, year, values)
    session.commit()
    return plan_out(year, plan, False)
