"""FastAPI dependencies: the database session, the current user (token or page session), roles.

Used as ``Annotated`` aliases: ``SessionDep``, ``CurrentUser`` (REST, bearer token),
``PageUser`` (pages, session cookie) and ``require_roles(...)`` / ``require_page_roles(...)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import require
from api.auth import services as auth_services
from api.auth.models import ApiToken, User
from api.errors import LoginRequired, NotAuthenticated
from api.i18n import Translator, translator_for


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; services commit, anything uncommitted is discarded at the end.

    ``close()`` (not ``rollback()``): loaded objects stay readable, so an error page rendered
    after the session ends can still show the current user.
    """
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
bearer_scheme = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token")


def get_api_token(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> ApiToken:
    """The bearer token of a REST call (401 without a valid one)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated()
    found = auth_services.user_for_token(session, credentials.credentials)
    if found is None:
        raise NotAuthenticated()
    user, token = found
    request.state.user = user
    return token


CurrentToken = Annotated[ApiToken, Depends(get_api_token)]


def get_api_user(token: CurrentToken) -> User:
    """The user behind the bearer token."""
    return token.user


CurrentUser = Annotated[User, Depends(get_api_user)]


def require_roles(roles: tuple[str, ...]) -> Callable[..., User]:
    """A REST dependency allowing only ``roles`` (403 otherwise)."""

    def dependency(user: CurrentUser) -> User:
        require(user, roles)
        return user

    return dependency


def password_fingerprint(user: User) -> str:
    """A short digest of the password hash: a password change ends the other sessions."""
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


def start_page_session(request: Request, user: User) -> None:
    """Log ``user`` in on this browser: a fresh session (and a fresh CSRF token)."""
    request.session.clear()
    request.session.update({"uid": user.id, "pw": password_fingerprint(user)})


def get_page_user(request: Request, session: SessionDep) -> User:
    """The logged-in, active user of a page request; otherwise redirect to the login page."""
    uid = request.session.get("uid")
    user = session.scalars(select(User).where(User.id == uid)).first() if uid else None
    if user is None or not user.active or request.session.get("pw") != password_fingerprint(user):
        if uid:
            request.session.clear()
        raise LoginRequired()
    request.state.user = user
    return user


PageUser = Annotated[User, Depends(get_page_user)]


def require_page_roles(roles: tuple[str, ...]) -> Callable[..., User]:
    """A page dependency allowing only ``roles`` (a 403 page otherwise)."""

    def dependency(user: PageUser) -> User:
        require(user, roles)
        return user

    return dependency


def get_translator(request: Request) -> Translator:
    """The request's translator (language from cookie or settings)."""
    return translator_for(request)


TranslatorDep = Annotated[Translator, Depends(get_translator)]


def client_ip(request: Request) -> str:
    """The client's address (behind a proxy: what uvicorn's proxy headers say)."""
    return request.client.host if request.client else "unknown"
