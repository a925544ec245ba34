"""User administration (admin): list users, create one, disable or re-enable an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.access import MANAGE_USERS
from api.auth import services
from api.auth.models import ROLES, User
from api.deps import SessionDep, require_page_roles
from api.rendering import ROLE_LABELS, flash, redirect, render
from collection.errors import N_, CollectionError
from distribution.libraries.services import list_libraries

router = APIRouter(prefix="/admin/users")
Admin = Annotated[User, Depends(require_page_roles(MANAGE_USERS))]

EMPTY_FORM = {"username": "", "full_name": "", "role": "cataloguer", "library": ""}


def _page(
    request: Request, session: Session, *, values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> Response:
    """The users page: the list and the new-user form (with errors next to fields)."""
    return render(
        request, "users.html",
        {
            "users": services.list_users(session),
            "values": values or EMPTY_FORM,
            "errors": errors or {},
            "roles": [(role, ROLE_LABELS[role]) for role in ROLES],
            "role_labels": ROLE_LABELS,
            "libraries": [(lib.code, f"{lib.code} — {lib.name}")
                          for lib in list_libraries(session)],
        },
        status_code=status_code,
    )  # fmt: skip


@router.get("")
def users(request: Request, session: SessionDep, _admin: Admin) -> Response:
    """Every account, and the form for a new one."""
    return _page(request, session)


@router.post("")
async def create(request: Request, session: SessionDep, admin: Admin) -> Response:
    """Create an account, or show the form again with each error next to its field."""
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in EMPTY_FORM}
    try:
        user = services.create_user(
            session, actor=admin.actor, username=values["username"],
            password=str(form.get("password", "")), role=values["role"],
            full_name=values["full_name"], library_code=values["library"] or None,
        )  # fmt: skip
    except CollectionError as error:
        session.rollback()
        return _page(request, session, values=values, errors=error.errors, status_code=422)
    flash(request, N_("Користувача {username} створено"), username=user.username)
    return redirect("/admin/users")


@router.post("/{username}/active")
async def set_active(
    username: str, request: Request, session: SessionDep, admin: Admin
) -> Response:
    """Disable or re-enable an account (``active`` = "0" or "1")."""
    form = await request.form()
    user = services.get_user(session, username)
    active = form.get("active") == "1"
    try:
        services.set_active(session, user, actor=admin.actor, active=active)
    except CollectionError as error:
        flash(request, error.message, "error")
        return redirect("/admin/users")
    message = N_("Обліковий запис {username} увімкнено") if active else N_(
        "Обліковий запис {username} вимкнено"
    )
    flash(request, message, username=user.username)
    return redirect("/admin/users")
