"""One batch of an import: match records to editions in bulk, write editions, ISBNs, copies,
quarantine and alternatives, and count what happened.

Matching: same (source, control number) → the same edition; else any shared ISBN-13, unless
that edition comes from the same source under another control number. A matched record with
the same ``record_hash`` is unchanged; otherwise it replaces the stored record when its quality
is not lower than the stored one's minus the tolerance, or is kept as an AlternativeRecord.
A stored edition a cataloguer edited in komplekt (``edited_locally_at``) is never replaced: the
incoming record is kept as a pending AlternativeRecord and counted as ``kept_local``.

Holdings (852/952/995/…) become copies only when the job's ``holdings`` option is "fund";
by default ("ignore") they are left out of the fund and counted as ``holdings_ignored``.
New and replaced records are counted as "imported" cataloguing events, never as "created".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.catalogue.editions import EditionFields
from collection.catalogue.models import CataloguingEvent, Edition, EditionIsbn
from collection.db import now_utc
from collection.fund.models import Copy, UsedInventoryNumber
from collection.imports.models import AlternativeRecord, ImportJob, QuarantinedRecord
from collection.imports.worker import Prepared, prepare
from marc.holdings import Holding
from marc.model import ReadResult, RecordError

DEFAULT_SOURCE = "import"


_MAX_PRICE = Decimal(10) ** 12


# ------------------------------------------------------------------------ one batch


@dataclass(slots=True, eq=False)
class _Target:
    """An edition a record of the batch lands on: stored already, or new in this batch."""

    id: int | None
    source: str
    control_number: str | None
    record_hash: str
    quality: int
    title_key: str
    new: bool = False
    fields: EditionFields | None = None  # the record to write (new, or replacing)
    old_hash: str = ""
    old_quality: int = 0
    edited_locally: bool = False  # a cataloguer's edit: never replaced by an import
    # Hashes of records already kept beside this edition (any state): seen and decided before.
    kept: set[str] = field(default_factory=set)
    stored_kept: frozenset[str] = frozenset()  # the part of ``kept`` already in the database
    # Records this batch replaced on a new edition: kept as "superseded" alternatives.
    superseded: list[tuple[EditionFields, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Batch:
    """What one batch writes, collected before the bulk statements."""

    new: list[_Target] = field(default_factory=list)
    replaced: dict[int, _Target] = field(default_factory=dict)
    alternatives: list[tuple[_Target, EditionFields, str]] = field(default_factory=list)
    holdings: list[tuple[_Target, Holding]] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)


class BatchImporter:
    """Imports batches of read results into one session, for one job."""

    def __init__(self, session: Session, job: ImportJob, actor: Actor, tolerance: int) -> None:
        self.session = session
        self.job = job
        self.actor = actor
        self.tolerance = tolerance
        self.default_source = (job.options or {}).get("source") or DEFAULT_SOURCE
        self.take_holdings = holdings_choice(job.options) == "fund"

    def import_batch(self, results: list[ReadResult]) -> Counter[str]:
        """Add the batch's editions, copies, quarantine, events and audit to the session."""
        return self.import_prepared([prepare(r, self.default_source) for r in results])

    def import_prepared(self, items: list[Prepared | RecordError]) -> Counter[str]:
        """As ``import_batch``, for records already parsed and derived (by worker processes)."""
        counts: Counter[str] = Counter()
        batch = _Batch()
        # Write first: on SQLite this takes the database's write lock for the whole batch.
        self.session.execute(update(ImportJob).where(ImportJob.id == self.job.id)
                             .values(state="running"))
        incoming: list[Prepared] = []
        for item in items:
            counts["read"] += 1
            if isinstance(item, RecordError):
                batch.quarantine.append(self._quarantined(item.number, item.offset, item.reason,
                                                          item.raw, item.format))
            else:
                incoming.append(item)
        counts["errors"] += len(batch.quarantine)
        self._match_all(incoming, batch, counts)
        self._write(batch, counts)
        return counts

    def _quarantined(self, number: int, offset: int, reason: str, raw: bytes, fmt: str) -> dict:
        return {"job_id": self.job.id, "record_number": number, "offset": offset,
                "reason": reason[:4000], "raw": raw, "format": fmt[:32], "state": "open"}

    # --- matching

    def _match_all(self, incoming: list[Prepared], batch: _Batch, counts: Counter[str]) -> None:
        by_key, by_isbn, by_hash = self._stored_candidates(incoming)
        for item in incoming:
            fields, source = item.fields, item.source
            target = _match(fields, source, by_key, by_isbn, by_hash)
            if target is None:
                target = _Target(None, source, fields.control_number, fields.record_hash,
                                 fields.quality, fields.title_key, new=True, fields=fields)
                batch.new.append(target)
                counts["created"] += 1
                if fields.control_number:
                    by_key.setdefault((source, fields.control_number), target)
                for isbn in fields.isbns:
                    by_isbn.setdefault(isbn, []).append(target)
                by_hash.setdefault(fields.record_hash, target)
            elif fields.record_hash == target.record_hash or fields.record_hash in target.kept:
                # The same record again, or one this edition already replaced or set aside: a
                # file holding two versions of a record must not flip-flop on every re-import.
                counts["unchanged"] += 1
            elif target.edited_locally:
                batch.alternatives.append((target, fields, source))
                target.kept.add(fields.record_hash)
                counts["kept_local"] += 1
            elif fields.quality >= target.quality - self.tolerance:
                if target.new:
                    target.superseded.append((target.fields, target.source))
                elif target.id not in batch.replaced:
                    target.old_hash, target.old_quality = target.record_hash, target.quality
                    batch.replaced[target.id] = target
                else:
                    target.superseded.append((target.fields, target.source))
                target.kept.add(target.record_hash)
                target.fields = fields
                target.record_hash, target.quality = fields.record_hash, fields.quality
                target.title_key = fields.title_key
                counts["updated"] += 1
            else:
                batch.alternatives.append((target, fields, source))
                target.kept.add(fields.record_hash)
                counts["alternatives"] += 1
            if self.take_holdings:
                batch.holdings.extend((target, h) for h in item.holdings)
            else:
                counts["holdings_ignored"] += len(item.holdings)

    def _stored_candidates(self, incoming: list[Prepared]):
        """Stored editions sharing a control number or an ISBN with the batch, in two queries."""
        controls = {i.fields.control_number for i in incoming if i.fields.control_number}
        sources = {i.source for i in incoming if i.fields.control_number}
        isbns = {isbn for i in incoming for isbn in i.fields.isbns}
        # Records with neither control number nor ISBN can only be recognised as the very same
        # record; rare, so the (unindexed) hash lookup runs only for batches that have them.
        keyless = {i.fields.record_hash for i in incoming
                   if not i.fields.control_number and not i.fields.isbns}
        columns = (Edition.id, Edition.source, Edition.control_number, Edition.record_hash,
                   Edition.quality, Edition.title_key, Edition.status, Edition.merged_into_id,
                   Edition.edited_locally_at)
        rows = []
        if controls:
            # Both columns constrained, so the (source, control_number) index is used.
            rows += self.session.execute(select(*columns).where(
                Edition.source.in_(sorted(sources)),
                Edition.control_number.in_(sorted(controls)))).all()
        isbn_rows = []
        if isbns:
            stmt = (select(EditionIsbn.isbn13, EditionIsbn.edition_id)
                    .where(EditionIsbn.isbn13.in_(sorted(isbns))))
            # Editions of a batch source under control numbers the batch does not carry can
            # never match on ISBN (same source, other record), so they are not even loaded:
            # otherwise a source re-sending a set under many numbers makes batches grow.
            strict = sorted({i.source for i in incoming}
                            - {i.source for i in incoming if not i.fields.control_number})
            if strict and controls:
                stmt = stmt.join(Edition, Edition.id == EditionIsbn.edition_id).where(~(
                    Edition.source.in_(strict) & Edition.control_number.is_not(None)
                    & Edition.control_number.not_in(sorted(controls))))  # fmt: skip
            isbn_rows = self.session.execute(stmt).all()
            known = {row.id for row in rows}
            missing = sorted({edition_id for _, edition_id in isbn_rows} - known)
            if missing:
                rows += self.session.execute(select(*columns).where(Edition.id.in_(missing))).all()
        if keyless:
            known = {row.id for row in rows}
            rows += [row for row in self.session.execute(select(*columns).where(
                Edition.record_hash.in_(sorted(keyless)))).all() if row.id not in known]
        merged_into = {row.merged_into_id for row in rows
                       if row.status == "merged" and row.merged_into_id}
        known = {row.id for row in rows}
        if merged_into - known:
            rows += self.session.execute(select(*columns).where(
                Edition.id.in_(sorted(merged_into - known)))).all()
        targets = {row.id: _Target(row.id, row.source, row.control_number, row.record_hash,
                                   row.quality, row.title_key,
                                   edited_locally=row.edited_locally_at is not None)
                   for row in rows}
        # A merged edition's record lands on the edition it was merged into (one hop).
        alias = {row.id: targets.get(row.merged_into_id, targets[row.id]) if row.status == "merged"
                 else targets[row.id] for row in rows}
        by_key = {(row.source, row.control_number): alias[row.id]
                  for row in sorted(rows, key=lambda r: r.id) if row.control_number}
        by_isbn: dict[str, list[_Target]] = {}
        for isbn, edition_id in sorted(isbn_rows, key=lambda r: r[1]):
            by_isbn.setdefault(isbn, []).append(alias[edition_id])
        if targets:
            for edition_id, record_hash in self.session.execute(
                    select(AlternativeRecord.edition_id, AlternativeRecord.record_hash)
                    .where(AlternativeRecord.edition_id.in_(sorted(targets)))).all():
                targets[edition_id].kept.add(record_hash)
            for target in targets.values():
                target.stored_kept = frozenset(target.kept)
        by_hash = {row.record_hash: alias[row.id] for row in sorted(rows, key=lambda r: r.id)
                   if row.record_hash in keyless}
        return by_key, by_isbn, by_hash

    # --- writing

    def _write(self, batch: _Batch, counts: Counter[str]) -> None:
        session = self.session
        now = now_utc()
        if batch.new:
            # Identity (source, control number) is the first record's, even if a later record
            # of the same batch replaced its content: a re-import must find it again.
            rows = [{**t.fields.as_columns(), "source": t.source[:64],
                     "control_number": t.control_number, "status": "active",
                     "created_at": now, "updated_at": now} for t in batch.new]
            ids = _new_edition_ids(session, len(rows))
            for target, row, new_id in zip(batch.new, rows, ids, strict=True):
                target.id = row["id"] = new_id
            session.execute(Edition.__table__.insert(), rows)
        self._write_alternatives(batch)
        if batch.replaced:
            session.execute(update(Edition), [
                {"id": t.id, **_replacing_columns(t.fields), "updated_at": now}
                for t in batch.replaced.values()])  # fmt: skip
            session.execute(delete(EditionIsbn).where(EditionIsbn.edition_id.in_(list(batch.replaced)))
                            .execution_options(synchronize_session=False))
        isbn_rows = [{"edition_id": t.id, "isbn13": isbn}
                     for t in (*batch.new, *batch.replaced.values()) for isbn in t.fields.isbns]
        if isbn_rows:
            session.execute(insert(EditionIsbn), isbn_rows)
        self._write_copies(batch.holdings, counts)
        if batch.quarantine:
            session.execute(insert(QuarantinedRecord), batch.quarantine)
        self._write_events(batch, now)

    def _write_alternatives(self, batch: _Batch) -> None:
        """Worse records beside their editions (pending), replaced ones kept as superseded."""
        rows = [self._alternative(t, f, source, "pending", t.quality)
                for t, f, source in batch.alternatives]
        for target in (*batch.new, *batch.replaced.values()):
            rows += [self._alternative(target, f, source, "superseded", target.quality)
                     for f, source in target.superseded]
        if batch.replaced:
            stored = self.session.execute(
                select(Edition.id, Edition.marc, Edition.flavour, Edition.source,
                       Edition.record_hash, Edition.quality)
                .where(Edition.id.in_(sorted(batch.replaced)))).all()  # fmt: skip
            for row in stored:
                rows.append({"edition_id": row.id, "job_id": self.job.id, "marc": row.marc,
                             "flavour": row.flavour, "source": row.source,
                             "record_hash": row.record_hash, "quality": row.quality,
                             "stored_quality": batch.replaced[row.id].quality,
                             "state": "superseded"})
        stored_kept = {(t.id, h) for t in (*batch.new, *batch.replaced.values(),
                                           *(a[0] for a in batch.alternatives))
                       for h in t.stored_kept}
        unique = {(row["edition_id"], row["record_hash"]): row for row in rows
                  if (row["edition_id"], row["record_hash"]) not in stored_kept}
        if unique:
            self.session.execute(insert(AlternativeRecord), list(unique.values()))

    def _alternative(self, target: _Target, fields: EditionFields, source: str, state: str,
                     stored_quality: int) -> dict:
        return {"edition_id": target.id, "job_id": self.job.id, "marc": fields.marc,
                "flavour": fields.flavour, "source": source[:64], "record_hash": fields.record_hash,
                "quality": fields.quality, "stored_quality": stored_quality, "state": state}

    def _write_copies(self, holdings: list[tuple[_Target, Holding]], counts: Counter[str]) -> None:
        """A copy per holding with a never-issued inventory number; the others are counted."""
        numbered = []
        for target, holding in holdings:
            number = (holding.inventory_number or "").strip()[:64]
            if number:
                numbered.append((target, holding, number))
            else:
                counts["holdings_without_inventory"] += 1
        if not numbered:
            return
        numbers = sorted({number for _, _, number in numbered})
        issued = set(self.session.scalars(select(UsedInventoryNumber.inventory_number)
                                          .where(UsedInventoryNumber.inventory_number.in_(numbers))))
        issued |= set(self.session.scalars(select(Copy.inventory_number)
                                           .where(Copy.inventory_number.in_(numbers))))
        barcodes = sorted({h.barcode.strip()[:64] for _, h, _ in numbered if h.barcode})
        taken = set(self.session.scalars(select(Copy.barcode).where(Copy.barcode.in_(barcodes))))
        rows = []
        for target, holding, number in numbered:
            if number in issued:
                counts["copies_existing"] += 1
                continue
            issued.add(number)
            barcode = holding.barcode.strip()[:64] if holding.barcode else None
            if barcode in taken:
                barcode = None  # another copy has it; the inventory number still identifies this one
            elif barcode:
                taken.add(barcode)
            rows.append({"edition_id": target.id, "inventory_number": number, "barcode": barcode,
                         "location": (holding.location or "")[:64],
                         "call_number": (holding.call_number or "")[:64],
                         "price": _price(holding.price), "acquired": holding.acquired,
                         "status": copy_status(holding.status), **_numbering(number, "copy")})
        if rows:
            self.session.execute(insert(Copy), rows)
            self.session.execute(insert(UsedInventoryNumber),
                                 [{"inventory_number": row["inventory_number"],
                                   **_numbering(row["inventory_number"], "used")} for row in rows])
            counts["copies_created"] += len(rows)

    def _write_events(self, batch: _Batch, now) -> None:
        """Cataloguing events ("imported": taken from a file, outside the plan) and the audit."""
        actor = self.actor
        events = [{"at": now, "user_id": actor.user_id, "username": actor.username,
                   "edition_id": t.id, "kind": "imported"}
                  for t in (*batch.new, *batch.replaced.values())]
        if events:
            self.session.execute(insert(CataloguingEvent), events)
        for target in batch.replaced.values():
            record_change(self.session, actor=actor, action="update", obj_type="edition",
                          obj_id=target.id, changes={
                              "record_hash": [target.old_hash, target.record_hash],
                              "quality": [target.old_quality, target.quality],
                              "import_job": [None, self.job.id]})  # fmt: skip
        if batch.new or batch.replaced or batch.quarantine:
            record_change(self.session, actor=actor, action="update", obj_type="import_job",
                          obj_id=self.job.id, changes={
                              "editions_created": [None, len(batch.new)],
                              "editions_replaced": [None, len(batch.replaced)],
                              "records_quarantined": [None, len(batch.quarantine)]})  # fmt: skip


HOLDINGS_CHOICES = ("ignore", "fund")


def holdings_choice(options: dict | None) -> str:
    """The job's holdings choice: "fund" takes holdings as copies, anything else ignores them.

    "fund" writes copies as imports always did (no receipt yet: the opening balance belongs
    to the fund accounting issue 11). Without the option the default is "ignore".
    """
    return "fund" if (options or {}).get("holdings") == "fund" else "ignore"


def _match(fields: EditionFields, source: str, by_key: dict, by_isbn: dict,
           by_hash: dict) -> _Target | None:
    """The edition this record describes: same source + control number, else a shared ISBN.

    A record with neither is matched only by being identical (same hash) to a stored one.
    """
    if not fields.control_number and not fields.isbns:
        return by_hash.get(fields.record_hash)
    if fields.control_number:
        target = by_key.get((source, fields.control_number))
        if target is not None:
            return target
    candidates: list[_Target] = []
    for isbn in fields.isbns:
        for target in by_isbn.get(isbn, ()):
            same_source_other_record = (target.source == source and target.control_number
                                        and fields.control_number
                                        and target.control_number != fields.control_number)
            if not same_source_other_record and target not in candidates:
                candidates.append(target)
    if not candidates:
        return None
    same_title = [t for t in candidates if t.title_key == fields.title_key]
    return (same_title or candidates)[0]


def _new_edition_ids(session: Session, count: int) -> list[int]:
    """Ids for ``count`` new editions, known before the insert (so ISBNs and copies can follow).

    RETURNING would give them too, but on SQLite SQLAlchemy can only keep RETURNING rows in
    parameter order by inserting one row per statement, which is ten times slower. PostgreSQL
    draws them from the table's sequence; SQLite has one writer at a time, and the batch holds
    the write lock already (the job row is updated first), so max(id) cannot move under us.
    """
    if session.bind.dialect.name == "postgresql":
        return list(session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence('editions', 'id')) "
            "FROM generate_series(1, :n)"), {"n": count}))  # fmt: skip
    start = session.scalar(select(func.coalesce(func.max(Edition.id), 0))) + 1
    return list(range(start, start + count))


def _replacing_columns(fields: EditionFields) -> dict:
    """Columns a replacing record rewrites (identity — source and control number — stays)."""
    columns = fields.as_columns()
    columns.pop("control_number", None)
    return columns


def copy_status(status: str | None) -> str:
    """A copy's status from a holding's raw status (Koha forms; anything else is in the fund)."""
    if status and "lost=" in status:
        return "lost"
    if status and "withdrawn=" in status:
        return "withdrawn"
    return "in_fund"


def _price(price: Decimal | None) -> Decimal | None:
    if price is None or price < 0 or price >= _MAX_PRICE:
        return None
    return price.quantize(Decimal("0.01"))


def _numbering(number: str, table: str) -> dict:
    """Series and sequence of an inventory number, for the fund's numbering order.

    Bulk inserts bypass the ORM's ``validates`` hook that fills them, so they are set here.
    """
    if not hasattr(Copy, "inventory_series"):  # the fund's numbering columns are not there
        return {}
    from collection.fund.inventory_numbers import split_number

    series, seq = split_number(number)
    if table == "copy":
        return {"inventory_series": series, "inventory_seq": seq}
    return {"series": series, "seq": seq}
