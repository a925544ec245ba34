"""`komplekt libraries load|export`: the registry of public libraries as csv/xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import EXIT_USAGE, cli_actor, database_session, fail, load_settings
from api.cli.programme_commands import ErrorsOpt, JsonOpt, finish_load
from collection.errors import CollectionError
from distribution.libraries.library_files import parse_library_file
from distribution.libraries.registry import export_libraries, load_libraries
from distribution.spreadsheets import table_format

app = typer.Typer(help="Public libraries: load and export the registry.", no_args_is_help=True)


@app.command("load")
def load(
    file: Annotated[
        Path,
        typer.Argument(
            help="csv or xlsx: code,name,community,district,oblast,status (Ukrainian headers accepted)."
        ),
    ],
    errors: ErrorsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create or update libraries from a table; any bad row loads nothing (exit 1)."""
    if not file.is_file():
        raise fail(f"file not found: {file}", EXIT_USAGE)
    with database_session(load_settings()) as session, file.open("rb") as stream:
        try:
            libraries = parse_library_file(stream, file.name)  # files are parsed here, at the edge
            result = load_libraries(session, actor=cli_actor(), libraries=libraries)
        except (CollectionError, ValueError) as error:
            raise fail(str(error)) from error
    finish_load(result, errors, as_json)


@app.command("export")
def export(file: Annotated[Path, typer.Argument(help="Output .csv or .xlsx.")]) -> None:
    """Write the registry to a table that `libraries load` reads back."""
    try:
        fmt = table_format(file.name)
    except ValueError as error:
        raise fail(str(error), EXIT_USAGE) from error
    with database_session(load_settings()) as session, file.open("wb") as stream:
        count = export_libraries(session, stream, fmt)
    typer.echo(json.dumps({"file": str(file), "libraries": count}))


@app.command("list")
def list_command(
    search: Annotated[str, typer.Option("--search", help="In name, code, community, district.")] = "",
    status: Annotated[str, typer.Option("--status", help="Only libraries with this status.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="The fields REST shows, as a JSON list.")] = False,
) -> None:
    """List the registry (code, status, name), or every field as REST shows it with --json."""
    from api.presenters.libraries import library_out  # pydantic only when listing
    from distribution.libraries.services import list_libraries

    with database_session(load_settings()) as session:
        rows = [library_out(library) for library in list_libraries(session, search=search, status=status)]
    if as_json:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo(f"{row.code:<12} {row.status:<12} {row.name}")
