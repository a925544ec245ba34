"""Fund pages: receipts, withdrawal acts, КСО, inventory book, stocktaking (print-ready)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import FUND_READ, FUND_WRITE, may, require_staff_area
from api.auth.models import User
from api.deps import PageUser, SessionDep
from api.errors import PageNotFound
from api.i18n import translator_for
from api.presenters.downloads import xlsx_response
from api.rendering import flash, redirect, render
from collection.catalogue.search import editions_to_choose
from collection.errors import N_, CollectionError, NotFoundError
from collection.fund import acts as fund_acts
from collection.fund import documents as fund_documents
from collection.fund import receipts as fund_receipts
from collection.fund import registers as fund_services
from collection.fund import reports as fund_reports
from collection.fund import stocktaking
from collection.fund.models import RECEIPT_SOURCES, WITHDRAWAL_REASONS
from collection.fund.reports import DIMENSION_LABELS, VALUE_LABELS
from collection.fund.rules import DIMENSIONS

router = APIRouter(prefix="/fund")

SOURCE_LABELS = {s: VALUE_LABELS.get(s, s) for s in RECEIPT_SOURCES} | {"other": N_("інше")}
REASON_LABELS = {r: VALUE_LABELS[r] for r in WITHDRAWAL_REASONS}
MAX_UPLOAD_BYTES = 2_000_000


def _page_reader(user: PageUser) -> User:
    require_staff_area(user, FUND_READ)  # a library user does not see the fund at all (404)
    return user


def _page_writer(user: PageUser) -> User:
    require_staff_area(user, FUND_WRITE)
    return user


Reader = Annotated[User, Depends(_page_reader)]
Writer = Annotated[User, Depends(_page_writer)]


def _context(user: User, **extra: object) -> dict[str, object]:
    return {
        "can_write": may(user, FUND_WRITE),
        "source_labels": SOURCE_LABELS,
        "reason_labels": REASON_LABELS,
        "value_labels": VALUE_LABELS,
        "dimension_labels": DIMENSION_LABELS,
        "dimensions": DIMENSIONS,
        **extra,
    }


def _found(call, *args):  # noqa: ANN001, ANN202 - a tiny adapter: domain "not found" -> page 404
    try:
        return call(*args)
    except NotFoundError as missing:
        raise PageNotFound() from missing


@router.get("")
def index(request: Request, user: Reader) -> Response:
    """The fund area's start page."""
    return render(request, "fund/index.html", _context(user, year=date.today().year))


# --- receipts -------------------------------------------------------------------------------------


@router.get("/receipts")
def receipts(request: Request, session: SessionDep, user: Reader, year: int | None = None) -> Response:
    """Receipts, newest first."""
    rows = fund_receipts.list_receipts(session, year=year)
    return render(request, "fund/receipts.html", _context(user, rows=rows, year=year))


@router.get("/receipts/new")
def receipt_form(request: Request, user: Writer) -> Response:
    """The new-receipt form."""
    values = {"date": date.today().isoformat(), "source": "purchase"}
    return render(request, "fund/receipt_new.html", _context(user, values=values, errors={}))


@router.post("/receipts/new")
async def receipt_create(request: Request, session: SessionDep, user: Writer) -> Response:
    """Create the receipt, or show the form again with errors next to the fields."""
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("number", "date", "source", "supplier", "document", "note")}
    try:
        receipt = fund_receipts.create_receipt(
            session, actor=user.actor, receipt_date=values["date"], source=values["source"],
            number=values["number"], supplier=values["supplier"], document=values["document"],
            note=values["note"],
        )  # fmt: skip
        session.commit()
    except CollectionError as error:
        session.rollback()
        return render(
            request,
            "fund/receipt_new.html",
            _context(user, values=values, errors=error.errors, params=error.params),
            status_code=422,
        )
    flash(request, N_("Надходження {number} зареєстровано"), number=receipt.number)
    return redirect(f"/fund/receipts/{receipt.id}")


def _receipt_page(request, session, user, receipt_id, values=None, errors=None, params=None, status=200):  # noqa: ANN001, ANN202, PLR0913
    receipt = _found(fund_receipts.get_receipt, session, receipt_id)
    copies = sorted(receipt.copies, key=lambda c: (c.inventory_series, c.inventory_seq or -1))
    q = (values or {}).get("q", "")
    editions = editions_to_choose(session, q, limit=50)  # the catalogue's one edition search
    return render(request, "fund/receipt.html", _context(
        user, receipt=receipt, copies=copies, total=sum((c.price or 0) for c in copies),
        editions=editions, values=values or {"quantity": "1", "price": ""}, errors=errors or {},
        params=params or {}, scheme=fund_receipts.get_inventory_scheme(session),
    ), status_code=status)  # fmt: skip


@router.get("/receipts/{receipt_id}")
def receipt_page(receipt_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """A receipt, its copies and (for writers) the form that adds copies."""
    return _receipt_page(request, session, user, receipt_id)


@router.post("/receipts/{receipt_id}/copies")
async def receipt_add_copies(
    receipt_id: int, request: Request, session: SessionDep, user: Writer
) -> Response:
    """Add copies of an edition to the receipt."""
    receipt = _found(fund_receipts.get_receipt, session, receipt_id)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("edition_id", "quantity", "price", "location", "numbers")}
    try:
        copies = fund_receipts.add_copies_to_receipt(
            session, actor=user.actor, receipt=receipt, edition_id=values["edition_id"],
            quantity=values["quantity"], price=values["price"], location=values["location"],
            numbers=values["numbers"] or None,
        )  # fmt: skip
        session.commit()
    except CollectionError as error:
        session.rollback()
        return _receipt_page(request, session, user, receipt_id, values, error.errors, error.params, 422)
    flash(
        request,
        N_("Додано примірників: {count} ({first}–{last})"),
        count=len(copies),
        first=copies[0].inventory_number,
        last=copies[-1].inventory_number,
    )
    return redirect(f"/fund/receipts/{receipt_id}")


# --- withdrawal acts ------------------------------------------------------------------------------


@router.get("/acts")
def acts(request: Request, session: SessionDep, user: Reader, year: int | None = None) -> Response:
    """Withdrawal acts, newest first."""
    return render(
        request, "fund/acts.html", _context(user, rows=fund_acts.list_acts(session, year=year), year=year)
    )


@router.get("/acts/new")
def act_form(request: Request, user: Writer, corrects: int | None = None) -> Response:
    """The new-act form (``?corrects=ID`` for a correction of a signed act)."""
    values = {"date": date.today().isoformat(), "reason": "worn_out", "corrects_id": corrects or ""}
    return render(request, "fund/act_new.html", _context(user, values=values, errors={}))


@router.post("/acts/new")
async def act_create(request: Request, session: SessionDep, user: Writer) -> Response:
    """Create a draft act, or show the form again with errors."""
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("number", "date", "reason", "note", "corrects_id")}
    try:
        act = fund_acts.create_withdrawal_act(
            session, actor=user.actor, act_date=values["date"], reason=values["reason"],
            number=values["number"], note=values["note"],
            corrects_id=int(values["corrects_id"]) if values["corrects_id"].isdigit() else None,
        )  # fmt: skip
        session.commit()
    except CollectionError as error:
        session.rollback()
        return render(
            request, "fund/act_new.html", _context(user, values=values, errors=error.errors), status_code=422
        )
    flash(request, N_("Акт {number} створено"), number=act.number)
    return redirect(f"/fund/acts/{act.id}")


def _act_page(request, session, user, act_id, values=None, errors=None, params=None, status=200):  # noqa: ANN001, ANN202, PLR0913
    act = _found(fund_acts.get_act, session, act_id)
    copies = sorted(act.copies, key=lambda c: (c.inventory_series, c.inventory_seq or -1))
    return render(request, "fund/act.html", _context(
        user, act=act, copies=copies, total=sum((c.price or 0) for c in copies),
        values=values or {}, errors=errors or {}, params=params or {},
    ), status_code=status)  # fmt: skip


@router.get("/acts/{act_id}")
def act_page(act_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """An act, its copies, and for a draft the forms to add copies and sign."""
    return _act_page(request, session, user, act_id)


@router.post("/acts/{act_id}/copies")
async def act_add_copies(act_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Put copies into a draft act."""
    act = _found(fund_acts.get_act, session, act_id)
    form = await request.form()
    values = {"inventory_numbers": str(form.get("inventory_numbers", ""))}
    try:
        chosen = fund_acts.add_copies_to_act(
            session, actor=user.actor, act=act, inventory_numbers=values["inventory_numbers"]
        )
        session.commit()
    except CollectionError as error:
        session.rollback()
        return _act_page(request, session, user, act_id, values, error.errors, error.params, 422)
    flash(request, N_("До акта додано примірників: {count}"), count=len(chosen))
    return redirect(f"/fund/acts/{act_id}")


@router.post("/acts/{act_id}/remove/{copy_id}")
def act_remove_copy(
    act_id: int, copy_id: int, request: Request, session: SessionDep, user: Writer
) -> Response:
    """Take a copy out of a draft act."""
    act = _found(fund_acts.get_act, session, act_id)
    fund_acts.remove_copy_from_act(session, actor=user.actor, act=act, copy_id=copy_id)
    session.commit()
    flash(request, N_("Примірник вилучено з акта"))
    return redirect(f"/fund/acts/{act_id}")


@router.post("/acts/{act_id}/sign")
def act_sign(act_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Sign the act (its copies leave the fund; the act is final)."""
    act = _found(fund_acts.get_act, session, act_id)
    try:
        fund_acts.sign_act(session, actor=user.actor, act=act)
        session.commit()
    except CollectionError as error:
        session.rollback()
        return _act_page(
            request,
            session,
            user,
            act_id,
            {},
            error.errors or {"sign": error.message},
            error.params,
            409 if error.kind == "conflict" else 422,
        )
    flash(request, N_("Акт {number} підписано"), number=act.number)
    return redirect(f"/fund/acts/{act_id}")


# --- КСО and inventory book -----------------------------------------------------------------------


@router.get("/register")
def register(request: Request, session: SessionDep, user: Reader, year: int | None = None) -> Response:
    """The КСО of a year: parts 1-3 as tables (print-ready)."""
    year = year or date.today().year
    summary = fund_services.summary_register(session, year)
    return render(request, "fund/register.html", _context(user, year=year, register=summary))


@router.get("/inventory-book")
def inventory_book(
    request: Request, session: SessionDep, user: Reader, page: int = 1, location: str = ""
) -> Response:
    """The inventory book, 100 lines a page, in inventory-number order."""
    book = fund_services.inventory_book(session, page=max(1, page), per_page=100, location=location or None)
    return render(
        request,
        "fund/inventory_book.html",
        _context(
            user,
            book=book,
            location=location,
            locations=fund_services.fund_locations(session),
            scheme=fund_receipts.get_inventory_scheme(session),
        ),
    )


# --- stocktaking ----------------------------------------------------------------------------------


@router.get("/stocktakes")
def stocktakes(request: Request, session: SessionDep, user: Reader) -> Response:
    """Stocktaking sessions and the form to open one."""
    return render(
        request,
        "fund/stocktakes.html",
        _context(
            user,
            rows=stocktaking.list_stocktakes(session),
            locations=fund_services.fund_locations(session),
            values={},
            errors={},
        ),
    )


@router.post("/stocktakes")
async def stocktake_open(request: Request, session: SessionDep, user: Writer) -> Response:
    """Open a stocktake for a location."""
    form = await request.form()
    values = {"location": str(form.get("location", "")), "note": str(form.get("note", ""))}
    try:
        stocktake = stocktaking.open_stocktake(session, actor=user.actor, **values)
        session.commit()
    except CollectionError as error:
        session.rollback()
        return render(
            request,
            "fund/stocktakes.html",
            _context(
                user,
                rows=stocktaking.list_stocktakes(session),
                locations=fund_services.fund_locations(session),
                values=values,
                errors=error.errors,
                params=error.params,
            ),
            status_code=422,
        )
    flash(request, N_("Переоблік №{id} відкрито"), id=stocktake.id)
    return redirect(f"/fund/stocktakes/{stocktake.id}")


def _stocktake_page(request, session, user, stocktake_id, errors=None, params=None, status=200):  # noqa: ANN001, ANN202
    stocktake = _found(stocktaking.get_stocktake, session, stocktake_id)
    missing = stocktaking.missing_copies(session, stocktake) if stocktake.state == "open" else []
    return render(request, "fund/stocktake.html", _context(
        user, stocktake=stocktake, missing=missing, errors=errors or {}, params=params or {},
        counts=stocktaking.stocktake_counts(session, stocktake), today=date.today().isoformat(),
    ), status_code=status)  # fmt: skip


@router.get("/stocktakes/{stocktake_id}")
def stocktake_page(stocktake_id: int, request: Request, session: SessionDep, user: Reader) -> Response:
    """A stocktake: the finds form (typed, pasted or uploaded), the missing copies, closing."""
    return _stocktake_page(request, session, user, stocktake_id)


@router.post("/stocktakes/{stocktake_id}/finds")
async def stocktake_finds(stocktake_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Record entries from the textarea and/or an uploaded txt/csv list."""
    stocktake = _found(stocktaking.get_stocktake, session, stocktake_id)
    form = await request.form()
    text = str(form.get("entries", "") or "")
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read"):
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            return _stocktake_page(
                request, session, user, stocktake_id, {"file": N_("Файл завеликий (до 2 МБ)")}, status=422
            )
        text += "\n" + data.decode("utf-8-sig", errors="replace")
    try:
        added = stocktaking.add_finds(
            session, actor=user.actor, stocktake=stocktake, entries=stocktaking.parse_entries(text)
        )
        session.commit()
    except CollectionError as error:
        session.rollback()
        return _stocktake_page(request, session, user, stocktake_id, error.errors, error.params, 422)
    flash(
        request,
        N_("Знайдено: {matched}; невідомих: {unknown}; повторів: {repeated}"),
        matched=added.matched,
        unknown=len(added.unknown),
        repeated=added.repeated,
    )
    if added.unknown:
        flash(request, N_("Невідомі записи: {entries}"), "info", entries=", ".join(added.unknown[:50]))
    return redirect(f"/fund/stocktakes/{stocktake_id}")


@router.post("/stocktakes/{stocktake_id}/close")
async def stocktake_close(stocktake_id: int, request: Request, session: SessionDep, user: Writer) -> Response:
    """Close the stocktake, with a draft act for the missing copies when asked."""
    stocktake = _found(stocktaking.get_stocktake, session, stocktake_id)
    form = await request.form()
    try:
        act = stocktaking.close_stocktake(
            session, actor=user.actor, stocktake=stocktake,
            withdraw_missing=form.get("withdraw_missing") == "on",
            reason=str(form.get("reason", "lost_by_readers")),
            act_date=fund_documents.parse_date(form.get("act_date") or date.today(), "act_date"),
        )  # fmt: skip
        session.commit()
    except CollectionError as error:
        session.rollback()
        return _stocktake_page(request, session, user, stocktake_id, error.errors, error.params, 422)
    if act is not None:
        flash(request, N_("Переоблік закрито; складено акт {number}"), number=act.number)
        return redirect(f"/fund/acts/{act.id}")
    flash(request, N_("Переоблік закрито"))
    return redirect(f"/fund/stocktakes/{stocktake_id}")


# --- xlsx downloads (the pages' "xlsx" links; REST has the same under /api/v1/fund) ---------------


@router.get("/register/xlsx")
def register_xlsx(request: Request, session: SessionDep, _user: Reader, year: int | None = None) -> Response:
    """The КСО of a year as xlsx."""
    year = year or date.today().year
    content = fund_reports.summary_register_xlsx(
        fund_services.summary_register(session, year), translator_for(request).gettext
    )
    return xlsx_response(content, f"kso-{year}.xlsx")


@router.get("/inventory-book/xlsx")
def inventory_book_xlsx(request: Request, session: SessionDep, _user: Reader, location: str = "") -> Response:
    """The inventory book as xlsx."""
    book = fund_services.inventory_book(session, page=1, per_page=1_000_000, location=location or None)
    return xlsx_response(
        fund_reports.inventory_book_xlsx(book.copies, translator_for(request).gettext), "inventory-book.xlsx"
    )


@router.get("/acts/{act_id}/xlsx")
def act_xlsx(act_id: int, request: Request, session: SessionDep, _user: Reader) -> Response:
    """A withdrawal act as xlsx."""
    act = _found(fund_acts.get_act, session, act_id)
    return xlsx_response(
        fund_reports.act_xlsx(act, translator_for(request).gettext), f"act-{act.number}.xlsx"
    )
