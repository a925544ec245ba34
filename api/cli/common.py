"""What every database-using command shares: settings from the environment, clean exits.

Settings, SQLAlchemy and the audit trail are imported inside the functions that use them, so a
command that only needs `fail` does not load the database layer.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from api.settings import Settings
    from collection.audit import Actor

EXIT_INPUT = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    """Print one line to stderr and return the exit to raise (no traceback)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def load_settings(*, demo: bool = False) -> Settings:
    """Settings from the environment; a misconfiguration is a usage error (exit 2)."""
    from api.settings import Settings, SettingsError

    try:
        return Settings.from_env(demo=demo)
    except SettingsError as error:
        raise fail(str(error), EXIT_USAGE) from error


def cli_actor() -> Actor:
    """Who the audit trail names for changes made from the command line."""
    from collection.audit import Actor

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        name = "unknown"
    return Actor(None, f"cli:{name}"[:64])


@contextmanager
def database_session(settings: Settings) -> Iterator[Session]:
    """A unit of work on the configured database, which must be migrated already."""
    from sqlalchemy.exc import OperationalError

    from collection.db import make_engine, make_session_factory, unit_of_work
    from collection.migrate import is_up_to_date

    try:
        up_to_date = is_up_to_date(settings.database_url)
    except OperationalError as error:
        raise fail(f"cannot open the database: {error.orig}") from error
    if not up_to_date:
        raise fail("the database schema is not current: run `komplekt db upgrade` first")
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
