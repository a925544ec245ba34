"""The `komplekt` command line: one Typer app whose areas are imported only when they run.

`komplekt --help` lists every command from the registry below without importing any of them, and
`komplekt marc ...` imports only `api.cli.marc_commands`, so a librarian's loop over a folder of
exports does not pay for FastAPI, pandas and the web application on every file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

CommandLoader = Callable[[], Any]  # returns the click command Typer builds for one area


class _Placeholder(TyperCommand):
    """Stands for a command in help listings until it is invoked; then `load` builds the real one."""

    def __init__(self, name: str, help: str, load: CommandLoader) -> None:
        super().__init__(name=name, help=help)
        self.load = load


def _area(module: str) -> CommandLoader:
    """Loader for a sub-app (`komplekt marc ...`) defined as `app` in `api.cli.<module>`."""

    def load() -> Any:
        return typer.main.get_group(importlib.import_module(f"api.cli.{module}").app)

    return load


def _single(module: str, function: str, name: str) -> CommandLoader:
    """Loader for a top-level command (`komplekt serve`) defined as a function in `api.cli.<module>`."""

    def load() -> Any:
        holder = typer.Typer(add_completion=False)
        holder.command(name)(getattr(importlib.import_module(f"api.cli.{module}"), function))
        return typer.main.get_command(holder)

    return load


def _programme() -> Any:
    """`komplekt programme ...` with `shipments` and `to-fund`, which live in their own modules."""
    from api.cli import own_fund_commands, programme_commands, shipment_commands

    group = typer.main.get_group(programme_commands.app)
    extras = typer.Typer(add_completion=False)
    extras.command("shipments")(shipment_commands.list_programme_shipments)
    extras.command("to-fund")(own_fund_commands.to_fund)
    for name, command in typer.main.get_group(extras).commands.items():
        group.add_command(command, name)
    return group


# name -> (the line `komplekt --help` shows, loader); order is the order of the help listing.
# tests/api/test_cli_startup.py checks each line against the loaded command's own help.
COMMANDS: dict[str, tuple[str, CommandLoader]] = {
    "serve": ("Run the web application (pages and REST API); migrations are applied first.",
              _single("serve_commands", "serve", "serve")),
    "import": ("Import MARC records into the catalogue: editions, and copies from holdings fields.",
               _single("catalogue_commands", "import_command", "import")),
    "export": ("Export catalogue records as MARC (exit code 1 when some could not be written).",
               _single("catalogue_commands", "export_command", "export")),
    "marc": ("Read, inspect and convert MARC files (no database needed).", _area("marc_commands")),
    "db": ("Manage the database schema (Alembic migrations).", _area("db_commands")),
    "users": ("Manage user accounts.", _area("users_commands")),
    "libraries": ("Public libraries: load and export the registry.", _area("libraries_commands")),
    "programme": ("Replenishment programmes: titles, orders, deliveries, allocation, packing.",
                  _programme),
    "shipment": ("Shipments: pack, dispatch (one or a whole list), deliver, confirm, MARC.",
                 _area("shipment_commands")),
}


class LazyGroup(TyperGroup):
    """The top-level group: lists commands from `COMMANDS`, imports one only when it is resolved."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, (help_line, load) in COMMANDS.items():
            self.commands.setdefault(name, _Placeholder(name, help_line, load))

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        """Resolve as Typer does (same errors and suggestions), then swap in the real command."""
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, _Placeholder):
            command = command.load()
            command.name = name
            self.commands[name] = command
        return name, command, rest


def _top_level() -> None:
    """Nothing to do before a sub-command; Typer needs a callback to make the app a group."""


app = typer.Typer(
    name="komplekt",
    help="komplekt: acquisitions, fund accounting and MARC exchange for a regional library.",
    cls=LazyGroup,
    callback=_top_level,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Console-script entry point."""
    app()
