"""Background imports for the web app: a small thread pool that runs uploaded import jobs.

The upload route saves the file under the data directory and submits the job; the worker runs
the same service as the CLI (``collection.imports.services.run_import``) and the job's page reads the
progress from the ImportJob row. One worker: imports queue up rather than compete for the
database. The worker is a daemon thread, not a ThreadPoolExecutor: stopping the server must not
wait for a million-record import to end; the batch in progress rolls back and the job resumes
from its last committed batch when the server starts again (``resume_interrupted``).
"""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from collection.audit import Actor
from collection.imports.models import ImportJob
from collection.imports.services import run_import

log = logging.getLogger(__name__)


class ImportRunner:
    """Runs import jobs one at a time in a worker thread of the server process."""

    def __init__(self, session_factory: sessionmaker[Session], *, quality_tolerance: int = 0) -> None:
        self.session_factory = session_factory
        self.quality_tolerance = quality_tolerance
        self.jobs: queue.Queue[tuple[int, Actor]] = queue.Queue()
        self.done = threading.Event()  # set whenever the queue has been worked off (for tests)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: int, actor: Actor) -> None:
        """Queue the job; it resumes from its ``resume_from`` if it had started before."""
        self.done.clear()
        self.jobs.put((job_id, actor))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="komplekt-import",
                                                daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            try:
                job_id, actor = self.jobs.get(timeout=5)
            except queue.Empty:
                self.done.set()
                return
            try:
                run_import(self.session_factory, job_id, actor=actor,
                           quality_tolerance=self.quality_tolerance)
            except Exception:  # the job row says "failed" with the reason; the log has the rest
                log.exception("import job %s failed", job_id)
            finally:
                self.jobs.task_done()
                if self.jobs.empty():
                    self.done.set()

    def resume_interrupted(self) -> list[int]:
        """Queue uploaded jobs a stopped server left queued or running; returns their ids."""
        with self.session_factory() as session:
            try:
                jobs = session.scalars(select(ImportJob).where(
                    ImportJob.origin == "upload", ImportJob.state.in_(("queued", "running")))).all()
            except SQLAlchemyError:  # not migrated yet: nothing to resume
                log.warning("cannot look for interrupted imports", exc_info=True)
                return []
            for job in jobs:
                self.submit(job.id, Actor(job.user_id, job.username or "system"))
            return [job.id for job in jobs]
