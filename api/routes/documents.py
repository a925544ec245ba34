"""``/api/v1``: shipment and programme documents as JSON (the data the print pages show) or xlsx.

Staff who read programmes see every document. A library user sees only the transfer act,
packing list and act of acceptance of its own shipments once they have been dispatched, and
its own library summary; anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api.access import check_programme_document, document_shipment
from api.deps import CurrentUser, SessionDep, TranslatorDep
from api.presenters.document_models import (
    LabelSheetOut,
    LibrarySummaryOut,
    ShipmentDocumentOut,
    ShipmentRegisterOut,
)
from api.presenters.documents import answer, sender_of, shipment_document
from api.presenters.downloads import XLSX
from distribution.documents.programmes import library_summary, shipment_register
from distribution.documents.shipments import programme_labels

SHIPMENT_DOCUMENTS = ("transfer-act", "packing-list", "labels", "acceptance-act")

router = APIRouter(tags=["documents"])

Format = Annotated[Literal["json", "xlsx"], Query(alias="format", description="json (default) or xlsx")]

# The JSON answer is the route's response_model; ``format=xlsx`` answers the same document as a file.
XLSX_TOO: dict[int | str, dict[str, Any]] = {
    200: {"description": "The document as JSON, or as an xlsx file (``format=xlsx``)", "content": {XLSX: {}}},
}


# --- routes ---------------------------------------------------------------------------------------


@router.get(
    "/shipments/{shipment_id}/documents/{kind}", response_model=ShipmentDocumentOut, responses=XLSX_TOO
)
def shipment_document_route(
    shipment_id: int,
    kind: Literal["transfer-act", "packing-list", "labels", "acceptance-act"],
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    t: TranslatorDep,
    fmt: Format = "json",
) -> Any:
    """A shipment's transfer act, packing list, labels or act of acceptance."""
    shipment = document_shipment(session, user, shipment_id, kind)
    return answer(shipment_document(session, shipment, kind, sender_of(request)), kind, fmt, t)


@router.get(
    "/programmes/{programme_id}/documents/register", response_model=ShipmentRegisterOut, responses=XLSX_TOO
)
def register_route(
    programme_id: int,
    session: SessionDep,
    user: CurrentUser,
    t: TranslatorDep,
    fmt: Format = "json",
    state: Annotated[list[str] | None, Query(description="shipment states to include")] = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Any:
    """The programme's shipment register, filtered by state and dispatch date."""
    check_programme_document(user)
    register = shipment_register(
        session, programme_id, states=_states(state), date_from=date_from, date_to=date_to
    )
    return answer(register, "register", fmt, t)


@router.get("/programmes/{programme_id}/documents/labels", response_model=LabelSheetOut, responses=XLSX_TOO)
def programme_labels_route(
    programme_id: int, request: Request, session: SessionDep, user: CurrentUser, t: TranslatorDep,
    fmt: Format = "json",
) -> Any:  # fmt: skip
    """Labels for the parcels of every shipment of the programme past planning."""
    check_programme_document(user)
    return answer(
        programme_labels(session, programme_id, sender=sender_of(request)), "labels", fmt, t
    )


@router.get(
    "/programmes/{programme_id}/documents/library-summary/{library_code}",
    response_model=LibrarySummaryOut,
    responses=XLSX_TOO,
)
def library_summary_route(
    programme_id: int, library_code: str, session: SessionDep, user: CurrentUser, t: TranslatorDep,
    fmt: Format = "json",
) -> Any:  # fmt: skip
    """One library's ordered / allocated / dispatched / confirmed per title, with sums."""
    check_programme_document(user, library_code)
    return answer(library_summary(session, programme_id, library_code), "library-summary", fmt, t)


def _states(values: Iterable[str] | None) -> tuple[str, ...]:
    """States from a query that may repeat ``state`` or give them comma-separated."""
    return tuple(s.strip() for v in values or () for s in v.split(",") if s.strip())
