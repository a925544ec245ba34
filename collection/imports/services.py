"""MARC import at scale: stream a file into editions and copies, batch by batch, resumably.

Each batch of records is one transaction: its editions, their ISBNs and copies, its quarantined
records, its events and the job's counters and ``resume_from`` commit together or not at all, so
a killed import leaves no half-written edition and continues after the last committed batch.
Matching is done in bulk per batch (one ``IN`` query for control numbers, one for ISBNs):

* same (source, control number) → the same edition; source = 003, else the job's source option,
  else "import";
* else any shared ISBN-13 → the same edition, unless that edition comes from the same source
  under another control number (the source itself says they are different records, e.g. the
  volumes of a set sharing the set's ISBN).

A matched record with the same ``record_hash`` is unchanged. Otherwise it replaces the stored
record when its quality is not lower than the stored one's minus the tolerance; a worse record
is kept as an AlternativeRecord for review (Evergreen's "minimum quality ratio", as a
difference). Holdings (852/952/995/910) become copies when they carry an inventory number that
was never issued; numbers already issued count as existing copies; holdings without a number
are only counted (the fund's numbering scheme is not the importer's to apply).
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from collection.audit import Actor, record_change
from collection.db import now_utc
from collection.errors import N_, InvalidValueError, NotFoundError
from collection.imports.batches import HOLDINGS_CHOICES, BatchImporter
from collection.imports.models import COUNTERS, WARNINGS_KEPT, ImportJob
from collection.imports.not_marc import (
    EMPTY_FILE,
    NotMarcFileError,
    check_marc_stream,
    is_not_marc_message,
)
from collection.imports.worker import Prepared, prepare, prepare_in_workers
from marc.errors import MarcError
from marc.iso2709 import split_records
from marc.model import ENCODINGS, FLAVOURS, FORMATS, ReadResult, RecordError
from marc.reader import read_stream, sniff_format

BATCH_SIZE = 1000
PARALLEL_FROM_BYTES = 4 << 20

Checkpoint = Callable[[int, str], None]  # (batch number, "flushed" | "committed")
Progress = Callable[[ImportJob], None]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to read the file (overrides of detection, the source of records without 003) and
    whether holdings are taken into the fund (``holdings``: "ignore" or "fund")."""

    format: str | None = None
    flavour: str | None = None
    encoding: str | None = None
    source: str | None = None
    # "ignore" (default): holdings fields are not taken into the fund; "fund": copies as before
    holdings: str = "ignore"

    def validate(self) -> None:
        """InvalidValueError naming the option that has an unknown value."""
        for name, allowed in (("format", FORMATS), ("flavour", FLAVOURS), ("encoding", ENCODINGS),
                              ("holdings", HOLDINGS_CHOICES)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InvalidValueError(N_("Невідоме значення: {value}"), field=name,
                                        params={"value": value})

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def check_marc_file(path: str | Path, options: ImportOptions | None = None) -> None:
    """NotMarcFileError when the file at ``path`` is surely not MARC (see check_marc_stream)."""
    with open(path, "rb") as stream:
        check_marc_stream(stream, (options or ImportOptions()).format)


def is_resumable(job: ImportJob) -> bool:
    """Whether running a failed job again can help: not when its file is not MARC at all."""
    return job.state != "done" and not is_not_marc_message(job.message)


def file_sha256(path: str | Path) -> str:
    """The file's SHA-256: the same file run again finds its unfinished job."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def start_import(
    session: Session, *, path: str | Path, actor: Actor, options: ImportOptions | None = None,
    origin: str = "cli", file_name: str | None = None, resume: bool = True,
) -> ImportJob:  # fmt: skip
    """The job for importing ``path``: an unfinished job of the same file is resumed, else new.

    Flushed, not committed: the caller commits, so the job is visible (to a progress page, to a
    re-run, to ``run_import``'s own sessions) before work starts.
    """
    options = options or ImportOptions()
    options.validate()
    path = Path(path)
    check_marc_file(path, options)
    sha = file_sha256(path)
    job = None
    if resume:
        job = _unfinished_job(session, sha, origin, options)
    if job is None:
        job = ImportJob(file_name=(file_name or path.name)[:255], file_path=str(path.resolve()),
                        sha256=sha, size=path.stat().st_size, origin=origin,
                        options=options.as_dict(), state="queued",
                        counters=dict.fromkeys(COUNTERS, 0), user_id=actor.user_id,
                        username=actor.username)
        session.add(job)
        session.flush()
        record_change(session, actor=actor, action="create", obj_type="import_job", obj_id=job.id,
                      changes={"file_name": [None, job.file_name], "sha256": [None, sha]})
    else:
        job.file_path = str(path.resolve())
    session.flush()
    return job


def _unfinished_job(session: Session, sha: str, origin: str,
                    options: ImportOptions) -> ImportJob | None:
    """The newest unfinished job of this file with these options (JSON compared in Python)."""
    candidates = session.scalars(
        select(ImportJob).where(ImportJob.sha256 == sha, ImportJob.origin == origin,
                                ImportJob.state.in_(("queued", "running", "failed")))
        .order_by(ImportJob.id.desc())
    )
    wanted = options.as_dict()
    return next((job for job in candidates if (job.options or {}) == wanted), None)


def run_import(
    session_factory: sessionmaker[Session], job_id: int, *, actor: Actor,
    batch_size: int = BATCH_SIZE, quality_tolerance: int = 0,
    progress: Progress | None = None, checkpoint: Checkpoint | None = None,
    stream: BinaryIO | None = None, workers: int | None = None,
) -> ImportJob:  # fmt: skip
    """Import the job's file from ``resume_from`` on, one transaction per batch; returns the job.

    The one exception to "the caller commits": a file of a million records cannot be one
    transaction, and a killed import must resume after its last batch, so this takes a session
    factory and commits each batch itself (the caller must have committed ``start_import``'s job).

    ``stream`` replaces opening ``job.file_path``; ``progress`` is called after each committed
    batch (the CLI's progress bar, by bytes); ``checkpoint`` after each batch is flushed and
    after it is committed (tests kill the process there). ``workers`` processes parse ISO 2709
    input (default: the CPU count for files over 4 MB, else none). A failure marks the job
    failed, with the reason, and re-raises.
    """
    with session_factory() as session:
        job = session.get(ImportJob, job_id)
        if job is None:
            raise NotFoundError(N_("Імпорт {id} не знайдено"), params={"id": job_id})
        job.state, job.started_at, job.finished_at, job.message = "running", now_utc(), None, ""
        session.commit()
        options = ImportOptions(**(job.options or {}))
        importer = BatchImporter(session, job, actor, quality_tolerance)
        if workers is None:
            workers = (os.cpu_count() or 1) if job.size > PARALLEL_FROM_BYTES else 1
        own_stream = stream is None
        stream = stream if stream is not None else open(job.file_path, "rb")  # noqa: SIM115
        try:
            if job.resume_from == 0 and hasattr(stream, "peek"):
                check_marc_stream(stream, options.format)
            batches = _prepared_batches(stream, options, job.resume_from, batch_size,
                                        importer.default_source, workers)
            for number, batch in enumerate(batches, start=1):
                counts = importer.import_prepared(batch)
                _note_warnings(job, batch)
                job.counters = _added(job.counters, counts)
                job.resume_from = batch[-1].number
                job.bytes_done = min(_position(stream), job.size)
                session.flush()
                if checkpoint:
                    checkpoint(number, "flushed")
                session.commit()
                session.expunge_all()
                session.add(job)
                if checkpoint:
                    checkpoint(number, "committed")
                if progress:
                    progress(job)
            job.state, job.finished_at, job.bytes_done = "done", now_utc(), job.size
            if not any(job.summary().values()):
                job.message = EMPTY_FILE
            record_change(session, actor=actor, action="update", obj_type="import_job",
                          obj_id=job.id, changes={"state": ["running", "done"],
                                                  **{k: [None, v] for k, v in job.summary().items()}})
            session.commit()
        except BaseException as error:
            session.rollback()
            _mark_failed(session_factory, job_id, error)
            raise
        finally:
            if own_stream:
                stream.close()
        return job


def _note_warnings(job: ImportJob, batch: list[Prepared | RecordError]) -> None:
    """Count the batch's reader warnings on the job and keep the first WARNINGS_KEPT of them."""
    found = [[item.number, text] for item in batch if isinstance(item, Prepared)
             for text in item.warnings]
    if not found:
        return
    job.warning_count = (job.warning_count or 0) + len(found)
    kept = list(job.warnings or [])
    if len(kept) < WARNINGS_KEPT:
        job.warnings = kept + found[:WARNINGS_KEPT - len(kept)]  # a new list: JSON is not mutable


def _mark_failed(session_factory: sessionmaker[Session], job_id: int, error: BaseException) -> None:
    with session_factory() as session:
        job = session.get(ImportJob, job_id)
        if job is not None:
            job.state, job.finished_at = "failed", now_utc()
            # A file that is not MARC says so in the cataloguer's words; anything else is a fault.
            reason = str(error) if isinstance(error, NotMarcFileError) else f"{type(error).__name__}: {error}"
            job.message = reason[:2000]
            session.commit()


def _position(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


def _added(counters: dict | None, counts: Counter[str]) -> dict[str, int]:
    total = {name: int((counters or {}).get(name, 0)) for name in COUNTERS}
    for name, value in counts.items():
        total[name] = total.get(name, 0) + value
    return total


def _unread(stream: BinaryIO, options: ImportOptions, after: int) -> Iterator[ReadResult]:
    """The file's records and errors after record number ``after`` (skipped ones are not used)."""
    for result in read_stream(stream, format=options.format, flavour=options.flavour,
                              encoding=options.encoding):
        if result.number > after:
            yield result


_Item = TypeVar("_Item")


def _batches(results: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    """Lists of ``size`` items (the last may be shorter): read results or raw records alike."""
    batch: list[_Item] = []
    for result in results:
        batch.append(result)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ------------------------------------------------------------------------ reading in parallel


def _parallel_ok(stream: BinaryIO, options: ImportOptions) -> bool:
    """Whether the input is plain ISO 2709 (split cheaply here, parsed in workers)."""
    if options.format not in (None, "iso2709") or not hasattr(stream, "peek"):
        return False
    head = stream.peek(4096)[:4096]
    if head.startswith(b"\x1f\x8b"):
        return False
    try:
        return sniff_format(head) == "iso2709"
    except MarcError:
        return False


def _prepared_batches(stream: BinaryIO, options: ImportOptions, after: int, size: int,
                      default_source: str, workers: int) -> Iterator[list[Prepared | RecordError]]:
    """Batches of prepared records after record ``after``, in file order.

    With ``workers`` > 1 and ISO 2709 input, records are split off here and parsed by worker
    processes (one batch in flight each, so memory stays flat); otherwise everything runs in
    this process.
    """
    if workers <= 1 or not _parallel_ok(stream, options):
        for batch in _batches(_unread(stream, options, after), size):
            yield [prepare(result, default_source) for result in batch]
        return
    raw_batches = _batches(((number, offset, raw, warnings) for number, (offset, raw, warnings)
                            in enumerate(split_records(stream), start=1) if number > after), size)
    yield from prepare_in_workers(raw_batches, options.as_dict(), default_source, workers)
