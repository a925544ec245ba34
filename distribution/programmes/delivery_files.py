"""A delivery file read at the edge: csv/xlsx lines typed by ``DELIVERY_COLUMNS`` before
``receive_delivery`` runs.

Routes, pages (a file or typed lines), the CLI and the demo call ``parse_delivery_file`` and hand
its result to ``receive_delivery``, so the delivery service never sees a file format.
"""

from __future__ import annotations

from typing import BinaryIO

from distribution.programmes.deliveries import DELIVERY_COLUMNS
from distribution.programmes.services import LoadResult, ParsedRows
from distribution.spreadsheets import read_table


def parse_delivery_file(stream: BinaryIO, filename: str) -> ParsedRows:
    """The typed lines of a delivery file (ISBN or title id, received, damaged, wrong title), errors too."""
    table = read_table(stream, filename, DELIVERY_COLUMNS)
    return LoadResult.of_table(filename, table), table.rows
