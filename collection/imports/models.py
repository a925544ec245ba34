"""Tables of MARC import: the job (resumable), its quarantined records and alternative records.

ImportJob is the unit a cataloguer starts (CLI or upload) and watches; ``resume_from`` is the
number of the last record of the last committed batch, so a killed import continues where its
last transaction ended. QuarantinedRecord keeps a record that could not be read, raw bytes and
all, until a cataloguer retries or resolves it. AlternativeRecord keeps an incoming record that
matched a stored edition but scored lower, so the better stored record is not overwritten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from collection.db import Base, UTCDateTime, in_check, intpk, str_32, str_64, utcnow

JOB_STATES = ("queued", "running", "done", "failed")
JOB_ORIGINS = ("cli", "upload")
QUARANTINE_STATES = ("open", "retried", "resolved")
# superseded: a stored record an import (or an accepted alternative) replaced, kept to restore.
ALTERNATIVE_STATES = ("pending", "accepted", "rejected", "superseded")
# The job's counters, in the order summaries show them.
# kept_local: records matching an edition a cataloguer edited locally, kept as alternatives;
# holdings_ignored: holdings fields left out of the fund (the job's "holdings" option).
WARNINGS_KEPT = 100  # per job: enough to see what goes wrong, not a copy of a bad file
COUNTERS = ("read", "created", "updated", "unchanged", "alternatives", "kept_local", "errors",
            "copies_created", "copies_existing", "holdings_without_inventory", "holdings_ignored")


class ImportJob(Base):
    """One import of one file: options, progress, counters and where to resume."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint(in_check("state", JOB_STATES), name="state"),
        CheckConstraint(in_check("origin", JOB_ORIGINS), name="origin"),
        Index("ix_import_jobs_sha256", "sha256"),
    )

    id: Mapped[intpk]
    file_name: Mapped[str] = mapped_column(String(255))
    file_path: Mapped[str] = mapped_column(String(1000), default="")  # where the bytes are kept
    sha256: Mapped[str_64]
    size: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(16), default="cli")
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # format, flavour, encoding, source
    state: Mapped[str] = mapped_column(String(16), default="queued")
    counters: Mapped[dict] = mapped_column(JSON, default=dict)  # COUNTERS -> int
    resume_from: Mapped[int] = mapped_column(Integer, default=0)
    bytes_done: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")  # why a job failed, or that it was empty
    # The readers' warnings per record: [number, text], the first WARNINGS_KEPT; the count of all.
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key, like the audit trail
    username: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def count(self, name: str) -> int:
        """One counter (0 when the job has not reached it yet)."""
        return int((self.counters or {}).get(name, 0))

    def summary(self) -> dict[str, int]:
        """Every counter, zeros included."""
        return {name: self.count(name) for name in COUNTERS}


class QuarantinedRecord(Base):
    """A record that could not be read: where it was, why, and its raw bytes, kept for retry."""

    __tablename__ = "quarantined_records"
    __table_args__ = (
        CheckConstraint(in_check("state", QUARANTINE_STATES), name="state"),
        UniqueConstraint("job_id", "record_number"),
    )

    id: Mapped[intpk]
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    record_number: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    format: Mapped[str_32]
    state: Mapped[str] = mapped_column(String(16), default="open")
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id"))  # after a retry
    created_at: Mapped[utcnow]


class AlternativeRecord(Base):
    """An incoming record kept beside a better stored edition, for a cataloguer to review."""

    __tablename__ = "alternative_records"
    __table_args__ = (
        CheckConstraint(in_check("state", ALTERNATIVE_STATES), name="state"),
        UniqueConstraint("edition_id", "record_hash"),
    )

    id: Mapped[intpk]
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id", ondelete="SET NULL"))
    marc: Mapped[dict] = mapped_column(JSON)
    flavour: Mapped[str] = mapped_column(String(16))
    source: Mapped[str_64] = mapped_column(default="")
    record_hash: Mapped[str_64]
    quality: Mapped[int] = mapped_column(Integer)
    stored_quality: Mapped[int] = mapped_column(Integer)  # the edition's score when compared
    state: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str_64] = mapped_column(default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[utcnow]
