"""Libraries' requests in an exchange round: an order for offered copies while the round collects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from collection.audit import Actor, record_change
from collection.errors import N_
from distribution.errors import InvalidProgrammeData, LibraryNotFound
from distribution.exchange.services import exchange_round, get_exchange_round
from distribution.libraries.models import Library
from distribution.programmes.deliveries import offered_by_title
from distribution.programmes.models import Order, ProgrammeTitle
from distribution.programmes.services import (
    ChangeCounts,
    lock_programme,
)

# --- requests ----------------------------------------------------------------------------------


@dataclass(slots=True)
class RequestResult(ChangeCounts):
    """What ``request_copies`` changed in the library's requests."""

    removed: int = 0


def _quantity(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    if not text:
        return 0
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else None


def request_copies(
    session: Session,
    *,
    actor: Actor,
    programme_id: int,
    library_id: int,
    quantities: Mapping[int, object],
) -> RequestResult:
    """Set the library's requests for some titles of a collecting exchange round.

    ``quantities`` maps title ids to copies (0 withdraws the request; titles not named stay as
    they were). Each must be a whole number from 0 to the copies offered; errors name the title
    field (``title_<id>``) and nothing changes. The caller decides whose library this is: the
    REST and page layers pass only the user's own library.
    """
    get_exchange_round(session, programme_id, collecting=True)
    library = session.get(Library, library_id)
    if library is None:
        raise LibraryNotFound(N_("Бібліотеку {code} не знайдено"), params={"code": library_id})
    programme = exchange_round(lock_programme(session, programme_id), collecting=True)
    offered = offered_by_title(session, programme.id)
    errors: dict[str, str] = {}
    wanted: dict[int, int] = {}
    for raw_id, raw_quantity in quantities.items():
        title_id = int(raw_id) if str(raw_id).isdecimal() else 0
        quantity = _quantity(raw_quantity)
        if offered.get(title_id, 0) <= 0:
            errors[f"title_{title_id}"] = N_("Цієї назви немає в пропозиції")
        elif quantity is None or not 0 <= quantity <= offered[title_id]:
            errors[f"title_{title_id}"] = N_("Ціле число від 0 до запропонованої кількості")
        else:
            wanted[title_id] = quantity
    if errors:
        raise InvalidProgrammeData(N_("Перевірте виділені поля"), errors=errors)
    isbn_of = dict(
        session.execute(
            select(ProgrammeTitle.id, ProgrammeTitle.isbn).where(ProgrammeTitle.programme_id == programme.id)
        ).all()
    )
    orders = {
        o.title_id: o
        for o in session.scalars(
            select(Order).where(Order.programme_id == programme.id, Order.library_id == library.id)
        )
    }
    outcome = RequestResult()
    for title_id, quantity in sorted(wanted.items()):
        order = orders.get(title_id)
        old = order.quantity if order else 0
        if old == quantity and (order is not None or quantity == 0):
            outcome.unchanged += 1
            continue
        if order is None:
            session.add(Order(programme_id=programme.id, library_id=library.id, title_id=title_id,
                              quantity=quantity, source_file="exchange request"))  # fmt: skip
            outcome.created += 1
        elif quantity == 0:
            session.execute(delete(Order).where(Order.id == order.id))
            outcome.removed += 1
        else:
            order.quantity = quantity
            outcome.updated += 1
        record_change(
            session, actor=actor, action="update", obj_type="order",
            obj_id=f"{programme.id}/{library.code}/{isbn_of.get(title_id) or title_id}",
            changes={"quantity": [old, quantity]},
        )  # fmt: skip
    session.flush()
    return outcome
