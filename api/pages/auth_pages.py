"""Log in, log out, and switch the UI language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import services
from api.auth.errors import LoginFailed
from api.auth.models import User
from api.deps import SessionDep, client_ip, start_page_session
from api.i18n import COOKIE as LANGUAGE_COOKIE
from api.i18n import LANGUAGES
from api.rendering import flash, redirect, render, safe_next
from collection.errors import N_

router = APIRouter()


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form."""
    return render(request, "login.html", {"next": safe_next(next), "username": ""})


@router.post("/login")
async def login(request: Request, session: SessionDep) -> Response:
    """Check the credentials (rate-limited) and start a session."""
    form = await request.form()
    username = str(form.get("username", ""))
    target = safe_next(str(form.get("next", "/")))
    try:
        user = services.login(
            session, limiter=request.app.state.limiter, username=username,
            password=str(form.get("password", "")), ip=client_ip(request),
        )  # fmt: skip
    except LoginFailed:
        context = {
            "next": target, "username": username,
            "error": N_("Неправильне ім'я користувача або пароль"),
        }  # fmt: skip
        return render(request, "login.html", context, status_code=401)
    start_page_session(request, user)
    request.state.user = user
    flash(request, N_("Вітаємо, {name}!"), name=user.full_name or user.username)
    return redirect(target)


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """End the session (audited when it belonged to a user)."""
    uid = request.session.get("uid")
    user = session.get(User, uid) if uid else None
    if user is not None:
        services.logout(session, user)
    request.session.clear()
    return redirect("/login")


@router.get("/lang/{language}")
def switch_language(request: Request, language: str, next: str = "/") -> Response:
    """Remember the chosen UI language in a cookie and go back."""
    response = redirect(safe_next(next))
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response
