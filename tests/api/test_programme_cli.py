"""The whole programme flow through `komplekt libraries|programme ...` (Typer's CliRunner)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app
from distribution.models import Order, Parcel
from tests.distribution.programme_builders import csv_bytes, isbn13, xlsx_bytes

runner = CliRunner()
A, B, C = isbn13(1), isbn13(2), isbn13(3)


@pytest.fixture
def env(monkeypatch, db_url):
    monkeypatch.setenv("KOMPLEKT_DATABASE_URL", db_url)
    monkeypatch.setenv("KOMPLEKT_SECRET_KEY", "cli-test")
    return db_url


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_the_whole_programme_flow_from_libraries_to_report(env, session, tmp_path):
    libraries = write(tmp_path / "libraries.xlsx", xlsx_bytes(
        ["Код", "Назва", "Громада", "Район", "Область", "Статус"],
        [["LG-STB-01", "Старобільська ПБ", "Старобільська", "Старобільський", "Луганська", "релокована"],
         ["LG-SVT-01", "Сватівська ПБ", "Сватівська", "Сватівський", "Луганська", "працює"],
         ["LG-KRM-01", "Кремінська ПБ", "Кремінська", "Сєвєродонецький", "Луганська", "в окупації"]]))
    result = invoke("libraries", "load", libraries)
    assert result.exit_code == 0, result.output

    result = invoke("programme", "create", "--name", "Державна програма 2026", "--year", "2026",
                    "--kind", "state")
    assert result.exit_code == 0, result.output
    programme = result.stdout.strip()
    assert programme.isdigit()

    titles = write(tmp_path / "titles.csv", csv_bytes(
        ["isbn", "title", "author", "publisher", "year", "price"],
        [[A, "Кобзар", "Шевченко Т.", "Знання", "2025", "350.00"],
         [B, "Лісова пісня", "Українка Л.", "Фоліо", "2024", "210,50"],
         [C, "Тіні забутих предків", "Коцюбинський М.", "А-ба-ба-га-ла-ма-га", "2025", ""]]))
    result = invoke("programme", "load-titles", programme, titles, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 3

    bad = write(tmp_path / "bad-orders.csv", csv_bytes(
        ["library_code", "isbn", "quantity"],
        [["LG-STB-01", A, "5"], ["LG-NOPE-01", A, "2"], ["LG-SVT-01", isbn13(999), "1"]]))
    report_file = tmp_path / "errors.csv"
    result = invoke("programme", "load-orders", programme, bad, "--errors", report_file)
    assert result.exit_code == 1
    assert "row 3, library_code" in result.stderr and "LG-NOPE-01" in result.stderr
    assert "row 4, isbn" in result.stderr
    assert "3,library_code,Невідома бібліотека LG-NOPE-01" in report_file.read_text(encoding="utf-8-sig")
    assert session.scalar(select(func.count()).select_from(Order)) == 0  # nothing half-loaded

    orders = write(tmp_path / "orders.xlsx", xlsx_bytes(
        ["Код бібліотеки", "ISBN", "Кількість"],
        [["LG-STB-01", A, 5], ["LG-SVT-01", A, 3], ["LG-KRM-01", A, 2],
         ["LG-STB-01", B, 1], ["LG-SVT-01", C, 4]]))
    result = invoke("programme", "load-orders", programme, orders, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 5
    again = invoke("programme", "load-orders", programme, orders, "--json")
    assert json.loads(again.stdout)["created"] == 0
    assert json.loads(again.stdout)["unchanged"] == 5

    delivery = write(tmp_path / "invoice-17.csv", csv_bytes(
        ["isbn", "received", "damaged"], [[A, "7", "1"], [B, "1", "0"], [C, "4", "0"]]))
    result = invoke("programme", "receive", programme, delivery, "--supplier", "Знання")
    assert result.exit_code == 0, result.output

    result = invoke("programme", "allocate", programme, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"library_code", "isbn", "ordered", "allocated"} <= set(rows[0])
    for row in rows:
        assert 0 <= row["allocated"] <= row["ordered"]
    assert sum(r["allocated"] for r in rows if r["isbn"] == A) == 6  # 7 received, 1 damaged
    assert sum(r["allocated"] for r in rows if r["isbn"] == B) == 1

    result = invoke("programme", "pack", programme)
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(Parcel)) == 3

    result = invoke("programme", "report", programme, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    by_isbn = {t["isbn"]: t for t in report["titles"]}
    assert (by_isbn[A]["ordered"], by_isbn[A]["received"], by_isbn[A]["allocated"],
            by_isbn[A]["packed"], by_isbn[A]["dispatched"], by_isbn[A]["confirmed"]) == (10, 7, 6, 6, 0, 0)
    libraries_report = {lib["library_code"]: lib for lib in report["libraries"]}
    assert libraries_report["LG-STB-01"]["ordered"] == 6
    assert report["totals"]["allocated"] == report["totals"]["packed"] == 11

    xlsx_out = tmp_path / "report.xlsx"
    assert invoke("programme", "report", programme, "--format", "xlsx", "--output", xlsx_out).exit_code == 0
    assert xlsx_out.read_bytes()[:2] == b"PK"
    result = invoke("programme", "report", programme, "--format", "csv")
    assert result.exit_code == 0 and "ordered" in result.stdout


def test_unknown_programme_is_an_input_error(env):
    result = invoke("programme", "allocate", "999")
    assert result.exit_code == 1
    assert "999" in result.stderr
