"""The `komplekt` command line: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer

from api.cli import db_commands, marc_commands, serve_commands, users_commands

app = typer.Typer(
    name="komplekt",
    help="komplekt: acquisitions, fund accounting and MARC exchange for a regional library.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(marc_commands.app, name="marc")
app.add_typer(db_commands.app, name="db")
app.add_typer(users_commands.app, name="users")
app.command("serve")(serve_commands.serve)


def main() -> None:
    """Console-script entry point."""
    app()
