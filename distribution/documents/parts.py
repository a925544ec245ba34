"""What every shipment and programme document is made of: parties, titles, money and labels.

A dispatched shipment's documents come from its lines as sent (title, ISBN and price frozen at
dispatch), so a later change to the title list never alters them; an unsent shipment (planned
or packed) reads the programme's current title list and is a draft, dated today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from distribution.documents.amount_words import CENT
from distribution.libraries.models import Library
from distribution.programmes.models import Programme, ProgrammeTitle
from distribution.shipping.models import Shipment

ZERO = Decimal("0.00")

@dataclass(frozen=True, slots=True)
class Party:
    """One side of a document: the regional library (sender) or a receiving library."""

    name: str
    code: str = ""
    address: str = ""
    community: str = ""
    district: str = ""
    oblast: str = ""
    contact_person: str = ""
    phone: str = ""
    carrier: str = ""
    carrier_branch: str = ""


@dataclass(frozen=True, slots=True)
class ProgrammeRef:
    """The programme a document belongs to."""

    id: int
    name: str
    year: int
    kind: str


@dataclass(frozen=True, slots=True)
class TitleText:
    """A title as a document prints it."""

    author: str
    title: str
    isbn: str
    price: Decimal | None


def money(value: Decimal | int | float | None) -> Decimal:
    """An amount rounded to kopiyky (None: 0.00); database sums may come back as floats."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def line_sum(price: Decimal | None, copies: int) -> Decimal:
    """Price × copies in hryvnias (a title without a price counts 0.00)."""
    return money(price) * copies if price is not None else ZERO


def party_of(library: Library) -> Party:
    """A receiving library as a document party."""
    return Party(
        name=library.name, code=library.code, address=library.address, community=library.community,
        district=library.district, oblast=library.oblast, contact_person=library.contact_person,
        phone=library.phone, carrier=library.carrier, carrier_branch=library.carrier_branch,
    )  # fmt: skip


def programme_ref(programme: Programme) -> ProgrammeRef:
    """The programme as a document names it."""
    return ProgrammeRef(programme.id, programme.name, programme.year, programme.kind)


def receiving_library(session: Session, shipment: Shipment) -> Library:
    """The library a shipment goes to (the foreign key guarantees there is one)."""
    library = session.get(Library, shipment.library_id)
    assert library is not None
    return library


def document_date(shipment: Shipment, today: date | None) -> date:
    """A sent shipment's documents carry its dispatch date; a draft's carry today's."""
    if shipment.frozen and shipment.dispatched_on:
        return shipment.dispatched_on
    return today or date.today()


def corrected_number(session: Session, shipment: Shipment) -> str:
    """The number of the shipment a correction amends; blank for an ordinary shipment."""
    corrected = session.get(Shipment, shipment.corrects_id) if shipment.corrects_id else None
    return corrected.number if corrected is not None else ""


def title_texts(session: Session, shipment: Shipment) -> dict[int, TitleText]:
    """Each title of the shipment as its documents print it: as sent once it has left, else as
    the programme's title list has it now."""
    texts: dict[int, TitleText] = {}
    if shipment.frozen:
        texts = {
            line.title_id: TitleText(line.author, line.title, line.isbn, line.price)
            for line in shipment.lines
        }
    wanted = {line.title_id for line in shipment.lines} | {d.title_id for d in shipment.discrepancies}
    missing = wanted - set(texts)
    if missing:
        for title in session.scalars(select(ProgrammeTitle).where(ProgrammeTitle.id.in_(missing))):
            texts[title.id] = TitleText(title.author, title.title, title.isbn or "", title.price)
    return texts


def title_text(texts: dict[int, TitleText], title_id: int) -> TitleText:
    """The title's text, or "#<id>" for a title the list no longer has."""
    return texts.get(title_id) or TitleText("", f"#{title_id}", "", None)
