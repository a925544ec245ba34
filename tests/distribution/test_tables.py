"""Reading csv/xlsx tables with header aliases and row-by-row validation; error reports."""

from __future__ import annotations

import io

from distribution.programmes.orders import ORDER_COLUMNS
from distribution.programmes.titles import TITLE_COLUMNS
from distribution.spreadsheets import read_table, write_error_report
from tests.distribution.programme_builders import csv_bytes, isbn13, xlsx_bytes


def test_ukrainian_headers_and_semicolons_read_like_english_ones():
    data = csv_bytes(["Код бібліотеки", "ISBN", "Кількість"], [["LG-A01", isbn13(1), "3"]], delimiter=";")
    table = read_table(io.BytesIO(data), "orders.csv", ORDER_COLUMNS)
    assert table.errors == []
    assert table.rows == [{"_row": 2, "library_code": "LG-A01", "isbn": isbn13(1), "title_id": 0,
                           "quantity": 3}]


def test_cp1251_csv_is_read():
    data = "isbn,title\r\n,Кобзар\r\n".encode("cp1251")
    table = read_table(io.BytesIO(data), "titles.csv", TITLE_COLUMNS)
    assert table.rows[0]["title"] == "Кобзар"


def test_every_bad_cell_is_named_by_row_and_column_and_blank_rows_are_skipped():
    data = csv_bytes(["library_code", "isbn", "quantity"],
                     [["LG-A01", "123", "2"], ["", "", ""], ["", isbn13(2), "two"]])
    table = read_table(io.BytesIO(data), "orders.csv", ORDER_COLUMNS)
    assert table.rows == []
    assert [(e.row, e.column) for e in table.errors] == [(2, "isbn"), (4, "library_code"), (4, "quantity")]
    assert str(table.errors[0]) == "row 2, isbn: Некоректний ISBN 123"


def test_a_missing_required_column_is_one_error_on_the_header_row():
    table = read_table(io.BytesIO(csv_bytes(["library_code", "isbn"], [["LG-A01", isbn13(1)]])),
                       "orders.csv", ORDER_COLUMNS)
    assert [(e.row, e.column) for e in table.errors] == [(1, "quantity")]


def test_xlsx_numbers_become_text_and_isbn10_becomes_isbn13():
    data = xlsx_bytes(["library_code", "isbn", "quantity"], [["LG-A01", "0-306-40615-2", 4.0]])
    table = read_table(io.BytesIO(data), "orders.xlsx", ORDER_COLUMNS)
    assert table.rows[0]["isbn"] == "9780306406157" and table.rows[0]["quantity"] == 4


def test_error_report_round_trips_through_csv_and_xlsx():
    table = read_table(io.BytesIO(csv_bytes(["library_code", "isbn", "quantity"], [["X", "1", "-1"]])),
                       "o.csv", ORDER_COLUMNS)
    out = io.BytesIO()
    write_error_report(out, table.errors, "csv")
    assert out.getvalue().decode("utf-8-sig").splitlines()[1].startswith("2,isbn,")
    xlsx = io.BytesIO()
    write_error_report(xlsx, table.errors, "xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.getvalue())).active
    assert [c.value for c in sheet[1]] == ["row", "column", "problem", "value"]
    assert sheet.max_row == 1 + len(table.errors)
