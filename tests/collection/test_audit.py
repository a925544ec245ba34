"""The audit trail records every write with who, when and what, and answers by object and user."""

from __future__ import annotations

import pytest

from collection.audit import (
    Actor,
    AuditEntry,
    diff,
    entries_by_user,
    entries_for_object,
    query_audit,
    record_change,
)
from distribution.errors import InvalidLibraryData
from distribution.libraries.services import update_library
from tests.builders import TEST_ACTOR, make_library, make_user


def test_creating_a_library_is_audited_with_its_fields(session):
    library = make_library(session, code="LG-AUD-01", name="Перша")
    (entry,) = entries_for_object(session, "library", "LG-AUD-01")
    assert (entry.action, entry.username, entry.user_id) == ("create", "tests", None)
    assert entry.changes["name"] == [None, "Перша"]
    assert entry.at.tzinfo is not None
    assert library.code == "LG-AUD-01"


def test_an_update_records_old_and_new_values_of_changed_fields_only(session):
    library = make_library(session, code="LG-AUD-02", phone="")
    editor = make_user(session, "editor", "programme")
    update_library(
        session, library, actor=editor.actor,
        values={"phone": "+380 44 111 22 33", "name": library.name},
    )
    latest = entries_for_object(session, "library", "LG-AUD-02")[0]
    assert latest.action == "update"
    assert latest.changes == {"phone": ["", "+380 44 111 22 33"]}
    assert (latest.user_id, latest.username) == (editor.id, "editor")


def test_a_rejected_change_leaves_no_audit_entry(session):
    library = make_library(session, code="LG-AUD-03")
    with pytest.raises(InvalidLibraryData):
        update_library(session, library, actor=TEST_ACTOR, values={"email": "not-an-email"})
    session.rollback()
    assert [e.action for e in entries_for_object(session, "library", "LG-AUD-03")] == ["create"]


def test_entries_are_found_by_username_and_by_user_id(session):
    record_change(session, actor=Actor(7, "olena"), action="update", obj_type="library",
                  obj_id="LG-X", changes={"name": ["a", "b"]})
    record_change(session, actor=Actor(8, "petro"), action="delete", obj_type="library",
                  obj_id="LG-Y", changes={})
    session.commit()
    assert [e.object_id for e in entries_by_user(session, "olena")] == ["LG-X"]
    assert [e.object_id for e in entries_by_user(session, 8)] == ["LG-Y"]
    assert [e.username for e in query_audit(session, object_type="library")] == ["petro", "olena"]


def test_the_trail_outlives_the_account_because_it_has_no_foreign_key(session):
    record_change(session, actor=Actor(99999, "gone"), action="update", obj_type="library",
                  obj_id="LG-Z", changes={})
    session.commit()
    assert session.query(AuditEntry).filter_by(username="gone").one().user_id == 99999


def test_unknown_actions_are_refused(session):
    with pytest.raises(ValueError):
        record_change(session, actor=TEST_ACTOR, action="teleport", obj_type="x", obj_id=1)


def test_diff_lists_only_changed_fields():
    class Thing:
        name = "a"
        phone = "1"

    assert diff(Thing(), {"name": "a", "phone": "2"}) == {"phone": ["1", "2"]}
