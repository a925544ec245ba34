"""CSRF protection for pages: a per-session token every form posts back (or htmx sends).

The REST API needs none: it authenticates only with bearer tokens, which a browser never
attaches on its own.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request

FIELD = "csrf_token"
HEADER = "x-csrf-token"


class CsrfError(Exception):
    """A form arrived without the session's CSRF token."""


def csrf_token(session: dict[str, Any]) -> str:
    """This session's token, created on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


async def verify_csrf(request: Request) -> None:
    """Dependency for every page route that changes something: the token must match."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(HEADER)
    if not sent:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfError()
