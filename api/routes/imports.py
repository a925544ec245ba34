"""``/api/v1/imports``, ``/api/v1/alternatives``, ``/api/v1/export``: MARC in and out over REST."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict

from api.access import IMPORT_EXPORT
from api.auth.models import User
from api.deps import SessionDep, require_roles
from api.presenters.imports import AlternativeOut, JobOut, QuarantinedOut, job_out
from api.uploads import submit_upload
from collection.catalogue.exporting import ExportSummary, check_export_options, iter_export
from collection.errors import InvalidValueError
from collection.imports import review as import_review
from collection.imports.services import ImportOptions

Cataloguer = Annotated[User, Depends(require_roles(IMPORT_EXPORT))]  # who imports, reviews, exports

router = APIRouter(tags=["imports"])


@router.post("/imports", status_code=202)
def upload_import(
    request: Request, session: SessionDep, user: Cataloguer,
    file: Annotated[UploadFile, File(description="MARC file (ISO 2709, MARCXML, JSON; gzip ok)")],
    format: Annotated[str | None, Form()] = None, flavour: Annotated[str | None, Form()] = None,
    encoding: Annotated[str | None, Form()] = None, source: Annotated[str | None, Form()] = None,
    holdings: Annotated[str, Form(description="'ignore' (default): holdings are not taken "
                                  "into the fund; 'fund': copies as before, no receipt")] = "ignore",
) -> JobOut:  # fmt: skip
    """Upload a MARC file; it is imported in the background (poll the job for progress)."""
    options = ImportOptions(format=format or None, flavour=flavour or None,
                            encoding=encoding or None, source=source or None,
                            holdings=holdings or "ignore")
    return job_out(submit_upload(request, session, user, file, options))


@router.get("/imports")
def list_imports(session: SessionDep, user: Cataloguer) -> list[JobOut]:
    """The newest import jobs."""
    return [job_out(job) for job in import_review.list_jobs(session)]


@router.get("/imports/{job_id}", responses={404: {}})
def get_import(job_id: int, session: SessionDep, user: Cataloguer) -> JobOut:
    """A job's state, progress and summary."""
    return job_out(import_review.get_job(session, job_id))


@router.get("/imports/{job_id}/quarantine")
def quarantine(job_id: int, session: SessionDep, user: Cataloguer) -> list[QuarantinedOut]:
    """The records of a job that could not be read: number, offset, reason."""
    return [QuarantinedOut.model_validate(item) for item in import_review.list_quarantine(session, job_id)]


@router.get("/imports/{job_id}/quarantine/{number}/raw", responses={404: {}})
def quarantine_raw(job_id: int, number: int, session: SessionDep, user: Cataloguer) -> Response:
    """The raw bytes of a quarantined record, as they were in the file."""
    item = import_review.get_quarantined(session, job_id, number)
    return Response(item.raw, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="import-{job_id}-record-{number}.mrc"'})


class RetryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flavour: str | None = None
    encoding: str | None = None


@router.post("/imports/{job_id}/quarantine/{number}/retry", responses={404: {}, 409: {}, 422: {}})
def retry(job_id: int, number: int, request: Request, session: SessionDep, user: Cataloguer,
          body: RetryIn | None = None) -> QuarantinedOut:
    """Re-read a quarantined record (optionally as another flavour/encoding) and import it."""
    body = body or RetryIn()
    try:
        item = import_review.retry_quarantined(
            session, job_id, number, actor=user.actor, flavour=body.flavour, encoding=body.encoding,
            quality_tolerance=request.app.state.settings.import_quality_tolerance)
    except InvalidValueError:
        session.commit()  # the record keeps its new reason even though it still does not read
        raise
    session.commit()
    return QuarantinedOut.model_validate(item)


@router.get("/alternatives")
def alternatives(session: SessionDep, user: Cataloguer, state: str = "pending") -> list[AlternativeOut]:
    """Incoming records kept beside better stored ones, for review."""
    return [AlternativeOut.model_validate(a) for a in import_review.list_alternatives(session, state=state)]


@router.post("/alternatives/{alternative_id}/accept", responses={404: {}, 409: {}})
def accept(alternative_id: int, session: SessionDep, user: Cataloguer) -> AlternativeOut:
    """Make the alternative the edition's record (the replaced one is kept)."""
    import_review.accept_alternative(session, alternative_id, actor=user.actor)
    session.commit()
    return AlternativeOut.model_validate(import_review.get_alternative(session, alternative_id))


@router.post("/alternatives/{alternative_id}/reject", responses={404: {}, 409: {}})
def reject(alternative_id: int, session: SessionDep, user: Cataloguer) -> AlternativeOut:
    """Keep the stored record; mark the alternative rejected."""
    alternative = import_review.reject_alternative(session, alternative_id, actor=user.actor)
    session.commit()
    return AlternativeOut.model_validate(alternative)


_EXTENSIONS = {"iso2709": "mrc", "marcxml": "xml", "json": "json"}


@router.get("/export", responses={422: {}})
def export(
    session: SessionDep, user: Cataloguer,
    format: str = "iso2709", flavour: str | None = None, encoding: str = "utf-8",
    with_holdings: bool = False, since: date | None = None,
    q: Annotated[str | None, Query(description="title, authors or ISBN")] = None,
    ids: Annotated[list[int] | None, Query(description="edition ids")] = None,
    branch: str | None = None,
) -> Response:  # fmt: skip
    """Download catalogue records as MARC, streamed."""
    check_export_options(format, flavour, encoding)
    chunks = iter_export(session, ExportSummary(), edition_ids=ids, query=q, since=since,
                         format=format, flavour=flavour, encoding=encoding,
                         with_holdings=with_holdings, branch=branch)
    return StreamingResponse(chunks, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="komplekt-export.{_EXTENSIONS[format]}"'})
