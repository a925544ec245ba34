"""Uploaded MARC files: kept under the data directory and queued for a background import.

Shared by the REST route ``POST /api/v1/imports`` and the import page, so neither imports the other.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from pathlib import Path

from fastapi import Request, UploadFile
from sqlalchemy.orm import Session

from api.auth.models import User
from api.settings import default_data_dir
from collection.imports.models import ImportJob
from collection.imports.services import ImportOptions, start_import


def save_upload(request: Request, upload: UploadFile) -> Path:
    """Keep the uploaded bytes under the data directory (the job re-reads them to resume)."""
    settings = request.app.state.settings
    folder = Path(settings.data_dir or _fallback_data_dir(settings.database_url)) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(upload.filename or "upload.mrc").name
    target = folder / f"{uuid.uuid4().hex[:12]}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"
    with open(target, "wb") as out:
        shutil.copyfileobj(upload.file, out)
    return target


def _fallback_data_dir(url: str) -> str:
    """For settings built without a data directory (tests): beside SQLite, else a temp folder."""
    if url.startswith("sqlite"):
        return default_data_dir(url)
    return str(Path(tempfile.gettempdir()) / "komplekt-data")


def submit_upload(request: Request, session: Session, user: User, upload: UploadFile,
                  options: ImportOptions) -> ImportJob:  # fmt: skip
    """Save the upload, create its job and queue it on the app's import runner."""
    options.validate()
    path = save_upload(request, upload)
    job = start_import(session, path=path, actor=user.actor, options=options, origin="upload",
                       file_name=Path(upload.filename or path.name).name, resume=False)  # fmt: skip
    session.commit()  # the runner reads the job from its own session
    request.app.state.import_runner.submit(job.id, user.actor)
    return job
