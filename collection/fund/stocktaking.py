"""Stocktaking (переоблік): a session for one location, the copies found, the missing, the act.

Finds are kept as entered (an inventory number or a barcode), matched to a copy or marked
unknown, so the session's paper trail survives typos. Closing may withdraw what is confirmed
missing with one withdrawal act (reason "lost by readers" unless another is chosen).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from collection.audit import Actor, created, record_change
from collection.db import Base, UTCDateTime, intpk, now_utc, str_64, utcnow
from collection.errors import N_, ConflictError, InvalidValueError, NotFoundError
from collection.fund import acts as fund_acts
from collection.fund.models import Copy, WithdrawalAct

STOCKTAKE_STATES = ("open", "closed")
MAX_FINDS_AT_ONCE = 20_000


class Stocktake(Base):
    """One stocktaking session for a location: who opened and closed it, and its act."""

    __tablename__ = "stocktakes"
    __table_args__ = (CheckConstraint("state IN ('open', 'closed')", name="state"),)

    id: Mapped[intpk]
    location: Mapped[str_64]
    state: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(String(1000), default="")
    opened_at: Mapped[utcnow]
    opened_by: Mapped[str_64] = mapped_column(default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str_64] = mapped_column(default="")
    act_id: Mapped[int | None] = mapped_column(ForeignKey("withdrawal_acts.id"))

    finds: Mapped[list[StocktakeFind]] = relationship(
        back_populates="stocktake", cascade="all, delete-orphan", order_by="StocktakeFind.id"
    )
    act: Mapped[WithdrawalAct | None] = relationship()


class StocktakeFind(Base):
    """One entry of a stocktake as typed or scanned, and the copy it matched (None: unknown)."""

    __tablename__ = "stocktake_finds"
    __table_args__ = (
        UniqueConstraint("stocktake_id", "entered"),
        Index("ix_stocktake_finds_copy_id", "copy_id"),
    )

    id: Mapped[intpk]
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id", ondelete="CASCADE"))
    entered: Mapped[str_64]
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("copies.id"))
    at: Mapped[utcnow]
    by: Mapped[str_64] = mapped_column(default="")

    stocktake: Mapped[Stocktake] = relationship(back_populates="finds")
    copy: Mapped[Copy | None] = relationship()


class StocktakeNotFound(NotFoundError):
    """No stocktake with that id."""


class StocktakeClosed(ConflictError):
    """A closed stocktake does not change any more."""


@dataclass(frozen=True, slots=True)
class FindsAdded:
    """What one batch of entries did: new matches, unknown entries, repeats ignored."""

    matched: int
    unknown: list[str]
    repeated: int
    elsewhere: list[str]  # found here, but the fund places them at another location


def parse_entries(text: str) -> list[str]:
    """Entries from pasted or uploaded text: one per line, or separated by commas/semicolons/tabs."""
    entries: list[str] = []
    for line in text.replace("\r", "\n").splitlines():
        for part in line.replace(";", ",").replace("\t", ",").split(","):
            value = part.strip().strip('"').strip()
            if value:
                entries.append(value[:64])
    return entries


def open_stocktake(session: Session, *, actor: Actor, location: str, note: str = "") -> Stocktake:
    """Start stocktaking ``location`` (one open session per location)."""
    location = (location or "").strip()
    if not location or len(location) > 64:
        raise InvalidValueError(N_("Вкажіть місце зберігання (до 64 символів)"), field="location")
    already = session.scalar(
        select(Stocktake.id).where(Stocktake.location == location, Stocktake.state == "open")
    )
    if already is not None:
        raise ConflictError(
            N_("Переоблік місця {location} уже відкрито"), field="location",
            params={"location": location},
        )  # fmt: skip
    stocktake = Stocktake(location=location, note=(note or "").strip()[:1000], opened_by=actor.username)
    session.add(stocktake)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="create",
        obj_type="stocktake",
        obj_id=stocktake.id,
        changes=created(stocktake, ("location", "note", "state")),
    )
    session.flush()
    return stocktake


def get_stocktake(session: Session, stocktake_id: int) -> Stocktake:
    """The stocktake with ``stocktake_id`` or ``StocktakeNotFound``."""
    stocktake = session.get(Stocktake, stocktake_id)
    if stocktake is None:
        raise StocktakeNotFound(N_("Переоблік №{id} не знайдено"), params={"id": stocktake_id})
    return stocktake


def list_stocktakes(session: Session) -> list[Stocktake]:
    """Every stocktake, newest first."""
    return list(session.scalars(select(Stocktake).order_by(Stocktake.opened_at.desc(), Stocktake.id.desc())))


def _require_open(stocktake: Stocktake) -> None:
    if stocktake.state != "open":
        raise StocktakeClosed(
            N_("Переоблік №{id} закрито; змінити його не можна"), params={"id": stocktake.id}
        )


def _copies_by_entry(session: Session, entries: list[str]) -> dict[str, Copy]:
    found: dict[str, Copy] = {}
    for start in range(0, len(entries), 500):
        chunk = entries[start : start + 500]
        stmt = select(Copy).where(or_(Copy.inventory_number.in_(chunk), Copy.barcode.in_(chunk)))
        for copy in session.scalars(stmt):
            found[copy.inventory_number] = copy
            if copy.barcode:
                found[copy.barcode] = copy
    return found


def add_finds(session: Session, *, actor: Actor, stocktake: Stocktake, entries: Iterable[str]) -> FindsAdded:
    """Record what was found on the shelves: inventory numbers or barcodes, as entered."""
    _require_open(stocktake)
    cleaned = list(dict.fromkeys(e.strip()[:64] for e in entries if e and e.strip()))
    if not cleaned:
        raise InvalidValueError(N_("Введіть хоча б один інвентарний номер або штрихкод"), field="entries")
    if len(cleaned) > MAX_FINDS_AT_ONCE:
        raise InvalidValueError(
            N_("Забагато записів за раз (до {max})"), field="entries", params={"max": MAX_FINDS_AT_ONCE}
        )
    known_entries = set(
        session.scalars(select(StocktakeFind.entered).where(StocktakeFind.stocktake_id == stocktake.id))
    )
    found_copies = set(
        session.scalars(
            select(StocktakeFind.copy_id).where(
                StocktakeFind.stocktake_id == stocktake.id, StocktakeFind.copy_id.is_not(None)
            )
        )
    )
    copies = _copies_by_entry(session, cleaned)
    matched, repeated, unknown, elsewhere = 0, 0, [], []
    for entry in cleaned:
        copy = copies.get(entry)
        if entry in known_entries or (copy is not None and copy.id in found_copies):
            repeated += 1
            continue
        session.add(
            StocktakeFind(
                stocktake_id=stocktake.id, entered=entry, copy_id=copy.id if copy else None, by=actor.username
            )
        )
        known_entries.add(entry)
        if copy is None:
            unknown.append(entry)
            continue
        found_copies.add(copy.id)
        matched += 1
        if copy.location != stocktake.location:
            elsewhere.append(entry)
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="stocktake",
        obj_id=stocktake.id,
        changes={"finds": [None, {"matched": matched, "unknown": len(unknown)}]},
    )
    session.flush()
    return FindsAdded(matched, unknown, repeated, elsewhere)


def missing_copies(session: Session, stocktake: Stocktake) -> list[Copy]:
    """Copies in the fund at the stocktake's location that nobody has found (inventory order)."""
    found = select(StocktakeFind.copy_id).where(
        StocktakeFind.stocktake_id == stocktake.id, StocktakeFind.copy_id.is_not(None)
    )
    stmt = (
        select(Copy)
        .where(Copy.location == stocktake.location, Copy.status == "in_fund",
               Copy.withdrawal_act_id.is_(None), Copy.id.not_in(found))
        .options(selectinload(Copy.edition))
        .order_by(Copy.inventory_series, Copy.inventory_seq, Copy.inventory_number)
    )  # fmt: skip
    return list(session.scalars(stmt))


def close_stocktake(
    session: Session,
    *,
    actor: Actor,
    stocktake: Stocktake,
    withdraw_missing: bool = True,
    reason: str = "lost_by_readers",
    act_date: date | None = None,
    sign: bool = False,
) -> WithdrawalAct | None:
    """Close the session; with ``withdraw_missing`` the missing copies go into a new act.

    The act is left as a draft (to be checked and signed by the commission) unless ``sign``.
    """
    _require_open(stocktake)
    act = None
    missing = missing_copies(session, stocktake) if withdraw_missing else []
    if missing:
        act = fund_acts.create_withdrawal_act(
            session, actor=actor, act_date=act_date or date.today(), reason=reason,
            note=f"Переоблік №{stocktake.id}, {stocktake.location}",
        )  # fmt: skip
        fund_acts.add_copies_to_act(
            session, actor=actor, act=act, inventory_numbers=[c.inventory_number for c in missing],
        )  # fmt: skip
        if sign:
            fund_acts.sign_act(session, actor=actor, act=act)
    stocktake.state = "closed"
    stocktake.closed_at = now_utc()
    stocktake.closed_by = actor.username
    stocktake.act_id = act.id if act else None
    record_change(
        session,
        actor=actor,
        action="update",
        obj_type="stocktake",
        obj_id=stocktake.id,
        changes={
            "state": ["open", "closed"],
            "act": [None, act.number if act else None],
            "missing": [None, len(missing)],
        },
    )
    session.flush()
    return act


def stocktake_counts(session: Session, stocktake: Stocktake) -> dict[str, int]:
    """Found, unknown and missing counts for the stocktake's page."""
    finds = stocktake.finds
    return {
        "found": sum(1 for f in finds if f.copy_id is not None),
        "unknown": sum(1 for f in finds if f.copy_id is None),
        "missing": len(missing_copies(session, stocktake)) if stocktake.state == "open" else 0,
    }
