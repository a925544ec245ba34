"""The `komplekt` command line: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer

from api.cli import (
    catalogue_commands,
    db_commands,
    libraries_commands,
    marc_commands,
    own_fund_commands,
    programme_commands,
    serve_commands,
    shipment_commands,
    users_commands,
)

app = typer.Typer(
    name="komplekt",
    help="komplekt: acquisitions, fund accounting and MARC exchange for a regional library.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(marc_commands.app, name="marc")
app.add_typer(db_commands.app, name="db")
app.add_typer(users_commands.app, name="users")
app.add_typer(libraries_commands.app, name="libraries")
app.add_typer(programme_commands.app, name="programme")
programme_commands.app.command("shipments")(shipment_commands.list_programme_shipments)
programme_commands.app.command("to-fund")(own_fund_commands.to_fund)
app.add_typer(shipment_commands.app, name="shipment")
app.command("serve")(serve_commands.serve)
app.command("import")(catalogue_commands.import_command)
app.command("export")(catalogue_commands.export_command)


def main() -> None:
    """Console-script entry point."""
    app()
