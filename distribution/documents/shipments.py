"""A shipment's documents as plain data: transfer act, packing list, parcel labels and the act
of acceptance.

The print pages and the xlsx files (``distribution.documents.xlsx``) render these dataclasses,
and tests assert on them. The programme's own documents (register, library summary) are in
``distribution.documents.programmes``; what they share in ``distribution.documents.parts``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.errors import N_
from distribution.documents.amount_words import amount_in_words_uk
from distribution.documents.parts import (
    ZERO,
    Party,
    ProgrammeRef,
    TitleText,
    corrected_number,
    document_date,
    line_sum,
    party_of,
    programme_ref,
    receiving_library,
    title_text,
    title_texts,
)
from distribution.errors import ShipmentStateError
from distribution.libraries.models import Library
from distribution.programmes.services import get_programme
from distribution.shipping.models import ACCEPTED_STATES, Parcel, Shipment
from distribution.shipping.queries import shipment_parcels

# --- transfer act (акт приймання-передачі) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TitleLine:
    """One numbered title of a document's table and its copies."""

    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    copies: int


@dataclass(frozen=True, slots=True)
class ActLine(TitleLine):
    """One numbered line of an act: a title, copies (signed in a correction), price and sum."""

    price: Decimal | None
    total: Decimal


@dataclass(frozen=True, slots=True)
class TransferAct:
    """The act that travels with a shipment; a correction's act amends an earlier one."""

    shipment_id: int
    number: str
    date: date
    draft: bool
    state: str
    correction_of: str  # the corrected act's number; blank for an ordinary shipment
    programme: ProgrammeRef
    sender: Party
    recipient: Party
    carrier: str
    tracking_number: str
    parcels: int
    note: str
    lines: tuple[ActLine, ...]
    total_copies: int
    total_sum: Decimal
    sum_in_words: str


def _act_lines(shipment: Shipment, texts: dict[int, TitleText]) -> tuple[ActLine, ...]:
    lines = []
    for n, line in enumerate(shipment.lines, start=1):
        text = title_text(texts, line.title_id)
        lines.append(ActLine(n, line.title_id, text.author, text.title, text.isbn, line.copies, text.price,
                             line_sum(text.price, line.copies)))  # fmt: skip
    return tuple(lines)


def transfer_act(
    session: Session, shipment: Shipment, *, sender: Party, today: date | None = None
) -> TransferAct:
    """The transfer act of ``shipment`` (its number is the shipment's number)."""
    programme = get_programme(session, shipment.programme_id)
    lines = _act_lines(shipment, title_texts(session, shipment))
    total = sum((line.total for line in lines), ZERO)
    return TransferAct(
        shipment_id=shipment.id, number=shipment.number, date=document_date(shipment, today),
        draft=not shipment.frozen, state=shipment.state, correction_of=corrected_number(session, shipment),
        programme=programme_ref(programme), sender=sender,
        recipient=party_of(receiving_library(session, shipment)),
        carrier=shipment.carrier, tracking_number=shipment.tracking_number,
        parcels=len(shipment_parcels(session, shipment.id)), note=shipment.note, lines=lines,
        total_copies=sum(line.copies for line in lines), total_sum=total,
        sum_in_words=amount_in_words_uk(total),
    )  # fmt: skip


# --- packing list (пакувальний лист) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackingLine(TitleLine):
    """One title packed in a parcel."""


@dataclass(frozen=True, slots=True)
class PackedParcel:
    """One parcel: ``index`` of ``count`` in the shipment; ``parcel_number`` is the stored one
    (it continues the library's earlier parcels in the programme)."""

    index: int
    count: int
    parcel_number: int
    weight: Decimal
    copies: int
    oversize: bool
    tracking_number: str
    lines: tuple[PackingLine, ...]


@dataclass(frozen=True, slots=True)
class PackingList:
    """The packing lists of a shipment: one per parcel (one printed page each)."""

    shipment_id: int
    number: str
    date: date
    draft: bool
    programme: ProgrammeRef
    sender: Party
    recipient: Party
    carrier: str
    parcels: tuple[PackedParcel, ...]
    total_copies: int
    total_weight: Decimal


def _packed(parcels: list[Parcel], texts: dict[int, TitleText]) -> tuple[PackedParcel, ...]:
    result = []
    for index, parcel in enumerate(parcels, start=1):
        lines = []
        for n, line in enumerate(sorted(parcel.lines, key=lambda pl: pl.title_id), start=1):
            text = title_text(texts, line.title_id)
            lines.append(PackingLine(n, line.title_id, text.author, text.title, text.isbn, line.copies))
        result.append(PackedParcel(index, len(parcels), parcel.number, Decimal(parcel.weight), parcel.copies,
                                   parcel.oversize, parcel.tracking_number, tuple(lines)))  # fmt: skip
    return tuple(result)


def packing_list(
    session: Session, shipment: Shipment, *, sender: Party, today: date | None = None
) -> PackingList:
    """The packing lists of ``shipment``'s parcels (a correction has none)."""
    parcels = _packed(shipment_parcels(session, shipment.id), title_texts(session, shipment))
    return PackingList(
        shipment_id=shipment.id, number=shipment.number, date=document_date(shipment, today),
        draft=not shipment.frozen, programme=programme_ref(get_programme(session, shipment.programme_id)),
        sender=sender, recipient=party_of(receiving_library(session, shipment)), carrier=shipment.carrier,
        parcels=parcels, total_copies=sum(p.copies for p in parcels),
        total_weight=sum((p.weight for p in parcels), Decimal("0")),
    )  # fmt: skip


# --- parcel labels (адресні ярлики) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParcelLabel:
    """What goes on one parcel: from, to, carrier and branch, shipment, n of m, weight, ТТН."""

    shipment_id: int
    shipment_number: str
    sender: Party
    recipient: Party
    carrier: str
    carrier_branch: str
    index: int
    count: int
    weight: Decimal
    copies: int
    tracking_number: str


@dataclass(frozen=True, slots=True)
class LabelSheet:
    """Labels of one shipment (``shipment_number``) or of a whole programme (blank)."""

    programme: ProgrammeRef
    shipment_number: str
    labels: tuple[ParcelLabel, ...]


def _labels_of(session: Session, shipment: Shipment, sender: Party, library: Library) -> list[ParcelLabel]:
    parcels = shipment_parcels(session, shipment.id)
    recipient = party_of(library)
    return [
        ParcelLabel(
            shipment_id=shipment.id,
            shipment_number=shipment.number,
            sender=sender,
            recipient=recipient,
            carrier=shipment.carrier or library.carrier,
            carrier_branch=library.carrier_branch,
            index=index,
            count=len(parcels),
            weight=Decimal(parcel.weight),
            copies=parcel.copies,
            tracking_number=parcel.tracking_number or shipment.tracking_number,
        )  # fmt: skip
        for index, parcel in enumerate(parcels, start=1)
    ]


def shipment_labels(session: Session, shipment: Shipment, *, sender: Party) -> LabelSheet:
    """A label for every parcel of ``shipment``."""
    programme = get_programme(session, shipment.programme_id)
    labels = _labels_of(session, shipment, sender, receiving_library(session, shipment))
    return LabelSheet(programme_ref(programme), shipment.number, tuple(labels))


def programme_labels(session: Session, programme_id: int, *, sender: Party) -> LabelSheet:
    """Labels for the parcels of every shipment of the programme past planning, by number."""
    programme = get_programme(session, programme_id)
    shipments = session.scalars(
        select(Shipment)
        .where(Shipment.programme_id == programme_id, Shipment.state != "planned")
        .order_by(Shipment.number)
    )
    libraries: dict[int, Library] = {}
    labels: list[ParcelLabel] = []
    for shipment in shipments:
        if shipment.library_id not in libraries:
            libraries[shipment.library_id] = receiving_library(session, shipment)
        labels += _labels_of(session, shipment, sender, libraries[shipment.library_id])
    return LabelSheet(programme_ref(programme), "", tuple(labels))


# --- act of acceptance (акт приймання) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AcceptanceLine:
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
    received: int  # sent − shortage − wrong title (damaged copies did arrive)
    price: Decimal | None
    total: Decimal  # received × price as sent


@dataclass(frozen=True, slots=True)
class DiscrepancyNote:
    title_id: int
    author: str
    title: str
    isbn: str
    kind: str
    quantity: int
    note: str


@dataclass(frozen=True, slots=True)
class AcceptanceAct:
    """The receiving library's act of acceptance, made when it confirms or reports discrepancies."""

    shipment_id: int
    acceptance_number: str
    accepted_on: date
    accepted_by: str
    shipment_number: str
    correction_of: str
    dispatched_on: date | None
    state: str
    programme: ProgrammeRef
    sender: Party
    recipient: Party
    lines: tuple[AcceptanceLine, ...]
    discrepancies: tuple[DiscrepancyNote, ...]
    total_sent: int
    total_shortage: int
    total_wrong_title: int
    total_damaged: int
    total_received: int
    total_sum: Decimal
    sum_in_words: str


def acceptance_act(session: Session, shipment: Shipment, *, sender: Party) -> AcceptanceAct:
    """The act of acceptance of ``shipment``; ``ShipmentStateError`` until the library has answered."""
    if shipment.state not in ACCEPTED_STATES or shipment.accepted_on is None:
        raise ShipmentStateError(
            N_("Акт приймання складається, коли бібліотека підтвердить отримання відправлення {number}"),
            params={"number": shipment.number},
        )
    texts = title_texts(session, shipment)
    reported: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in shipment.discrepancies:
        reported[item.title_id][item.kind] += item.quantity
    lines = []
    for n, line in enumerate(shipment.lines, start=1):
        text, got = title_text(texts, line.title_id), reported[line.title_id]
        received = line.copies - got["shortage"] - got["wrong_title"]
        lines.append(AcceptanceLine(
            number=n, title_id=line.title_id, author=text.author, title=text.title, isbn=text.isbn,
            sent=line.copies, shortage=got["shortage"], wrong_title=got["wrong_title"],
            damaged=got["damaged"],
            received=received, price=text.price, total=line_sum(text.price, received),
        ))  # fmt: skip
    notes = []
    for item in shipment.discrepancies:
        text = title_text(texts, item.title_id)
        notes.append(DiscrepancyNote(item.title_id, text.author, text.title, text.isbn, item.kind,
                                     item.quantity, item.note))  # fmt: skip
    total = sum((line.total for line in lines), ZERO)
    return AcceptanceAct(
        shipment_id=shipment.id, acceptance_number=shipment.acceptance_number,
        accepted_on=shipment.accepted_on, accepted_by=shipment.accepted_by, shipment_number=shipment.number,
        correction_of=corrected_number(session, shipment), dispatched_on=shipment.dispatched_on,
        state=shipment.state, programme=programme_ref(get_programme(session, shipment.programme_id)),
        sender=sender, recipient=party_of(receiving_library(session, shipment)), lines=tuple(lines),
        discrepancies=tuple(notes), total_sent=sum(line.sent for line in lines),
        total_shortage=sum(line.shortage for line in lines),
        total_wrong_title=sum(line.wrong_title for line in lines),
        total_damaged=sum(line.damaged for line in lines),
        total_received=sum(line.received for line in lines),
        total_sum=total, sum_in_words=amount_in_words_uk(total),
    )  # fmt: skip
