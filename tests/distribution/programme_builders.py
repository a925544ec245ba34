"""Builders for programme tests: valid ISBNs, csv/xlsx files written on the fly, a programme."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from bench.samples import csv_bytes, isbn13  # one generator for tests and benchmarks


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """An xlsx workbook's bytes with one sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


A, B = isbn13(11), isbn13(12)
TITLE_HEADER = ["isbn", "title", "author", "publisher", "year", "price"]


def titles_file(rows: Sequence[Sequence[Any]] | None = None) -> io.BytesIO:
    rows = rows or [[A, "Кобзар", "Шевченко Т.", "Знання", "2025", "350"],
                    [B, "Лісова пісня", "Українка Л.", "Фоліо", "2024", "210.50"]]
    return io.BytesIO(csv_bytes(TITLE_HEADER, rows))


def orders_file(rows: Sequence[Sequence[Any]]) -> io.BytesIO:
    return io.BytesIO(csv_bytes(["library_code", "isbn", "quantity"], rows))


def programme_with_orders(session: Any, orders: Any, received: Any = None) -> Any:
    """A programme with titles A and B, libraries LG-A01/LG-B01, the given orders and delivery."""
    from distribution.programmes.deliveries import receive_delivery
    from distribution.programmes.delivery_files import parse_delivery_file
    from distribution.programmes.order_files import parse_order_file
    from distribution.programmes.orders import load_orders
    from distribution.programmes.services import create_programme
    from distribution.programmes.title_files import parse_title_file
    from distribution.programmes.titles import load_titles
    from tests.builders import TEST_ACTOR, make_library

    make_library(session, code="LG-A01")
    make_library(session, code="LG-B01", status="relocated")
    programme = create_programme(session, actor=TEST_ACTOR, name="Програма 2026", year=2026)
    assert load_titles(session, actor=TEST_ACTOR, programme_id=programme.id,
                       titles=parse_title_file(titles_file(), "titles.csv")).ok
    assert load_orders(session, actor=TEST_ACTOR, programme_id=programme.id,
                       orders=parse_order_file(orders_file(orders), "orders.csv")).ok
    if received:
        delivery = io.BytesIO(csv_bytes(["isbn", "received", "damaged"], received))
        assert receive_delivery(session, actor=TEST_ACTOR, programme_id=programme.id,
                                lines=parse_delivery_file(delivery, "d1.csv")).ok
    session.commit()  # the services only flush: a builder commits, as a route would
    return programme
