"""The whole programme flow through `komplekt libraries|programme ...` (Typer's CliRunner)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app
from distribution.allocation.services import allocate_programme, allocation_rows
from distribution.programmes.models import Order
from distribution.shipping.models import Parcel
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A as PA
from tests.distribution.programme_builders import B as PB
from tests.distribution.programme_builders import csv_bytes, isbn13, programme_with_orders, xlsx_bytes

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


# --- komplekt programme load-offers (exchange fund) ------------------------------------------------


def test_load_offers_fills_an_exchange_round_all_or_nothing_and_idempotently(env, session, tmp_path):
    from distribution.exchange.models import ExchangeOffer

    created = invoke("programme", "create", "--name", "Обмінний фонд 2026", "--year", "2026",
                     "--kind", "exchange")  # fmt: skip
    programme = created.stdout.strip()
    header = ["ISBN", "Назва", "Автор", "Видавництво", "Рік", "Ціна", "Кількість"]
    bad = write(tmp_path / "bad-offers.csv", csv_bytes(header, [
        [A, "Кобзар", "Шевченко Т.", "Знання", "2020", "150", "3"],
        [B, "Лісова пісня", "Українка Л.", "Фоліо", "2019", "", "кілька"]]))  # fmt: skip
    result = invoke("programme", "load-offers", programme, bad)
    assert result.exit_code == 1
    assert "row 3, quantity" in result.stderr and "nothing was loaded" in result.stderr
    assert session.scalar(select(func.count()).select_from(ExchangeOffer)) == 0

    offers = write(tmp_path / "offers.xlsx", xlsx_bytes(header, [
        [A, "Кобзар", "Шевченко Т.", "Знання", 2020, 150, 3],
        [B, "Лісова пісня", "Українка Л.", "Фоліо", 2019, None, 2]]))  # fmt: skip
    result = invoke("programme", "load-offers", programme, offers, "--source", "gift", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["offered"], summary["source"]) == (2, 5, "gift")
    again = invoke("programme", "load-offers", programme, offers, "--source", "gift", "--json")
    assert (json.loads(again.stdout)["created"], json.loads(again.stdout)["unchanged"]) == (0, 2)


def test_load_offers_refuses_a_state_programme(env, tmp_path):
    programme = invoke("programme", "create", "--name", "Державна", "--year", "2026").stdout.strip()
    offers = write(tmp_path / "offers.csv", csv_bytes(["isbn", "title", "quantity"], [[A, "Кобзар", "1"]]))
    result = invoke("programme", "load-offers", programme, offers)
    assert result.exit_code == 1 and "не є обмінним фондом" in result.stderr
    assert invoke("programme", "load-offers", programme, tmp_path / "missing.csv").exit_code == 2


# --- komplekt programme adjust ---------------------------------------------------------------------


@pytest.fixture
def allocated(env, session):
    """Programme: LG-A01 ordered 4 of title A and 1 of B, LG-B01 2 of A; 5 of A and 1 of B received."""
    programme = programme_with_orders(session, [["LG-A01", PA, 4], ["LG-B01", PA, 2], ["LG-A01", PB, 1]],
                                      received=[[PA, 5, 0], [PB, 1, 0]])  # fmt: skip
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    session.commit()
    return programme.id


def allocation_now(session, programme_id) -> dict[tuple[str, str], int]:
    """(library code, ISBN) -> allocated copies, read in a fresh transaction."""
    session.rollback()
    rows = {(r["library_code"], r["isbn"]): r["allocated"] for r in allocation_rows(session, programme_id)}
    session.rollback()  # end the read so the CLI's write never waits for it
    return rows


def test_adjust_sets_one_quantity_by_isbn_or_by_title_id(session, allocated):
    title_b = next(r["title_id"] for r in allocation_rows(session, allocated) if r["isbn"] == PB)
    session.rollback()
    result = invoke("programme", "adjust", allocated, "--library", "lg-b01", "--isbn", PA, "--quantity", "1")
    assert result.exit_code == 0, result.output
    assert f"LG-B01 {PA}: allocated 1 (ordered 2)" in result.stdout
    assert allocation_now(session, allocated)[("LG-B01", PA)] == 1
    result = invoke("programme", "adjust", allocated, "--library", "LG-A01", "--title-id", title_b,
                    "--quantity", "0", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"library_code": "LG-A01", "isbn": PB, "title_id": title_b,
                                          "ordered": 1, "allocated": 0}]  # fmt: skip
    assert allocation_now(session, allocated)[("LG-A01", PB)] == 0


def test_allocating_again_keeps_a_hand_adjustment_unless_reset(session, allocated):
    session.rollback()
    adjusted = invoke("programme", "adjust", allocated, "--library", "LG-B01", "--isbn", PA, "--quantity", 0)
    assert adjusted.exit_code == 0, adjusted.output
    assert invoke("programme", "allocate", allocated).exit_code == 0
    assert allocation_now(session, allocated)[("LG-B01", PA)] == 0
    result = invoke("programme", "allocate", allocated, "--reset")
    assert result.exit_code == 0, result.output
    assert allocation_now(session, allocated)[("LG-B01", PA)] == 2


def test_adjust_from_a_file_moves_copies_between_libraries(tmp_path, session, allocated):
    before = allocation_now(session, allocated)
    assert (before[("LG-A01", PA)], before[("LG-B01", PA)]) == (3, 2)  # 5 of 6 cut by largest remainder
    changes = write(tmp_path / "changes.xlsx", xlsx_bytes(
        ["Код бібліотеки", "ISBN", "Кількість"], [["LG-A01", PA, 4], ["LG-B01", PA, 1]]))  # fmt: skip
    result = invoke("programme", "adjust", allocated, "--file", changes)
    assert result.exit_code == 0, result.output
    after = allocation_now(session, allocated)
    assert (after[("LG-A01", PA)], after[("LG-B01", PA)]) == (4, 1)
    assert after[("LG-A01", PB)] == before[("LG-A01", PB)]


def test_adjust_beyond_the_limits_is_refused_and_changes_nothing(session, allocated):
    before = allocation_now(session, allocated)
    over_order = invoke("programme", "adjust", allocated, "--library", "LG-B01", "--isbn", PB,
                        "--quantity", "1")  # fmt: skip
    assert over_order.exit_code == 1
    assert "LG-B01, «Лісова пісня" in over_order.stderr and "більше, ніж замовлено (0)" in over_order.stderr
    over_received = invoke("programme", "adjust", allocated, "--library", "LG-A01", "--isbn", PA,
                           "--quantity", "5", "--allow-over-order")  # fmt: skip
    assert over_received.exit_code == 1 and "а отримано лише" in over_received.stderr
    assert allocation_now(session, allocated) == before
    freed = invoke("programme", "adjust", allocated, "--library", "LG-A01", "--isbn", PB, "--quantity", "0")
    assert freed.exit_code == 0, freed.output
    allowed = invoke("programme", "adjust", allocated, "--library", "LG-B01", "--isbn", PB, "--quantity", "1",
                     "--allow-over-order")  # fmt: skip
    assert allowed.exit_code == 0, allowed.output
    assert allocation_now(session, allocated)[("LG-B01", PB)] == 1


def test_a_bad_changes_file_names_every_row_and_changes_nothing(tmp_path, session, allocated):
    before = allocation_now(session, allocated)
    bad = write(tmp_path / "changes.csv", csv_bytes(
        ["library_code", "isbn", "quantity"],
        [["LG-A01", PA, "2"], ["LG-NOPE-01", PA, "1"], ["LG-B01", isbn13(999), "1"], ["LG-B01", PA, "-1"],
         ["LG-A01", PA, "3"]]))  # fmt: skip
    result = invoke("programme", "adjust", allocated, "--file", bad)
    assert result.exit_code == 1
    assert "row 5, quantity" in result.stderr  # a cell that does not parse is reported first, alone
    fixed = write(tmp_path / "changes2.csv", csv_bytes(
        ["library_code", "isbn", "quantity"],
        [["LG-A01", PA, "2"], ["LG-NOPE-01", PA, "1"], ["LG-B01", isbn13(999), "1"], ["LG-A01", PA, "3"]]))
    result = invoke("programme", "adjust", allocated, "--file", fixed)
    assert result.exit_code == 1
    assert "row 3, library_code: Невідома бібліотека LG-NOPE-01" in result.stderr
    assert "row 4, isbn" in result.stderr and "row 5, library_code" in result.stderr
    assert "3 errors; nothing was changed" in result.stderr
    assert allocation_now(session, allocated) == before


def test_adjust_names_the_option_when_a_single_change_is_wrong(allocated):
    result = invoke("programme", "adjust", allocated, "--library", "LG-A01", "--isbn", isbn13(999),
                    "--quantity", "1")  # fmt: skip
    assert result.exit_code == 1
    assert f"--isbn: ISBN {isbn13(999)} немає в списку назв програми" in result.stderr


@pytest.mark.parametrize("args", [
    [],
    ["--library", "LG-A01", "--quantity", "1"],
    ["--library", "LG-A01", "--isbn", PA, "--title-id", "1", "--quantity", "1"],
    ["--file", "changes.csv", "--library", "LG-A01"],
    ["--library", "LG-A01", "--isbn", PA, "--quantity", "-1"],
])  # fmt: skip
def test_adjust_usage_errors_exit_2(env, args):
    assert invoke("programme", "adjust", "1", *args).exit_code == 2


def test_packing_with_a_limit_out_of_the_domains_bounds_is_refused_with_its_message(env):
    result = invoke("programme", "pack", "1", "--max-copies", "0")
    assert result.exit_code == 1
    assert "Примірників у посилці — Ціле число від 1 до 10000" in result.stderr
