"""Files that are not MARC, and digits that only look like digits: clear errors, never a crash."""

from __future__ import annotations

import gzip
import io
import random

import pytest
from openpyxl import Workbook
from pymarc import Field, Indicators, Leader, Record, Subfield

from marc.errors import NotMarcError
from marc.model import ReadRecord, RecordError
from marc.reader import not_marc_kind, read_bytes, sniff_format
from marc.writer import record_to_iso2709


def make_record(title: str) -> Record:
    record = Record()
    record.leader = Leader("00000nam a2200000   4500")
    record.fields = [Field(tag="001", data="ua-1"),
                     Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title)])]
    return record


def xlsx_bytes(tmp_path) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Назва", "Автор", "Рік"])
    for n in range(1, 200):
        sheet.append([f"Кобзар¹²³ {n}", "Шевченко Т. Г.", 1840 + n])
    path = tmp_path / "list.xlsx"
    book.save(path)
    return path.read_bytes()


def kind_of(data: bytes) -> str | None:
    return not_marc_kind(io.BufferedReader(io.BytesIO(data)))


def test_an_xlsx_given_as_marc_is_named_as_a_spreadsheet(tmp_path) -> None:
    data = xlsx_bytes(tmp_path)
    with pytest.raises(NotMarcError) as raised:
        sniff_format(data[:4096])
    assert raised.value.kind == "xlsx"
    (result,) = read_bytes(data)
    assert isinstance(result, RecordError) and result.offset == 0 and "xlsx" in result.reason


def test_an_xlsx_forced_to_read_as_iso2709_gives_record_errors_not_a_traceback(tmp_path) -> None:
    results = list(read_bytes(xlsx_bytes(tmp_path), format="iso2709"))
    assert results and all(isinstance(r, RecordError) for r in results)


@pytest.mark.parametrize(("data", "kind"), [
    ("Це не MARC, а просто лист.\nДругий рядок.\n".encode(), "text"),
    ("Це не MARC\r\n".encode("utf-16"), "utf16"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
    (b"PK\x03\x04\x14\x00\x00\x00notes.txt", "zip"),
    (gzip.compress("Звичайний текст\n".encode() * 50, mtime=0), "text"),
    (b"", "empty"),
    (b" \r\n", "empty"),
])
def test_what_a_non_marc_file_looks_like_is_named(data: bytes, kind: str) -> None:
    assert kind_of(data) == kind


def test_a_megabyte_of_random_bytes_is_named_binary_and_read_only_as_errors() -> None:
    data = random.Random(10).randbytes(1 << 20)
    assert kind_of(data) == "binary"
    results = list(read_bytes(data, format="iso2709"))
    assert results and all(isinstance(r, RecordError) for r in results)


def test_marc_files_are_not_named_as_something_else() -> None:
    data = record_to_iso2709(make_record("Кобзар"), "utf-8")
    assert kind_of(data) is None
    assert kind_of(gzip.compress(data)) is None
    assert kind_of(b"\n" + data) is None


def test_a_superscript_digit_in_the_directory_is_one_record_error_naming_where() -> None:
    good = record_to_iso2709(make_record("Кобзар"), "utf-8")
    bad = bytearray(record_to_iso2709(make_record("Енеїда"), "utf-8"))
    bad[24 + 4] = 0xB9  # "¹" in latin-1: str.isdigit() says yes, int() says no
    results = list(read_bytes(good + bytes(bad) + good))
    assert [type(r) for r in results] == [ReadRecord, RecordError, ReadRecord]
    error = results[1]
    assert isinstance(error, RecordError)
    assert error.number == 2 and error.offset == len(good)
    assert "directory entry 1 is not numeric" in error.reason


@pytest.mark.parametrize("position", [0, 12, 20, 21])
def test_a_superscript_digit_in_the_leader_does_not_stop_reading(position: int) -> None:
    data = bytearray(record_to_iso2709(make_record("Кобзар"), "utf-8"))
    data[position] = 0xB9
    results = list(read_bytes(bytes(data), format="iso2709"))
    assert len(results) == 1
    assert isinstance(results[0], (ReadRecord, RecordError))
