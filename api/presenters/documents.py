"""Shipment and programme documents as data for REST (JSON) and as xlsx downloads, shared by pages.

The documents themselves are the dataclasses of ``distribution.documents``; this module turns them
into their typed JSON answers (``api.presenters.document_models``) or into an xlsx attachment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.presenters.document_models import DocumentModel, document_out
from api.presenters.downloads import XLSX
from distribution.documents import xlsx as documents_xlsx
from distribution.documents.parts import Party
from distribution.documents.programmes import LibrarySummary, ShipmentRegister
from distribution.documents.shipments import (
    AcceptanceAct,
    LabelSheet,
    PackingList,
    TransferAct,
    acceptance_act,
    packing_list,
    shipment_labels,
    transfer_act,
)
from distribution.shipping.models import Shipment

Document = Any  # one of the dataclasses of distribution.documents


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


def answer(document: Document, kind: str, fmt: str, t: Any) -> DocumentModel | Response:
    """The document as its typed JSON answer, or as an xlsx download when ``fmt`` asks for it."""
    return xlsx_download(document, kind, t.gettext) if fmt == "xlsx" else document_out(document)
