"""Benchmark: `komplekt marc stats` on a one-record file against a bare pymarc script reading it.

A librarian's loop runs the command once per exported file, so start-up is what counts. Cuts one
record from a real file in ../shared/data (default: the first cp1251 MARC21 record of
edsu__pymarc/1251.dat) into a temporary folder, then runs, alternately and each as a fresh
process, N times:
  1. `komplekt marc stats FILE` (the console script beside this Python, else `python -m api.cli`),
  2. a bare script: `import pymarc` and read every record of the same file.
Prints the median wall time, median CPU time (user + system) and peak resident memory of each
(per process, from os.wait4) and the ratio komplekt/bare; the goal is a ratio of at most 4.

    python bench/bench_cli_start.py [--runs 10] [--source REL] [--record 1] [--stats-json] [--json]
    python bench/bench_cli_start.py --pythonpath /tmp/cli-before   # time another checkout's CLI
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DEFAULT_SOURCE = "edsu__pymarc/1251.dat"
GOAL_RATIO = 4.0

BARE_SCRIPT = """
import logging, sys
import pymarc
logging.disable(logging.CRITICAL)  # pymarc logs every byte it cannot map; printing is not reading
with open(sys.argv[1], "rb") as stream:
    count = sum(1 for _ in pymarc.MARCReader(stream, to_unicode=True, permissive=True))
print(count, "records")
"""


@dataclass
class Run:
    """One finished process: wall seconds, CPU seconds, peak resident memory in MiB, exit code."""

    wall: float
    cpu: float
    peak_mib: float
    exit_code: int


def cut_record(source: Path, number: int, target: Path) -> Path:
    """Write record ``number`` (1-based) of an ISO 2709 file to ``target``, cut at its terminator."""
    data = source.read_bytes()
    chunks = [chunk + b"\x1d" for chunk in data.split(b"\x1d") if chunk.strip()]
    if not 1 <= number <= len(chunks):
        raise SystemExit(f"{source} holds {len(chunks)} records; --record {number} is out of range")
    target.write_bytes(chunks[number - 1])
    return target


def komplekt_command() -> list[str]:
    """The installed console script when there is one, else the module (same entry point)."""
    script = Path(sys.executable).with_name("komplekt")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "api.cli"]


def run_once(argv: list[str], env: dict[str, str]) -> Run:
    """Run one process to the end and read its own resource usage (not the sum of all children)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)


def summary(runs: list[Run]) -> dict[str, float]:
    return {
        "wall_median_s": round(statistics.median(r.wall for r in runs), 3),
        "cpu_median_s": round(statistics.median(r.cpu for r in runs), 3),
        "peak_mib": round(max(r.peak_mib for r in runs), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each (after one warm-up)")
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="ISO 2709 file under ../shared/data")
    parser.add_argument("--record", type=int, default=1, help="which record of it to cut (1-based)")
    parser.add_argument("--pythonpath", type=Path,
                        help="put this checkout first on PYTHONPATH for komplekt (e.g. an old worktree)")
    parser.add_argument("--stats-json", action="store_true",
                        help="time `marc stats --json` (what scripts call) instead of the human summary")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    env = dict(os.environ)
    komplekt_env = dict(env)
    if args.pythonpath:
        komplekt_env["PYTHONPATH"] = os.pathsep.join(
            [str(args.pythonpath.resolve()), *filter(None, [env.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        record = cut_record((SHARED / args.source).resolve(), args.record, Path(tmp) / "one.mrc")
        stats = ["marc", "stats", "--json"] if args.stats_json else ["marc", "stats"]
        komplekt = [*komplekt_command(), *stats, str(record)]
        bare = [sys.executable, "-c", BARE_SCRIPT, str(record)]
        run_once(komplekt, komplekt_env)  # warm-up: byte-code caches, page cache
        run_once(bare, env)
        komplekt_runs: list[Run] = []
        bare_runs: list[Run] = []
        for _ in range(args.runs):  # alternate, so a busy moment on the machine hits both
            komplekt_runs.append(run_once(komplekt, komplekt_env))
            bare_runs.append(run_once(bare, env))

    failed = sorted({r.exit_code for r in komplekt_runs + bare_runs} - {0})
    ours, theirs = summary(komplekt_runs), summary(bare_runs)
    result: dict[str, object] = {
        "file": f"{args.source}, record {args.record}",
        "runs": args.runs,
        "komplekt": ours,
        "bare_pymarc": theirs,
        "ratio_wall": round(ours["wall_median_s"] / theirs["wall_median_s"], 2),
        "ratio_cpu": round(ours["cpu_median_s"] / theirs["cpu_median_s"], 2),
    }
    result["goal_met"] = ours["wall_median_s"] <= GOAL_RATIO * theirs["wall_median_s"]
    if failed:
        result["exit_codes_other_than_0"] = failed
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"komplekt marc stats{' --json' if args.stats_json else ''} on {result['file']}, "
              f"{args.runs} runs each"
              + (f" (komplekt from {args.pythonpath})" if args.pythonpath else ""))
        for name, row in (("komplekt", ours), ("bare_pymarc", theirs)):
            print(f"  {name:<12} wall {row['wall_median_s']:.3f} s  cpu {row['cpu_median_s']:.3f} s  "
                  f"peak {row['peak_mib']:.1f} MiB")
        print(f"  ratio komplekt/bare: wall {result['ratio_wall']}×, cpu {result['ratio_cpu']}× "
              f"(goal ≤ {GOAL_RATIO:g}×: {'met' if result['goal_met'] else 'NOT met'})")
        if failed:
            print(f"  warning: some runs exited with {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
