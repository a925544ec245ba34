"""The regional library's own share of a programme delivery, taken straight into its fund.

Copies the regional library keeps (its own order or a surplus decided for the own fund) go
into one fund receipt (КСО part 1, source "state_programme") with an inventory number each,
priced from the title list, in one transaction with the record of what was taken
(``ProgrammeFundTransfer``). Copies taken into the fund are no longer available to allocate:
``available_by_title`` is what allocation shares out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from collection.audit import Actor, record_change
from collection.db import Base, intpk, str_64, utcnow
from collection.errors import N_
from collection.fund import receipts as fund_receipts
from collection.fund.models import Receipt
from distribution.allocation.models import AllocationLine
from distribution.errors import InvalidProgrammeData
from distribution.programmes.deliveries import received_by_title
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.services import get_programme, lock_programme
from distribution.shipping.acceptance import lost_in_transit


class ProgrammeFundTransfer(Base):
    """Copies of a programme title taken into the regional library's own fund, by receipt."""

    __tablename__ = "programme_fund_transfers"
    __table_args__ = (
        CheckConstraint("copies > 0", name="copies"),
        Index("ix_programme_fund_transfers_programme_id", "programme_id"),
    )

    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("programme_titles.id", ondelete="CASCADE"))
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"))
    copies: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str_64] = mapped_column(default="")
    created_at: Mapped[utcnow]


def taken_into_fund(session: Session, programme_id: int) -> dict[int, int]:
    """Copies per title already taken into the own fund."""
    stmt = (
        select(ProgrammeFundTransfer.title_id, func.sum(ProgrammeFundTransfer.copies))
        .where(ProgrammeFundTransfer.programme_id == programme_id)
        .group_by(ProgrammeFundTransfer.title_id)
    )
    return {title_id: int(total or 0) for title_id, total in session.execute(stmt)}


def available_by_title(session: Session, programme_id: int) -> dict[int, int]:
    """Usable copies per title that libraries can be allocated: received, less the own fund's
    and less copies written off as lost in transit."""
    taken = taken_into_fund(session, programme_id)
    lost = lost_in_transit(session, programme_id)
    return {
        t: q - taken.get(t, 0) - lost.get(t, 0) for t, q in received_by_title(session, programme_id).items()
    }


def fund_share(session: Session, programme_id: int) -> dict[int, int]:
    """Per title, how many copies could go into the own fund now: available but not allocated."""
    allocated = dict(
        session.execute(
            select(AllocationLine.title_id, func.sum(AllocationLine.quantity))
            .where(AllocationLine.programme_id == programme_id)
            .group_by(AllocationLine.title_id)
        ).all()
    )
    return {
        t: q - int(allocated.get(t) or 0)
        for t, q in available_by_title(session, programme_id).items()
        if q - int(allocated.get(t) or 0) > 0
    }


def take_into_fund(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    receipt_date: date,
    quantities: Mapping[int, int] | None = None,
    supplier: str = "Український інститут книги",
    document: str = "",
    location: str = "",
) -> Receipt:
    """Put copies of programme titles into the own fund with one receipt; all or nothing.

    ``quantities`` (title id → copies) defaults to the whole fund share (``fund_share``); a
    title asked for beyond its share is an error naming it, and nothing is written.
    """
    get_programme(session, programme_id)
    programme = lock_programme(session, programme_id)
    share = fund_share(session, programme_id)
    wanted = {t: c for t, c in (share if quantities is None else quantities).items() if c}
    errors = {
        f"quantities.{title_id}": N_("Не більше, ніж лишилося нерозподіленим")
        for title_id, copies in wanted.items()
        if copies < 0 or copies > share.get(title_id, 0)
    }
    if not wanted:
        errors["quantities"] = N_("Немає примірників для власного фонду")
    if errors:
        raise InvalidProgrammeData(next(iter(errors.values())), errors=errors)
    titles = {
        t.id: t for t in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.id.in_(list(wanted))))
    }
    receipt = fund_receipts.create_receipt(
        session, actor=actor, receipt_date=receipt_date, source="state_programme", supplier=supplier,
        document=document or programme.name[:255], note=f"{programme.name} ({programme.year})",
    )  # fmt: skip
    for title_id, copies in sorted(wanted.items()):
        title = titles[title_id]
        fund_receipts.add_copies_to_receipt(
            session, actor=actor, receipt=receipt, edition_id=title.edition_id, quantity=copies,
            price=str(title.price or Decimal("0")), location=location,
        )  # fmt: skip
        session.add(
            ProgrammeFundTransfer(
                programme_id=programme_id, title_id=title_id, receipt_id=receipt.id, copies=copies,
                created_by=actor.username,
            )
        )  # fmt: skip
    record_change(
        session, actor=actor, action="update", obj_type="programme", obj_id=programme_id,
        changes={"taken_into_fund": [None, {str(t): c for t, c in sorted(wanted.items())}],
                 "receipt": [None, receipt.number]},
    )  # fmt: skip
    session.flush()
    return receipt
