"""A library register file read at the edge: csv/xlsx rows typed by ``LIBRARY_COLUMNS`` before
``load_libraries`` runs.

The CLI (and any route or page that loads the register) calls ``parse_library_file`` and hands
its result to ``load_libraries``, so the register service never sees a file format.
"""

from __future__ import annotations

from typing import BinaryIO

from distribution.libraries.registry import LIBRARY_COLUMNS, ParsedLibraries
from distribution.programmes.services import LoadResult
from distribution.spreadsheets import read_table


def parse_library_file(stream: BinaryIO, filename: str) -> ParsedLibraries:
    """The typed rows of a register file, its cell errors, and which columns it has."""
    table = read_table(stream, filename, LIBRARY_COLUMNS)
    return ParsedLibraries(LoadResult.of_table(filename, table), table.rows, table.columns)
