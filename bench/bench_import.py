"""Benchmark: MARC import into a fresh database, then a re-import of the same file.

Builds a real-shaped file: the real UTF-8 ISO 2709 files in ../shared/data repeated with a
control number made unique per repetition (so every record is a new edition), mixed with 20%
generated MARC21 records with Koha 952 holdings (so copies are created too). Then, each in its
own child process so peak memory is the import's own:
  1. import into a fresh database (every record new),
  2. import the same file again (everything matches, nothing new).
Reports seconds, records/second and peak RSS of each run.

    python bench/bench_import.py [--records 100000] [--postgres [URL]] [--json]
    python bench/bench_import.py --records 1000000      # the memory check
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

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
SAMPLE_SHARE = 0.2
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def build_file(target: Path, records: int) -> int:
    """Write ``records`` records: repeated real ones (unique 001 per repetition) and samples."""
    from marc.fields import control_field
    from marc.model import ReadRecord
    from marc.reader import read_path
    from marc.samples import sample_records
    from marc.writer import record_to_iso2709

    # Each real record is serialised once with a fixed-width placeholder in 001; a repetition
    # only swaps the placeholder's bytes, so building a million records stays quick.
    templates: list[bytes] = []
    for name in SOURCES:
        for result in read_path(SHARED / name):
            if not isinstance(result, ReadRecord):
                continue
            record = result.record
            record.remove_fields("001")
            record.fields.insert(0, control_field("001", f"B{len(templates):07d}R{'#' * 6}"))
            try:
                templates.append(record_to_iso2709(record, "utf-8"))
            except Exception:  # noqa: BLE001 - a record too long to write is left out
                continue
    samples = int(records * SAMPLE_SHARE)
    written = 0
    sample_iter = sample_records(samples, flavour="marc21", seed=7, first_inventory=1)
    with open(target, "wb") as out:
        repetition = 0
        while written < records - samples:
            mark = f"{repetition:06d}".encode()
            for template in templates:
                if written >= records - samples:
                    break
                out.write(template.replace(b"######", mark, 1))
                written += 1
                if written % 4 == 0 and samples:  # interleave the samples
                    sample = next(sample_iter, None)
                    if sample is not None:
                        out.write(record_to_iso2709(sample, "utf-8"))
                        written += 1
                        samples -= 1
            repetition += 1
        for sample in sample_iter:
            out.write(record_to_iso2709(sample, "utf-8"))
            written += 1
    return written


def run_phase(url: str, path: Path) -> dict:
    """One import of ``path`` into ``url`` (in this process); seconds, summary, peak RSS."""
    from collection.audit import Actor
    from collection.db import make_engine, make_session_factory
    from collection.imports.services import ImportOptions, run_import, start_import

    engine = make_engine(url)
    factory = make_session_factory(engine)
    actor = Actor(None, "bench")
    start = time.perf_counter()
    with factory() as session:
        fund = ImportOptions(holdings="fund")  # the sample records carry copies: take them, as before
        job = start_import(session, path=path, actor=actor, resume=False, options=fund)
        session.commit()  # run_import reads the job from its own sessions
    job = run_import(factory, job.id, actor=actor)
    seconds = time.perf_counter() - start
    engine.dispose()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parsing processes
    return {"seconds": round(seconds, 2), "records_per_s": round(job.count("read") / seconds),
            "peak_rss_mb": round(own.ru_maxrss / 1024),
            "worker_peak_rss_mb": round(workers.ru_maxrss / 1024),
            "cpu_seconds": round(own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime, 1),
            **job.summary()}


def child(url: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", "--db", url, "--file", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_POSTGRES, default=None,
                        help="run on PostgreSQL (a fresh schema on this server)")
    parser.add_argument("--file", type=Path, help="import this file instead of building one")
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-reimport", action="store_true", help="only the first import")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.db, args.file)))
        return 0
    from collection.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / "bench.mrc"
            started = time.perf_counter()
            count = build_file(path, args.records)
            print(f"built {count} records ({path.stat().st_size / 1e6:.0f} MB) in "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        url, cleanup = _database(args.postgres, Path(tmp))
        try:
            upgrade(url)
            first = child(url, path)
            second = None if args.no_reimport else child(url, path)
        finally:
            cleanup()
    result = {"database": "postgresql" if args.postgres else "sqlite",
              "file_bytes": path.stat().st_size if path.exists() else None,
              "import": first, "reimport": second}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"database: {result['database']}")
        for phase in ("import", "reimport"):
            figures = result[phase]
            if figures is None:
                continue
            print(f"{phase:>9}: {figures['read']} records in {figures['seconds']} s "
                  f"({figures['records_per_s']}/s, {figures['cpu_seconds']} s CPU), peak RSS "
                  f"{figures['peak_rss_mb']} MB (+ each worker {figures['worker_peak_rss_mb']} MB); "
                  f"created {figures['created']}, unchanged {figures['unchanged']}, "
                  f"errors {figures['errors']}, copies {figures['copies_created']} new / "
                  f"{figures['copies_existing']} existing")
    return 0


def _database(postgres: str | None, directory: Path):
    if not postgres:
        return f"sqlite:///{directory / 'bench.db'}", lambda: None
    from sqlalchemy.engine import make_url

    from collection.db import make_engine

    schema = f"komplekt_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})

    def cleanup() -> None:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    return url.render_as_string(hide_password=False), cleanup


if __name__ == "__main__":
    sys.exit(main())
