"""One oblast's quarter through the stored flow: allocate, pack, dispatch, report.

    python -m bench.bench_flow [--libraries 300] [--titles 800] [--database-url URL]

Builds a fresh database (a SQLite file in a temporary directory, or a fresh schema on the
PostgreSQL server given by URL, dropped afterwards) with the
libraries, the title list and orders (each library orders 30 titles, 1-3 copies: about
18,000 copies, the size of one oblast's quarter), one delivery with a fifth of the titles
short, then times each stored step through the services staff use: allocation, packing
(shipments and parcels), bulk dispatch of every shipment in one transaction, and the report.
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import insert

from bench.databases import bench_database
from bench.samples import csv_bytes, isbn13
from collection.audit import Actor
from collection.db import make_engine, make_session_factory
from collection.migrate import upgrade
from distribution.allocation.services import allocate_programme
from distribution.libraries.models import Library
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import load_orders
from distribution.programmes.report import programme_report
from distribution.programmes.services import create_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles
from distribution.shipping.bulk_dispatch import DispatchItem, dispatch_shipments
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments

ACTOR = Actor(None, "bench")


def timed(label: str, call):  # noqa: ANN001, ANN201 - a benchmark helper
    started = time.perf_counter()
    result = call()
    print(f"{label:>22}: {time.perf_counter() - started:6.2f} s")
    return result


def committed(session, call):  # noqa: ANN001, ANN201 - a benchmark helper
    """Run ``call`` and commit, as a caller does: the services only flush."""
    result = call()
    session.commit()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", type=int, default=300)
    parser.add_argument("--titles", type=int, default=800)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp, bench_database(Path(tmp), args.database_url) as url:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as session:
            session.execute(insert(Library), [
                {"code": f"LG-{n:04d}", "name": f"Бібліотека {n}", "carrier": "Нова пошта"}
                for n in range(args.libraries)
            ])  # fmt: skip
            session.commit()
            programme = create_programme(session, actor=ACTOR, name="Bench flow", year=2026)
            session.commit()
            pid = programme.id
            isbns = [isbn13(700_000 + n) for n in range(args.titles)]
            titles = csv_bytes(["isbn", "title", "author", "publisher", "year", "price"],
                               [[i, f"Назва {n}", f"Автор{n} А.", "Видавець", "2026", "250"]
                                for n, i in enumerate(isbns)])  # fmt: skip
            assert load_titles(session, actor=ACTOR, programme_id=pid,
                               titles=parse_title_file(io.BytesIO(titles), "titles.csv")).ok  # fmt: skip
            orders = [[f"LG-{lib:04d}", i, rng.randint(1, 3)]
                      for lib in range(args.libraries) for i in rng.sample(isbns, 30)]  # fmt: skip
            assert load_orders(
                session,
                actor=ACTOR,
                programme_id=pid,
                orders=parse_order_file(
                    io.BytesIO(csv_bytes(["library_code", "isbn", "quantity"], orders)), "orders.csv"
                ),
            ).ok
            ordered: dict[str, int] = {}
            for _, isbn, copies in orders:
                ordered[isbn] = ordered.get(isbn, 0) + copies
            received = [[i, q if rng.random() > 0.2 else q * 3 // 4, 0] for i, q in ordered.items()]
            assert receive_delivery(
                session,
                actor=ACTOR,
                programme_id=pid,
                lines=parse_delivery_file(
                    io.BytesIO(csv_bytes(["isbn", "received", "damaged"], received)), "d.csv"
                ),
            ).ok
            print(f"{'ordered copies':>22}: {sum(q for *_, q in orders)}")
            plan = timed("allocation", lambda: committed(
                session, lambda: allocate_programme(session, actor=ACTOR, programme_id=pid)))
            print(f"{'allocated copies':>22}: {sum(plan.allocations.values())}")
            parcels = timed("packing", lambda: committed(
                session, lambda: pack_programme(session, actor=ACTOR, programme_id=pid)))
            print(f"{'parcels':>22}: {sum(len(p) for p in parcels.values())}")
            items = [
                DispatchItem(s.number, "nova_poshta", f"2045{n:010d}", date.today())
                for n, s in enumerate(list_shipments(session, programme_id=pid))
            ]
            timed(
                "bulk dispatch",
                lambda: committed(
                    session, lambda: dispatch_shipments(session, actor=ACTOR, programme_id=pid, items=items)
                ),
            )
            report = timed("report", lambda: programme_report(session, pid))
            print(f"{'dispatched copies':>22}: {report['totals']['dispatched']} in {len(items)} shipments")
        engine.dispose()


if __name__ == "__main__":
    main()
