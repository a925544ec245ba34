"""``/api/v1/imports``, ``/api/v1/alternatives``, ``/api/v1/export``: MARC in and out over REST."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict

from api.access import IMPORT_EXPORT
from api.auth.models import User
from api.deps import SessionDep, require_roles
from api.uploads import submit_upload
from collection.catalogue.exporting import ExportSummary, check_export_options, iter_export
from collection.errors import InvalidValueError
from collection.imports import review as import_review
from collection.imports.models import ImportJob
from collection.imports.services import ImportOptions

Cataloguer = Annotated[User, Depends(require_roles(IMPORT_EXPORT))]  # who imports, reviews, exports

router = APIRouter(tags=["imports"])


class JobOut(BaseModel):
    """An import job: its state, progress and counters."""

    id: int
    file_name: str
    state: str
    size: int
    bytes_done: int
    resume_from: int
    message: str
    summary: dict[str, int]


class QuarantinedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    record_number: int
    offset: int
    reason: str
    format: str
    state: str
    edition_id: int | None


class AlternativeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    edition_id: int
    job_id: int | None
    flavour: str
    source: str
    quality: int
    stored_quality: int
    state: str
    marc: dict


def job_out(job: ImportJob) -> JobOut:
    return JobOut(id=job.id, file_name=job.file_name, state=job.state, size=job.size,
                  bytes_done=job.bytes_done, resume_from=job.resume_from, message=job.message,
                  summary=job.summary())


@router.post("/imports", response_model=JobOut, status_code=202)
def upload_import(
    request: Request, session: SessionDep, user: Cataloguer,
    file: Annotated[UploadFile, File(description="MARC file (ISO 2709, MARCXML, JSON; gzip ok)")],
    format: Annotated[str | None, Form()] = None, flavour: Annotated[str | None, Form()] = None,
    encoding: Annotated[str | None, Form()] = None, source: Annotated[str | None, Form()] = None,
) -> Any:  # fmt: skip
    """Upload a MARC file; it is imported in the background (poll the job for progress)."""
    options = ImportOptions(format=format or None, flavour=flavour or None,
                            encoding=encoding or None, source=source or None)
    return job_out(submit_upload(request, session, user, file, options))


@router.get("/imports", response_model=list[JobOut])
def list_imports(session: SessionDep, user: Cataloguer) -> Any:
    """The newest import jobs."""
    return [job_out(job) for job in import_review.list_jobs(session)]


@router.get("/imports/{job_id}", response_model=JobOut, responses={404: {}})
def get_import(job_id: int, session: SessionDep, user: Cataloguer) -> Any:
    """A job's state, progress and summary."""
    return job_out(import_review.get_job(session, job_id))


@router.get("/imports/{job_id}/quarantine", response_model=list[QuarantinedOut])
def quarantine(job_id: int, session: SessionDep, user: Cataloguer) -> Any:
    """The records of a job that could not be read: number, offset, reason."""
    return import_review.list_quarantine(session, job_id)


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


@router.post("/imports/{job_id}/quarantine/{number}/retry", response_model=QuarantinedOut,
             responses={404: {}, 409: {}, 422: {}})
def retry(job_id: int, number: int, request: Request, session: SessionDep, user: Cataloguer,
          body: RetryIn | None = None) -> Any:
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
    return item


@router.get("/alternatives", response_model=list[AlternativeOut])
def alternatives(session: SessionDep, user: Cataloguer, state: str = "pending") -> Any:
    """Incoming records kept beside better stored ones, for review."""
    return import_review.list_alternatives(session, state=state)


@router.post("/alternatives/{alternative_id}/accept", response_model=AlternativeOut,
             responses={404: {}, 409: {}})
def accept(alternative_id: int, session: SessionDep, user: Cataloguer) -> Any:
    """Make the alternative the edition's record (the replaced one is kept)."""
    import_review.accept_alternative(session, alternative_id, actor=user.actor)
    session.commit()
    return import_review.get_alternative(session, alternative_id)


@router.post("/alternatives/{alternative_id}/reject", response_model=AlternativeOut,
             responses={404: {}, 409: {}})
def reject(alternative_id: int, session: SessionDep, user: Cataloguer) -> Any:
    """Keep the stored record; mark the alternative rejected."""
    alternative = import_review.reject_alternative(session, alternative_id, actor=user.actor)
    session.commit()
    return alternative


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
