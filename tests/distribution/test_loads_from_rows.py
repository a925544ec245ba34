"""The loading services take rows parsed at the edge: rows built in Python load with no file at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from distribution.exchange.models import ExchangeOffer
from distribution.exchange.offers import load_offers
from distribution.libraries.models import Library
from distribution.libraries.registry import ParsedLibraries, load_libraries
from distribution.libraries.services import get_library
from distribution.programmes.deliveries import receive_delivery, received_by_title
from distribution.programmes.models import Delivery, Order
from distribution.programmes.orders import load_orders
from distribution.programmes.services import LoadResult, ParsedRows, create_programme
from distribution.programmes.titles import programme_titles
from distribution.spreadsheets import ROW_FIELD, RowError
from tests.builders import TEST_ACTOR, make_library
from tests.distribution.programme_builders import A, B, isbn13, programme_with_orders


def parsed(rows: list[dict[str, Any]], name: str = "typed") -> ParsedRows:
    """Rows as a parser would hand them over: numbered from 2 (row 1 is a file's header)."""
    numbered = [{ROW_FIELD: number, **row} for number, row in enumerate(rows, start=2)]
    return LoadResult(name, rows=len(numbered)), numbered


def count(session: Any, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_orders_load_from_rows_built_in_python(session):
    programme = programme_with_orders(session, [])
    title_b = next(t.id for t in programme_titles(session, programme.id) if t.isbn == B)
    rows = [{"library_code": "lg-a01", "isbn": A, "title_id": None, "quantity": 4},
            {"library_code": "LG-B01", "isbn": None, "title_id": title_b, "quantity": 1}]  # fmt: skip
    result = load_orders(session, actor=TEST_ACTOR, programme_id=programme.id, orders=parsed(rows))
    assert (result.created, result.errors) == (2, [])
    assert sorted(session.scalars(select(Order.quantity))) == [1, 4]


def test_orders_from_rows_are_refused_all_or_nothing_with_the_parse_errors_kept(session):
    programme = programme_with_orders(session, [])
    result, rows = parsed([{"library_code": "LG-A01", "isbn": A, "title_id": None, "quantity": 4},
                           {"library_code": "LG-ZZZ", "isbn": A, "title_id": None, "quantity": 1}])
    result.errors.append(RowError(4, "quantity", "Ціле число"))  # what the parser found in a third row
    refused = load_orders(session, actor=TEST_ACTOR, programme_id=programme.id, orders=(result, rows))
    assert [(e.row, e.column) for e in refused.errors] == [(3, "library_code"), (4, "quantity")]
    assert count(session, Order) == 0


def test_a_delivery_registers_from_rows_built_in_python(session):
    programme = programme_with_orders(session, [["LG-A01", A, 5]])
    rows = [{"isbn": A, "title_id": None, "received": 5, "damaged": 1, "wrong_title": 0}]
    result = receive_delivery(session, actor=TEST_ACTOR, programme_id=programme.id,
                              lines=parsed(rows, "УІК-17.csv"), supplier="УІК")  # fmt: skip
    assert result.ok and result.extra["number"] == "УІК-17"  # the number defaults to the name's stem
    assert session.scalars(select(Delivery.number)).one() == "УІК-17"
    assert sum(received_by_title(session, programme.id).values()) == 4


def test_a_delivery_from_rows_with_a_bad_line_registers_nothing(session):
    programme = programme_with_orders(session, [["LG-A01", A, 5]])
    rows = [{"isbn": A, "title_id": None, "received": 1, "damaged": 2, "wrong_title": 0}]
    result = receive_delivery(session, actor=TEST_ACTOR, programme_id=programme.id, lines=parsed(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "damaged")]
    assert count(session, Delivery) == 0


def test_offers_load_from_rows_built_in_python(session):
    programme = create_programme(session, actor=TEST_ACTOR, name="Обмін", year=2026, kind="exchange")
    row = {"isbn": isbn13(301), "title": "Кобзар", "author": "Шевченко Т.", "publisher": "Знання",
           "year": "2020", "price": Decimal("150"), "weight": None, "quantity": 3}  # fmt: skip
    result = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id, offers=parsed([row]),
                         source="gift")  # fmt: skip
    assert (result.created, result.extra["offered"], result.errors) == (1, 3, [])
    assert session.scalars(select(ExchangeOffer.source)).one() == "gift"


def test_offers_from_rows_naming_one_title_twice_store_nothing(session):
    programme = create_programme(session, actor=TEST_ACTOR, name="Обмін", year=2026, kind="exchange")
    row = {"isbn": isbn13(302), "title": "Земля", "author": "Кобилянська О.", "publisher": "",
           "year": "", "price": None, "weight": None, "quantity": 1}  # fmt: skip
    result = load_offers(session, actor=TEST_ACTOR, programme_id=programme.id, offers=parsed([row, row]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "isbn")]
    assert count(session, ExchangeOffer) == 0


def test_libraries_load_from_rows_built_in_python(session):
    result, rows = parsed([{"code": "LG-PY-01", "name": "Бібліотека з Python", "status": "relocated"}])
    created = load_libraries(session, actor=TEST_ACTOR, libraries=ParsedLibraries(result, rows))
    assert (created.created, created.errors) == (1, [])
    assert get_library(session, "LG-PY-01").status == "relocated"


def test_libraries_from_rows_change_only_the_columns_given(session):
    make_library(session, code="LG-PY-02", address="вул. Миру, 1")
    result, rows = parsed([{"code": "LG-PY-02", "name": "Нова назва"}])
    updated = load_libraries(session, actor=TEST_ACTOR,
                             libraries=ParsedLibraries(result, rows, columns=("code", "name")))  # fmt: skip
    assert updated.updated == 1
    library = get_library(session, "LG-PY-02")
    assert (library.name, library.address) == ("Нова назва", "вул. Миру, 1")


def test_libraries_from_rows_with_a_bad_code_load_nothing(session):
    result, rows = parsed([{"code": "LG-PY-03", "name": "Добра"}, {"code": "!!", "name": "Погана"}])
    refused = load_libraries(session, actor=TEST_ACTOR, libraries=ParsedLibraries(result, rows))
    assert [(e.row, e.column) for e in refused.errors] == [(3, "code")]
    assert count(session, Library) == 0
