"""The start page after logging in: what this role can do here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import PageUser
from api.rendering import render
from collection.db import now_utc

router = APIRouter()


@router.get("/")
def home(request: Request, user: PageUser) -> Response:
    """Dashboard: greeting, role and links to the user's areas."""
    return render(request, "home.html", {"now": now_utc()})
