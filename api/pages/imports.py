"""Import pages: upload a MARC file, watch its job, work its quarantine, review alternatives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.access import IMPORT_EXPORT
from api.auth.models import User
from api.deps import SessionDep, require_page_roles
from api.errors import PageNotFound
from api.rendering import flash, redirect, render
from api.uploads import submit_upload
from collection.catalogue.editions import record_from_marc
from collection.catalogue.models import Edition
from collection.errors import N_, CollectionError, InvalidValueError, NotFoundError
from collection.imports import review as import_review
from collection.imports.models import COUNTERS
from collection.imports.services import ImportOptions, is_resumable
from marc.model import ENCODINGS, FLAVOURS, FORMATS
from marc.view import bib_view

router = APIRouter(prefix="/imports")
Cataloguer = Annotated[User, Depends(require_page_roles(IMPORT_EXPORT))]

STATE_LABELS = {"queued": N_("у черзі"), "running": N_("виконується"), "done": N_("завершено"),
                "failed": N_("перервано")}
COUNTER_LABELS = {
    "read": N_("прочитано"), "created": N_("створено"), "updated": N_("оновлено"),
    "unchanged": N_("без змін"), "alternatives": N_("альтернативних"), "errors": N_("з помилками"),
    "copies_created": N_("примірників створено"), "copies_existing": N_("примірників уже було"),
    "holdings_without_inventory": N_("без інвентарного номера"),
    "kept_local": N_("залишено правки каталогізатора"),
    "holdings_ignored": N_("фондових полів не взято до фонду"),
}
CHOICES = {
    "format": [(v, v.upper()) for v in FORMATS],
    "flavour": [(v, v.upper()) for v in FLAVOURS],
    "encoding": [(v, v.upper()) for v in ENCODINGS],
    "holdings": [("ignore", N_("не брати до фонду")),
                 ("fund", N_("взяти до фонду як примірники (без надходження)"))],
}
VIEW_FIELDS = ("control_number", "title", "remainder_of_title", "responsibility", "authors",
               "edition", "place", "publisher", "year", "extent", "isbn", "languages", "udc",
               "bbk", "subjects")


def _labels() -> dict:
    return {"state_labels": STATE_LABELS, "counter_labels": COUNTER_LABELS, "counters": COUNTERS}


def _job(session, job_id: int):
    try:
        return import_review.get_job(session, job_id)
    except NotFoundError as missing:
        raise PageNotFound() from missing


@router.get("")
def imports_page(request: Request, session: SessionDep, user: Cataloguer) -> Response:
    """The upload form and the latest imports."""
    return render(request, "imports/list.html", {
        "jobs": import_review.list_jobs(session), "values": {}, "errors": {}, "choices": CHOICES,
        **_labels()})  # fmt: skip


@router.post("")
async def upload(request: Request, session: SessionDep, user: Cataloguer) -> Response:
    """Save the file and start its import in the background; then show the job's page."""
    form = await request.form()
    values = {name: str(form.get(name) or "")
              for name in ("format", "flavour", "encoding", "source", "holdings")}
    file = form.get("file")
    errors: dict[str, str] = {}
    error_params: dict[str, object] = {}
    if not isinstance(file, UploadFile) or not file.filename:
        errors["file"] = N_("Оберіть файл MARC")
    else:
        options = ImportOptions(**{k: v or None for k, v in values.items() if k != "holdings"},
                                holdings=values["holdings"] or "ignore")
        try:
            job = submit_upload(request, session, user, file, options)
        except CollectionError as error:
            errors, error_params = error.errors, error.params
    if errors:
        return render(request, "imports/list.html", {
            "jobs": import_review.list_jobs(session), "values": values, "errors": errors,
            "error_params": error_params, "choices": CHOICES, **_labels()},
            status_code=422)  # fmt: skip
    flash(request, N_("Файл {name} завантажено, імпорт розпочато"), name=job.file_name)
    return redirect(f"/imports/{job.id}")


@router.get("/alternatives")
def alternatives_page(request: Request, session: SessionDep, user: Cataloguer) -> Response:
    """Incoming records kept beside better stored ones: side by side, accept or reject."""
    pairs = []
    for item in import_review.list_alternatives(session, limit=50):
        edition = session.get(Edition, item.edition_id)
        stored = bib_view(record_from_marc(edition.marc), edition.flavour).as_dict()
        incoming = bib_view(record_from_marc(item.marc), item.flavour).as_dict()
        pairs.append((item, edition, stored, incoming))
    return render(request, "imports/alternatives.html", {"pairs": pairs, "fields": VIEW_FIELDS})


@router.post("/alternatives/{alternative_id}/{decision}")
def decide(alternative_id: int, decision: str, request: Request, session: SessionDep,
           user: Cataloguer) -> Response:
    """Accept (the incoming record becomes the edition's) or reject an alternative."""
    try:
        if decision == "accept":
            import_review.accept_alternative(session, alternative_id, actor=user.actor)
            session.commit()
            flash(request, N_("Запис замінено"))
        elif decision == "reject":
            import_review.reject_alternative(session, alternative_id, actor=user.actor)
            session.commit()
            flash(request, N_("Запис відхилено"), "info")
        else:
            raise PageNotFound()
    except NotFoundError as missing:
        raise PageNotFound() from missing
    except CollectionError as error:
        flash(request, error.message, "error", **error.params)
    return redirect("/imports/alternatives")


@router.get("/{job_id}")
def job_page(job_id: int, request: Request, session: SessionDep, user: Cataloguer) -> Response:
    """A job: progress (refreshed while it runs), counts, link to its quarantine."""
    job = _job(session, job_id)
    template = "imports/progress.html" if request.headers.get("hx-request") else "imports/job.html"
    return render(request, template, {"job": job, "resumable": is_resumable(job), **_labels()})


@router.post("/{job_id}/resume")
def resume(job_id: int, request: Request, session: SessionDep, user: Cataloguer) -> Response:
    """Run an interrupted job again from its last committed batch."""
    job = _job(session, job_id)
    if job.state in ("failed", "running", "queued") and job.origin == "upload":
        request.app.state.import_runner.submit(job.id, user.actor)
        flash(request, N_("Імпорт продовжено"))
    return redirect(f"/imports/{job.id}")


@router.get("/{job_id}/quarantine")
def quarantine_page(job_id: int, request: Request, session: SessionDep, user: Cataloguer) -> Response:
    """The job's unreadable records: where, why; download or retry each."""
    job = _job(session, job_id)
    return render(request, "imports/quarantine.html", {
        "job": job, "items": import_review.list_quarantine(session, job_id), "choices": CHOICES,
        "readable": import_review.readable_reason})


@router.get("/{job_id}/quarantine/{number}/raw")
def quarantine_raw(job_id: int, number: int, session: SessionDep, user: Cataloguer) -> Response:
    """The raw bytes of a quarantined record."""
    try:
        item = import_review.get_quarantined(session, job_id, number)
    except NotFoundError as missing:
        raise PageNotFound() from missing
    return Response(item.raw, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="import-{job_id}-record-{number}.mrc"'})


@router.post("/{job_id}/quarantine/{number}/retry")
async def retry(job_id: int, number: int, request: Request, session: SessionDep,
                user: Cataloguer) -> Response:
    """Re-read the record, optionally as another flavour or encoding, and import it."""
    form = await request.form()
    try:
        import_review.retry_quarantined(
            session, job_id, number, actor=user.actor,
            flavour=str(form.get("flavour") or "") or None,
            encoding=str(form.get("encoding") or "") or None,
            quality_tolerance=request.app.state.settings.import_quality_tolerance)
        session.commit()
        flash(request, N_("Запис {number} імпортовано"), number=number)
    except NotFoundError as missing:
        raise PageNotFound() from missing
    except InvalidValueError as error:
        session.commit()  # the record keeps its new reason even though it still does not read
        flash(request, error.message, "error", **error.params)
    except CollectionError as error:
        flash(request, error.message, "error", **error.params)
    return redirect(f"/imports/{job_id}/quarantine")
