"""The engine and session set-up: SQLite pragmas, PostgreSQL driver, unit of work, timestamps."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from collection.db import make_engine, make_session_factory, normalise_url, unit_of_work
from distribution.libraries.models import Library
from tests.builders import make_library


def test_sqlite_engine_turns_on_foreign_keys_wal_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    engine.dispose()


def test_sqlite_lower_folds_cyrillic_so_search_ignores_case(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT lower('СТАРОБІЛЬСЬК')")).scalar() == "старобільськ"
    engine.dispose()


def test_postgresql_urls_use_the_psycopg3_driver():
    assert normalise_url("postgresql://u:p@h/db").startswith("postgresql+psycopg://u:p@h/db")
    assert normalise_url("postgres://h/db").startswith("postgresql+psycopg://")
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unit_of_work_commits_when_the_block_ends(engine):
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        session.add(Library(code="LG-UOW-01", name="Бібліотека"))
    with factory() as session:
        assert session.scalars(select(Library.code)).all() == ["LG-UOW-01"]


def test_unit_of_work_rolls_back_when_the_block_raises(engine):
    factory = make_session_factory(engine)
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        session.add(Library(code="LG-UOW-02", name="Бібліотека"))
        session.flush()
        raise RuntimeError("boom")
    with factory() as session:
        assert session.scalars(select(Library)).all() == []


def test_timestamps_come_back_timezone_aware_in_utc(session):
    library = make_library(session)
    session.expire_all()
    reloaded = session.get(Library, library.id)
    assert reloaded.created_at.tzinfo is not None
    assert reloaded.created_at.utcoffset() == UTC.utcoffset(None)


def test_schema_enforces_check_constraints_and_unique_codes(session):
    session.add(Library(code="LG-BAD-01", name="x", status="flooded"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    make_library(session, code="LG-DUP-01")
    session.add(Library(code="LG-DUP-01", name="y"))
    with pytest.raises(IntegrityError):
        session.flush()
