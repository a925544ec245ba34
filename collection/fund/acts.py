"""Withdrawal acts (акти списання): draft, copies added and removed, signed.

A signed act is immutable: the services refuse to touch it and a ``before_flush`` guard refuses
any change that slips past them; a correction is a new act pointing at the corrected one.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from collection.audit import Actor, created, record_change
from collection.db import now_utc
from collection.errors import N_, ConflictError, InvalidValueError, NotFoundError
from collection.fund import rules as fund
from collection.fund.documents import (
    MAX_COPIES_AT_ONCE,
    next_document_number,
    number_or_blank,
    parse_date,
    split_numbers,
    with_copies,
    with_totals,
)
from collection.fund.models import WITHDRAWAL_REASONS, Copy, WithdrawalAct

# What a signed act does to its copies' status, by reason.
STATUS_BY_REASON = {"lost_by_readers": "lost", "lost_occupied": "lost", "transferred": "transferred"}


class ActNotFound(NotFoundError):
    """No withdrawal act with that id."""


class ActSigned(ConflictError):
    """The act is signed: it never changes again (a correction is a new act)."""


class CopyNotAvailable(ConflictError):
    """The copy cannot go into this act (unknown, already withdrawn, or in another act)."""


# --- withdrawal acts (КСО part 2) ----------------------------------------------------------------


def create_withdrawal_act(
    session: Session, *, actor: Actor, act_date: object, reason: str, number: str = "",
    note: str = "", corrects_id: int | str | None = None,
) -> WithdrawalAct:  # fmt: skip
    """Open a draft act; a blank number becomes the next "YYYY-NNN" of its year."""
    errors: dict[str, str] = {}
    day = None
    try:
        day = parse_date(act_date)
    except InvalidValueError as error:
        errors.update(error.errors)
    try:
        number = number_or_blank(number)
    except InvalidValueError as error:
        errors.update(error.errors)
    if reason not in WITHDRAWAL_REASONS:
        errors["reason"] = N_("Оберіть причину вибуття")
    corrected = None
    if corrects_id not in (None, ""):
        corrected = session.get(WithdrawalAct, int(corrects_id))
        if corrected is None or corrected.state != "signed":
            errors["corrects_id"] = N_("Виправляти можна лише підписаний акт")
    if errors or day is None:
        raise InvalidValueError(N_("Перевірте виділені поля"), errors=errors)
    number = number or next_document_number(session, WithdrawalAct, day.year)
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
    session.flush()
    return act


def get_act(session: Session, act_id: int) -> WithdrawalAct:
    """The act with its copies, or ``ActNotFound``."""
    act = with_copies(session, WithdrawalAct, act_id)
    if act is None:
        raise ActNotFound(N_("Акт №{id} не знайдено"), params={"id": act_id})
    return act


def list_acts(session: Session, *, year: int | None = None) -> list[tuple[WithdrawalAct, int, Decimal]]:
    """Acts (newest first) with their copy count and sum."""
    return with_totals(session, WithdrawalAct, Copy.withdrawal_act_id, year)


def _require_draft(act: WithdrawalAct) -> None:
    if act.state == "signed":
        raise _signed(act)


def add_copies_to_act(
    session: Session, *, actor: Actor, act: WithdrawalAct, inventory_numbers: str | Iterable[str],
) -> list[Copy]:  # fmt: skip
    """Put copies (by inventory number or barcode) into a draft act; each copy leaves only once."""
    _require_draft(act)
    wanted = list(dict.fromkeys(split_numbers(inventory_numbers)))
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
        found = by_key.get(key)
        if found is None:
            problems.append(f"{key}: не знайдено")
        elif found.withdrawal_act_id is not None or found.status != "in_fund":
            problems.append(f"{key}: уже вибув або є в іншому акті")
        elif found.acquired and found.acquired > act.date:
            problems.append(f"{key}: надійшов пізніше дати акта")
        elif found not in chosen:
            chosen.append(found)
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
    session.flush()
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
    session.flush()


def sign_act(session: Session, *, actor: Actor, act: WithdrawalAct) -> WithdrawalAct:
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
    session.flush()
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
    session.flush()
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
