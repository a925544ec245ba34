"""The `komplekt` command line: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer

from api.cli import marc_commands

app = typer.Typer(
    name="komplekt",
    help="komplekt: acquisitions, fund accounting and MARC exchange for a regional library.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(marc_commands.app, name="marc")


def main() -> None:
    """Console-script entry point."""
    app()
