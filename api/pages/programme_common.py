"""What the programme pages share: who may see and change them, labels, a step's page, uploads.

Programme staff write; a methodologist reads (pages without forms); a public library's user
gets "not found" everywhere under /programmes. The pages themselves are in
``api.pages.programmes`` (list, overview, reports), ``programme_orders`` (title list, orders),
``programme_deliveries`` and ``programme_fulfilment`` (allocation, packing).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy.orm import Session

from api.access import PROGRAMME_READ, PROGRAMME_WRITE, may, require, require_staff_area
from api.auth.models import User
from api.deps import PageUser
from api.errors import PageNotFound
from api.i18n import translator_for
from api.pages.library_pages import STATUS_LABELS
from api.pages.programme_uploads import UploadProblem, keep_errors, table_upload
from api.rendering import flash, render
from collection.errors import N_
from distribution.errors import ProgrammeNotFound
from distribution.programmes.models import Programme
from distribution.programmes.services import LoadResult, get_programme
from distribution.vocabulary import (
    PARCEL_STATE_LABELS,
    PROGRAMME_KIND_LABELS,
    PROGRAMME_STATE_LABELS,
    SURPLUS_LABELS,
)

# The labels are the domain vocabulary's (one definition); the short names are the pages'.
KIND_LABELS = PROGRAMME_KIND_LABELS
STATE_LABELS = PROGRAMME_STATE_LABELS
COLUMN_LABELS = {
    "library_code": N_("код бібліотеки"),
    "isbn": "ISBN",
    "title_id": N_("номер назви"),
    "quantity": N_("кількість"),
    "title": N_("назва"),
    "author": N_("автор"),
    "publisher": N_("видавництво"),
    "year": N_("рік"),
    "price": N_("ціна"),
    "weight": N_("вага"),
    "received": N_("отримано"),
    "damaged": N_("пошкоджено"),
    "wrong_title": N_("інша назва"),
}
# Steps of the flow in order: (path under the programme, label, what step_counts counts).
STEPS = (
    ("titles", N_("Список назв"), "titles"),
    ("orders", N_("Заявки бібліотек"), "orders"),
    ("deliveries", N_("Надходження"), "deliveries"),
    ("allocation", N_("Розподіл"), "allocation"),
    ("packing", N_("Пакування"), "parcels"),
)
MAX_ERRORS_SHOWN = 1000
UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError)


# --- access ----------------------------------------------------------------------------------------


def _page_reader(user: PageUser) -> User:
    require_staff_area(user, PROGRAMME_READ)  # a library never learns that programme pages exist
    return user


def _page_writer(user: Annotated[User, Depends(_page_reader)]) -> User:
    require(user, PROGRAMME_WRITE)
    return user


Reader = Annotated[User, Depends(_page_reader)]
Writer = Annotated[User, Depends(_page_writer)]


def programme_or_404(session: Session, programme_id: int) -> Programme:
    """The programme, or the "not found" page."""
    try:
        return get_programme(session, programme_id)
    except ProgrammeNotFound as missing:
        raise PageNotFound() from missing


def whole_number(value: object, default: int = 1) -> int:
    """A page number or year from a query string; anything else is ``default``."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else default


def page_context(
    request: Request, user: User, programme: Programme | None = None, **extra: Any
) -> dict[str, Any]:
    """What every programme page needs: labels, the writer flag, the programme and its steps."""
    return {
        "can_write": may(user, PROGRAMME_WRITE),
        "programme": programme,
        "kind_labels": KIND_LABELS,
        "state_labels": STATE_LABELS,
        "surplus_labels": SURPLUS_LABELS,
        "parcel_state_labels": PARCEL_STATE_LABELS,
        "column_labels": COLUMN_LABELS,
        "status_labels": STATUS_LABELS,
        "steps": STEPS,
        "max_errors_shown": MAX_ERRORS_SHOWN,
        "has_offers": programme is not None and programme.kind == "exchange",
        **extra,
    }


def step_page(
    request: Request,
    user: User,
    programme: Programme,
    step: str,
    *,
    template: str | None = None,
    load: dict | None = None,
    errors: dict | None = None,
    params: dict | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """A step's page (``programmes/<step>.html`` unless ``template``), with what its form left:
    a refused file (``load``) or field errors (``params`` fill their placeholders)."""
    return render(
        request,
        template or f"programmes/{step}.html",
        page_context(
            request,
            user,
            programme,
            step=step,
            load=load,
            errors=errors or {},
            params=params or {},
            **extra,
        ),
        status_code=status_code,
    )


async def load_form_file(
    request: Request,
    session: Session,
    programme: Programme,
    load: Callable[..., LoadResult],
    show: Callable[..., Response],
    *,
    marc: bool = False,
) -> LoadResult | Response:
    """Load the form's file with ``load`` (called with ``stream`` and ``filename``) and flash its
    counts; a file that cannot be read or has a bad row changes nothing and comes back as
    ``show`` (the step's page) with its errors."""
    form = await request.form()
    try:
        data, name = await table_upload(form, marc=marc)
        result = run_load(session, name, lambda: load(stream=io.BytesIO(data), filename=name))
    except UploadProblem as problem:
        return show(errors={"file": problem.message}, params=problem.params, status_code=422)
    if result.errors:
        session.rollback()
        return show(load=refused(request, programme, result), status_code=422)
    flash_loaded(request, result)
    return result


def run_load(session: Session, name: str, call: Callable[[], LoadResult]) -> LoadResult:
    """Run a file-loading service; a file the readers cannot open becomes an ``UploadProblem``."""
    try:
        result = call()
    except UNREADABLE as error:
        session.rollback()
        raise UploadProblem(N_("Не вдалося прочитати файл {name}"), name=name) from error
    if result.ok:  # a refused file wrote nothing; its page rolls back and shows the errors
        session.commit()
    return result


def refused(request: Request, programme: Programme, result: LoadResult, *, row_offset: int = 0) -> dict:
    """The refused upload for the page: its errors (kept for download under a token)."""
    token = keep_errors(request.app.state.settings, programme.id, result.file, result.errors)
    return {
        "file": result.file,
        "rows": result.rows,
        "errors": result.errors,
        "token": token,
        "row_offset": row_offset,
    }


def flash_loaded(request: Request, result: LoadResult) -> None:
    """The success message of a loaded file: its counts."""
    flash(
        request,
        N_("Файл {file}: рядків {rows}; створено {created}, оновлено {updated}, без змін {unchanged}"),
        file=result.file,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )


def download(content: bytes, fmt: str, filename: str) -> Response:
    """An xlsx or csv download."""
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    )


def table_format_or_404(fmt: str) -> str:
    """``xlsx`` or ``csv``; any other format is "not found"."""
    if fmt not in ("xlsx", "csv"):
        raise PageNotFound()
    return fmt


def translated(
    request: Request, errors: dict[str, str], params: dict[str, Any] | None = None
) -> dict[str, str]:
    """Field errors as text in the page's language (the form macros show them as they are)."""
    t = translator_for(request)
    return {name: t.gettext(message, **(params or {})) for name, message in errors.items()}
