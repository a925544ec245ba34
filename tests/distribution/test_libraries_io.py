"""Loading and exporting the library registry; status history."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import func, select

from distribution.libraries.library_files import parse_library_file
from distribution.libraries.models import Library
from distribution.libraries.registry import export_libraries, load_libraries
from distribution.libraries.services import change_status, get_library, status_history, update_library
from tests.builders import TEST_ACTOR, make_library
from tests.distribution.programme_builders import csv_bytes, xlsx_bytes

HEADER = ["code", "name", "community", "district", "oblast", "status"]


def load(session, data: bytes, filename: str = "libraries.csv"):
    return load_libraries(session, actor=TEST_ACTOR, libraries=parse_library_file(io.BytesIO(data), filename))


def test_registry_loads_creates_and_updates_and_reloading_changes_nothing(session):
    rows = [["lg-stb-01", "Старобільська ПБ", "Старобільська", "Старобільський", "Луганська", "релокована"],
            ["LG-SVT-01", "Сватівська ПБ", "Сватівська", "Сватівський", "Луганська", "working"]]
    first = load(session, csv_bytes(HEADER, rows))
    assert (first.created, first.updated) == (2, 0), first.errors
    assert get_library(session, "LG-STB-01").status == "relocated"
    again = load(session, xlsx_bytes(HEADER, rows), "libraries.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_bad_row_loads_nothing_and_names_row_and_column(session):
    rows = [["LG-A01", "Добра", "", "", "", "working"], ["!!", "", "", "", "", "невідомо"],
            ["LG-A01", "Двійник", "", "", "", ""]]
    result = load(session, csv_bytes(HEADER, rows))
    assert {(e.row, e.column) for e in result.errors} == {(3, "status"), (3, "code"), (3, "name"),
                                                          (4, "code")}
    assert session.scalar(select(func.count()).select_from(Library)) == 0


def test_columns_absent_from_the_file_are_left_as_they_are(session):
    make_library(session, code="LG-A01", address="вул. Миру, 1")
    result = load(session, csv_bytes(["code", "name"], [["LG-A01", "Нова назва"]]))
    assert result.updated == 1
    library = get_library(session, "LG-A01")
    assert (library.name, library.address, library.status) == ("Нова назва", "вул. Миру, 1", "working")


def test_status_history_keeps_occupation_and_de_occupation(session):
    library = make_library(session, code="LG-KRM-01")
    load(session, csv_bytes([*HEADER, "status_date"],
                            [["LG-KRM-01", library.name, "", "", "", "в окупації", "2022-03-01"]]))
    change_status(session, library, actor=TEST_ACTOR, status="working", note="деокупована",
                  at=datetime(2025, 6, 1, tzinfo=UTC))
    update_library(session, library, actor=TEST_ACTOR, values={"status": "closed"})
    history = [(c.old_status, c.new_status) for c in status_history(session, library)]
    assert history == [(None, "working"), ("working", "occupied"), ("occupied", "working"),
                       ("working", "closed")]
    assert status_history(session, library)[1].at.year == 2022


def test_export_reads_back_unchanged(session):
    make_library(session, code="LG-A01", status="destroyed", phone="+380 64 123 45 67")
    make_library(session, code="LG-B01")
    for fmt in ("csv", "xlsx"):
        out = io.BytesIO()
        assert export_libraries(session, out, fmt) == 2
        result = load(session, out.getvalue(), f"export.{fmt}")
        assert (result.created, result.updated, result.unchanged) == (0, 0, 2), result.errors
