"""``/api/v1/shipments`` and ``/api/v1/programmes/{id}/shipments``: dispatch and acceptance.

Staff (admin, programme, acquisitions) pack, dispatch and correct shipments; the methodologist
reads. A library user sees only its own shipments from dispatch on; it may say one was delivered
and accept it (staff may do both on its behalf). Another library's shipment, or one that has not
left, answers 404 as if it did not exist. Routes parse, call ``distribution.shipping.dispatch`` /
``distribution.shipping.bulk_dispatch`` and render; state errors answer 409, invalid data 422.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from api.access import PROGRAMME_READ, PROGRAMME_WRITE, require, require_staff_area, shipment_scope
from api.auth.models import User
from api.deps import CurrentUser, SessionDep
from api.presenters.shipments import (
    ShipmentDetailOut,
    ShipmentOut,
    shipment_detail_out,
    shipments_out,
    titles_by_id,
)
from collection.errors import N_
from distribution.errors import InvalidShipmentData
from distribution.libraries import services
from distribution.programmes.services import get_programme
from distribution.shipping import acceptance as shipping_acceptance
from distribution.shipping import dispatch
from distribution.shipping import queries as shipping_queries
from distribution.shipping.bulk_dispatch import DispatchItem, dispatch_shipments, title_ids_by_isbn
from distribution.shipping.models import FROZEN_STATES, SHIPMENT_STATES, Shipment
from distribution.shipping.recipient_marc import export_recipient_marc, shipment_lines

router = APIRouter(tags=["shipments"])

State = Literal[SHIPMENT_STATES]  # type: ignore[valid-type]  # a query value must be one of them
MARC_MEDIA = {"iso2709": ("application/marc", "mrc"), "marcxml": ("application/marcxml+xml", "xml")}


# --- who may do what ------------------------------------------------------------------------------


# The library scope of a shipment is ``api.access.shipment_scope``: a library user sees only its
# own, sent shipments (another's answers 404); staff are checked by programme role (403).


def _reader(user: CurrentUser) -> User:
    """Staff only: a library user finds nothing (404) under programmes."""
    require_staff_area(user, PROGRAMME_READ)
    return user


def _writer(user: CurrentUser) -> User:
    """Staff who pack and send; a library user is refused (403) before the shipment is read."""
    require(user, PROGRAMME_WRITE)
    return user


def _programme_writer(user: CurrentUser) -> User:
    require_staff_area(user, PROGRAMME_WRITE)
    return user


StaffReader = Annotated[User, Depends(_reader)]
StaffWriter = Annotated[User, Depends(_writer)]
ProgrammeWriter = Annotated[User, Depends(_programme_writer)]


# --- shapes ---------------------------------------------------------------------------------------


class TitleRef(BaseModel):
    """A programme title, by its id or by ISBN (exactly one of them)."""

    model_config = ConfigDict(extra="forbid")
    title_id: int | None = None
    isbn: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> TitleRef:
        if (self.title_id is None) == (not self.isbn):
            raise ValueError("give either title_id or isbn")
        return self


class DispatchIn(BaseModel):
    """Carrier and tracking number (ТТН); per-parcel tracking where the carrier issues one."""

    model_config = ConfigDict(extra="forbid")
    carrier: str
    tracking_number: str = ""
    dispatched_on: datetime.date | None = None  # today when left out
    parcel_tracking: dict[int, str] = Field(default_factory=dict, description="parcel number → tracking")
    note: str = ""


class DeliverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delivered_on: datetime.date | None = None  # today when left out


class DiscrepancyIn(TitleRef):
    """What was wrong with one title: shortage, surplus, damaged or wrong_title."""

    kind: str
    quantity: int
    note: str = ""


class AcceptIn(BaseModel):
    """The library's answer: no discrepancies confirms the shipment."""

    model_config = ConfigDict(extra="forbid")
    accepted_on: datetime.date | None = None  # today when left out
    discrepancies: list[DiscrepancyIn] = Field(default_factory=list)


class CorrectionLineIn(TitleRef):
    copies: int = Field(description="signed: negative removes copies listed in the shipment")


class CorrectionIn(BaseModel):
    """A correction document: changed copies and/or a new carrier or tracking number, and why."""

    model_config = ConfigDict(extra="forbid")
    lines: list[CorrectionLineIn] = Field(default_factory=list)
    carrier: str | None = None
    tracking_number: str | None = None
    note: str


class BulkDispatchItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shipment_number: str
    carrier: str
    tracking_number: str = ""
    dispatched_on: datetime.date | None = None  # today when left out


# --- reading --------------------------------------------------------------------------------------


def find_shipments(
    session: Session, *, scope: int | None, programme_id: int | None = None, state: str | None = None,
    library_code: str | None = None,
) -> list[Shipment]:  # fmt: skip
    """Shipments a user may see: staff every one, a library only its own from dispatch on."""
    library_id = services.get_library(session, library_code, only_id=scope).id if library_code else None
    states: Sequence[str] | None = None if state is None else [state]
    if scope is not None:
        library_id = scope
        states = [s for s in (states or FROZEN_STATES) if s in FROZEN_STATES]
    return shipping_queries.list_shipments(
        session, programme_id=programme_id, library_id=library_id, states=states
    )


@router.get("/programmes/{programme_id}/shipments", responses={404: {}})
def programme_shipments(
    programme_id: int, session: SessionDep, _user: StaffReader,
    state: State | None = None, library_code: str | None = None,
) -> list[ShipmentOut]:  # fmt: skip
    """A programme's shipments, newest first (staff)."""
    get_programme(session, programme_id)
    found = find_shipments(session, scope=None, programme_id=programme_id, state=state,
                           library_code=library_code)  # fmt: skip
    return shipments_out(session, found)


@router.get("/shipments", responses={404: {}})
def list_shipments(
    session: SessionDep, user: CurrentUser, programme_id: int | None = None,
    state: State | None = None, library_code: str | None = None,
) -> list[ShipmentOut]:  # fmt: skip
    """Shipments, newest first; a library user gets only its own incoming (dispatched onward)."""
    scope = shipment_scope(user)
    found = find_shipments(session, scope=scope, programme_id=programme_id, state=state,
                           library_code=library_code)  # fmt: skip
    return shipments_out(session, found)


@router.get("/shipments/{shipment_id}", responses={404: {}})
def get_shipment(shipment_id: int, session: SessionDep, user: CurrentUser) -> ShipmentDetailOut:
    """One shipment with lines, parcels, discrepancies and corrections (a library: its own, sent)."""
    shipment = dispatch.get_shipment(session, shipment_id, library_id=shipment_scope(user))
    return shipment_detail_out(session, shipment)


@router.get("/shipments/{shipment_id}/marc", responses={404: {}, 422: {}})
def shipment_marc(
    shipment_id: int, request: Request, session: SessionDep, user: CurrentUser,
    fmt: Annotated[Literal["iso2709", "marcxml"], Query(alias="format")] = "iso2709",
    flavour: Annotated[str | None, Query(description="marc21 or unimarc; default: the library's")] = None,
    encoding: Annotated[str | None, Query(description="utf-8, marc-8 or cp1251; default: the library's")]
    = None,
) -> Response:  # fmt: skip
    """The shipment's MARC records with holdings for the library, in its preferred flavour and encoding."""
    shipment = dispatch.get_shipment(session, shipment_id, library_id=shipment_scope(user))
    stream = io.BytesIO()
    export_recipient_marc(
        session, stream, library=shipping_queries.library_of(session, shipment),
        lines=shipment_lines(session, shipment.id), fmt=fmt, flavour=flavour, encoding=encoding,
        agency=request.app.state.settings.marc_agency,
    )  # fmt: skip
    media, extension = MARC_MEDIA[fmt]
    return Response(stream.getvalue(), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="shipment-{shipment.number}.{extension}"'})  # fmt: skip


# --- writing --------------------------------------------------------------------------------------


def _today(value: datetime.date | None) -> datetime.date:
    return value or datetime.date.today()


@router.post("/shipments/{shipment_id}/pack", responses={403: {}, 404: {}, 409: {}})
def pack(shipment_id: int, session: SessionDep, user: StaffWriter) -> ShipmentDetailOut:
    """Planned → packed: the parcels are packed."""
    shipment = dispatch.mark_packed(session, actor=user.actor, shipment_id=shipment_id)
    session.commit()
    return shipment_detail_out(session, shipment)


@router.post("/shipments/{shipment_id}/unpack", responses={403: {}, 404: {}, 409: {}})
def unpack(shipment_id: int, session: SessionDep, user: StaffWriter) -> ShipmentDetailOut:
    """Packed → planned, while it has not left."""
    shipment = dispatch.unpack(session, actor=user.actor, shipment_id=shipment_id)
    session.commit()
    return shipment_detail_out(session, shipment)


@router.post("/shipments/{shipment_id}/dispatch", responses={403: {}, 404: {}, 409: {}, 422: {}})
def dispatch_one(
    shipment_id: int, body: DispatchIn, session: SessionDep, user: StaffWriter
) -> ShipmentDetailOut:
    """Packed (or planned) → dispatched, with carrier and tracking number; its documents freeze."""
    if body.parcel_tracking:
        known = {parcel.number for parcel in shipping_queries.shipment_parcels(session, shipment_id)}
        unknown = sorted(set(body.parcel_tracking) - known)
        if unknown:
            errors = {f"parcel_tracking.{number}": N_("У відправленні немає посилки з таким номером")
                      for number in unknown}  # fmt: skip
            raise InvalidShipmentData(next(iter(errors.values())), errors=errors)
    shipment = dispatch.dispatch_shipment(
        session, actor=user.actor, shipment_id=shipment_id, carrier=body.carrier,
        tracking_number=body.tracking_number, dispatched_on=_today(body.dispatched_on),
        parcel_tracking=body.parcel_tracking, note=body.note,
    )  # fmt: skip
    session.commit()
    return shipment_detail_out(session, shipment)


@router.post("/shipments/{shipment_id}/deliver", responses={403: {}, 404: {}, 409: {}})
def deliver(
    shipment_id: int, session: SessionDep, user: CurrentUser, body: Annotated[DeliverIn | None, Body()] = None
) -> ShipmentDetailOut:
    """Dispatched → delivered (staff, or the receiving library)."""
    shipment = dispatch.mark_delivered(
        session, actor=user.actor, shipment_id=shipment_id,
        delivered_on=_today(body.delivered_on if body else None),
        library_id=shipment_scope(user, write=True),
    )  # fmt: skip
    session.commit()
    return shipment_detail_out(session, shipment)


def _resolve_titles(
    session: Session, programme_id: int, refs: Sequence[TitleRef], where: str
) -> tuple[list[int], dict[str, str]]:
    """Title ids for the refs (by id or ISBN); errors keyed ``<where>.<n>.isbn`` (n from 1)."""
    found = title_ids_by_isbn(session, programme_id, [ref.isbn for ref in refs if ref.isbn])
    titles = titles_by_id(session, (ref.title_id for ref in refs if ref.title_id is not None))
    known = {t.id for t in titles.values() if t.programme_id == programme_id}
    ids: list[int] = []
    errors: dict[str, str] = {}
    for n, ref in enumerate(refs, start=1):
        if ref.title_id is not None:
            title_id: int | None = ref.title_id if ref.title_id in known else None
            field = "title_id"
        else:
            title_id, field = found.get(ref.isbn or ""), "isbn"
        if title_id is None:
            errors[f"{where}.{n}.{field}"] = N_("Такої назви немає в програмі")
        ids.append(title_id or 0)
    return ids, errors


@router.post("/shipments/{shipment_id}/accept", responses={403: {}, 404: {}, 409: {}, 422: {}})
def accept(
    shipment_id: int, session: SessionDep, user: CurrentUser, body: Annotated[AcceptIn | None, Body()] = None
) -> ShipmentDetailOut:
    """The receiving library confirms the shipment or reports discrepancies per title (staff may
    answer on its behalf)."""
    body = body or AcceptIn()
    scope = shipment_scope(user, write=True)
    shipment = dispatch.get_shipment(session, shipment_id, library_id=scope)
    title_ids, errors = _resolve_titles(session, shipment.programme_id, body.discrepancies, "discrepancy")
    if errors:
        raise InvalidShipmentData(N_("Розбіжності заповнено з помилками"), errors=errors)
    shipment = shipping_acceptance.accept_shipment(
        session, actor=user.actor, shipment_id=shipment_id, accepted_on=_today(body.accepted_on),
        discrepancies=[shipping_acceptance.Discrepancy(title_id, d.kind, d.quantity, d.note)
                       for title_id, d in zip(title_ids, body.discrepancies, strict=True)],
        library_id=scope,
    )  # fmt: skip
    session.commit()
    return shipment_detail_out(session, shipment)


@router.post("/shipments/{shipment_id}/corrections", status_code=201,
             responses={403: {}, 404: {}, 409: {}, 422: {}})  # fmt: skip
def correct(
    shipment_id: int, body: CorrectionIn, session: SessionDep, user: StaffWriter
) -> ShipmentDetailOut:
    """Issue a correction document for a dispatched shipment; answers the new correction."""
    original = dispatch.get_shipment(session, shipment_id)
    title_ids, errors = _resolve_titles(session, original.programme_id, body.lines, "lines")
    changes: dict[int, int] = {}
    for n, title_id in enumerate(title_ids, start=1):
        if title_id in changes:
            errors.setdefault(f"lines.{n}", N_("Ця назва вже є в іншому рядку"))
        changes[title_id] = body.lines[n - 1].copies
    if errors:
        raise InvalidShipmentData(next(iter(errors.values())), errors=errors)
    correction = shipping_acceptance.correct_shipment(
        session, actor=user.actor, shipment_id=shipment_id, lines=changes, carrier=body.carrier,
        tracking_number=body.tracking_number, note=body.note,
    )  # fmt: skip
    session.commit()
    return shipment_detail_out(session, correction)


class WriteOffIn(BaseModel):
    """Copies of a reported shortage that were lost on the way."""

    model_config = ConfigDict(extra="forbid")
    copies: int


@router.post("/shipments/{shipment_id}/discrepancies/{discrepancy_id}/write-off",
             responses={403: {}, 404: {}, 422: {}})  # fmt: skip
def write_off(
    shipment_id: int, discrepancy_id: int, body: WriteOffIn, session: SessionDep, user: StaffWriter
) -> ShipmentDetailOut:
    """Write off copies of a shortage as lost in transit: they are no longer allocatable."""
    shipping_acceptance.write_off_lost(
        session, actor=user.actor, shipment_id=shipment_id, discrepancy_id=discrepancy_id, copies=body.copies
    )  # fmt: skip
    session.commit()
    return shipment_detail_out(session, dispatch.get_shipment(session, shipment_id))


@router.post("/programmes/{programme_id}/shipments/dispatch", responses={404: {}, 422: {}})
def dispatch_many(
    programme_id: int, body: list[BulkDispatchItemIn], session: SessionDep, user: ProgrammeWriter
) -> list[ShipmentOut]:
    """Dispatch many shipments at once, all or nothing; errors are keyed ``<index>.<field>``."""
    items = [DispatchItem(i.shipment_number, i.carrier, i.tracking_number, i.dispatched_on) for i in body]
    shipments = dispatch_shipments(session, actor=user.actor, programme_id=programme_id, items=items)
    session.commit()
    return shipments_out(session, shipments)
