"""The programme report: ordered, received, allocated, packed, dispatched and confirmed copies per
title, library, publisher and district; written as json, csv or xlsx.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from distribution.allocation.models import AllocationLine
from distribution.exchange.models import ExchangeOffer
from distribution.libraries.models import Library
from distribution.programmes.models import Delivery, DeliveryLine, Order, ProgrammeTitle
from distribution.programmes.own_fund import taken_into_fund
from distribution.programmes.services import get_programme
from distribution.shipping.acceptance import lost_in_transit
from distribution.shipping.models import (
    ACCEPTED_STATES,
    FROZEN_STATES,
    REOPENING_KINDS,
    Parcel,
    ParcelLine,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentLine,
)
from distribution.spreadsheets import write_sheets

# --- totals ------------------------------------------------------------------------------------

COUNTS = ("ordered", "received", "allocated", "packed", "dispatched", "confirmed")


def programme_report(session: Session, programme_id: int) -> dict[str, Any]:
    """Per title and per library (and summed per publisher and per district): ordered,
    received, allocated, packed, dispatched, confirmed.

    A title's ``received`` is what suppliers delivered (``damaged`` and ``wrong_title`` apart;
    ``to_fund`` went into the own fund, ``lost`` was written off in transit; ``surplus`` =
    usable received − allocated − to_fund − lost).
    ``dispatched`` counts shipments from dispatch on (corrections included); ``confirmed`` what
    libraries accepted, less the shortages and wrong titles they reported (a library's
    ``received`` is the same: what reached it, by its own word).
    """
    programme = get_programme(session, programme_id)
    titles = list(
        session.scalars(
            select(ProgrammeTitle)
            .where(ProgrammeTitle.programme_id == programme_id)
            .order_by(ProgrammeTitle.id)
        )
    )
    per_title: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_library: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(stmt: Any, name: str, table: dict[int, dict[str, int]]) -> None:
        for key, total in session.execute(stmt):
            table[key][name] += int(total or 0)

    for key_col, table in ((Order.title_id, per_title), (Order.library_id, per_library)):
        add(
            select(key_col, func.sum(Order.quantity))
            .where(Order.programme_id == programme_id)
            .group_by(key_col),
            "ordered",
            table,
        )
    for key_col, table in ((AllocationLine.title_id, per_title), (AllocationLine.library_id, per_library)):
        add(
            select(key_col, func.sum(AllocationLine.quantity))
            .where(AllocationLine.programme_id == programme_id)
            .group_by(key_col),
            "allocated",
            table,
        )
    packed = (
        select(ParcelLine.title_id, Parcel.library_id, ParcelLine.copies)
        .join(Parcel)
        .where(Parcel.programme_id == programme_id)
    ).subquery()
    add(select(packed.c.title_id, func.sum(packed.c.copies)).group_by(packed.c.title_id), "packed", per_title)
    add(
        select(packed.c.library_id, func.sum(packed.c.copies)).group_by(packed.c.library_id),
        "packed",
        per_library,
    )
    sent = (
        select(ShipmentLine.title_id, Shipment.library_id, Shipment.state, ShipmentLine.copies)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.programme_id == programme_id, Shipment.state.in_(FROZEN_STATES))
    ).subquery()
    missing = (
        select(
            ShipmentDiscrepancy.title_id, Shipment.library_id, (-ShipmentDiscrepancy.quantity).label("copies")
        )
        .join(Shipment, Shipment.id == ShipmentDiscrepancy.shipment_id)
        .where(Shipment.programme_id == programme_id, ShipmentDiscrepancy.kind.in_(REOPENING_KINDS))
    ).subquery()
    accepted = sent.c.state.in_(ACCEPTED_STATES)
    for key, table in (("title_id", per_title), ("library_id", per_library)):
        add(select(sent.c[key], func.sum(sent.c.copies)).group_by(sent.c[key]), "dispatched", table)
        add(
            select(sent.c[key], func.sum(sent.c.copies)).where(accepted).group_by(sent.c[key]),
            "confirmed",
            table,
        )
        add(select(missing.c[key], func.sum(missing.c.copies)).group_by(missing.c[key]), "confirmed", table)
    for name, column in (
        ("received", DeliveryLine.received),
        ("damaged", DeliveryLine.damaged),
        ("wrong_title", DeliveryLine.wrong_title),
    ):
        add(
            select(DeliveryLine.title_id, func.sum(column))
            .join(Delivery)
            .where(Delivery.programme_id == programme_id)
            .group_by(DeliveryLine.title_id),
            name,
            per_title,
        )
    if programme.kind == "exchange":  # an exchange round's offered copies are what it received
        add(
            select(ExchangeOffer.title_id, func.sum(ExchangeOffer.quantity))
            .where(ExchangeOffer.programme_id == programme_id)
            .group_by(ExchangeOffer.title_id),
            "received",
            per_title,
        )
    to_fund = taken_into_fund(session, programme_id)
    lost = lost_in_transit(session, programme_id)
    title_rows = []
    for title in titles:
        counts = per_title[title.id]
        row: dict[str, Any] = {
            "title_id": title.id,
            "isbn": title.isbn or "",
            "title": title.title,
            "publisher": title.publisher,
            **{name: counts[name] for name in COUNTS},
            "damaged": counts["damaged"],
            "wrong_title": counts["wrong_title"],
            "to_fund": to_fund.get(title.id, 0),
            "lost": lost.get(title.id, 0),
        }
        row["surplus"] = max(
            0, row["received"] - row["damaged"] - row["allocated"] - row["to_fund"] - row["lost"]
        )
        title_rows.append(row)
    libraries = (
        session.execute(
            select(Library.id, Library.code, Library.name, Library.district)
            .where(Library.id.in_(list(per_library)))
            .order_by(Library.code)
        ).all()
        if per_library
        else []
    )
    library_rows = [
        {
            "library_code": code,
            "name": name,
            "district": district,
            **{n: per_library[lib_id][n] for n in COUNTS},
            "received": per_library[lib_id]["confirmed"],  # what reached the library, by its word
        }
        for lib_id, code, name, district in libraries
    ]
    totals = {name: sum(r[name] for r in title_rows) for name in COUNTS}
    totals["surplus"] = sum(r["surplus"] for r in title_rows)
    totals["to_fund"] = sum(r["to_fund"] for r in title_rows)
    totals["lost"] = sum(r["lost"] for r in title_rows)
    return {
        "programme": {
            "id": programme.id,
            "name": programme.name,
            "year": programme.year,
            "kind": programme.kind,
            "state": programme.state,
            "surplus_destination": programme.surplus_destination,
        },
        "titles": title_rows,
        "libraries": library_rows,
        "publishers": _grouped(title_rows, "publisher", "titles"),
        "districts": _grouped(library_rows, "district", "libraries"),
        "totals": totals,
    }


def _grouped(rows: Iterable[Mapping[str, Any]], key: str, count_name: str) -> list[dict[str, Any]]:
    """Rows summed by ``key`` (a publisher, a district), with how many rows each sums."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row[key] or "", {key: row[key] or "", count_name: 0, **dict.fromkeys(COUNTS, 0)}
        )
        group[count_name] += 1
        for name in COUNTS:
            group[name] += row[name]
    return [groups[name] for name in sorted(groups)]


TITLE_REPORT_COLUMNS = (
    "title_id",
    "isbn",
    "title",
    "publisher",
    *COUNTS,
    "damaged",
    "wrong_title",
    "to_fund",
    "lost",
    "surplus",
)
LIBRARY_REPORT_COLUMNS = ("library_code", "name", "district", *COUNTS)
PUBLISHER_REPORT_COLUMNS = ("publisher", "titles", *COUNTS)
DISTRICT_REPORT_COLUMNS = ("district", "libraries", *COUNTS)


def write_report(report: Mapping[str, Any], stream: BinaryIO, fmt: str) -> None:
    """The report as an xlsx workbook (sheets titles, libraries, publishers, districts) or csv
    (the tables in turn)."""

    def rows(items: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> list[list[Any]]:
        return [[item[c] for c in columns] for item in items]

    write_sheets(stream, fmt, [
        ("titles", TITLE_REPORT_COLUMNS, rows(report["titles"], TITLE_REPORT_COLUMNS)),
        ("libraries", LIBRARY_REPORT_COLUMNS, rows(report["libraries"], LIBRARY_REPORT_COLUMNS)),
        ("publishers", PUBLISHER_REPORT_COLUMNS, rows(report["publishers"], PUBLISHER_REPORT_COLUMNS)),
        ("districts", DISTRICT_REPORT_COLUMNS, rows(report["districts"], DISTRICT_REPORT_COLUMNS)),
    ])  # fmt: skip
