"""Print-ready documents: transfer act, packing lists, labels, act of acceptance, shipment
register and per-library summary (A4 HTML; ``?format=xlsx`` downloads the same as xlsx).

Access is the REST rule (``api.access``): staff who read programmes see everything;
a library user sees its own dispatched shipments' acts and packing lists and its own summary.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel import numbers
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.access import check_programme_document, document_shipment
from api.deps import PageUser, SessionDep
from api.errors import PageNotFound
from api.i18n import Translator, translator_for
from api.presenters.documents import (
    sender_of,
    shipment_document,
    xlsx_download,
)
from api.rendering import render
from distribution.documents import programmes as programme_documents
from distribution.documents import shipments as shipment_documents
from distribution.shipping.models import SHIPMENT_STATES
from distribution.vocabulary import CARRIER_LABELS
from distribution.vocabulary import DOCUMENT_DISCREPANCY_LABELS as DISCREPANCY_LABELS
from distribution.vocabulary import DOCUMENT_STATE_LABELS as STATE_LABELS

router = APIRouter()

TEMPLATES = {
    "transfer-act": "documents/transfer_act.html",
    "packing-list": "documents/packing_list.html",
    "labels": "documents/labels.html",
    "acceptance-act": "documents/acceptance_act.html",
}


def _format(request: Request) -> str:
    fmt = request.query_params.get("format", "html") or "html"
    if fmt not in ("html", "xlsx"):
        raise PageNotFound()
    return fmt


def helpers(t: Translator) -> dict[str, Any]:
    """Formatting for documents: sums with two decimals, document dates, labels."""

    def amount(value: Decimal | None) -> str:
        return "" if value is None else numbers.format_decimal(value, format="#,##0.00", locale=t.locale)

    def weight(value: Decimal | None) -> str:
        return "" if value is None else numbers.format_decimal(value, format="#,##0.0##", locale=t.locale)

    def doc_date(value: date | None) -> str:
        if value is None:
            return ""
        return t.date(value, "dd.MM.yyyy") if t.language == "uk" else t.date(value, "medium")

    def carrier(code: str) -> str:
        return t.gettext(CARRIER_LABELS[code]) if code in CARRIER_LABELS else code

    return {
        "amount": amount, "weight": weight, "doc_date": doc_date, "carrier": carrier,
        "state_labels": STATE_LABELS, "discrepancy_labels": DISCREPANCY_LABELS,
    }  # fmt: skip


def _show(request: Request, document: Any, kind: str, template: str, **extra: Any) -> Response:
    t = translator_for(request)
    if _format(request) == "xlsx":
        return xlsx_download(document, kind, t.gettext)
    query = request.url.query
    xlsx_href = request.url.path + "?" + (f"{query}&" if query else "") + "format=xlsx"
    return render(request, template, {
        "doc": document, "kind": kind, "xlsx_href": xlsx_href,
        "sender_name": request.app.state.settings.institution_name, **helpers(t), **extra,
    })  # fmt: skip


@router.get("/shipments/{shipment_id}/documents/{kind}")
def shipment_document_page(
    shipment_id: int, kind: str, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """A shipment's transfer act (акт приймання-передачі, or its correction act), packing lists
    (a page per parcel), address labels (several per A4 page) or act of acceptance (once the
    library has confirmed or reported discrepancies)."""
    if kind not in TEMPLATES:
        raise PageNotFound()
    shipment = document_shipment(session, user, shipment_id, kind)
    document = shipment_document(session, shipment, kind, sender_of(request))
    return _show(request, document, kind, TEMPLATES[kind])


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if (value or "").strip() else None
    except ValueError:
        return None


@router.get("/programmes/{programme_id}/documents/register")
def register(programme_id: int, request: Request, session: SessionDep, user: PageUser) -> Response:
    """The programme's shipment register; ``state`` (repeatable), ``date_from``, ``date_to`` filter."""
    check_programme_document(user)
    states = [s for s in request.query_params.getlist("state") if s in SHIPMENT_STATES]
    date_from, date_to = (
        _date(request.query_params.get("date_from")),
        _date(request.query_params.get("date_to")),
    )
    document = programme_documents.shipment_register(
        session, programme_id, states=states, date_from=date_from, date_to=date_to
    )
    return _show(request, document, "register", "documents/register.html", all_states=SHIPMENT_STATES)


@router.get("/programmes/{programme_id}/documents/labels")
def programme_labels(programme_id: int, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Labels for the parcels of every shipment of the programme past planning."""
    check_programme_document(user)
    document = shipment_documents.programme_labels(session, programme_id, sender=sender_of(request))
    return _show(request, document, "labels", "documents/labels.html")


@router.get("/programmes/{programme_id}/documents/library-summary/{library_code}")
def library_summary(
    programme_id: int, library_code: str, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """One library's summary in a programme: ordered … confirmed per title, with sums."""
    check_programme_document(user, library_code)
    document = programme_documents.library_summary(session, programme_id, library_code)
    return _show(request, document, "library-summary", "documents/library_summary.html")
