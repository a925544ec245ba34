"""``/api/v1/fund``: receipts, withdrawal acts, КСО, inventory book, stocktaking, xlsx files.

acquisitions and admin write; methodologist reads; a library user finds nothing here (404).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.access import FUND_READ, FUND_WRITE, require_staff_area
from api.auth.models import User
from api.deps import CurrentUser, SessionDep, TranslatorDep
from api.presenters.downloads import xlsx_response
from api.presenters.fund import (
    ActDetailOut,
    ActRowOut,
    ClosedStocktakeOut,
    CopyOut,
    FindsOut,
    InventoryBookOut,
    ReceiptDetailOut,
    ReceiptRowOut,
    RegisterOut,
    SchemeOut,
    StocktakeOut,
    act_detail_out,
    act_out,
    copy_out,
    receipt_detail_out,
    receipt_out,
    register_out,
    scheme_out,
    stocktake_out,
)
from collection.fund import acts as fund_acts
from collection.fund import receipts as fund_receipts
from collection.fund import registers as fund_services
from collection.fund import reports as fund_reports
from collection.fund import stocktaking

router = APIRouter(prefix="/fund", tags=["fund"])


def _reader(user: CurrentUser) -> User:
    require_staff_area(user, FUND_READ)  # a library user does not see the fund at all (404)
    return user


def _writer(user: CurrentUser) -> User:
    require_staff_area(user, FUND_WRITE)
    return user


Reader = Annotated[User, Depends(_reader)]
Writer = Annotated[User, Depends(_writer)]


# --- shapes ---------------------------------------------------------------------------------------


class ReceiptIn(BaseModel):
    """A new receipt; a blank number becomes the next "YYYY-NNN"."""

    model_config = ConfigDict(extra="forbid")
    date: datetime.date
    source: str
    number: str = ""
    supplier: str = ""
    document: str = ""
    note: str = ""


class CopiesIn(BaseModel):
    """Copies of one edition: numbered by the scheme, or with the given inventory numbers."""

    model_config = ConfigDict(extra="forbid")
    edition_id: int
    quantity: int = 1
    price: str = "0"
    location: str = ""
    numbers: list[str] | None = None
    barcodes: list[str] | None = None


class ActIn(BaseModel):
    """A new (draft) withdrawal act; ``corrects_id`` points at the signed act it corrects."""

    model_config = ConfigDict(extra="forbid")
    date: datetime.date
    reason: str
    number: str = ""
    note: str = ""
    corrects_id: int | None = None


class ActPatch(BaseModel):
    """Changes to a draft act (a signed act answers 409)."""

    model_config = ConfigDict(extra="forbid")
    date: datetime.date | None = None
    reason: str | None = None
    note: str | None = None


class ActCopiesIn(BaseModel):
    """Copies to withdraw, by inventory number or barcode."""

    model_config = ConfigDict(extra="forbid")
    inventory_numbers: list[str] = Field(min_length=1)


class SchemeIn(BaseModel):
    """The inventory-number scheme for numbers issued from now on."""

    model_config = ConfigDict(extra="forbid")
    prefix: str = ""
    width: int = 6
    with_year: bool = False
    separator: str = "-"


class StocktakeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: str
    note: str = ""


class FindsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[str] = Field(min_length=1)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    withdraw_missing: bool = True
    reason: str = "lost_by_readers"
    act_date: datetime.date | None = None


# --- receipts -------------------------------------------------------------------------------------


@router.get("/receipts")
def list_receipts(session: SessionDep, _user: Reader, year: int | None = None) -> list[ReceiptRowOut]:
    """Receipts, newest first, with copy counts and sums."""
    return [
        ReceiptRowOut(**receipt_out(r).model_dump(), copies=n, money=s)
        for r, n, s in fund_receipts.list_receipts(session, year=year)
    ]


@router.post("/receipts", status_code=201)
def create_receipt(body: ReceiptIn, session: SessionDep, user: Writer) -> ReceiptDetailOut:
    """Register a receipt (КСО part 1 entry)."""
    receipt = fund_receipts.create_receipt(
        session, actor=user.actor, receipt_date=body.date, source=body.source, number=body.number,
        supplier=body.supplier, document=body.document, note=body.note,
    )  # fmt: skip
    session.commit()
    return receipt_detail_out(fund_receipts.get_receipt(session, receipt.id))


@router.get("/receipts/{receipt_id}")
def get_receipt(receipt_id: int, session: SessionDep, _user: Reader) -> ReceiptDetailOut:
    """A receipt and its copies."""
    return receipt_detail_out(fund_receipts.get_receipt(session, receipt_id))


@router.post("/receipts/{receipt_id}/copies", status_code=201)
def add_copies(receipt_id: int, body: CopiesIn, session: SessionDep, user: Writer) -> list[CopyOut]:
    """Add copies to a receipt; inventory numbers come from the scheme unless given."""
    receipt = fund_receipts.get_receipt(session, receipt_id)
    copies = fund_receipts.add_copies_to_receipt(
        session, actor=user.actor, receipt=receipt, edition_id=body.edition_id, quantity=body.quantity,
        price=body.price, location=body.location, numbers=body.numbers, barcodes=body.barcodes,
    )  # fmt: skip
    session.commit()
    return [copy_out(c) for c in copies]


# --- withdrawal acts ------------------------------------------------------------------------------


@router.get("/acts")
def list_acts(session: SessionDep, _user: Reader, year: int | None = None) -> list[ActRowOut]:
    """Withdrawal acts, newest first, with copy counts and sums."""
    return [
        ActRowOut(**act_out(a).model_dump(), copies=n, money=s)
        for a, n, s in fund_acts.list_acts(session, year=year)
    ]


@router.post("/acts", status_code=201)
def create_act(body: ActIn, session: SessionDep, user: Writer) -> ActDetailOut:
    """Open a draft withdrawal act (КСО part 2 entry once signed)."""
    act = fund_acts.create_withdrawal_act(
        session, actor=user.actor, act_date=body.date, reason=body.reason, number=body.number,
        note=body.note, corrects_id=body.corrects_id,
    )  # fmt: skip
    session.commit()
    return act_detail_out(fund_acts.get_act(session, act.id))


@router.get("/acts/{act_id}")
def get_act(act_id: int, session: SessionDep, _user: Reader) -> ActDetailOut:
    """An act and its copies."""
    return act_detail_out(fund_acts.get_act(session, act_id))


@router.patch("/acts/{act_id}")
def update_act(act_id: int, body: ActPatch, session: SessionDep, user: Writer) -> ActDetailOut:
    """Change a draft act; a signed act is immutable (409)."""
    act = fund_acts.get_act(session, act_id)
    values = body.model_dump(exclude_none=True)
    if "date" in values:
        values["act_date"] = values.pop("date")
    fund_acts.update_act(session, actor=user.actor, act=act, **values)
    session.commit()
    return act_detail_out(fund_acts.get_act(session, act_id))


@router.post("/acts/{act_id}/copies")
def add_act_copies(act_id: int, body: ActCopiesIn, session: SessionDep, user: Writer) -> ActDetailOut:
    """Put copies into a draft act (409 when signed or when a copy already left)."""
    act = fund_acts.get_act(session, act_id)
    fund_acts.add_copies_to_act(
        session, actor=user.actor, act=act, inventory_numbers=body.inventory_numbers
    )
    session.commit()
    return act_detail_out(fund_acts.get_act(session, act_id))


@router.post("/acts/{act_id}/sign")
def sign_act(act_id: int, session: SessionDep, user: Writer) -> ActDetailOut:
    """Sign the act: its copies leave the fund; the act never changes again."""
    act = fund_acts.get_act(session, act_id)
    fund_acts.sign_act(session, actor=user.actor, act=act)
    session.commit()
    return act_detail_out(fund_acts.get_act(session, act_id))


@router.get("/acts/{act_id}/xlsx")
def act_xlsx(act_id: int, session: SessionDep, _user: Reader, t: TranslatorDep) -> Response:
    """The act as xlsx."""
    act = fund_acts.get_act(session, act_id)
    return xlsx_response(fund_reports.act_xlsx(act, t.gettext), f"act-{act.number}.xlsx")


# --- КСО, inventory book, scheme ------------------------------------------------------------------


@router.get("/register/{year}")
def summary_register(year: int, session: SessionDep, _user: Reader) -> RegisterOut:
    """КСО of a year: part 1 and 2 rows with breakdowns, part 3 movement."""
    return register_out(fund_services.summary_register(session, year))


@router.get("/register/{year}/xlsx")
def summary_register_xlsx(year: int, session: SessionDep, _user: Reader, t: TranslatorDep) -> Response:
    """КСО of a year as xlsx, one sheet per part."""
    register = fund_services.summary_register(session, year)
    return xlsx_response(fund_reports.summary_register_xlsx(register, t.gettext), f"kso-{year}.xlsx")


@router.get("/inventory-book")
def inventory_book(
    session: SessionDep, _user: Reader, page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 100, series: str | None = None,
    location: str | None = None,
) -> InventoryBookOut:  # fmt: skip
    """The inventory book in inventory-number order, a page at a time."""
    book = fund_services.inventory_book(
        session, page=page, per_page=per_page, series=series, location=location
    )
    return InventoryBookOut(page=book.page, per_page=book.per_page, total=book.total, pages=book.pages,
                            copies=[copy_out(c) for c in book.copies])  # fmt: skip


@router.get("/inventory-book/xlsx")
def inventory_book_xlsx(
    session: SessionDep, _user: Reader, t: TranslatorDep, location: str | None = None
) -> Response:
    """The whole inventory book as xlsx."""
    book = fund_services.inventory_book(session, page=1, per_page=1_000_000, location=location)
    return xlsx_response(fund_reports.inventory_book_xlsx(book.copies, t.gettext), "inventory-book.xlsx")


@router.get("/inventory-scheme")
def get_scheme(session: SessionDep, _user: Reader) -> SchemeOut:
    """The inventory-number scheme and what its next numbers look like."""
    return scheme_out(fund_receipts.get_inventory_scheme(session))


@router.put("/inventory-scheme")
def set_scheme(body: SchemeIn, session: SessionDep, user: Writer) -> SchemeOut:
    """Change the scheme for numbers issued from now on."""
    fund_receipts.set_inventory_scheme(session, actor=user.actor, **body.model_dump())
    session.commit()
    return scheme_out(fund_receipts.get_inventory_scheme(session))


# --- stocktaking ----------------------------------------------------------------------------------


@router.post("/stocktakes", status_code=201)
def open_stocktake(body: StocktakeIn, session: SessionDep, user: Writer) -> StocktakeOut:
    """Open a stocktaking session for a location."""
    stocktake = stocktaking.open_stocktake(session, actor=user.actor, location=body.location, note=body.note)
    session.commit()
    return stocktake_out(session, stocktake)


@router.get("/stocktakes/{stocktake_id}")
def get_stocktake(stocktake_id: int, session: SessionDep, _user: Reader) -> StocktakeOut:
    """A stocktake's state and counts."""
    return stocktake_out(session, stocktaking.get_stocktake(session, stocktake_id))


@router.post("/stocktakes/{stocktake_id}/finds")
def add_finds(stocktake_id: int, body: FindsIn, session: SessionDep, user: Writer) -> FindsOut:
    """Record found inventory numbers or barcodes."""
    stocktake = stocktaking.get_stocktake(session, stocktake_id)
    added = stocktaking.add_finds(session, actor=user.actor, stocktake=stocktake, entries=body.entries)
    session.commit()
    return FindsOut(matched=added.matched, unknown=added.unknown, repeated=added.repeated,
                    elsewhere=added.elsewhere)  # fmt: skip


@router.get("/stocktakes/{stocktake_id}/missing")
def missing(stocktake_id: int, session: SessionDep, _user: Reader) -> list[CopyOut]:
    """Copies at the location that were not found (so far)."""
    stocktake = stocktaking.get_stocktake(session, stocktake_id)
    return [copy_out(c) for c in stocktaking.missing_copies(session, stocktake)]


@router.post("/stocktakes/{stocktake_id}/close")
def close(stocktake_id: int, body: CloseIn, session: SessionDep, user: Writer) -> ClosedStocktakeOut:
    """Close the session; the missing copies go into a new draft act unless told otherwise."""
    stocktake = stocktaking.get_stocktake(session, stocktake_id)
    act = stocktaking.close_stocktake(
        session, actor=user.actor, stocktake=stocktake, withdraw_missing=body.withdraw_missing,
        reason=body.reason, act_date=body.act_date,
    )  # fmt: skip
    session.commit()
    return ClosedStocktakeOut(
        **stocktake_out(session, stocktake).model_dump(),
        act=act_detail_out(fund_acts.get_act(session, act.id)) if act else None,
    )
