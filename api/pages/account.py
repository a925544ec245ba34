""""My account": see one's own details and change one's own password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import services
from api.deps import PageUser, SessionDep, start_page_session
from api.rendering import flash, redirect, render
from collection.errors import N_, CollectionError

router = APIRouter(prefix="/account")


@router.get("")
def account(request: Request, user: PageUser) -> Response:
    """The account page with the change-password form."""
    return render(request, "account.html", {"errors": {}})


@router.post("/password")
async def change_password(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Change one's own password; errors are shown next to the fields."""
    form = await request.form()
    try:
        services.change_own_password(
            session, user, current=str(form.get("current_password", "")),
            new=str(form.get("new_password", "")), confirm=str(form.get("confirm_password", "")),
        )  # fmt: skip
    except CollectionError as error:
        return render(request, "account.html", {"errors": error.errors}, status_code=422)
    start_page_session(request, user)  # this browser stays logged in, other sessions end
    flash(request, N_("Пароль змінено"))
    return redirect("/account")
