"""Cataloguing by hand: enter a record, edit it field by field.

Every create and edit is counted as cataloguing work (``CataloguingEvent``: created,
classified, subject_indexed, analytic, edited) and written to the audit trail, in the same
transaction as the change.
"""

from __future__ import annotations

from typing import Any

import pymarc
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.catalogue.editions import EditionFields, edition_fields, record_from_marc
from collection.catalogue.models import CataloguingEvent, Edition, EditionIsbn
from collection.catalogue.record_edits import (
    apply_changes,
    field_changes,
    fields_from_marc,
    fields_to_marc,
    touched,
    validate_fields,
)
from collection.catalogue.search import get_edition
from collection.db import now_utc
from collection.errors import N_, InvalidValueError
from marc.view import bib_view
from marc.writer import record_to_dict

FLAVOURS = ("marc21", "unimarc")


# ------------------------------------------------------------------ writing


def record_event(session: Session, actor: Actor, edition: Edition, kind: str) -> CataloguingEvent:
    """Count one piece of cataloguing work (in the caller's transaction)."""
    event = CataloguingEvent(user_id=actor.user_id, username=actor.username,
                             edition_id=edition.id, kind=kind, at=now_utc())
    session.add(event)
    return event


def _kinds_for_new(derived: EditionFields) -> list[str]:
    kinds = ["created"]
    if derived.udc or derived.bbk:
        kinds.append("classified")
    if _has_subjects(derived):
        kinds.append("subject_indexed")
    if derived.doc_type == "analytic":
        kinds.append("analytic")
    return kinds


def _has_subjects(derived: EditionFields) -> bool:
    return bool(bib_view(record_from_marc(derived.marc), derived.flavour).subjects)


def _set_fields(edition: Edition, derived: EditionFields) -> None:
    for name, value in derived.as_columns().items():
        setattr(edition, name, value)
    edition.isbns = [EditionIsbn(isbn13=value) for value in derived.isbns]
    edition.updated_at = now_utc()


def create_edition(
    session: Session, actor: Actor, record: pymarc.Record | dict, flavour: str, *,
    source: str = "", events: bool = True,
) -> Edition:  # fmt: skip
    """Store a record entered by hand: validated whole, counted (created, classified, ...)."""
    if flavour not in FLAVOURS:
        raise InvalidValueError(N_("Невідомий формат MARC"), field="flavour")
    marc = record if isinstance(record, dict) else record_to_dict(record)
    try:
        fields = fields_from_marc(marc)
    except (ValueError, AttributeError) as error:
        raise InvalidValueError(N_("Це не запис MARC-in-JSON"), field="record") from error
    validate_fields(fields, flavour)
    leader = str(marc.get("leader") or "")
    derived = edition_fields(record_from_marc(fields_to_marc(leader, fields)), flavour)
    edition = Edition(source=source)
    _set_fields(edition, derived)
    session.add(edition)
    session.flush()
    if events:
        for kind in _kinds_for_new(derived):
            record_event(session, actor, edition, kind)
    record_change(session, actor=actor, action="create", obj_type="edition", obj_id=edition.id,
                  changes={"title": [None, edition.title], "flavour": [None, flavour],
                           **field_changes([], fields)})
    session.flush()
    return edition


def edit_edition(
    session: Session, actor: Actor, edition_id: int, changes: list[dict[str, Any]]
) -> Edition:
    """Apply field/subfield operations, re-derive the columns, count and audit the edit.

    The edition is marked as edited locally: a later import of its source record becomes an
    alternative for review instead of overwriting the edit.
    Raises InvalidValueError (a ``RecordInvalid`` naming each field/subfield) and changes
    nothing when the result breaks a rule. An edit that changes nothing is not counted.
    """
    edition = get_edition(session, edition_id)
    before = fields_from_marc(edition.marc)
    after = apply_changes(before, changes)
    validate_fields(after, edition.flavour, only=touched(before, after))
    diff = field_changes(before, after)
    if not diff:
        return edition
    old = edition_fields(record_from_marc(edition.marc), edition.flavour)
    leader = str(edition.marc.get("leader") or "")
    derived = edition_fields(record_from_marc(fields_to_marc(leader, after)), edition.flavour)
    _set_fields(edition, derived)
    edition.edited_locally_at = now_utc()  # a re-import now keeps this record (alternative)
    record_event(session, actor, edition, "edited")
    if not (old.udc or old.bbk) and (derived.udc or derived.bbk):
        record_event(session, actor, edition, "classified")
    if not _has_subjects(old) and _has_subjects(derived):
        record_event(session, actor, edition, "subject_indexed")
    record_change(session, actor=actor, action="update", obj_type="edition", obj_id=edition.id,
                  changes=diff)
    session.flush()
    return edition
