"""Alembic environment: the schema is ``Base.metadata`` after importing every model module."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import Connection

from collection.db import MODEL_MODULES, Base, make_engine

for module in MODEL_MODULES:
    importlib.import_module(module)

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL for ``--sql`` runs without a database."""
    context.configure(
        url=config.attributes["url"], target_metadata=target_metadata, literal_binds=True,
        render_as_batch=True,
    )  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the connection ``collection.migrate`` hands over (or a new engine)."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(config.attributes["url"])
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite can only change tables by copying them; batch mode does that.
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
