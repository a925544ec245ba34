"""``/api/v1``: shipment and programme documents as JSON (the data the print pages show) or xlsx.

Staff who read programmes see every document. A library user sees only the transfer act,
packing list and act of acceptance of its own shipments once they have been dispatched, and
its own library summary; anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.access import check_programme_document, document_shipment
from api.deps import CurrentUser, SessionDep, TranslatorDep
from distribution.documents import xlsx as documents_xlsx
from distribution.documents.parts import Party
from distribution.documents.programmes import (
    LibrarySummary,
    ShipmentRegister,
    library_summary,
    shipment_register,
)
from distribution.documents.shipments import (
    AcceptanceAct,
    LabelSheet,
    PackingList,
    TransferAct,
    acceptance_act,
    packing_list,
    programme_labels,
    shipment_labels,
    transfer_act,
)
from distribution.shipping.models import Shipment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHIPMENT_DOCUMENTS = ("transfer-act", "packing-list", "labels", "acceptance-act")

router = APIRouter(tags=["documents"])

Document = Any  # one of the dataclasses of distribution.documents


# --- building and writing -------------------------------------------------------------------------


def sender_of(request: Request) -> Party:
    """The regional library as the sender of documents (its name comes from the settings)."""
    return Party(name=request.app.state.settings.institution_name)


def shipment_document(session: Session, shipment: Shipment, kind: str, sender: Party) -> Document:
    """The ``kind`` document of ``shipment`` as data."""
    if kind == "transfer-act":
        return transfer_act(session, shipment, sender=sender)
    if kind == "packing-list":
        return packing_list(session, shipment, sender=sender)
    if kind == "labels":
        return shipment_labels(session, shipment, sender=sender)
    return acceptance_act(session, shipment, sender=sender)


WRITERS: dict[type, Callable[..., bytes]] = {
    TransferAct: documents_xlsx.transfer_act_xlsx,
    PackingList: documents_xlsx.packing_list_xlsx,
    LabelSheet: documents_xlsx.labels_xlsx,
    ShipmentRegister: documents_xlsx.register_xlsx,
    LibrarySummary: documents_xlsx.library_summary_xlsx,
    AcceptanceAct: documents_xlsx.acceptance_act_xlsx,
}


def document_filename(document: Document, kind: str) -> str:
    """The download's name, with the document's number: ``transfer-act-12-0001.xlsx``."""
    if isinstance(document, AcceptanceAct):
        number = document.acceptance_number
    elif isinstance(document, TransferAct | PackingList):
        number = document.number
    elif isinstance(document, LabelSheet):
        number = document.shipment_number or f"programme-{document.programme.id}"
    elif isinstance(document, LibrarySummary):
        number = f"{document.programme.id}-{document.library.code}"
    else:
        number = f"programme-{document.programme.id}"
    return f"{kind}-{number}.xlsx"


def xlsx_download(document: Document, kind: str, gettext: Callable[..., str]) -> Response:
    """The document as an xlsx attachment (an ASCII name, plus the exact one per RFC 6266)."""
    filename = document_filename(document, kind)
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        WRITERS[type(document)](document, gettext),
        media_type=XLSX,
        headers={"Content-Disposition": disposition},
    )


def to_json(value: Any) -> Any:
    """A document as JSON: dataclasses as objects, money as strings ("1750.00"), dates ISO."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def answer(document: Document, kind: str, fmt: str, t: Any) -> Any:
    """The document as JSON data, or as an xlsx download when ``fmt`` asks for it."""
    return xlsx_download(document, kind, t.gettext) if fmt == "xlsx" else to_json(document)


Format = Annotated[Literal["json", "xlsx"], Query(alias="format", description="json (default) or xlsx")]


# --- routes ---------------------------------------------------------------------------------------


@router.get("/shipments/{shipment_id}/documents/{kind}")
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


@router.get("/programmes/{programme_id}/documents/register")
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


@router.get("/programmes/{programme_id}/documents/labels")
def programme_labels_route(
    programme_id: int, request: Request, session: SessionDep, user: CurrentUser, t: TranslatorDep,
    fmt: Format = "json",
) -> Any:  # fmt: skip
    """Labels for the parcels of every shipment of the programme past planning."""
    check_programme_document(user)
    return answer(
        programme_labels(session, programme_id, sender=sender_of(request)), "labels", fmt, t
    )


@router.get("/programmes/{programme_id}/documents/library-summary/{library_code}")
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
