"""``GET /api/v1/health``: is komplekt up, which version, can it reach its database."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(prefix="/health", tags=["health"])


class Health(BaseModel):
    """Service status."""

    status: Literal["ok", "degraded"]
    version: str
    database: Literal["ok", "unreachable"]


@router.get("", response_model=Health, responses={503: {"model": Health}})
def health(request: Request) -> JSONResponse:
    """Report the version and whether the database answers (503 when it does not)."""
    database: Literal["ok", "unreachable"]
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "unreachable"
    body = Health(
        status="ok" if database == "ok" else "degraded",
        version=request.app.version,
        database=database,
    )
    return JSONResponse(body.model_dump(), status_code=200 if database == "ok" else 503)
