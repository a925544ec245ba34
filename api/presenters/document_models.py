"""Shipment and programme documents as REST answers: typed mirrors of ``distribution.documents``.

Each model repeats its dataclass field for field and in the same order, so the JSON is the
document as the print page has it: money as exact strings ("1750.00"), weights as strings,
dates ISO. Fields named ``date`` are annotated ``datetime.date`` (the module, not the class), so
the field name does not shadow its own type when pydantic builds the schema.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from distribution.documents.programmes import LibrarySummary, ShipmentRegister
from distribution.documents.shipments import AcceptanceAct, LabelSheet, PackingList, TransferAct


class DocumentModel(BaseModel):
    """A document part, read from its dataclass by attribute; JSON with an unknown key is refused."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class DocumentPartyOut(DocumentModel):
    """One side of a document: the regional library (sender) or a receiving library."""

    name: str
    code: str
    address: str
    community: str
    district: str
    oblast: str
    contact_person: str
    phone: str
    carrier: str
    carrier_branch: str


class DocumentProgrammeOut(DocumentModel):
    """The programme a document belongs to."""

    id: int
    name: str
    year: int
    kind: str


# --- shipment documents ---------------------------------------------------------------------------


class DocumentTitleLineOut(DocumentModel):
    """One numbered title of a document's table and its copies."""

    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    copies: int


class TransferActLineOut(DocumentTitleLineOut):
    """One line of a transfer act: copies (signed in a correction), price and sum."""

    price: Decimal | None
    total: Decimal


class TransferActOut(DocumentModel):
    """The act that travels with a shipment; ``correction_of`` names the act a correction amends."""

    shipment_id: int
    number: str
    date: datetime.date
    draft: bool
    state: str
    correction_of: str
    programme: DocumentProgrammeOut
    sender: DocumentPartyOut
    recipient: DocumentPartyOut
    carrier: str
    tracking_number: str
    parcels: int
    note: str
    lines: list[TransferActLineOut]
    total_copies: int
    total_sum: Decimal
    sum_in_words: str


class PackedParcelOut(DocumentModel):
    """One parcel: ``index`` of ``count`` in the shipment, its stored number and its titles."""

    index: int
    count: int
    parcel_number: int
    weight: Decimal
    copies: int
    oversize: bool
    tracking_number: str
    lines: list[DocumentTitleLineOut]


class PackingListOut(DocumentModel):
    """The packing lists of a shipment: one per parcel."""

    shipment_id: int
    number: str
    date: datetime.date
    draft: bool
    programme: DocumentProgrammeOut
    sender: DocumentPartyOut
    recipient: DocumentPartyOut
    carrier: str
    parcels: list[PackedParcelOut]
    total_copies: int
    total_weight: Decimal


class ParcelLabelOut(DocumentModel):
    """What goes on one parcel: from, to, carrier and branch, shipment, n of m, weight, ТТН."""

    shipment_id: int
    shipment_number: str
    sender: DocumentPartyOut
    recipient: DocumentPartyOut
    carrier: str
    carrier_branch: str
    index: int
    count: int
    weight: Decimal
    copies: int
    tracking_number: str


class LabelSheetOut(DocumentModel):
    """Labels of one shipment (``shipment_number``) or of a whole programme (blank)."""

    programme: DocumentProgrammeOut
    shipment_number: str
    labels: list[ParcelLabelOut]


class AcceptanceLineOut(DocumentModel):
    """One title of an accepted shipment: sent, what the library reported, what it received."""

    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    sent: int
    shortage: int
    wrong_title: int
    damaged: int
    received: int
    price: Decimal | None
    total: Decimal


class DiscrepancyNoteOut(DocumentModel):
    """One discrepancy the library reported, as the act lists it."""

    title_id: int
    author: str
    title: str
    isbn: str
    kind: str
    quantity: int
    note: str


class AcceptanceActOut(DocumentModel):
    """The receiving library's act of acceptance."""

    shipment_id: int
    acceptance_number: str
    accepted_on: datetime.date
    accepted_by: str
    shipment_number: str
    correction_of: str
    dispatched_on: datetime.date | None
    state: str
    programme: DocumentProgrammeOut
    sender: DocumentPartyOut
    recipient: DocumentPartyOut
    lines: list[AcceptanceLineOut]
    discrepancies: list[DiscrepancyNoteOut]
    total_sent: int
    total_shortage: int
    total_wrong_title: int
    total_damaged: int
    total_received: int
    total_sum: Decimal
    sum_in_words: str


ShipmentDocumentOut = TransferActOut | PackingListOut | LabelSheetOut | AcceptanceActOut


# --- programme documents --------------------------------------------------------------------------


class ShipmentRegisterRowOut(DocumentModel):
    """One shipment of the register."""

    shipment_id: int
    number: str
    kind: str
    correction_of: str
    library_code: str
    library_name: str
    district: str
    carrier: str
    tracking_number: str
    parcels: int
    copies: int
    weight: Decimal
    total_sum: Decimal
    state: str
    dispatched_on: datetime.date | None
    delivered_on: datetime.date | None
    accepted_on: datetime.date | None


class ShipmentRegisterTotalsOut(DocumentModel):
    """The register's shipments, parcels, copies, weight and sum."""

    shipments: int
    parcels: int
    copies: int
    weight: Decimal
    total_sum: Decimal


class ShipmentRegisterOut(DocumentModel):
    """A programme's shipments, one row each, with the filter that chose them."""

    programme: DocumentProgrammeOut
    states: list[str]
    date_from: datetime.date | None
    date_to: datetime.date | None
    rows: list[ShipmentRegisterRowOut]
    totals: ShipmentRegisterTotalsOut


class LibrarySummaryTotalsOut(DocumentModel):
    """Copies ordered … confirmed, reported missing or damaged, and sums (one title or all)."""

    ordered: int
    allocated: int
    dispatched: int
    confirmed: int
    shortage: int
    damaged: int
    allocated_sum: Decimal
    dispatched_sum: Decimal
    confirmed_sum: Decimal


class LibrarySummaryLineOut(LibrarySummaryTotalsOut):
    """One title for one library, with its totals."""

    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    price: Decimal | None


class LibrarySummaryOut(DocumentModel):
    """What one library ordered, was allocated, was sent and confirmed in a programme."""

    programme: DocumentProgrammeOut
    library: DocumentPartyOut
    shipments: list[str]
    lines: list[LibrarySummaryLineOut]
    totals: LibrarySummaryTotalsOut


DocumentOut = ShipmentDocumentOut | ShipmentRegisterOut | LibrarySummaryOut

MODELS: dict[type, type[DocumentModel]] = {
    TransferAct: TransferActOut,
    PackingList: PackingListOut,
    LabelSheet: LabelSheetOut,
    AcceptanceAct: AcceptanceActOut,
    ShipmentRegister: ShipmentRegisterOut,
    LibrarySummary: LibrarySummaryOut,
}


def transfer_act_out(act: TransferAct) -> TransferActOut:
    """A transfer act as its REST answer."""
    return TransferActOut.model_validate(act)


def packing_list_out(document: PackingList) -> PackingListOut:
    """A shipment's packing lists as their REST answer."""
    return PackingListOut.model_validate(document)


def label_sheet_out(sheet: LabelSheet) -> LabelSheetOut:
    """A shipment's or programme's labels as their REST answer."""
    return LabelSheetOut.model_validate(sheet)


def acceptance_act_out(act: AcceptanceAct) -> AcceptanceActOut:
    """An act of acceptance as its REST answer."""
    return AcceptanceActOut.model_validate(act)


def shipment_register_out(register: ShipmentRegister) -> ShipmentRegisterOut:
    """A programme's shipment register as its REST answer."""
    return ShipmentRegisterOut.model_validate(register)


def library_summary_out(summary: LibrarySummary) -> LibrarySummaryOut:
    """A library's summary in a programme as its REST answer."""
    return LibrarySummaryOut.model_validate(summary)


def document_out(document: object) -> DocumentModel:
    """Any document of ``distribution.documents`` as its REST answer (the model of its type)."""
    return MODELS[type(document)].model_validate(document)
