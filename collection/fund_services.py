"""Fund accounting use cases: receipts, withdrawal acts, the КСО and the inventory book.

Every write is audited in the same transaction. A signed act is immutable: the services refuse
to touch it and a ``before_flush`` guard refuses any change that slips past them; a correction
is a new act pointing at the corrected one (``corrects_id``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload

from collection import fund
from collection.audit import Actor, created, record_change
from collection.db import now_utc
from collection.errors import N_, ConflictError, InvalidValueError, NotFoundError
from collection.inventory_numbers import (
    InventoryScheme,
    InventorySchemeSetting,
    allocate_numbers,
    claim_number,
    clean_number,
)
from collection.models import (
    RECEIPT_SOURCES,
    WITHDRAWAL_REASONS,
    Copy,
    Edition,
    Receipt,
    WithdrawalAct,
)

MAX_COPIES_AT_ONCE = 1000
MAX_PRICE = Decimal("999999999999.99")
CENT = Decimal("0.01")
# What a signed act does to its copies' status, by reason.
STATUS_BY_REASON = {"lost_by_readers": "lost", "lost_occupied": "lost", "transferred": "transferred"}
_NUMBER_RE = re.compile(r"^[\w./ -]{1,32}$", re.UNICODE)


class ReceiptNotFound(NotFoundError):
    """No receipt with that id."""


class ActNotFound(NotFoundError):
    """No withdrawal act with that id."""


class ActSigned(ConflictError):
    """The act is signed: it never changes again (a correction is a new act)."""


class CopyNotAvailable(ConflictError):
    """The copy cannot go into this act (unknown, already withdrawn, or in another act)."""


# --- small parsers shared by REST, pages and CLI ------------------------------------------------


def parse_price(raw: object, field: str = "price") -> Decimal:
    """A price in hryvnias: "12,50", "12.5", 12 -> Decimal("12.50"); never negative."""
    text = str(raw if raw is not None else "").strip().replace(" ", "").replace("\u00a0", "")
    try:
        value = Decimal(text.replace(",", ".")) if text else Decimal("0")
    except InvalidOperation:
        raise InvalidValueError(N_("Ціна: число, наприклад 125,50"), field=field) from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise InvalidValueError(N_("Ціна: число, наприклад 125,50"), field=field)
    return value.quantize(CENT)


def parse_date(raw: object, field: str = "date") -> date:
    """An ISO date (the value of an ``<input type=date>``)."""
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise InvalidValueError(N_("Дата: рік-місяць-день, наприклад 2026-03-15"), field=field) from None


def _number_or_blank(raw: str | None, field: str = "number") -> str:
    number = (raw or "").strip()
    if number and not _NUMBER_RE.match(number):
        raise InvalidValueError(N_("Номер: до 32 літер, цифр, пробілів, «-», «/», «.»"), field=field)
    return number


def _next_document_number(session: Session, model: type, year: int) -> str:
    """The next free "YYYY-NNN" number among ``model``'s numbers of ``year``."""
    prefix = f"{year}-"
    taken = set(session.scalars(select(model.number).where(model.number.like(f"{prefix}%"))))
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


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
    session.commit()
    return scheme


# --- receipts (КСО part 1) -----------------------------------------------------------------------


def create_receipt(
    session: Session, *, actor: Actor, receipt_date: object, source: str, number: str = "",
    supplier: str = "", document: str = "", note: str = "", commit: bool = True,
) -> Receipt:  # fmt: skip
    """Register a receipt; a blank number becomes the next "YYYY-NNN" of its year.

    ``commit=False`` leaves the transaction open for a caller that adds more to it."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, check in (
        ("date", lambda: parse_date(receipt_date)),
        ("number", lambda: _number_or_blank(number)),
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
    number = values["number"] or _next_document_number(session, Receipt, values["date"].year)
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
    if commit:
        session.commit()
    return receipt


def _with_copies(session: Session, model: Any, document_id: int) -> Any:
    """A receipt or act with its copies (and their editions) loaded, or None."""
    stmt = (
        select(model)
        .where(model.id == document_id)
        .options(selectinload(model.copies).joinedload(Copy.edition))
    )
    return session.scalars(stmt).one_or_none()


def _with_totals(
    session: Session, model: Any, copy_link: Any, year: int | None
) -> list[tuple[Any, int, Decimal]]:
    """Receipts or acts (newest first, of ``year`` if given) with their copy count and sum."""
    stmt = (
        select(model, func.count(Copy.id), func.coalesce(func.sum(Copy.price), 0))
        .outerjoin(Copy, copy_link == model.id)
        .group_by(model.id)
        .order_by(model.date.desc(), model.id.desc())
    )
    if year:
        stmt = stmt.where(model.date >= date(year, 1, 1), model.date < date(year + 1, 1, 1))
    return [(d, n, Decimal(s).quantize(CENT)) for d, n, s in session.execute(stmt)]


def get_receipt(session: Session, receipt_id: int) -> Receipt:
    """The receipt with its copies, or ``ReceiptNotFound``."""
    receipt = _with_copies(session, Receipt, receipt_id)
    if receipt is None:
        raise ReceiptNotFound(N_("Надходження №{id} не знайдено"), params={"id": receipt_id})
    return receipt


def list_receipts(session: Session, *, year: int | None = None) -> list[tuple[Receipt, int, Decimal]]:
    """Receipts (newest first) with their copy count and sum."""
    return _with_totals(session, Receipt, Copy.receipt_id, year)


def _split_numbers(numbers: str | Sequence[str] | None) -> list[str]:
    if numbers is None:
        return []
    items = re.split(r"[\s,;]+", numbers) if isinstance(numbers, str) else list(numbers)
    return [n.strip() for n in items if n and n.strip()]


def add_copies_to_receipt(
    session: Session, *, actor: Actor, receipt: Receipt, edition_id: object, quantity: object = 1,
    price: object = "0", location: str = "", numbers: str | Sequence[str] | None = None,
    barcodes: Sequence[str] | None = None, scheme: InventoryScheme | None = None, commit: bool = True,
) -> list[Copy]:  # fmt: skip
    """Add ``quantity`` copies of an edition at ``price`` each, numbered by the scheme.

    With ``numbers`` the given inventory numbers are used instead (as many copies as numbers);
    each must never have been issued before. ``commit=False`` leaves the transaction open.
    """
    errors: dict[str, str] = {}
    edition = None
    with contextlib.suppress(ValueError):
        edition = session.get(Edition, int(str(edition_id).strip()))
    if edition is None or edition.status != "active":
        errors["edition_id"] = N_("Оберіть наявний бібліографічний запис")
    given = _split_numbers(numbers)
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
    if errors:
        raise InvalidValueError(N_("Перевірте виділені поля"), errors=errors, params=params)
    if given:
        try:
            issued = [claim_number(session, n) for n in given]
        except ConflictError as error:
            session.rollback()
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
    if commit:
        session.commit()
    return copies


# --- withdrawal acts (КСО part 2) ----------------------------------------------------------------


def create_withdrawal_act(
    session: Session, *, actor: Actor, act_date: object, reason: str, number: str = "",
    note: str = "", corrects_id: int | None = None, commit: bool = True,
) -> WithdrawalAct:  # fmt: skip
    """Open a draft act; a blank number becomes the next "YYYY-NNN" of its year."""
    errors: dict[str, str] = {}
    day = None
    try:
        day = parse_date(act_date)
    except InvalidValueError as error:
        errors.update(error.errors)
    try:
        number = _number_or_blank(number)
    except InvalidValueError as error:
        errors.update(error.errors)
    if reason not in WITHDRAWAL_REASONS:
        errors["reason"] = N_("Оберіть причину вибуття")
    corrected = None
    if corrects_id not in (None, ""):
        corrected = session.get(WithdrawalAct, int(corrects_id))
        if corrected is None or corrected.state != "signed":
            errors["corrects_id"] = N_("Виправляти можна лише підписаний акт")
    if errors:
        raise InvalidValueError(N_("Перевірте виділені поля"), errors=errors)
    number = number or _next_document_number(session, WithdrawalAct, day.year)
    if session.scalar(select(WithdrawalAct.id).where(WithdrawalAct.number == number)) is not None:
        raise ConflictError(N_("Акт з номером {number} уже є"), field="number", params={"number": number})
    act = WithdrawalAct(
        number=number,
        date=day,
        reason=reason,
        note=(note or "").strip(),
        state="draft",
        corrects_id=corrected.id if corrected else None,
        created_by=actor.username,
    )
    session.add(act)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="create",
        obj_type="withdrawal_act",
        obj_id=act.number,
        changes=created(act, ("number", "date", "reason", "note", "state"))
        | ({"corrects": [None, corrected.number]} if corrected else {}),
    )
    if commit:
        session.commit()
    return act


def get_act(session: Session, act_id: int) -> WithdrawalAct:
    """The act with its copies, or ``ActNotFound``."""
    act = _with_copies(session, WithdrawalAct, act_id)
    if act is None:
        raise ActNotFound(N_("Акт №{id} не знайдено"), params={"id": act_id})
    return act


def list_acts(session: Session, *, year: int | None = None) -> list[tuple[WithdrawalAct, int, Decimal]]:
    """Acts (newest first) with their copy count and sum."""
    return _with_totals(session, WithdrawalAct, Copy.withdrawal_act_id, year)


def _require_draft(act: WithdrawalAct) -> None:
    if act.state == "signed":
        raise _signed(act)


def add_copies_to_act(
    session: Session, *, actor: Actor, act: WithdrawalAct, inventory_numbers: str | Iterable[str],
    commit: bool = True,
) -> list[Copy]:  # fmt: skip
    """Put copies (by inventory number or barcode) into a draft act; each copy leaves only once."""
    _require_draft(act)
    wanted = list(dict.fromkeys(_split_numbers(inventory_numbers)))
    if not wanted:
        raise InvalidValueError(N_("Введіть хоча б один інвентарний номер"), field="inventory_numbers")
    if len(wanted) > MAX_COPIES_AT_ONCE * 20:
        raise InvalidValueError(
            N_("Кількість: ціле число від 1 до {max}"),
            field="inventory_numbers",
            params={"max": MAX_COPIES_AT_ONCE * 20},
        )
    by_key: dict[str, Copy] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = select(Copy).where(Copy.inventory_number.in_(chunk) | Copy.barcode.in_(chunk))
        for copy in session.scalars(stmt.with_for_update()):
            by_key[copy.inventory_number] = copy
            if copy.barcode:
                by_key[copy.barcode] = copy
    problems: list[str] = []
    chosen: list[Copy] = []
    for key in wanted:
        copy = by_key.get(key)
        if copy is None:
            problems.append(f"{key}: не знайдено")
        elif copy.withdrawal_act_id is not None or copy.status != "in_fund":
            problems.append(f"{key}: уже вибув або є в іншому акті")
        elif copy.acquired and copy.acquired > act.date:
            problems.append(f"{key}: надійшов пізніше дати акта")
        elif copy not in chosen:
            chosen.append(copy)
    if problems:
        raise CopyNotAvailable(
            N_("Ці примірники не можна списати цим актом: {problems}"),
            field="inventory_numbers",
            params={"problems": "; ".join(problems)},
        )
    for copy in chosen:
        copy.withdrawal_act_id = act.id
        record_change(
            session,
            actor=actor,
            action="update",
            obj_type="copy",
            obj_id=copy.inventory_number,
            changes={"withdrawal_act": [None, act.number]},
        )
    session.flush()
    session.expire(act, ["copies"])
    if commit:
        session.commit()
    return chosen


def remove_copy_from_act(session: Session, *, actor: Actor, act: WithdrawalAct, copy_id: int) -> None:
    """Take a copy out of a draft act (it stays in the fund)."""
    _require_draft(act)
    copy = session.get(Copy, copy_id)
    if copy is None or copy.withdrawal_act_id != act.id:
        raise NotFoundError(N_("Примірника немає в цьому акті"))
    copy.withdrawal_act_id = None
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="copy",
        obj_id=copy.inventory_number,
        changes={"withdrawal_act": [act.number, None]},
    )
    session.flush()
    session.expire(act, ["copies"])
    session.commit()


def sign_act(session: Session, *, actor: Actor, act: WithdrawalAct, commit: bool = True) -> WithdrawalAct:
    """Sign the act: its copies leave the fund on its date and it never changes again."""
    _require_draft(act)
    copies = list(session.scalars(select(Copy).where(Copy.withdrawal_act_id == act.id)))
    if not copies:
        raise InvalidValueError(N_("В акті немає жодного примірника"), field="inventory_numbers")
    status = STATUS_BY_REASON.get(act.reason, "withdrawn")
    for copy in copies:
        copy.status = status
    act.state, act.signed_at, act.signed_by = "signed", now_utc(), actor.username
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="withdrawal_act",
        obj_id=act.number,
        changes={
            "state": ["draft", "signed"],
            "copies": [None, len(copies)],
            "sum": [None, sum((c.price or fund.ZERO) for c in copies)],
        },
    )
    for copy in copies:
        record_change(
            session,
            actor=actor,
            action="update",
            obj_type="copy",
            obj_id=copy.inventory_number,
            changes={"status": ["in_fund", status]},
        )
    if commit:
        session.commit()
    return act


def update_act(session: Session, *, actor: Actor, act: WithdrawalAct, **values: Any) -> WithdrawalAct:
    """Change a draft act's date, reason or note (a signed one refuses)."""
    _require_draft(act)
    changes: dict[str, list[Any]] = {}
    if "act_date" in values:
        values["date"] = parse_date(values.pop("act_date"))
    if "reason" in values and values["reason"] not in WITHDRAWAL_REASONS:
        raise InvalidValueError(N_("Оберіть причину вибуття"), field="reason")
    for name in ("date", "reason", "note"):
        if name in values and getattr(act, name) != values[name]:
            changes[name] = [getattr(act, name), values[name]]
            setattr(act, name, values[name])
    if changes:
        record_change(
            session,
            actor=actor,
            action="update",
            obj_type="withdrawal_act",
            obj_id=act.number,
            changes=changes,
        )
    session.commit()
    return act


@event.listens_for(Session, "before_flush")
def _signed_acts_never_change(session: Session, _context: object, _instances: object) -> None:
    """Last line of defence: no flush may alter a signed act or move a copy out of one."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, WithdrawalAct):
            state = inspect(obj)
            was = state.attrs.state.history
            old_state = (was.deleted or was.unchanged or [None])[0]
            if old_state == "signed" and (obj in session.deleted or session.is_modified(obj)):
                raise _signed(obj)
        elif isinstance(obj, Copy):
            attrs = inspect(obj).attrs
            for old_id in attrs.withdrawal_act_id.history.deleted or ():
                old = session.get(WithdrawalAct, old_id) if old_id else None
                if old is not None and old.state == "signed":
                    raise _signed(old)
            act = session.get(WithdrawalAct, obj.withdrawal_act_id) if obj.withdrawal_act_id else None
            if (
                act is not None
                and act.state == "signed"
                and attrs.status.history.has_changes()
                and not inspect(act).attrs.state.history.has_changes()
            ):
                raise _signed(act)


def _signed(act: WithdrawalAct) -> ActSigned:
    return ActSigned(
        N_("Акт {number} підписано; змінити його не можна — складіть акт-виправлення"),
        params={"number": act.number},
    )


# --- КСО and inventory book ----------------------------------------------------------------------


def _line_columns() -> tuple:
    return (
        Copy.id, Copy.price,
        func.coalesce(func.nullif(Copy.doc_type, ""), Edition.doc_type),
        func.coalesce(func.nullif(Copy.content_branch, ""), func.nullif(Edition.content_branch, ""),
                      "unclassified"),
        func.coalesce(func.nullif(Copy.language, ""), Edition.language),
    )  # fmt: skip


def _line(
    copy_id: int, price: Decimal | None, doc_type: str, branch: str, language: str, day: date
) -> fund.CopyLine:
    return fund.CopyLine(
        copy_id,
        day,
        doc_type or "other",
        branch or "unclassified",
        language or "",
        Decimal(price or 0).quantize(CENT),
    )


def fund_documents(session: Session) -> tuple[list[fund.Document], list[fund.Document]]:
    """Every receipt and every signed act as pure ``fund.Document``s with their copy lines."""
    receipts = {r.id: r for r in session.scalars(select(Receipt))}
    acts = {a.id: a for a in session.scalars(select(WithdrawalAct).where(WithdrawalAct.state == "signed"))}
    received: dict[int, list[fund.CopyLine]] = {rid: [] for rid in receipts}
    withdrawn: dict[int, list[fund.CopyLine]] = {aid: [] for aid in acts}
    stmt = (
        select(*_line_columns(), Copy.receipt_id, Copy.withdrawal_act_id)
        .join(Edition, Edition.id == Copy.edition_id)
        .where(Copy.receipt_id.is_not(None))
    )
    for copy_id, price, doc_type, branch, language, receipt_id, act_id in session.execute(stmt):
        receipt = receipts[receipt_id]
        received[receipt_id].append(_line(copy_id, price, doc_type, branch, language, receipt.date))
        if act_id in acts:
            withdrawn[act_id].append(_line(copy_id, price, doc_type, branch, language, acts[act_id].date))
    return (
        [fund.Document(r.id, r.number, r.date, r.source, _reference(r),
                       tuple(received[r.id])) for r in receipts.values()],
        [fund.Document(a.id, a.number, a.date, a.reason, a.note, tuple(withdrawn[a.id]))
         for a in acts.values()],
    )  # fmt: skip


def _reference(receipt: Receipt) -> str:
    return receipt.supplier + (f" · {receipt.document}" if receipt.document else "")


def summary_register(session: Session, year: int) -> fund.SummaryRegister:
    """The КСО (parts 1-3) of ``year``."""
    receipts, acts = fund_documents(session)
    return fund.summary_register(receipts, acts, year)


@dataclass(frozen=True, slots=True)
class InventoryBookPage:
    """One page of the inventory book."""

    copies: list[Copy]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def inventory_book(
    session: Session, *, page: int = 1, per_page: int = 100, series: str | None = None,
    location: str | None = None, start: str | None = None,
) -> InventoryBookPage:  # fmt: skip
    """Copies in inventory-number order (numbers as numbers within a series), a page at a time."""
    per_page = max(1, min(int(per_page), 1000))
    page = max(1, int(page))
    stmt = select(Copy)
    if series is not None:
        stmt = stmt.where(Copy.inventory_series == series)
    if location:
        stmt = stmt.where(Copy.location == location)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = (
        stmt.options(joinedload(Copy.edition), joinedload(Copy.receipt), joinedload(Copy.withdrawal_act))
        .order_by(Copy.inventory_series, Copy.inventory_seq, Copy.inventory_number)
        .offset((page - 1) * per_page).limit(per_page)
    )  # fmt: skip
    return InventoryBookPage(list(session.scalars(stmt)), page, per_page, total)


def fund_locations(session: Session) -> list[str]:
    """Locations that hold copies (for stocktaking and filters)."""
    return [loc for loc in session.scalars(select(Copy.location).distinct().order_by(Copy.location)) if loc]


def search_editions(session: Session, query: str, limit: int = 20) -> list[Edition]:
    """Active editions whose title, author or ISBN contains ``query`` (for the copy form)."""
    stmt = select(Edition).where(Edition.status == "active").order_by(Edition.title).limit(limit)
    text = (query or "").strip()
    if text:
        pattern = f"%{text.lower()}%"
        stmt = stmt.where(
            Edition.title.ilike(pattern)
            | Edition.authors.ilike(pattern)
            | (Edition.isbn == text.replace("-", ""))
        )
    return list(session.scalars(stmt))
