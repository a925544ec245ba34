"""Benchmark: allocation plus packing plan for a national-size programme.

3,000 titles, 10,000 libraries, about 3,000,000 ordered copies (each library orders ~150
titles, 1-3 copies each); a third of the titles arrive short. Reports seconds for allocation
and for packing, and peak memory. Targets (issue 5): under 10 s and under 1 GB together.

    python bench/bench_allocation.py [--titles 3000] [--libraries 10000] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from decimal import Decimal

from distribution.allocation.rules import OrderLine, Policy, allocate
from distribution.shipping.rules import pack


def make_programme(titles: int, libraries: int, seed: int = 7):
    rng = random.Random(seed)
    title_ids = [f"T{i:05d}" for i in range(titles)]
    orders = []
    for lib in range(libraries):
        code = f"LIB-{lib:05d}"
        for title in rng.sample(title_ids, 150):
            orders.append(OrderLine(code, title, rng.choice((1, 2, 2, 3))))
    ordered: dict[str, int] = {}
    for line in orders:
        ordered[line.title] = ordered.get(line.title, 0) + line.quantity
    received = {t: (q if rng.random() > 0.33 else int(q * rng.uniform(0.5, 0.95)))
                for t, q in ordered.items()}
    weights = {t: Decimal(rng.randint(150, 1200)) / 1000 for t in title_ids}
    statuses = {f"LIB-{lib:05d}": rng.choice(("working",) * 8 + ("relocated", "occupied"))
                for lib in range(libraries)}
    return orders, received, weights, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--titles", type=int, default=3000)
    parser.add_argument("--libraries", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    orders, received, weights, statuses = make_programme(args.titles, args.libraries)
    start = time.perf_counter()
    plan = allocate(received, orders, Policy(priority_statuses=frozenset({"relocated"})), statuses)
    allocated_at = time.perf_counter()
    parcels = pack(plan.allocations, weights)
    packed_at = time.perf_counter()
    result = {
        "titles": args.titles,
        "libraries": args.libraries,
        "order_lines": len(orders),
        "ordered_copies": sum(o.quantity for o in orders),
        "allocated_copies": sum(plan.allocations.values()),
        "parcels": sum(len(p) for p in parcels.values()),
        "allocation_seconds": round(allocated_at - start, 2),
        "packing_seconds": round(packed_at - allocated_at, 2),
        "total_seconds": round(packed_at - start, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0 if result["total_seconds"] < 10 and result["peak_rss_mb"] < 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
