"""``GET /api/v1/audit``: the audit trail, by object and/or by user (admin, methodologist)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from api.access import READ_AUDIT
from api.auth.models import User
from api.deps import SessionDep, require_roles
from collection.audit import query_audit

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    """One audited action."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    user_id: int | None
    username: str
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]


@router.get("")
def list_audit(
    session: SessionDep,
    _user: Annotated[User, Depends(require_roles(READ_AUDIT))],
    object_type: str = "",
    object_id: str = "",
    user: Annotated[str, Query(description="username, or user id")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryOut]:
    """Audit entries, newest first."""
    entries = query_audit(session, object_type=object_type, object_id=object_id, user=user, limit=limit)
    return [AuditEntryOut.model_validate(entry) for entry in entries]
