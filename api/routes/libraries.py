"""``/api/v1/libraries``: public libraries, each visible only to staff and to its own users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from api.access import CREATE_LIBRARIES, library_fields_editable_by, library_scope
from api.auth.models import User
from api.deps import CurrentUser, SessionDep, require_roles
from api.presenters.libraries import LibraryOut, library_out
from distribution.libraries import services

router = APIRouter(prefix="/libraries", tags=["libraries"])


class LibraryPatch(BaseModel):
    """Fields to change; a library's own users may change only address and contacts."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    community: str | None = None
    district: str | None = None
    oblast: str | None = None
    status: str | None = None
    address: str | None = None
    carrier: str | None = None
    carrier_branch: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_flavour: str | None = None
    preferred_encoding: str | None = None


class LibraryIn(LibraryPatch):
    """A new library: a unique code and a name are required."""

    code: str
    name: str


def _values(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude_none=True)


@router.get("")
def list_libraries(
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[str, Query(description="search in name, code, community, district")] = "",
    status: str = "",
) -> list[LibraryOut]:
    """Libraries the caller may see (a library user: only its own)."""
    libraries = services.list_libraries(session, only_id=library_scope(user), search=q, status=status)
    return [library_out(library) for library in libraries]


@router.post("", status_code=201)
def create_library(
    body: LibraryIn,
    session: SessionDep,
    user: Annotated[User, Depends(require_roles(CREATE_LIBRARIES))],
) -> LibraryOut:
    """Register a new library (admin)."""
    library = services.create_library(session, actor=user.actor, **_values(body))
    session.commit()
    return library_out(library)


@router.get("/{code}", responses={404: {}})
def get_library(code: str, session: SessionDep, user: CurrentUser) -> LibraryOut:
    """One library; 404 also when it exists but is not the caller's to see."""
    return library_out(services.get_library(session, code, only_id=library_scope(user)))


@router.patch("/{code}", responses={404: {}, 422: {}})
def update_library(code: str, body: LibraryPatch, session: SessionDep, user: CurrentUser) -> LibraryOut:
    """Change a library's fields (a library user: only its own address and contacts)."""
    library = services.get_library(session, code, only_id=library_scope(user))
    services.update_library(
        session, library, actor=user.actor, values=_values(body),
        allowed=library_fields_editable_by(user),
    )  # fmt: skip
    session.commit()
    return library_out(library)
