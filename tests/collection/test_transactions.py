"""The caller's unit of work commits: services only flush, and undo only their own partial work."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from collection.audit import AuditEntry
from collection.db import make_session_factory, savepoint, unit_of_work
from collection.errors import InvalidValueError
from collection.fund import receipts as fund_receipts
from collection.fund.inventory_numbers import InventoryNumberTaken
from collection.fund.models import Copy, Receipt, UsedInventoryNumber
from tests.collection.fund_builders import ACTOR, make_edition, make_receipt

RECEIPT = {"receipt_date": date(2026, 3, 2), "source": "purchase", "supplier": "ТОВ «Книжковий світ»",
           "document": "накладна № 17"}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_receipt_the_caller_rolls_back_leaves_no_receipt_and_no_audit_entry(session):
    fund_receipts.create_receipt(session, actor=ACTOR, **RECEIPT)
    assert count(session, Receipt) == 1  # flushed: visible inside the caller's transaction
    session.rollback()
    assert count(session, Receipt) == 0
    assert count(session, AuditEntry) == 0


def test_a_failing_service_inside_a_unit_of_work_commits_nothing(engine):
    factory = make_session_factory(engine)
    with pytest.raises(InvalidValueError), unit_of_work(factory) as session:
        receipt = fund_receipts.create_receipt(
            session, actor=ACTOR, **RECEIPT
        )
        fund_receipts.add_copies_to_receipt(session, actor=ACTOR, receipt=receipt, edition_id="0")
    with factory() as fresh:
        assert count(fresh, Receipt) == 0
        assert count(fresh, AuditEntry) == 0


def test_a_taken_inventory_number_undoes_only_this_calls_claims(session):
    edition, receipt = make_edition(session), make_receipt(session)
    fund_receipts.add_copies_to_receipt(session, actor=ACTOR, receipt=receipt, edition_id=edition.id,
                                        numbers="ІН-9")  # fmt: skip
    session.commit()
    pending = fund_receipts.create_receipt(session, actor=ACTOR, **RECEIPT)  # the caller's own, uncommitted
    with pytest.raises(InventoryNumberTaken):
        fund_receipts.add_copies_to_receipt(session, actor=ACTOR, receipt=receipt, edition_id=edition.id,
                                            numbers="ІН-1, ІН-2, ІН-9")  # fmt: skip
    assert count(session, UsedInventoryNumber) == 1  # ІН-1 and ІН-2 were released with the savepoint
    session.commit()  # the caller's transaction is still usable, and its own work survives
    assert session.get(Receipt, pending.id) is not None
    assert count(session, Copy) == 1


def test_a_savepoint_taken_before_any_write_does_not_commit_the_callers_work(session):
    session.execute(text("SELECT 1"))  # pysqlite has not opened a transaction yet
    with savepoint(session):
        fund_receipts.create_receipt(session, actor=ACTOR, **RECEIPT)
    session.rollback()
    assert count(session, Receipt) == 0
