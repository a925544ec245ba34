"""Reading the csv/xlsx tables staff load (libraries, titles, orders, deliveries), row by row.

A table is described by its columns: an English name, the Ukrainian (and other) header aliases
accepted for it, and a parser for its cells. Reading gives the valid rows and, for every bad
cell, an error naming the row (as the spreadsheet numbers it: the header is row 1), the column
and the problem — never a silently dropped row. Writers produce the downloadable error report
and plain exports. Streams in, streams out; no database here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, BinaryIO

from collection.errors import N_
from marc.isbn import parse_isbn

FORMATS = ("csv", "xlsx")
ROW_FIELD = "_row"  # every parsed row carries its spreadsheet row number under this key


class CellError(ValueError):
    """A cell that does not parse: a message id (Ukrainian, ``N_``) with its parameters."""

    def __init__(self, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.params = params


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a loaded table: row number (header = 1), column, message, cell text."""

    row: int
    column: str
    problem: str
    params: Mapping[str, Any] = field(default_factory=dict)
    value: str = ""

    def message(self, translate: Callable[[str], str] = lambda text: text) -> str:
        """The problem as text, translated by ``translate`` (a gettext) when given."""
        return translate(self.problem).format(**self.params)

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message()}"


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its name, the header aliases accepted, how its cells parse."""

    name: str
    parse: Callable[[str], Any]
    aliases: tuple[str, ...] = ()
    required: bool = True  # the header must be present (cells may still be optional)


@dataclass(slots=True)
class Table:
    """What reading gave: parsed rows (each with ``_row``) and the errors found."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the columns the file actually has


# --- cell parsers ------------------------------------------------------------------------------


def text(*, required: bool = True, max_length: int = 255) -> Callable[[str], str]:
    """Stripped text; empty is an error when ``required``; longer than ``max_length`` is one."""

    def parse(value: str) -> str:
        if required and not value:
            raise CellError(N_("Порожнє значення"))
        if len(value) > max_length:
            raise CellError(N_("Занадто довге значення (понад {max} символів)"), max=max_length)
        return value

    return parse


def integer(*, minimum: int = 0, required: bool = True, default: int = 0) -> Callable[[str], int]:
    """A whole number not below ``minimum`` ("12", "12.0" from spreadsheets, "1 200")."""

    def parse(value: str) -> int:
        if not value:
            if required:
                raise CellError(N_("Порожнє значення"))
            return default
        cleaned = value.replace(" ", "").replace("\u00a0", "")
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]
        if not re.fullmatch(r"[+-]?\d{1,9}", cleaned):
            raise CellError(N_("Має бути ціле число"))
        number = int(cleaned)
        if number < minimum:
            raise CellError(N_("Має бути не менше {minimum}"), minimum=minimum)
        return number

    return parse


def money(*, required: bool = False) -> Callable[[str], Decimal | None]:
    """A non-negative amount with at most two decimals ("120,50" and "120.50" alike)."""

    def parse(value: str) -> Decimal | None:
        if not value:
            if required:
                raise CellError(N_("Порожнє значення"))
            return None
        cleaned = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        cleaned = re.sub(r"(грн\.?|uah)$", "", cleaned, flags=re.IGNORECASE)
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(N_("Має бути сума, наприклад 120.50")) from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise CellError(N_("Має бути сума, наприклад 120.50"))
        return amount.quantize(Decimal("0.01"))

    return parse


def isbn(*, required: bool = True) -> Callable[[str], str | None]:
    """A valid ISBN-10 or ISBN-13, returned as ISBN-13 digits."""

    def parse(value: str) -> str | None:
        if not value:
            if required:
                raise CellError(N_("Порожнє значення"))
            return None
        parsed = parse_isbn(value)
        if not parsed.valid:
            raise CellError(N_("Некоректний ISBN {isbn}"), isbn=value)
        return parsed.value

    return parse


def choice(values: Mapping[str, str], *, default: str | None = None) -> Callable[[str], str]:
    """One of ``values`` (a mapping from accepted spellings, lower-cased, to the code)."""

    def parse(value: str) -> str:
        if not value and default is not None:
            return default
        code = values.get(value.strip().lower())
        if code is None:
            raise CellError(N_("Недопустиме значення {value}"), value=value)
        return code

    return parse


# --- reading -----------------------------------------------------------------------------------


def table_format(filename: str) -> str:
    """ "csv" or "xlsx" from a file name; anything else is refused."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    raise ValueError(f"unsupported table format {suffix!r}: use .csv or .xlsx")


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-_.]+", " ", str(name or "").strip().lower()).strip()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("cp1251")  # spreadsheets saved as "CSV" on Ukrainian Windows
    first_line = content.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter):
        yield [cell.strip() for cell in row]


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # only when an xlsx actually arrives

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def read_rows(stream: BinaryIO, filename: str) -> Iterator[list[str]]:
    """The raw rows of a csv or xlsx file as lists of stripped strings."""
    data = stream.read()
    fmt = table_format(filename)
    return _csv_rows(data) if fmt == "csv" else _xlsx_rows(data)


def read_table(stream: BinaryIO, filename: str, columns: Sequence[Column]) -> Table:
    """Parse a csv/xlsx table: rows that parse, and an error for every cell that does not.

    Headers match a column's name or any alias, case- and spacing-insensitively; unknown
    columns are ignored; blank rows are skipped.
    """
    table = Table()
    rows = read_rows(stream, filename)
    header = next(rows, None)
    if header is None:
        table.errors.append(RowError(1, "", N_("Файл порожній")))
        return table
    by_key = {_header_key(c.name): c for c in columns}
    for column in columns:
        for alias in column.aliases:
            by_key.setdefault(_header_key(alias), column)
    positions: list[tuple[int, Column]] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        found = by_key.get(_header_key(name))
        if found is not None and found.name not in seen:
            positions.append((index, found))
            seen.add(found.name)
    table.columns = [column.name for _, column in positions]
    missing = [c.name for c in columns if c.required and c.name not in seen]
    for name in missing:
        table.errors.append(RowError(1, name, N_("Немає стовпця {column}"), {"column": name}))
    if missing:
        return table
    absent = [c for c in columns if c.name not in seen]
    width = len(header)
    for number, raw in enumerate(rows, start=2):
        if not any(raw):
            continue
        if len(raw) < width:
            raw = raw + [""] * (width - len(raw))
        parsed: dict[str, Any] = {ROW_FIELD: number}
        ok = True
        for index, column in positions:
            value = raw[index]
            try:
                parsed[column.name] = column.parse(value)
            except CellError as error:
                ok = False
                table.errors.append(RowError(number, column.name, error.problem, error.params, value))
        for column in absent:
            parsed[column.name] = column.parse("")
        if ok:
            table.rows.append(parsed)
    return table


# --- writing -----------------------------------------------------------------------------------


def write_table(
    stream: BinaryIO, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "data"
) -> None:
    """Write rows under a header as csv (UTF-8 with BOM, so Excel reads Cyrillic) or xlsx."""
    write_sheets(stream, fmt, [(sheet, header, rows)])


def write_sheets(
    stream: BinaryIO, fmt: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    """Several named tables: xlsx sheets, or in csv one after another with a blank line between."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        for name, header, rows in sheets:
            worksheet = workbook.create_sheet(name[:31])
            worksheet.append(list(header))
            for row in rows:
                worksheet.append([_xlsx_value(v) for v in row])
        workbook.save(stream)
        return
    if fmt != "csv":
        raise ValueError(f"unsupported table format {fmt!r}")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (_name, header, rows) in enumerate(sheets):
        if index:
            writer.writerow([])
        writer.writerow(header)
        writer.writerows([("" if v is None else v) for v in row] for row in rows)
    stream.write(buffer.getvalue().encode("utf-8-sig"))


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # a spreadsheet cell; exact values stay in the database
    return value


ERROR_REPORT_HEADER = ("row", "column", "problem", "value")


def write_error_report(
    stream: BinaryIO,
    errors: Iterable[RowError],
    fmt: str = "csv",
    translate: Callable[[str], str] = lambda text: text,
) -> None:
    """The downloadable error report: one line per problem (row, column, problem, value)."""
    rows = ((e.row, e.column, e.message(translate), e.value) for e in errors)
    write_table(stream, fmt, ERROR_REPORT_HEADER, rows, sheet="errors")
