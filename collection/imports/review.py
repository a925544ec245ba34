"""After an import: the quarantine (retry a bad record) and alternatives (accept or reject).

A quarantined record is re-read from its raw bytes, optionally with a flavour or encoding
override; if it now reads, it is imported like any record of its job. An alternative record is
accepted by making it the edition's record (the replaced one is kept as "superseded", so
nothing is lost) or rejected; both are recorded as audit entries and, for accept, an "edited"
cataloguing event.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.catalogue.editions import edition_fields, record_from_marc
from collection.catalogue.models import CataloguingEvent, Edition, EditionIsbn
from collection.db import now_utc
from collection.errors import N_, ConflictError, InvalidValueError, NotFoundError
from collection.imports.batches import BatchImporter
from collection.imports.models import AlternativeRecord, ImportJob, QuarantinedRecord
from collection.imports.services import ImportOptions
from marc.model import ReadRecord
from marc.reader import read_bytes


def list_jobs(session: Session, *, limit: int = 50) -> list[ImportJob]:
    """The newest import jobs first."""
    return list(session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def get_job(session: Session, job_id: int) -> ImportJob:
    """One job, or NotFoundError."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFoundError(N_("Імпорт {id} не знайдено"), params={"id": job_id})
    return job


def list_quarantine(session: Session, job_id: int) -> list[QuarantinedRecord]:
    """A job's quarantined records in file order."""
    get_job(session, job_id)
    return list(session.scalars(select(QuarantinedRecord).where(QuarantinedRecord.job_id == job_id)
                                .order_by(QuarantinedRecord.record_number)))


def get_quarantined(session: Session, job_id: int, number: int) -> QuarantinedRecord:
    """One quarantined record by its job and record number, or NotFoundError."""
    item = session.scalars(select(QuarantinedRecord).where(
        QuarantinedRecord.job_id == job_id, QuarantinedRecord.record_number == number)).first()
    if item is None:
        raise NotFoundError(N_("Запис {number} не знайдено в карантині"), params={"number": number})
    return item


def retry_quarantined(
    session: Session, job_id: int, number: int, *, actor: Actor, flavour: str | None = None,
    encoding: str | None = None, quality_tolerance: int = 0,
) -> QuarantinedRecord:  # fmt: skip
    """Re-read a quarantined record and import it if it now reads.

    InvalidValueError (with the new reason) when it still cannot be read.
    """
    item = get_quarantined(session, job_id, number)
    if item.state != "open":
        raise ConflictError(N_("Запис {number} уже оброблено"), params={"number": number})
    ImportOptions(flavour=flavour, encoding=encoding).validate()
    fmt = item.format if item.format in ("iso2709", "marcxml", "json") else None
    results = list(read_bytes(item.raw, format=fmt, flavour=flavour, encoding=encoding))
    records = [r for r in results if isinstance(r, ReadRecord)]
    if not records:
        reason = next((r.reason for r in results if not isinstance(r, ReadRecord)), "no record")
        item.reason = reason[:4000]
        session.flush()
        raise InvalidValueError(N_("Запис досі не читається: {reason}"), field="raw",
                                params={"reason": reason})
    job = get_job(session, job_id)
    importer = BatchImporter(session, job, actor, quality_tolerance)
    for record in records:
        record.number, record.offset = item.record_number, item.offset
    importer.import_batch(records)
    session.flush()
    fields = edition_fields(records[0].record, records[0].flavour)
    item.edition_id = _edition_for(session, fields)
    item.state = "retried"
    record_change(session, actor=actor, action="update", obj_type="quarantined_record",
                  obj_id=item.id, changes={"state": ["open", "retried"]})
    session.flush()
    return item


def _edition_for(session: Session, fields) -> int | None:
    stmt = select(Edition.id).where(Edition.record_hash == fields.record_hash)
    if fields.control_number:
        stmt = select(Edition.id).where(Edition.control_number == fields.control_number)
    elif fields.isbns:
        stmt = select(EditionIsbn.edition_id).where(EditionIsbn.isbn13 == fields.isbns[0])
    return session.scalars(stmt.limit(1)).first()


def list_alternatives(session: Session, *, state: str = "pending",
                      limit: int = 200) -> list[AlternativeRecord]:
    """Alternative records in one state, oldest first (the review queue)."""
    return list(session.scalars(select(AlternativeRecord).where(AlternativeRecord.state == state)
                                .order_by(AlternativeRecord.id).limit(limit)))


def get_alternative(session: Session, alternative_id: int) -> AlternativeRecord:
    item = session.get(AlternativeRecord, alternative_id)
    if item is None:
        raise NotFoundError(N_("Альтернативний запис {id} не знайдено"),
                            params={"id": alternative_id})
    return item


def accept_alternative(session: Session, alternative_id: int, *, actor: Actor) -> Edition:
    """Make the alternative the edition's record; the replaced record is kept."""
    item = get_alternative(session, alternative_id)
    if item.state != "pending":
        raise ConflictError(N_("Альтернативний запис {id} уже розглянуто"),
                            params={"id": alternative_id})
    edition = session.get(Edition, item.edition_id)
    old = {"marc": edition.marc, "flavour": edition.flavour, "source": edition.source,
           "record_hash": edition.record_hash, "quality": edition.quality}
    fields = edition_fields(record_from_marc(item.marc), item.flavour)
    columns = fields.as_columns()
    columns.pop("control_number")
    changes = {"record_hash": [edition.record_hash, fields.record_hash],
               "quality": [edition.quality, fields.quality], "alternative": [None, item.id]}
    for name, value in columns.items():
        setattr(edition, name, value)
    edition.updated_at = now_utc()
    edition.isbns = [EditionIsbn(isbn13=isbn) for isbn in fields.isbns]
    exists = session.scalars(select(AlternativeRecord.id).where(
        AlternativeRecord.edition_id == edition.id,
        AlternativeRecord.record_hash == old["record_hash"])).first()
    if exists is None:
        session.add(AlternativeRecord(edition_id=edition.id, job_id=item.job_id, state="superseded",
                                      stored_quality=fields.quality, **old))
    item.state, item.decided_by, item.decided_at = "accepted", actor.username, now_utc()
    session.add(CataloguingEvent(user_id=actor.user_id, username=actor.username,
                                 edition_id=edition.id, kind="edited"))
    record_change(session, actor=actor, action="update", obj_type="edition", obj_id=edition.id,
                  changes=changes)
    session.flush()
    return edition


def reject_alternative(session: Session, alternative_id: int, *, actor: Actor) -> AlternativeRecord:
    """Keep the stored record; the alternative stays, marked rejected."""
    item = get_alternative(session, alternative_id)
    if item.state != "pending":
        raise ConflictError(N_("Альтернативний запис {id} уже розглянуто"),
                            params={"id": alternative_id})
    item.state, item.decided_by, item.decided_at = "rejected", actor.username, now_utc()
    record_change(session, actor=actor, action="update", obj_type="alternative_record",
                  obj_id=item.id, changes={"state": ["pending", "rejected"]})
    session.flush()
    return item


def readable_reason(reason: str) -> str:
    """A quarantine reason as it was written: older readers showed a file's UTF-8 text as
    latin-1 ("Ð¦Ðµ Ð½Ðµ MARC"); such text is decoded back, anything else is left as it is."""
    try:
        return reason.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return reason
