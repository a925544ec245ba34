"""Where a benchmark runs: a SQLite file in a temporary folder, or a fresh PostgreSQL schema.

A PostgreSQL run never touches the server's existing tables: it makes its own schema and
drops it afterwards, so benchmarks can run on the machine the tests (and CI) use.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from collection.db import make_engine


@contextmanager
def bench_database(directory: Path, postgres: str | None = None) -> Iterator[str]:
    """The URL of an empty database for one benchmark run."""
    if not postgres:
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    schema = f"komplekt_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
