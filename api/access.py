"""Who may do what: every role list and every per-object rule, shared by REST, pages and the CLI.

Roles open areas (the tuples below, checked with ``may`` / ``require``). Inside the programme
flow, a ``library`` user is bound to its own library: ``library_scope`` is the only library id it
may see, passed to the queries, so another library's object is simply *not found* (404, never 403:
existence is not revealed). Staff areas a library user has no business in (the fund, programmes,
the catalogue, offers) answer 404 too, as if they did not exist; staff whose role does not reach
an area get 403 (``Forbidden``). The CLI acts as staff and needs none of these checks.

A 404 raised here is ``NotFoundError("Сторінку не знайдено")``: REST answers it as JSON, a page as
the same "not found" page ``PageNotFound`` gives.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.auth.models import User
from collection.errors import N_, NotFoundError
from distribution.errors import ShipmentNotFound
from distribution.exchange import services as exchange
from distribution.libraries.models import EDITABLE_FIELDS, SELF_EDITABLE_FIELDS, Library
from distribution.libraries.services import get_library
from distribution.programmes.models import Programme
from distribution.shipping.models import Shipment
from distribution.shipping.queries import get_shipment

Roles = tuple[str, ...]

LIBRARY = "library"  # the one role bound to a public library; every other role is staff
PAGE_NOT_FOUND = N_("Сторінку не знайдено")

# --- areas: which roles may use them -------------------------------------------------------------

MANAGE_USERS: Roles = ("admin",)
CREATE_LIBRARIES: Roles = ("admin",)
READ_AUDIT: Roles = ("admin", "methodologist")
CATALOGUE_READ: Roles = ("admin", "cataloguer", "acquisitions", "programme", "methodologist")
CATALOGUE_EDIT: Roles = ("admin", "cataloguer")
PLAN_EDIT: Roles = ("admin", "methodologist")  # the annual cataloguing plan
# Importing MARC files, reviewing their alternatives and exporting records (REST and pages).
IMPORT_EXPORT: Roles = ("admin", "cataloguer", "acquisitions")
FUND_WRITE: Roles = ("admin", "acquisitions")
FUND_READ: Roles = (*FUND_WRITE, "methodologist")
# The programme flow (state programme, exchange fund, gift campaigns): who runs it, who watches it.
PROGRAMME_WRITE: Roles = ("admin", "programme", "acquisitions")
PROGRAMME_READ: Roles = (*PROGRAMME_WRITE, "methodologist")
# The libraries' side of the programme flow (their shipments, exchange requests and documents):
# library users, each limited to its own library, and the staff who run or watch programmes.
LIBRARY_SIDE_READ: Roles = (*PROGRAMME_READ, LIBRARY)
LIBRARY_SIDE_WRITE: Roles = (*PROGRAMME_WRITE, LIBRARY)
# The documents of a shipment a library may see (not the address labels).
LIBRARY_DOCUMENTS: tuple[str, ...] = ("transfer-act", "packing-list", "acceptance-act")


class Forbidden(Exception):
    """Authenticated, but the role does not allow this area (403)."""


# --- role checks ----------------------------------------------------------------------------------


def may(user: User, roles: Roles) -> bool:
    """Whether ``user`` holds one of ``roles``."""
    return user.role in roles


def require(user: User, roles: Roles) -> None:
    """Refuse (403) a user without one of ``roles``."""
    if not may(user, roles):
        raise Forbidden()


def is_library_user(user: User) -> bool:
    """Whether ``user`` speaks for a public library (and so sees only that library)."""
    return user.role == LIBRARY


def require_staff_area(user: User, roles: Roles) -> None:
    """A staff area: a library user finds nothing (404); staff without one of ``roles`` get 403."""
    if is_library_user(user):
        raise NotFoundError(PAGE_NOT_FOUND)
    require(user, roles)


# --- the library scope ----------------------------------------------------------------------------


def library_scope(user: User) -> int | None:
    """The only library id ``user`` may see, or None when it may see all (staff)."""
    if not is_library_user(user):
        return None
    if user.library_id is None:  # the schema forbids it; should it happen, show nothing
        raise NotFoundError(PAGE_NOT_FOUND)
    return user.library_id


def library_fields_editable_by(user: User) -> tuple[str, ...]:
    """The library fields ``user`` may change (on a library it can see)."""
    return EDITABLE_FIELDS if user.is_staff else SELF_EDITABLE_FIELDS


def shipment_scope(user: User, *, write: bool = False) -> int | None:
    """The library whose shipments ``user`` may see (or act on, with ``write``); None for staff.

    A library user is limited to its own library (another's shipment is then not found, 404);
    staff are checked by programme role (403 when reading, or with ``write`` acting, is not theirs).
    """
    require(user, LIBRARY_SIDE_WRITE if write else LIBRARY_SIDE_READ)
    return library_scope(user)


def exchange_scope(user: User, *, write: bool = False) -> int | None:
    """The library whose exchange requests ``user`` may read (or set): the rule of shipments."""
    return shipment_scope(user, write=write)


# --- per-object rules that need a lookup ----------------------------------------------------------


def visible_round(session: Session, user: User, programme_id: int, *, write: bool = False) -> Programme:
    """The exchange round as ``user`` may see it: a library user reads it only while it collects.

    Writing to a round that stopped collecting is a conflict (409) for everyone: the service says so.
    """
    exchange_scope(user)
    if not is_library_user(user):
        return exchange.get_exchange_round(session, programme_id)
    try:
        return exchange.get_exchange_round(session, programme_id, collecting=not write)
    except (exchange.NotAnExchangeRound, exchange.RequestsClosed) as hidden:
        raise NotFoundError(N_("Програму {id} не знайдено"), params={"id": programme_id}) from hidden


def requesting_library(session: Session, user: User, code: str, *, write: bool) -> Library:
    """The library whose requests ``user`` may read (or set): a library user only its own."""
    return get_library(session, code, only_id=exchange_scope(user, write=write))


def document_shipment(session: Session, user: User, shipment_id: int, kind: str) -> Shipment:
    """The shipment whose ``kind`` document ``user`` may see: a library only its own, and not labels."""
    scope = shipment_scope(user)
    if scope is not None and kind not in LIBRARY_DOCUMENTS:
        raise ShipmentNotFound(N_("Відправлення {id} не знайдено"), params={"id": shipment_id})
    return get_shipment(session, shipment_id, library_id=scope)


def check_programme_document(user: User, library_code: str | None = None) -> None:
    """Staff read every programme document; a library only its own library summary (404 otherwise)."""
    if is_library_user(user):
        own = user.library.code if user.library is not None else None
        if library_code is None or own is None or library_code.strip().upper() != own:
            raise NotFoundError(PAGE_NOT_FOUND)
        return
    require(user, PROGRAMME_READ)
