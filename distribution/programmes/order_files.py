"""An order file read at the edge: csv/xlsx rows typed by ``ORDER_COLUMNS`` before ``load_orders`` runs.

Routes, pages, the CLI and the demo call ``parse_order_file`` and hand its result to
``load_orders``, so the order service never sees a file format.
"""

from __future__ import annotations

from typing import BinaryIO

from distribution.programmes.orders import ORDER_COLUMNS
from distribution.programmes.services import LoadResult, ParsedRows
from distribution.spreadsheets import read_table


def parse_order_file(stream: BinaryIO, filename: str) -> ParsedRows:
    """The typed rows of an order file (library code, ISBN or title id, quantity) and its cell errors."""
    table = read_table(stream, filename, ORDER_COLUMNS)
    return LoadResult.of_table(filename, table), table.rows
