"""Shared pytest configuration."""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from collection.db import MODEL_MODULES, Base, make_engine, make_session_factory
from collection.migrate import upgrade
from tests.shared_data import SHARED_DATA


def pytest_sessionstart(session) -> None:  # noqa: ARG001 - pytest hook signature
    """Under CI the real data must be there: fail loudly instead of skipping."""
    if os.environ.get("CI") == "true" and not SHARED_DATA.is_dir():
        raise SystemExit(f"CI=true but ../shared/data is missing at {SHARED_DATA}")


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked ``postgresql_only`` (behaviour SQLite cannot show, e.g. two writers at the
    same moment) are not generated for SQLite at all: deselected, never skipped."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        sqlite = "sqlite" in (params.get("_migrated_db_url"), params.get("empty_db_url"))
        (drop if sqlite and item.get_closest_marker("postgresql_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# --- Databases: every database test runs on SQLite and, when reachable, on PostgreSQL. ---------

for _module in MODEL_MODULES:
    importlib.import_module(_module)

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_postgres_problem: list[str] = []


def postgres_url() -> str:
    """The PostgreSQL test server, or skip (fail under CI=true) when it cannot be reached."""
    url = os.environ.get("KOMPLEKT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if not _postgres_problem:
        engine = make_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect():
                _postgres_problem.append("")
        except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
            _postgres_problem.append(f"PostgreSQL not reachable at {url}: {error}".splitlines()[0])
        finally:
            engine.dispose()
    problem = _postgres_problem[0]
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the PostgreSQL pass cannot run: {problem}")
        pytest.skip(problem)
    return url


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new schema on the PostgreSQL test server."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'komplekt-{uuid.uuid4().hex[:8]}.db'}"
        return
    base = postgres_url()
    schema = f"komplekt_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield make_url(base).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        ).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, unmigrated database per test (for migration tests)."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def _migrated_db_url(request, tmp_path_factory) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@pytest.fixture
def db_url(_migrated_db_url: str) -> Iterator[str]:
    """A migrated database (one per backend per session), emptied after each test."""
    yield _migrated_db_url
    engine = make_engine(_migrated_db_url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def engine(db_url: str):
    """An engine on the test database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session on the test database (services commit through it)."""
    with make_session_factory(engine)() as session:
        yield session


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 with minimal cost in tests (the real parameters are tested by argon2-cffi)."""
    from argon2 import PasswordHasher

    from api.auth import passwords

    original = passwords.hasher
    passwords.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords.hasher = original
