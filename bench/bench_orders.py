"""Loading a national-scale orders file: 300,000 rows (library code × ISBN × quantity).

    python -m bench.bench_orders [--rows 300000] [--database-url URL]

Builds a fresh database (a SQLite file in a temporary directory, or a fresh schema on the
PostgreSQL server given by URL, dropped afterwards), 10,000
libraries and 3,000 titles (through the real title loader, which creates brief editions), writes
the orders csv, then times `load_orders` on it and once more (the idempotent re-load).
Target: under 60 s for the first load.
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from bench.databases import bench_database
from bench.samples import csv_bytes, isbn13
from collection.audit import Actor
from collection.db import make_engine, make_session_factory
from collection.migrate import upgrade
from distribution.libraries.models import Library
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import load_orders
from distribution.programmes.services import create_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles

ACTOR = Actor(None, "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--libraries", type=int, default=10_000)
    parser.add_argument("--titles", type=int, default=3_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, bench_database(Path(tmp), args.database_url) as url:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        rng = random.Random(2026)
        with factory() as session:
            session.execute(
                insert(Library),
                [{"code": f"UA-{n:05d}", "name": f"Бібліотека {n}"} for n in range(args.libraries)],
            )
            session.commit()
            programme = create_programme(session, actor=ACTOR, name="Bench", year=2026)
            titles = csv_bytes(["isbn", "title", "author", "publisher", "year", "price"],
                               [[isbn13(500_000 + n), f"Назва {n}", f"Автор{n} А.", "Видавець", "2026", "200"]
                                for n in range(args.titles)])  # fmt: skip
            started = time.perf_counter()
            result = load_titles(
                session,
                actor=ACTOR,
                programme_id=programme.id,
                titles=parse_title_file(io.BytesIO(titles), "titles.csv"),
            )
            session.commit()
            assert result.ok, result.errors[:5]
            print(f"titles: {args.titles} loaded in {time.perf_counter() - started:.1f} s")
        pairs = set()
        while len(pairs) < args.rows:
            pairs.add((rng.randrange(args.libraries), rng.randrange(args.titles)))
        data = csv_bytes(
            ["library_code", "isbn", "quantity"],
            [[f"UA-{lib:05d}", isbn13(500_000 + t), rng.randint(1, 5)] for lib, t in sorted(pairs)],
        )
        for attempt in ("first load", "re-load"):
            with factory() as session:
                started = time.perf_counter()
                result = load_orders(
                    session,
                    actor=ACTOR,
                    programme_id=programme.id,
                    orders=parse_order_file(io.BytesIO(data), "orders.csv"),  # parsing is timed too
                )
                session.commit()  # timed with the load, as the caller's commit is part of it
                elapsed = time.perf_counter() - started
            assert result.ok, result.errors[:5]
            print(
                f"orders {attempt}: {result.rows} rows in {elapsed:.1f} s "
                f"(created {result.created}, unchanged {result.unchanged}) on {engine.dialect.name}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
