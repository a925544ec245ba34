"""Migrations create exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from collection.db import Base, make_engine
from collection.migrate import current_revision, head_revision, is_up_to_date, upgrade


def test_upgrade_brings_an_empty_database_to_head(empty_db_url):
    assert current_revision(empty_db_url) is None
    upgrade(empty_db_url)
    assert current_revision(empty_db_url) == head_revision()
    assert is_up_to_date(empty_db_url)


def test_migrated_schema_matches_the_models_exactly(empty_db_url):
    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == []
    assert {"audit_entries", "libraries", "users", "api_tokens"} <= tables


def test_upgrade_twice_is_harmless(empty_db_url):
    upgrade(empty_db_url)
    upgrade(empty_db_url)
    assert is_up_to_date(empty_db_url)
