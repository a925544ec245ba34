"""``/api/v1/auth``: exchange a username and password for a bearer token; who am I; revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.auth import services
from api.auth.errors import LoginFailed
from api.deps import CurrentToken, CurrentUser, SessionDep, client_ip
from api.presenters.libraries import Me, me_out

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    """A bearer token, shown once."""

    access_token: str
    token_type: str = "bearer"


@router.post("/token", response_model=Token, responses={401: {}, 429: {}})
def create_token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token | JSONResponse:
    """Log in with username and password (form fields, OAuth2 password flow) → bearer token."""
    try:
        user = services.login(
            session, limiter=request.app.state.limiter, username=form.username,
            password=form.password, ip=client_ip(request),
        )  # fmt: skip
    except LoginFailed:
        return JSONResponse(
            {"detail": "Wrong username or password, or the account is disabled"},
            status_code=401,
        )
    return Token(access_token=services.issue_token(session, user, name="api"))


@router.get("/me", response_model=Me)
def me(user: CurrentUser) -> Me:
    """Who the token belongs to."""
    return me_out(user)


@router.delete("/token", status_code=204)
def revoke_current_token(session: SessionDep, token: CurrentToken) -> None:
    """Revoke the token this request was made with."""
    services.revoke_token(session, token, actor=token.user.actor)
