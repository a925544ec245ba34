"""Builders for fund tests: editions from generated MARC, receipts with copies, acts."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from collection.audit import Actor
from collection.catalogue.editions import edition_fields
from collection.catalogue.models import Edition, EditionIsbn
from collection.fund import acts as fund_acts
from collection.fund import receipts as fund_receipts
from collection.fund.models import Copy, Receipt, WithdrawalAct
from marc.samples import sample_records

ACTOR = Actor(None, "tests")
_seeds = itertools.count(1)


def make_edition(session: Session, **overrides: Any) -> Edition:
    """An edition made from a generated Ukrainian book record; ``overrides`` change columns."""
    record = next(sample_records(1, seed=next(_seeds)))
    fields = edition_fields(record, "unimarc")
    edition = Edition(source="tests", **(fields.as_columns() | overrides))
    edition.isbns = [EditionIsbn(isbn13=i) for i in fields.isbns]
    session.add(edition)
    session.commit()
    return edition


def make_receipt(session: Session, **overrides: Any) -> Receipt:
    values = {
        "receipt_date": date(2026, 3, 2),
        "source": "purchase",
        "supplier": "ТОВ «Книжковий світ»",
        "document": "накладна № 17",
    }
    receipt = fund_receipts.create_receipt(session, actor=ACTOR, **(values | overrides))
    session.commit()  # the services only flush: a builder commits, as a route would
    return receipt


def receive(
    session: Session,
    edition: Edition | None = None,
    quantity: int = 1,
    price: str = "100.00",
    **overrides: Any,
) -> list[Copy]:
    """A receipt with ``quantity`` copies of an edition (a new one unless given)."""
    receipt_values = {k: overrides.pop(k) for k in ("receipt_date", "source", "number") if k in overrides}
    receipt = make_receipt(session, **receipt_values)
    edition = edition or make_edition(session)
    copies = fund_receipts.add_copies_to_receipt(
        session,
        actor=ACTOR,
        receipt=receipt,
        edition_id=edition.id,
        quantity=quantity,
        price=price,
        **overrides,
    )
    session.commit()
    return copies


def make_act(session: Session, **overrides: Any) -> WithdrawalAct:
    values = {"act_date": date(2026, 6, 1), "reason": "worn_out"}
    act = fund_acts.create_withdrawal_act(session, actor=ACTOR, **(values | overrides))
    session.commit()
    return act
