"""Generated input for the benchmarks (valid ISBNs, csv files): bench/ never imports tests/."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any


def isbn13(n: int) -> str:
    """A valid ISBN-13 (978-617-…, Ukraine) numbered ``n``."""
    base = f"978617{n:06d}"
    check = (10 - sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(base)) % 10) % 10
    return base + str(check)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], delimiter: str = ",") -> bytes:
    """A csv file's bytes (UTF-8), as a librarian's spreadsheet export would give them."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
