"""Render a page: the template plus what every page needs (user, nav, flashes, CSRF, language).

Messages handed to templates are Ukrainian msgids; templates translate with ``_``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.access import MANAGE_USERS, READ_AUDIT, may
from api.auth.csrf import FIELD as CSRF_FIELD
from api.auth.csrf import csrf_token
from api.i18n import LANGUAGE_NAMES, translator_for
from collection.errors import N_

ROLE_LABELS = {
    "admin": N_("адміністратор"),
    "cataloguer": N_("каталогізатор"),
    "acquisitions": N_("комплектування"),
    "programme": N_("центр просування читання"),
    "methodologist": N_("методист"),
    "library": N_("публічна бібліотека"),
}


@dataclass(frozen=True, slots=True)
class NavItem:
    """One navigation link: its target and its (untranslated) label."""

    href: str
    label: str


def navigation(user: Any) -> list[NavItem]:
    """The links a user's role gives access to, in menu order."""
    if user is None:
        return []
    items = [NavItem("/", N_("Головна"))]
    if user.is_staff:
        items.append(NavItem("/libraries", N_("Бібліотеки")))
    elif user.library is not None:
        items.append(NavItem(f"/libraries/{user.library.code}", N_("Моя бібліотека")))
    if may(user, READ_AUDIT):
        items.append(NavItem("/audit", N_("Журнал змін")))
    if may(user, MANAGE_USERS):
        items.append(NavItem("/admin/users", N_("Користувачі")))
    items.append(NavItem("/account", N_("Мій обліковий запис")))
    return items


def flash(request: Request, message: str, category: str = "success", **params: object) -> None:
    """Queue a message for the next page this browser sees (after a redirect)."""
    text = translator_for(request).gettext(message, **params)
    request.session.setdefault("flashes", []).append([category, text])


def redirect(url: str) -> RedirectResponse:
    """303 See Other: the answer to a successful form post."""
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything that could leave the site becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """The page ``name`` with ``context`` and the shared layout's needs."""
    t = translator_for(request)
    user = getattr(request.state, "user", None)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    full = {
        "t": t,
        "_": t.gettext,
        "lang": t.language,
        "languages": LANGUAGE_NAMES,
        "here": quote(here, safe="/?=&"),
        "user": user,
        "nav": navigation(user),
        "role_labels": ROLE_LABELS,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request.session),
        "flashes": request.session.pop("flashes", []),
        **(context or {}),
    }
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, full, status_code=status_code)
