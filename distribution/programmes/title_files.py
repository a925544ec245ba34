"""A title list file read at the edge: csv/xlsx rows or MARC records, parsed before a service runs.

Routes, pages and the CLI call ``parse_title_file`` and hand its result to ``load_titles``;
reading files here keeps the title services free of file formats (and of an import cycle).
"""

from __future__ import annotations

from typing import BinaryIO

from distribution.programmes.marc_titles import is_marc_file, read_marc_titles
from distribution.programmes.services import LoadResult, ParsedRows
from distribution.programmes.titles import TITLE_COLUMNS
from distribution.spreadsheets import read_table


def parse_title_file(stream: BinaryIO, filename: str) -> ParsedRows:
    """The rows of a title list (a MARC file by its name, else csv/xlsx) and the problems found."""
    if is_marc_file(filename):
        return read_marc_titles(stream, filename)
    table = read_table(stream, filename, TITLE_COLUMNS)
    return LoadResult.of_table(filename, table), table.rows
