"""`komplekt marc ...`: inspect and convert MARC files without touching the database."""

from __future__ import annotations

import typer

app = typer.Typer(help="Read, inspect and convert MARC files (no database needed).", no_args_is_help=True)
