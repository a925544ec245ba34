"""Apply Alembic migrations from code: ``upgrade(url)`` works from an installed package.

The Alembic configuration is built here instead of read from an ``alembic.ini``, so
``komplekt db upgrade`` and ``komplekt serve`` need nothing outside the package.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from collection.db import make_engine, normalise_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations; the URL travels in ``attributes``.

    (Not in ``sqlalchemy.url``: configparser would choke on ``%`` in passwords and options.)
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = normalise_url(url)
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` up to ``revision`` (default: every branch's newest).

    Areas may add migrations on separate branches from a shared parent; "heads" applies all.
    """
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision(s) the package ships, comma-separated when there are branches."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads)) or None


def current_revision(url: str) -> str | None:
    """The revision(s) the database at ``url`` is at (None when it was never migrated)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
            return ",".join(sorted(heads)) or None
    finally:
        engine.dispose()


def is_up_to_date(url: str) -> bool:
    """Whether the database is at the newest revision of every branch."""
    return current_revision(url) == head_revision()
