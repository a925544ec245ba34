"""Dispatching many shipments of a programme at once, all or nothing; shipments by number.

Staff dispatch a programme's shipments from one list (a carrier's export, a spreadsheet): shipment
number, carrier, tracking number, date. Either every item is dispatched or none is.

Why not call ``dispatch.dispatch_shipment`` in a loop: a caller committing once per shipment would
leave nine shipments sent when the tenth item is bad. Checking everything first and dispatching
after is not enough either, because between the check and the n-th commit another user may change
a shipment. So the batch is one transaction: take the programme's lock once, read every named
shipment under it, check every item (number known in this programme and not repeated, state
planned or packed, carrier and tracking number by the single-dispatch rule), and only when
nothing is wrong apply ``dispatch.apply_dispatch`` to each shipment; the caller commits once. A
refused list writes nothing and leaves the caller's session as it was (the caller's transaction
end releases the lock). The single
and the bulk path share that one function (and ``dispatch.carrier_errors``), so they cannot
disagree about what dispatching means.

A dispatch list may come as a csv/xlsx file (``DISPATCH_COLUMNS``, English or Ukrainian
headers; ``items_from_table`` turns its rows into items named by their row). The CLI and REST
address shipments by number ("3-0001"); ``shipment_by_number`` and ``title_ids_by_isbn`` are the
lookups they share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor
from collection.catalogue.models import EditionIsbn
from collection.errors import N_
from distribution.errors import InvalidShipmentData, ShipmentNotFound
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.services import lock_programme
from distribution.shipping import dispatch
from distribution.shipping.models import CARRIERS, Shipment
from distribution.spreadsheets import ROW_FIELD, CellError, Column, RowError, Table, choice, text
from marc.isbn import parse_isbn

CHUNK = 500  # numbers per IN (...): well below every backend's bound-parameter limit


@dataclass(frozen=True, slots=True)
class DispatchItem:
    """One shipment to dispatch in a batch.

    ``ref`` is how errors name the item (a spreadsheet row number); None names it by its
    position in the batch, counted from 0 like a JSON list index.
    """

    shipment_number: str
    carrier: str
    tracking_number: str = ""
    dispatched_on: date | None = None  # None: today
    ref: int | None = None


class BulkDispatchRefused(InvalidShipmentData):
    """Some items of a batch are wrong, so nothing was dispatched.

    ``errors`` is keyed ``"<ref>.<field>"`` (field: shipment_number, state, carrier,
    tracking_number); ``problems`` holds the same as ``RowError`` values for row-by-row output.
    """

    def __init__(self, problems: Sequence[RowError]) -> None:
        super().__init__(
            N_("Помилок: {count}; жодне відправлення не відправлено"),
            errors={f"{p.row}.{p.column}": p.problem for p in problems},
            params={"count": len(problems), "max": 64},
        )
        self.problems = list(problems)


# --- dispatch lists as tables --------------------------------------------------------------------

# How staff and carriers' exports spell a carrier (lower-case) → its code.
CARRIER_SPELLINGS = {
    **{code: code for code in CARRIERS},
    "нова пошта": "nova_poshta", "nova poshta": "nova_poshta", "np": "nova_poshta", "нп": "nova_poshta",
    "укрпошта": "ukrposhta",
    "міст": "meest", "міст експрес": "meest", "meest express": "meest",
    "власний транспорт": "own", "власна доставка": "own", "самовивіз": "own",
}  # fmt: skip


def _dispatch_date(value: str) -> date | None:
    """A date as ISO (2026-11-20) or as Ukrainian spreadsheets write it (20.11.2026); empty: today."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        try:
            return datetime.strptime(value[:10], "%d.%m.%Y").date()
        except ValueError:
            raise CellError(N_("Дата: РРРР-ММ-ДД або ДД.ММ.РРРР")) from None


DISPATCH_COLUMNS = (
    Column("shipment_number", text(max_length=32),
           ("номер відправлення", "відправлення", "shipment", "number", "номер")),
    Column("carrier", choice(CARRIER_SPELLINGS), ("перевізник", "служба доставки")),
    Column("tracking_number", text(required=False, max_length=64),
           ("ттн", "номер ттн", "номер відстеження", "трек номер", "tracking"), required=False),
    Column("dispatched_on", _dispatch_date, ("дата", "дата відправлення", "date"), required=False),
)  # fmt: skip


def items_from_table(table: Table) -> list[DispatchItem]:
    """The parsed rows of a dispatch list as items, each named by its spreadsheet row."""
    return [
        DispatchItem(row["shipment_number"], row["carrier"], row["tracking_number"] or "",
                     row["dispatched_on"], ref=row[ROW_FIELD])
        for row in table.rows
    ]  # fmt: skip


# --- lookups -------------------------------------------------------------------------------------


def shipment_by_number(session: Session, number: str, *, library_id: int | None = None) -> Shipment:
    """The shipment numbered ``number`` ("3-0001"), with the visibility rules of ``get_shipment``."""
    found = session.scalar(select(Shipment.id).where(Shipment.number == number.strip()))
    if found is None:
        raise ShipmentNotFound(N_("Відправлення {id} не знайдено"), params={"id": number})
    try:
        return dispatch.get_shipment(session, found, library_id=library_id)
    except ShipmentNotFound:  # hidden from this library: the same answer as a missing one
        raise ShipmentNotFound(N_("Відправлення {id} не знайдено"), params={"id": number}) from None


def title_ids_by_isbn(session: Session, programme_id: int, values: Iterable[str]) -> dict[str, int]:
    """The programme title each ISBN names (as typed → title id); unknown or invalid ones are absent.

    ISBN-10 and hyphenated forms match too; an edition's other ISBNs (hardback, e-book) match
    when the title list named one of them.
    """
    normalised: dict[str, str] = {}
    for value in values:
        parsed = parse_isbn(str(value))
        if parsed.valid and parsed.value:
            normalised[value] = parsed.value
    wanted = sorted(set(normalised.values()))
    found: dict[str, int] = {}
    if wanted:
        rows = session.execute(
            select(ProgrammeTitle.isbn, ProgrammeTitle.id).where(
                ProgrammeTitle.programme_id == programme_id, ProgrammeTitle.isbn.in_(wanted)
            )
        )
        found.update({isbn13: title_id for isbn13, title_id in rows if isbn13})
        others = [value for value in wanted if value not in found]
        if others:
            for isbn13, title_id in session.execute(
                select(EditionIsbn.isbn13, ProgrammeTitle.id)
                .join(ProgrammeTitle, ProgrammeTitle.edition_id == EditionIsbn.edition_id)
                .where(ProgrammeTitle.programme_id == programme_id, EditionIsbn.isbn13.in_(others))
            ):  # fmt: skip
                found.setdefault(isbn13, title_id)
    return {value: found[isbn13] for value, isbn13 in normalised.items() if isbn13 in found}


# --- bulk dispatch -------------------------------------------------------------------------------


def _ref(item: DispatchItem, index: int) -> int:
    return index if item.ref is None else item.ref


def _check_items(items: Sequence[DispatchItem]) -> list[RowError]:
    """What can be said without the database: number given, carrier and tracking number."""
    problems: list[RowError] = []
    for index, item in enumerate(items):
        ref = _ref(item, index)
        if not item.shipment_number.strip():
            problems.append(RowError(ref, "shipment_number", N_("Вкажіть номер відправлення")))
        errors = dispatch.carrier_errors(item.carrier.strip(), item.tracking_number.strip())
        values = {"carrier": item.carrier, "tracking_number": item.tracking_number}
        problems.extend(
            RowError(ref, field, message, {"max": 64}, values[field]) for field, message in errors.items()
        )
    return problems


def _shipments(session: Session, programme_id: int, numbers: Sequence[str]) -> dict[str, Shipment]:
    """The programme's shipments with these numbers, read afresh (the lock is already held)."""
    wanted = sorted(set(numbers))
    found: dict[str, Shipment] = {}
    for start in range(0, len(wanted), CHUNK):
        stmt = (
            select(Shipment)
            .where(Shipment.programme_id == programme_id, Shipment.number.in_(wanted[start : start + CHUNK]))
            .execution_options(populate_existing=True)
        )
        found.update({shipment.number: shipment for shipment in session.scalars(stmt)})
    return found


def _already_sent(shipment: Shipment, item: DispatchItem) -> bool:
    """Whether the shipment already left with this row's carrier and tracking number."""
    return shipment.frozen and (shipment.carrier, shipment.tracking_number) == (
        item.carrier.strip(),
        item.tracking_number.strip(),
    )


def _check_shipments(items: Sequence[DispatchItem], shipments: dict[str, Shipment]) -> list[RowError]:
    """Every number names a shipment of the programme, once, that has not left yet."""
    problems: list[RowError] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        ref, number = _ref(item, index), item.shipment_number.strip()
        if not number:
            continue  # already reported
        shipment = shipments.get(number)
        if shipment is None:
            problems.append(
                RowError(ref, "shipment_number", N_("У цій програмі немає відправлення з таким номером"),
                         value=number)
            )  # fmt: skip
        elif number in seen:
            problems.append(
                RowError(ref, "shipment_number", N_("Це відправлення вже є в іншому рядку"), value=number)
            )
        elif _already_sent(shipment, item):
            pass  # the same register loaded again: this row is done, nothing to change
        elif shipment.state not in dispatch.DISPATCHABLE_STATES:
            problems.append(
                RowError(ref, "state", N_("Відправити можна лише заплановане або спаковане відправлення"),
                         value=shipment.state)
            )  # fmt: skip
        seen.add(number)
    return problems


def dispatch_shipments(
    session: Session, *, actor: Actor, programme_id: int, items: Sequence[DispatchItem]
) -> list[Shipment]:
    """Dispatch every item's shipment, or none: ``BulkDispatchRefused`` names each bad item.

    The shipments dispatched now are returned in the items' order. Each gets the item's
    carrier, tracking number (for all its parcels too) and date, exactly as a single dispatch
    would give it. A row whose shipment already left with that carrier and tracking number is
    done already and skipped, so loading the same register again changes nothing.
    """
    if not items:
        raise InvalidShipmentData(N_("Немає жодного відправлення"), field="items")
    problems = _check_items(items)
    lock_programme(session, programme_id)  # ProgrammeNotFound before anything else is read
    shipments = _shipments(session, programme_id, [item.shipment_number.strip() for item in items])
    problems.extend(_check_shipments(items, shipments))
    if problems:
        problems.sort(key=lambda p: p.row)
        raise BulkDispatchRefused(problems)
    todo = [(shipments[item.shipment_number.strip()], item) for item in items]
    todo = [(shipment, item) for shipment, item in todo if not _already_sent(shipment, item)]
    for shipment, item in todo:
        dispatch.apply_dispatch(
            session, shipment, actor=actor, carrier=item.carrier.strip(),
            tracking_number=item.tracking_number.strip(), dispatched_on=item.dispatched_on or date.today(),
        )  # fmt: skip
    session.flush()
    return [shipment for shipment, _item in todo]
