"""What MARC imports look like in REST answers: jobs, quarantined records, alternatives under review."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from collection.imports.models import ImportJob


class JobOut(BaseModel):
    """An import job: its state, progress and counters."""

    id: int
    file_name: str
    state: str
    size: int
    bytes_done: int
    resume_from: int
    message: str  # why it failed, or that the file was empty
    summary: dict[str, int]
    warning_count: int = 0  # reader warnings over the whole file
    warnings: list[tuple[int, str]] = []  # (record number, text), the first hundred


class QuarantinedOut(BaseModel):
    """A record that could not be read: where it was in the file and why."""

    model_config = ConfigDict(from_attributes=True)

    record_number: int
    offset: int
    reason: str
    format: str
    state: str
    edition_id: int | None


class AlternativeOut(BaseModel):
    """An incoming record kept beside a better stored one, for review."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    edition_id: int
    job_id: int | None
    flavour: str
    source: str
    quality: int
    stored_quality: int
    state: str
    marc: dict[str, Any]


def job_out(job: ImportJob) -> JobOut:
    """A job's state, progress and summary."""
    return JobOut(id=job.id, file_name=job.file_name, state=job.state, size=job.size,
                  bytes_done=job.bytes_done, resume_from=job.resume_from, message=job.message,
                  summary=job.summary(), warning_count=job.warning_count or 0,
                  warnings=[(int(n), str(text)) for n, text in job.warnings or []])  # fmt: skip
