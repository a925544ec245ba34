"""`komplekt db ...`: database schema management."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api.cli.common import fail, load_settings
from collection.migrate import current_revision, upgrade

app = typer.Typer(help="Manage the database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply every pending migration to KOMPLEKT_DATABASE_URL (default ./komplekt.db)."""
    settings = load_settings()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        upgrade(settings.database_url)
        revision = current_revision(settings.database_url)
    except OperationalError as error:
        raise fail(f"cannot migrate {shown}: {error.orig}") from error
    typer.echo(f"{shown}: schema at revision {revision}")
