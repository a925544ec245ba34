"""Shipment and programme documents as plain data: transfer act, packing list, parcel labels,
shipment register, per-library summary and act of acceptance.

The print pages and the xlsx files render the same dataclasses, and tests assert on them. A
dispatched shipment's documents come from its lines as sent (title, ISBN and price frozen at
dispatch), so a later change to the title list never alters them; an unsent shipment (planned
or packed) reads the programme's current title list and is a draft, dated today.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from collection.errors import N_
from distribution.dispatch import shipment_parcels
from distribution.dispatch_models import (
    ACCEPTED_STATES,
    FROZEN_STATES,
    REOPENING_KINDS,
    SHIPMENT_STATES,
    Shipment,
    ShipmentLine,
)
from distribution.errors import InvalidShipmentData, LibraryNotFound, ShipmentStateError
from distribution.libraries import Library
from distribution.models import AllocationLine, Order, Parcel, Programme, ProgrammeTitle
from distribution.programmes import get_programme

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

CARRIER_LABELS = {
    "nova_poshta": N_("Нова пошта"),
    "ukrposhta": N_("Укрпошта"),
    "meest": N_("Meest Пошта"),
    "own": N_("власний транспорт або самовивіз"),
}
STATE_LABELS = {
    "planned": N_("заплановано"),
    "packed": N_("упаковано"),
    "dispatched": N_("відправлено"),
    "delivered": N_("доставлено"),
    "confirmed": N_("підтверджено"),
    "discrepancy": N_("з розбіжностями"),
}
DISCREPANCY_LABELS = {
    "shortage": N_("недостача"),
    "surplus": N_("надлишок"),
    "damaged": N_("пошкоджено"),
    "wrong_title": N_("не та назва"),
}


# --- the sum in words ------------------------------------------------------------------------------

_ONES_M = ("", "один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять")
_ONES_F = ("", "одна", "дві", *_ONES_M[3:])
_TEENS = ("десять", "одинадцять", "дванадцять", "тринадцять", "чотирнадцять", "п'ятнадцять",
          "шістнадцять", "сімнадцять", "вісімнадцять", "дев'ятнадцять")  # fmt: skip
_TENS = ("", "", "двадцять", "тридцять", "сорок", "п'ятдесят", "шістдесят", "сімдесят", "вісімдесят",
         "дев'яносто")  # fmt: skip
_HUNDREDS = ("", "сто", "двісті", "триста", "чотириста", "п'ятсот", "шістсот", "сімсот", "вісімсот",
             "дев'ятсот")  # fmt: skip
# (forms for 1, 2-4, 5+; feminine?) per power of a thousand, from 10^3 up
_SCALES = (
    (("тисяча", "тисячі", "тисяч"), True),
    (("мільйон", "мільйони", "мільйонів"), False),
    (("мільярд", "мільярди", "мільярдів"), False),
    (("трильйон", "трильйони", "трильйонів"), False),
)


def plural_uk(n: int, forms: tuple[str, str, str]) -> str:
    """The Ukrainian form of a noun after ``n``: (одна) гривня, (дві) гривні, (п'ять) гривень."""
    n = abs(n)
    if 11 <= n % 100 <= 14:
        return forms[2]
    if n % 10 == 1:
        return forms[0]
    if 2 <= n % 10 <= 4:
        return forms[1]
    return forms[2]


def _triple(n: int, feminine: bool) -> list[str]:
    """Words for 1..999."""
    words = [_HUNDREDS[n // 100]]
    tens, ones = divmod(n % 100, 10)
    if tens == 1:
        words.append(_TEENS[ones])
    else:
        words += [_TENS[tens], (_ONES_F if feminine else _ONES_M)[ones]]
    return [w for w in words if w]


def number_in_words_uk(n: int, feminine: bool = False) -> str:
    """A whole number in Ukrainian words (``feminine`` for гривня: "одна", "дві")."""
    if n == 0:
        return "нуль"
    if n < 0:
        return "мінус " + number_in_words_uk(-n, feminine)
    words: list[str] = []
    groups = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    if len(groups) > len(_SCALES) + 1:
        raise ValueError("number too large to write in words")
    for power in range(len(groups) - 1, -1, -1):
        group = groups[power]
        if not group:
            continue
        if power == 0:
            words += _triple(group, feminine)
        else:
            forms, scale_feminine = _SCALES[power - 1]
            words += _triple(group, scale_feminine)
            words.append(plural_uk(group, forms))
    return " ".join(words)


def amount_in_words_uk(amount: Decimal) -> str:
    """An amount of hryvnias as an accountant writes it in an act ("сума прописом").

    >>> amount_in_words_uk(Decimal("1750"))
    "Одна тисяча сімсот п'ятдесят гривень 00 копійок"
    """
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "мінус " if amount < 0 else ""
    hryvnias, kopiyky = divmod(int(abs(amount) * 100), 100)
    text = (
        f"{sign}{number_in_words_uk(hryvnias, feminine=True)} "
        f"{plural_uk(hryvnias, ('гривня', 'гривні', 'гривень'))} "
        f"{kopiyky:02d} {plural_uk(kopiyky, ('копійка', 'копійки', 'копійок'))}"
    )
    return text[0].upper() + text[1:]


# --- shared parts ----------------------------------------------------------------------------------


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
    return ProgrammeRef(programme.id, programme.name, programme.year, programme.kind)


def _library(session: Session, library_id: int) -> Library:
    library = session.get(Library, library_id)
    assert library is not None
    return library


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


def _unknown(title_id: int) -> TitleText:
    return TitleText("", f"#{title_id}", "", None)


# --- 1. transfer act (акт приймання-передачі) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActLine:
    """One numbered line of an act: a title, copies (signed in a correction), price and sum."""

    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    copies: int
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
        text = texts.get(line.title_id) or _unknown(line.title_id)
        lines.append(ActLine(n, line.title_id, text.author, text.title, text.isbn, line.copies, text.price,
                             line_sum(text.price, line.copies)))  # fmt: skip
    return tuple(lines)


def transfer_act(
    session: Session, shipment: Shipment, *, sender: Party, today: date | None = None
) -> TransferAct:
    """The transfer act of ``shipment`` (its number is the shipment's number)."""
    programme = get_programme(session, shipment.programme_id)
    lines = _act_lines(shipment, title_texts(session, shipment))
    corrected = session.get(Shipment, shipment.corrects_id) if shipment.corrects_id else None
    total = sum((line.total for line in lines), ZERO)
    return TransferAct(
        shipment_id=shipment.id, number=shipment.number,
        date=shipment.dispatched_on if shipment.frozen and shipment.dispatched_on else today or date.today(),
        draft=not shipment.frozen, state=shipment.state,
        correction_of=corrected.number if corrected is not None else "",
        programme=programme_ref(programme), sender=sender,
        recipient=party_of(_library(session, shipment.library_id)),
        carrier=shipment.carrier, tracking_number=shipment.tracking_number,
        parcels=len(shipment_parcels(session, shipment.id)), note=shipment.note, lines=lines,
        total_copies=sum(line.copies for line in lines), total_sum=total,
        sum_in_words=amount_in_words_uk(total),
    )  # fmt: skip


# --- 2. packing list (пакувальний лист) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackingLine:
    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    copies: int


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
            text = texts.get(line.title_id) or _unknown(line.title_id)
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
        shipment_id=shipment.id, number=shipment.number,
        date=shipment.dispatched_on if shipment.frozen and shipment.dispatched_on else today or date.today(),
        draft=not shipment.frozen, programme=programme_ref(get_programme(session, shipment.programme_id)),
        sender=sender, recipient=party_of(_library(session, shipment.library_id)), carrier=shipment.carrier,
        parcels=parcels, total_copies=sum(p.copies for p in parcels),
        total_weight=sum((p.weight for p in parcels), Decimal("0")),
    )  # fmt: skip


# --- 3. parcel labels (адресні ярлики) -------------------------------------------------------------


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
    labels = _labels_of(session, shipment, sender, _library(session, shipment.library_id))
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
            libraries[shipment.library_id] = _library(session, shipment.library_id)
        labels += _labels_of(session, shipment, sender, libraries[shipment.library_id])
    return LabelSheet(programme_ref(programme), "", tuple(labels))


# --- 4. shipment register (реєстр відправлень) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterRow:
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
    dispatched_on: date | None
    delivered_on: date | None
    accepted_on: date | None


@dataclass(frozen=True, slots=True)
class RegisterTotals:
    shipments: int
    parcels: int
    copies: int
    weight: Decimal
    total_sum: Decimal


@dataclass(frozen=True, slots=True)
class ShipmentRegister:
    """A programme's shipments, one row each, filtered by state and dispatch date."""

    programme: ProgrammeRef
    states: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    rows: tuple[RegisterRow, ...]
    totals: RegisterTotals


def shipment_register(
    session: Session,
    programme_id: int,
    *,
    states: Iterable[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
) -> ShipmentRegister:
    """The register of the programme's shipments; a date range filters on the dispatch date.

    Sums are as sent for dispatched shipments and at current prices for unsent ones; copies,
    parcels and weight are added up in the database (a national programme has many shipments).
    """
    programme = get_programme(session, programme_id)
    states = tuple(dict.fromkeys(states))
    unknown = [s for s in states if s not in SHIPMENT_STATES]
    if unknown:
        raise InvalidShipmentData(N_("Недопустиме значення"), field="state")
    corrected = aliased(Shipment)
    stmt = (
        select(Shipment, Library.code, Library.name, Library.district, corrected.number)
        .join(Library, Library.id == Shipment.library_id)
        .outerjoin(corrected, corrected.id == Shipment.corrects_id)
        .where(Shipment.programme_id == programme_id)
        .order_by(Shipment.number)
    )
    if states:
        stmt = stmt.where(Shipment.state.in_(states))
    if date_from is not None:
        stmt = stmt.where(Shipment.dispatched_on >= date_from)
    if date_to is not None:
        stmt = stmt.where(Shipment.dispatched_on <= date_to)
    found = session.execute(stmt).all()
    copies, sums = _line_totals(session, programme_id)
    parcels = {
        sid: (count, weight)
        for sid, count, weight in session.execute(
            select(Parcel.shipment_id, func.count(Parcel.id), func.sum(Parcel.weight))
            .where(Parcel.programme_id == programme_id, Parcel.shipment_id.is_not(None))
            .group_by(Parcel.shipment_id)
        )
    }
    rows = []
    for shipment, code, name, district, corrected_number in found:
        count, weight = parcels.get(shipment.id, (0, 0))
        rows.append(RegisterRow(
            shipment_id=shipment.id, number=shipment.number, kind=shipment.kind,
            correction_of=corrected_number or "", library_code=code, library_name=name, district=district,
            carrier=shipment.carrier, tracking_number=shipment.tracking_number, parcels=int(count or 0),
            copies=copies.get(shipment.id, 0), weight=Decimal(str(weight or 0)),
            total_sum=sums.get(shipment.id, ZERO), state=shipment.state, dispatched_on=shipment.dispatched_on,
            delivered_on=shipment.delivered_on, accepted_on=shipment.accepted_on,
        ))  # fmt: skip
    totals = RegisterTotals(
        shipments=len(rows), parcels=sum(r.parcels for r in rows), copies=sum(r.copies for r in rows),
        weight=sum((r.weight for r in rows), Decimal("0")), total_sum=sum((r.total_sum for r in rows), ZERO),
    )  # fmt: skip
    return ShipmentRegister(programme_ref(programme), states, date_from, date_to, tuple(rows), totals)


def _line_totals(session: Session, programme_id: int) -> tuple[dict[int, int], dict[int, Decimal]]:
    """Copies and sums per shipment: frozen ones at the prices they left with, others at today's."""
    copies: dict[int, int] = {}
    sums: dict[int, Decimal] = {}
    frozen = Shipment.state.in_(FROZEN_STATES)
    for condition, price in ((frozen, ShipmentLine.price), (~frozen, ProgrammeTitle.price)):
        stmt = (
            select(
                ShipmentLine.shipment_id, func.sum(ShipmentLine.copies), func.sum(ShipmentLine.copies * price)
            )
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .join(ProgrammeTitle, ProgrammeTitle.id == ShipmentLine.title_id)
            .where(Shipment.programme_id == programme_id, condition)
            .group_by(ShipmentLine.shipment_id)
        )
        for sid, count, total in session.execute(stmt):
            copies[sid], sums[sid] = int(count or 0), money(total)
    return copies, sums


# --- 5. per-library summary (зведення по бібліотеці) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One title for one library: ordered … confirmed, what it reported missing, and sums.

    ``shortage`` counts copies reported not received (shortage or wrong title); ``allocated_sum``
    is at the current price, ``dispatched_sum`` and ``confirmed_sum`` at the prices as sent.
    """

    number: int
    title_id: int
    author: str
    title: str
    isbn: str
    price: Decimal | None
    ordered: int
    allocated: int
    dispatched: int
    confirmed: int
    shortage: int
    damaged: int
    allocated_sum: Decimal
    dispatched_sum: Decimal
    confirmed_sum: Decimal


@dataclass(frozen=True, slots=True)
class SummaryTotals:
    ordered: int
    allocated: int
    dispatched: int
    confirmed: int
    shortage: int
    damaged: int
    allocated_sum: Decimal
    dispatched_sum: Decimal
    confirmed_sum: Decimal


@dataclass(frozen=True, slots=True)
class LibrarySummary:
    """What one library ordered, was allocated, was sent and confirmed in a programme."""

    programme: ProgrammeRef
    library: Party
    shipments: tuple[str, ...]  # numbers of its shipments from dispatch on
    lines: tuple[SummaryLine, ...]
    totals: SummaryTotals


def library_summary(session: Session, programme_id: int, library_code: str) -> LibrarySummary:
    """The summary for the library ``library_code`` in the programme."""
    programme = get_programme(session, programme_id)
    library = session.scalars(select(Library).where(Library.code == library_code.strip().upper())).first()
    if library is None:
        raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": library_code})
    where = (Order.programme_id == programme_id, Order.library_id == library.id)
    ordered = dict(session.execute(select(Order.title_id, Order.quantity).where(*where)).all())
    allocated = dict(
        session.execute(
            select(AllocationLine.title_id, AllocationLine.quantity).where(
                AllocationLine.programme_id == programme_id, AllocationLine.library_id == library.id
            )
        ).all()
    )
    shipments = list(
        session.scalars(
            select(Shipment)
            .options(selectinload(Shipment.lines), selectinload(Shipment.discrepancies))
            .where(Shipment.programme_id == programme_id, Shipment.library_id == library.id,
                   Shipment.state.in_(FROZEN_STATES))
            .order_by(Shipment.number)
        )
    )  # fmt: skip
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for shipment in shipments:
        accepted = shipment.state in ACCEPTED_STATES
        price_sent = {line.title_id: line.price for line in shipment.lines}
        for line in shipment.lines:
            counts[line.title_id]["dispatched"] += line.copies
            sums[line.title_id]["dispatched"] += line_sum(line.price, line.copies)
            if accepted:
                counts[line.title_id]["confirmed"] += line.copies
                sums[line.title_id]["confirmed"] += line_sum(line.price, line.copies)
        for item in shipment.discrepancies:
            if item.kind in REOPENING_KINDS:
                counts[item.title_id]["shortage"] += item.quantity
                counts[item.title_id]["confirmed"] -= item.quantity
                sums[item.title_id]["confirmed"] -= line_sum(price_sent.get(item.title_id), item.quantity)
            elif item.kind == "damaged":
                counts[item.title_id]["damaged"] += item.quantity
    title_ids = set(ordered) | set(allocated) | set(counts)
    titles = (
        session.scalars(
            select(ProgrammeTitle).where(ProgrammeTitle.id.in_(title_ids)).order_by(ProgrammeTitle.id)
        ).all()
        if title_ids
        else []
    )
    lines = tuple(
        SummaryLine(
            number=n,
            title_id=t.id,
            author=t.author,
            title=t.title,
            isbn=t.isbn or "",
            price=t.price,
            ordered=ordered.get(t.id, 0),
            allocated=allocated.get(t.id, 0),
            dispatched=counts[t.id]["dispatched"],
            confirmed=counts[t.id]["confirmed"],
            shortage=counts[t.id]["shortage"],
            damaged=counts[t.id]["damaged"],
            allocated_sum=line_sum(t.price, allocated.get(t.id, 0)),
            dispatched_sum=sums[t.id]["dispatched"],
            confirmed_sum=sums[t.id]["confirmed"],
        )  # fmt: skip
        for n, t in enumerate(titles, start=1)
    )
    totals = SummaryTotals(
        *(sum(getattr(line, name) for line in lines) for name in
          ("ordered", "allocated", "dispatched", "confirmed", "shortage", "damaged")),
        *(sum((getattr(line, name) for line in lines), ZERO) for name in
          ("allocated_sum", "dispatched_sum", "confirmed_sum")),
    )  # fmt: skip
    return LibrarySummary(
        programme_ref(programme), party_of(library), tuple(s.number for s in shipments), lines, totals
    )


# --- 6. act of acceptance (акт приймання) ----------------------------------------------------------


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
        text, got = texts.get(line.title_id) or _unknown(line.title_id), reported[line.title_id]
        received = line.copies - got["shortage"] - got["wrong_title"]
        lines.append(AcceptanceLine(
            number=n, title_id=line.title_id, author=text.author, title=text.title, isbn=text.isbn,
            sent=line.copies, shortage=got["shortage"], wrong_title=got["wrong_title"],
            damaged=got["damaged"],
            received=received, price=text.price, total=line_sum(text.price, received),
        ))  # fmt: skip
    notes = []
    for item in shipment.discrepancies:
        text = texts.get(item.title_id) or _unknown(item.title_id)
        notes.append(DiscrepancyNote(item.title_id, text.author, text.title, text.isbn, item.kind,
                                     item.quantity, item.note))  # fmt: skip
    corrected = session.get(Shipment, shipment.corrects_id) if shipment.corrects_id else None
    total = sum((line.total for line in lines), ZERO)
    return AcceptanceAct(
        shipment_id=shipment.id, acceptance_number=shipment.acceptance_number,
        accepted_on=shipment.accepted_on, accepted_by=shipment.accepted_by, shipment_number=shipment.number,
        correction_of=corrected.number if corrected is not None else "", dispatched_on=shipment.dispatched_on,
        state=shipment.state, programme=programme_ref(get_programme(session, shipment.programme_id)),
        sender=sender, recipient=party_of(_library(session, shipment.library_id)), lines=tuple(lines),
        discrepancies=tuple(notes), total_sent=sum(line.sent for line in lines),
        total_shortage=sum(line.shortage for line in lines),
        total_wrong_title=sum(line.wrong_title for line in lines),
        total_damaged=sum(line.damaged for line in lines),
        total_received=sum(line.received for line in lines),
        total_sum=total, sum_in_words=amount_in_words_uk(total),
    )  # fmt: skip
