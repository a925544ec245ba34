"""Benchmark: komplekt's full normalised read against bare pymarc parsing of the same file.

Builds a file of at least 100,000 real-shaped records by repeating the real UTF-8 ISO 2709
files in ../shared/data (or takes --file), then times, in one run:
  1. pymarc.MARCReader parsing every record (no normalisation),
  2. komplekt's reader (detection of flavour and encoding, permissive parsing) plus the
     normalised bibliographic view and holdings of every record.
Reports records/second for both and the ratio komplekt/pymarc (target >= 0.5).

    python bench/bench_read.py [--records 100000] [--file FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import pymarc

from marc.holdings import read_holdings
from marc.model import ReadRecord
from marc.reader import read_path
from marc.view import bib_view

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SOURCES = [
    "folio-org__mod-data-import/100.mrc",
    "folio-org__mod-data-import/CornellFOLIOExemplars.mrc",
    "traject__traject/test_data.utf8.mrc",
    "marc4j__marc4j/pride-and-prejudice-fixed.mrc",
    "evergreen-library-system__Evergreen/nepali.marc",
    "xbib__marc/periouni.mrc",
    "folio-org__mod-data-import/5000.mrc",
]


def build_file(target: Path, records: int) -> int:
    """Concatenate the source files until at least ``records`` records are written."""
    pieces = []
    for name in SOURCES:
        data = (SHARED / name).read_bytes()
        pieces.append((data, data.count(b"\x1d")))
    written = 0
    with open(target, "wb") as out:
        while written < records:
            for data, count in pieces:
                out.write(data)
                written += count
    return written


def time_pymarc(path: Path) -> tuple[int, float]:
    logging.getLogger("pymarc").setLevel(logging.CRITICAL)  # its per-record warnings skew timing
    start = time.perf_counter()
    count = 0
    with open(path, "rb") as stream:
        for record in pymarc.MARCReader(stream, to_unicode=True, force_utf8=True, permissive=True):
            if record is not None:
                count += 1
    return count, time.perf_counter() - start


def time_komplekt(path: Path) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    for result in read_path(path):
        if isinstance(result, ReadRecord):
            bib_view(result.record, result.flavour)
            read_holdings(result.record)
            count += 1
    return count, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / "bench.mrc"
            build_file(path, args.records)
        size = path.stat().st_size
        pymarc_count, pymarc_seconds = time_pymarc(path)
        komplekt_count, komplekt_seconds = time_komplekt(path)
    result = {
        "file_bytes": size,
        "pymarc_records": pymarc_count,
        "pymarc_seconds": round(pymarc_seconds, 2),
        "pymarc_records_per_s": round(pymarc_count / pymarc_seconds),
        "komplekt_records": komplekt_count,
        "komplekt_seconds": round(komplekt_seconds, 2),
        "komplekt_records_per_s": round(komplekt_count / komplekt_seconds),
        "ratio": round((komplekt_count / komplekt_seconds) / (pymarc_count / pymarc_seconds), 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    return 0 if result["ratio"] >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
