"""Reading side of an import: derive records for matching, optionally in worker processes.

``prepare`` turns a read record into what matching needs (edition fields, source, holdings).
For large ISO 2709 files the import splits records off cheaply and has them parsed and
prepared by worker processes started as ``python -m collection.imports.worker``: a plain
subprocess, not multiprocessing, so a worker imports only the MARC code it needs, never the
CLI or web application that started it (that would cost some 150 MB per worker), and it exits
on its own when its parent dies (its stdin closes). Requests and answers are length-prefixed
pickles on the worker's stdin/stdout; one request is in flight per worker, so pipes cannot
deadlock, and answers come back in request order.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

import pymarc

from collection.catalogue.editions import EditionFields, edition_fields
from marc.holdings import Holding, read_holdings
from marc.iso2709 import parse_record
from marc.model import ReadResult, RecordError
from marc.writer import record_to_iso2709

RawRecord = tuple[int, int, bytes, list[str]]  # number, offset, raw bytes, warnings


@dataclass(slots=True)
class Prepared:
    """A record read and derived, ready for matching: what crosses from a worker process."""

    number: int
    offset: int
    fields: EditionFields
    source: str
    holdings: list[Holding]
    warnings: list[str]  # what the reader noticed (mis-declared encoding, lengths...)


def prepare(result: ReadResult, default_source: str) -> Prepared | RecordError:
    """Derive a read record's edition fields, source and holdings (pure)."""
    if isinstance(result, RecordError):
        return result
    try:
        fields = edition_fields(result.record, result.flavour)
        holdings = read_holdings(result.record, result.flavour)
    except Exception as error:  # noqa: BLE001 - one odd record never stops a batch
        return RecordError(result.number, result.offset, f"cannot derive the edition: {error}",
                           _raw_bytes(result.record), result.format)
    return Prepared(result.number, result.offset, fields,
                    record_source(result.record, default_source), holdings, list(result.warnings))


def prepare_raw(chunk: list[RawRecord], options: dict, default_source: str) -> list:
    """Parse and prepare a chunk of raw ISO 2709 records."""
    return [prepare(parse_record(raw, number, offset, flavour=options.get("flavour"),
                                 encoding=options.get("encoding"), warnings=warnings),
                    default_source)
            for number, offset, raw, warnings in chunk]


def record_source(record: pymarc.Record, default: str) -> str:
    """Where a record comes from: its 003 (control number identifier), else ``default``."""
    for fld in record.get_fields("003"):
        value = (fld.data or "").strip() if fld.control_field else ""
        if value:
            return value[:64]
    return default[:64]


def _raw_bytes(record: pymarc.Record) -> bytes:
    try:
        return record_to_iso2709(record)
    except Exception:  # noqa: BLE001 - best effort: the reason is what matters then
        return b""


# ---------------------------------------------------------------- the worker processes


def _send(stream: IO[bytes], obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "big"))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> object | None:
    header = stream.read(8)
    if len(header) < 8:
        return None
    size = int.from_bytes(header, "big")
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # noqa: S301 - our own worker's answer over a private pipe


def prepare_in_workers(chunks: Iterable[list[RawRecord]], options: dict, default_source: str,
                       workers: int) -> Iterator[list]:
    """Prepared chunks, in order, parsed by ``workers`` worker processes."""
    processes = [subprocess.Popen([sys.executable, "-m", "collection.imports.worker"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                 for _ in range(workers)]
    busy: list[bool] = [False] * workers
    count = 0
    try:
        for chunk in chunks:
            slot = count % workers
            if busy[slot]:
                yield _answer(processes[slot])
            _send(_pipe(processes[slot].stdin), (chunk, options, default_source))
            busy[slot] = True
            count += 1
        for step in range(workers):  # the last requests, oldest first
            slot = (count + step) % workers
            if busy[slot]:
                yield _answer(processes[slot])
                busy[slot] = False
    finally:
        for process in processes:
            if process.stdin:
                process.stdin.close()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """A worker's stdin or stdout: never None, the workers are started with both piped."""
    assert stream is not None
    return stream


def _answer(process: subprocess.Popen) -> list:
    answer = _receive(_pipe(process.stdout))
    if answer is None:
        raise RuntimeError(f"import worker {process.pid} stopped (exit code {process.poll()})")
    return answer  # type: ignore[return-value]


def main() -> None:
    """Worker loop: read a request, answer it, until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (request := _receive(stdin)) is not None:
        # what prepare_in_workers sends: (chunk, options, default_source)
        chunk, options, default_source = cast("tuple[list[RawRecord], dict[str, Any], str]", request)
        _send(stdout, prepare_raw(chunk, options, default_source))


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: answers must pickle their classes
    # as collection.imports.worker.Prepared, which the parent can load.
    from collection.imports.worker import main as worker_main

    worker_main()
