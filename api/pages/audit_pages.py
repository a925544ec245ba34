"""The audit page: who changed what and when, filtered by object and/or by user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import READ_AUDIT
from api.auth.models import User
from api.deps import SessionDep, require_page_roles
from api.rendering import render
from collection.audit import query_audit

router = APIRouter(prefix="/audit")


@router.get("")
def audit(
    request: Request,
    session: SessionDep,
    _user: Annotated[User, Depends(require_page_roles(READ_AUDIT))],
    object_type: str = "",
    object_id: str = "",
    user: str = "",
) -> Response:
    """The newest 200 entries matching the filters."""
    entries = query_audit(
        session, object_type=object_type.strip(), object_id=object_id.strip(), user=user.strip()
    )
    filters = {"object_type": object_type, "object_id": object_id, "user": user}
    return render(request, "audit.html", {"entries": entries, "filters": filters})
