"""An offer list read at the edge: csv/xlsx rows typed by ``OFFER_COLUMNS`` before ``load_offers`` runs.

Routes, pages, the CLI and the demo call ``parse_offer_file`` and hand its result to
``load_offers``, so the offer service never sees a file format.
"""

from __future__ import annotations

from typing import BinaryIO

from distribution.exchange.offers import OFFER_COLUMNS
from distribution.programmes.services import LoadResult, ParsedRows
from distribution.spreadsheets import read_table


def parse_offer_file(stream: BinaryIO, filename: str) -> ParsedRows:
    """The typed rows of an offer list (a title list with a quantity column) and its cell errors."""
    table = read_table(stream, filename, OFFER_COLUMNS)
    return LoadResult.of_table(filename, table), table.rows
