"""Library pages: the list (staff), a library's card with its edit form, and a new library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.access import (
    CREATE_LIBRARIES,
    library_fields_editable_by,
    library_scope,
    may,
)
from api.auth.models import User
from api.deps import PageUser, SessionDep, require_page_roles
from api.errors import PageNotFound
from api.rendering import flash, redirect, render
from collection.audit import entries_for_object
from collection.errors import N_, CollectionError
from distribution.errors import LibraryNotFound
from distribution.libraries import services
from distribution.libraries.models import EDITABLE_FIELDS, ENCODINGS, FLAVOURS, STATUSES, Library
from distribution.vocabulary import LIBRARY_STATUS_LABELS

router = APIRouter(prefix="/libraries")

STATUS_LABELS = LIBRARY_STATUS_LABELS  # the vocabulary's words, one definition
CHOICES = {
    "status": [(value, STATUS_LABELS[value]) for value in STATUSES],
    "preferred_flavour": [(value, value.upper()) for value in FLAVOURS],
    "preferred_encoding": [(value, value.upper()) for value in ENCODINGS],
}


def _render_card(
    request: Request, library: Library, user: User, *, session: Session,
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    """The card page with its edit form (locked fields disabled) and the library's history."""
    return render(
        request, "library_card.html",
        {
            "library": library,
            "values": values or {name: getattr(library, name) for name in EDITABLE_FIELDS},
            "errors": errors or {},
            "editable": library_fields_editable_by(user),
            "choices": CHOICES,
            "status_labels": STATUS_LABELS,
            "history": entries_for_object(session, "library", library.code)[:20],
        },
        status_code=status_code,
    )  # fmt: skip


@router.get("")
def list_page(
    request: Request, session: SessionDep, user: PageUser, q: str = "", status: str = ""
) -> Response:
    """All libraries for staff (searchable, htmx-filtered); a library user goes to its card."""
    if not user.is_staff:
        return redirect(f"/libraries/{user.library.code}")
    libraries = services.list_libraries(
        session, only_id=library_scope(user), search=q, status=status
    )
    context = {"libraries": libraries, "q": q, "status": status, "status_labels": STATUS_LABELS,
               "statuses": CHOICES["status"], "can_create": may(user, CREATE_LIBRARIES)}
    # htmx filtering wants only the rows; a history restore (Back button) wants the whole page.
    partial = request.headers.get("hx-request") == "true"
    if partial and request.headers.get("hx-history-restore-request") != "true":
        return render(request, "library_rows.html", context)
    return render(request, "libraries.html", context)


@router.get("/new")
def new_form(
    request: Request, _user: Annotated[User, Depends(require_page_roles(CREATE_LIBRARIES))]
) -> Response:
    """The form for a new library (admin)."""
    values = {"code": "", "oblast": "Луганська", "status": "working",
              "preferred_flavour": "unimarc", "preferred_encoding": "utf-8"}
    return render(request, "library_new.html", {"values": values, "errors": {}, "choices": CHOICES})


@router.post("/new")
async def create(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(require_page_roles(CREATE_LIBRARIES))],
) -> Response:
    """Create the library, or show the form again with each error next to its field."""
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("code", *EDITABLE_FIELDS)}
    try:
        library = services.create_library(session, actor=user.actor, **values)
        session.commit()
    except CollectionError as error:
        context = {"values": values, "errors": error.errors, "choices": CHOICES,
                   "error": error.message}
        return render(request, "library_new.html", context, status_code=422)
    flash(request, N_("Бібліотеку {code} додано"), code=library.code)
    return redirect(f"/libraries/{library.code}")


def _visible_library(session: Session, code: str, user: User) -> Library:
    try:
        return services.get_library(session, code, only_id=library_scope(user))
    except LibraryNotFound as missing:
        raise PageNotFound() from missing


@router.get("/{code}")
def card(code: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    """A library's card; a library user may open only its own (others are "not found")."""
    library = _visible_library(session, code, user)
    return _render_card(request, library, user, session=session)


@router.post("/{code}")
async def update(code: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Save the card's form; only the fields this user may edit are read from it."""
    library = _visible_library(session, code, user)
    form = await request.form()
    editable = library_fields_editable_by(user)
    values = {name: str(form.get(name, "")) for name in editable}
    try:
        changes = services.update_library(
            session, library, actor=user.actor, values=values, allowed=editable
        )
        session.commit()
    except CollectionError as error:
        session.rollback()
        shown = {name: getattr(library, name) for name in EDITABLE_FIELDS} | values
        return _render_card(
            request, library, user, values=shown, errors=error.errors, status_code=422,
            session=session,
        )  # fmt: skip
    if changes:
        flash(request, N_("Зміни збережено"))
    else:
        flash(request, N_("Нічого не змінено"), "info")
    return redirect(f"/libraries/{library.code}")
