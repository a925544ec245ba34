"""Receipts (надходження): a document that brings copies into the fund, each with an inventory
number from the fund's scheme, audited in the same transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor, created, record_change
from collection.catalogue.models import Edition
from collection.db import now_utc, savepoint
from collection.errors import N_, ConflictError, InvalidValueError, NotFoundError
from collection.fund.documents import (
    MAX_COPIES_AT_ONCE,
    next_document_number,
    number_or_blank,
    parse_date,
    parse_price,
    split_numbers,
    with_copies,
    with_totals,
)
from collection.fund.inventory_numbers import (
    InventoryScheme,
    InventorySchemeSetting,
    allocate_numbers,
    claim_number,
    clean_number,
)
from collection.fund.models import RECEIPT_SOURCES, Copy, Receipt


class ReceiptNotFound(NotFoundError):
    """No receipt with that id."""


# --- inventory numbering scheme ------------------------------------------------------------------


def get_inventory_scheme(session: Session) -> InventoryScheme:
    """The configured numbering scheme (plain six digits until someone sets one)."""
    setting = session.get(InventorySchemeSetting, 1)
    return setting.scheme() if setting else InventoryScheme()


def set_inventory_scheme(
    session: Session, *, actor: Actor, prefix: str = "", width: int | str = 6,
    with_year: bool = False, separator: str = "-",
) -> InventoryScheme:  # fmt: skip
    """Change the scheme for numbers issued from now on (issued numbers never change)."""
    try:
        width = int(width)
    except (TypeError, ValueError):
        raise InvalidValueError(N_("Ширина номера: від 1 до 12 цифр"), field="width") from None
    scheme = InventoryScheme((prefix or "").strip(), width, bool(with_year), separator or "")
    setting = session.get(InventorySchemeSetting, 1) or InventorySchemeSetting(id=1)
    old = get_inventory_scheme(session)
    setting.prefix, setting.width = scheme.prefix, scheme.width
    setting.with_year, setting.separator = scheme.with_year, scheme.separator
    setting.updated_at, setting.updated_by = now_utc(), actor.username
    session.add(setting)
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="inventory_scheme",
        obj_id=1,
        changes={"scheme": [old.example(), scheme.example()]},
    )
    session.flush()
    return scheme


# --- receipts (КСО part 1) -----------------------------------------------------------------------


def create_receipt(
    session: Session, *, actor: Actor, receipt_date: object, source: str, number: str = "",
    supplier: str = "", document: str = "", note: str = "",
) -> Receipt:  # fmt: skip
    """Register a receipt; a blank number becomes the next "YYYY-NNN" of its year."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, check in (
        ("date", lambda: parse_date(receipt_date)),
        ("number", lambda: number_or_blank(number)),
    ):
        try:
            values[name] = check()
        except InvalidValueError as error:
            errors.update(error.errors)
    if source not in RECEIPT_SOURCES:
        errors["source"] = N_("Оберіть джерело надходження")
    supplier, document, note = (supplier or "").strip(), (document or "").strip(), (note or "").strip()
    if source in ("purchase", "gift", "exchange", "state_programme") and not supplier:
        errors["supplier"] = N_("Вкажіть постачальника або дарувальника")
    if len(supplier) > 255:
        errors["supplier"] = N_("Занадто довге значення")
    if len(document) > 255:
        errors["document"] = N_("Занадто довге значення")
    if errors:
        raise InvalidValueError(N_("Перевірте виділені поля"), errors=errors)
    number = values["number"] or next_document_number(session, Receipt, values["date"].year)
    if session.scalar(select(Receipt.id).where(Receipt.number == number)) is not None:
        raise ConflictError(
            N_("Надходження з номером {number} уже є"), field="number", params={"number": number}
        )
    receipt = Receipt(
        number=number,
        date=values["date"],
        source=source,
        supplier=supplier,
        document=document,
        note=note,
        created_by=actor.username,
    )
    session.add(receipt)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="create",
        obj_type="receipt",
        obj_id=receipt.number,
        changes=created(receipt, ("number", "date", "source", "supplier", "document", "note")),
    )
    session.flush()
    return receipt


def get_receipt(session: Session, receipt_id: int) -> Receipt:
    """The receipt with its copies, or ``ReceiptNotFound``."""
    receipt = with_copies(session, Receipt, receipt_id)
    if receipt is None:
        raise ReceiptNotFound(N_("Надходження №{id} не знайдено"), params={"id": receipt_id})
    return receipt


def list_receipts(session: Session, *, year: int | None = None) -> list[tuple[Receipt, int, Decimal]]:
    """Receipts (newest first) with their copy count and sum."""
    return with_totals(session, Receipt, Copy.receipt_id, year)


def add_copies_to_receipt(
    session: Session, *, actor: Actor, receipt: Receipt, edition_id: object, quantity: object = 1,
    price: object = "0", location: str = "", numbers: str | Sequence[str] | None = None,
    barcodes: Sequence[str] | None = None, scheme: InventoryScheme | None = None,
) -> list[Copy]:  # fmt: skip
    """Add ``quantity`` copies of an edition at ``price`` each, numbered by the scheme.

    With ``numbers`` the given inventory numbers are used instead (as many copies as numbers);
    each must never have been issued before; a taken one leaves none of them claimed.
    """
    errors: dict[str, str] = {}
    edition = None
    with contextlib.suppress(ValueError):
        edition = session.get(Edition, int(str(edition_id).strip()))
    if edition is None or edition.status != "active":
        errors["edition_id"] = N_("Оберіть наявний бібліографічний запис")
    given = split_numbers(numbers)
    try:
        count = len(given) if given else int(str(quantity).strip())
        if not 1 <= count <= MAX_COPIES_AT_ONCE:
            raise ValueError
    except ValueError:
        errors["quantity"] = N_("Кількість: ціле число від 1 до {max}")
        count = 0
    try:
        unit_price = parse_price(price)
    except InvalidValueError as error:
        errors.update(error.errors)
    location = (location or "").strip()
    if len(location) > 64:
        errors["location"] = N_("Занадто довге значення")
    barcodes = [b.strip() for b in (barcodes or []) if b and b.strip()]
    if barcodes and len(barcodes) != count:
        errors["barcodes"] = N_("Штрихкодів має бути стільки ж, скільки примірників")
    params: dict[str, object] = {"max": MAX_COPIES_AT_ONCE}
    try:
        given = [clean_number(n) for n in given]
        if len(set(given)) != len(given):
            raise InvalidValueError(N_("Інвентарні номери повторюються"), field="numbers")
    except InvalidValueError as error:
        errors["numbers"] = error.message
        params.update(error.params)
    if errors or edition is None:
        raise InvalidValueError(N_("Перевірте виділені поля"), errors=errors, params=params)
    if given:
        try:
            with savepoint(session):  # a taken number releases the ones this call claimed before it
                issued = [claim_number(session, n) for n in given]
        except ConflictError as error:
            raise type(error)(error.message, field="numbers", params=error.params) from None
    else:
        issued = allocate_numbers(session, scheme or get_inventory_scheme(session), count, receipt.date.year)
    copies = []
    for index, number in enumerate(issued):
        copy = Copy(
            edition_id=edition.id, inventory_number=number, location=location, price=unit_price,
            acquired=receipt.date, receipt_id=receipt.id, status="in_fund",
            barcode=barcodes[index] if barcodes else None,
            doc_type=edition.doc_type, content_branch=edition.content_branch or "unclassified",
            language=edition.language,
        )  # fmt: skip
        session.add(copy)
        copies.append(copy)
    session.flush()
    for copy in copies:
        record_change(
            session,
            actor=actor,
            action="create",
            obj_type="copy",
            obj_id=copy.inventory_number,
            changes=created(copy, ("inventory_number", "barcode", "location", "price", "acquired", "status"))
            | {"receipt": [None, receipt.number], "edition": [None, edition.id]},
        )
    session.flush()
    return copies
