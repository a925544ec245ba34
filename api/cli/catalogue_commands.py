"""`komplekt import` and `komplekt export`: MARC files into and out of the catalogue."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from api.cli.common import EXIT_USAGE, cli_actor, fail, load_settings
from api.cli.marc_commands import Flavour, Format, InEncoding, OutEncoding
from collection.catalogue.exporting import check_export_options, export_editions
from collection.db import make_engine, make_session_factory
from collection.errors import CollectionError
from collection.imports.models import ImportJob
from collection.imports.not_marc import NotMarcFileError
from collection.imports.services import ImportOptions, run_import, start_import
from collection.migrate import is_up_to_date

err_console = Console(stderr=True, soft_wrap=True)

class Holdings(StrEnum):
    """What an import does with holdings fields (852/952/995/…)."""

    ignore = "ignore"
    fund = "fund"


JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON summary object.")]


def _factory(settings):
    if not is_up_to_date(settings.database_url):
        raise fail("the database schema is not current: run `komplekt db upgrade` first")
    engine = make_engine(settings.database_url)
    return engine, make_session_factory(engine)


def import_command(
    file: Annotated[Path, typer.Argument(help="MARC file: ISO 2709, MARCXML or MARC-in-JSON "
                                         "(gzip allowed); the format is detected.")],
    format: Annotated[Format | None, typer.Option("--format", help="Input format.")] = None,
    flavour: Annotated[Flavour | None, typer.Option(
        "--flavour", help="Treat every record as this flavour (default: detect per record).")] = None,
    encoding: Annotated[InEncoding | None, typer.Option(
        "--encoding", help="Decode ISO 2709 records with this encoding (default: detect).")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Source of records without 003 (default: \"import\").")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=50_000,
                                            help="Records per transaction.")] = 1000,
    new_job: Annotated[bool, typer.Option(
        "--new-job", help="Start afresh instead of resuming an unfinished import of this file.")] = False,
    holdings: Annotated[Holdings, typer.Option(
        "--holdings", help="Holdings fields (852/952/995/910): 'ignore' leaves them out of the "
        "fund (default); 'fund' takes them as the library's own copies as before, still with "
        "no receipt (the opening balance belongs to the fund accounting issue 11).")
    ] = Holdings.ignore,
    as_json: JsonOpt = False,
) -> None:
    """Import MARC records into the catalogue: editions, and copies from holdings fields.

    Holdings become copies only with ``--holdings fund`` (as imports always did, with no
    receipt: the opening balance is the fund accounting issue's). A record a cataloguer
    edited in komplekt is never overwritten: the incoming one waits as an alternative.

    Idempotent (a second run of the same file creates nothing) and resumable: an interrupted
    import of the same file continues after its last committed batch. Exit code 1 when some
    records could not be read (they are quarantined; see the import's page).
    """
    if not file.is_file():
        raise fail(f"file not found: {file}", EXIT_USAGE)
    settings = load_settings()
    engine, factory = _factory(settings)
    actor = cli_actor()
    options = ImportOptions(format=format.value if format else None,
                            flavour=flavour.value if flavour else None,
                            encoding=encoding.value if encoding else None, source=source or None,
                            holdings=holdings.value)
    try:
        with factory() as session:
            job = start_import(session, path=file, actor=actor, options=options,
                               resume=not new_job)
            session.commit()  # run_import reads the job from its own sessions
        if job.resume_from and not as_json:
            err_console.print(f"resuming import {job.id} after record {job.resume_from}",
                              highlight=False)
        job = _run(factory, job, actor, settings.import_quality_tolerance, batch_size,
                   show=not as_json)
    except NotMarcFileError as error:  # the file, not the command line, is wrong: exit 1
        raise fail(str(error)) from error
    except CollectionError as error:
        raise fail(str(error), EXIT_USAGE) from error
    finally:
        engine.dispose()
    summary = {"job": job.id, "file": str(file), "state": job.state, **job.summary(),
               "warnings": job.warning_count, "message": job.message}
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    else:
        _print_summary(job)
    raise typer.Exit(1 if job.count("errors") else 0)


def _run(factory, job: ImportJob, actor, tolerance: int, batch_size: int, show: bool) -> ImportJob:
    if not show:
        return run_import(factory, job.id, actor=actor, batch_size=batch_size,
                          quality_tolerance=tolerance)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
               TextColumn("{task.fields[records]} records"), TimeRemainingColumn())
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task(job.file_name, total=job.size, completed=job.bytes_done,
                                 records=job.resume_from)

        def update(current: ImportJob) -> None:
            progress.update(task, completed=current.bytes_done, records=current.resume_from)

        done = run_import(factory, job.id, actor=actor, batch_size=batch_size,
                          quality_tolerance=tolerance, progress=update)
        progress.update(task, completed=job.size)
    return done


def _print_summary(job: ImportJob) -> None:
    s = job.summary()
    err_console.print(
        f"import {job.id} of {job.file_name}: {s['read']} read, {s['created']} created, "
        f"{s['updated']} updated, {s['unchanged']} unchanged, {s['alternatives']} kept as "
        f"alternatives, {s['kept_local']} kept a cataloguer's edits (incoming kept as "
        f"alternatives), {s['errors']} in error (quarantined); copies: {s['copies_created']} "
        f"created, {s['copies_existing']} existing, {s['holdings_without_inventory']} holdings "
        f"without an inventory number, {s['holdings_ignored']} holdings not taken into the "
        f"fund; {job.warning_count} warnings", highlight=False)  # fmt: skip
    for number, text in job.warnings[:20]:
        err_console.print(f"  warning: record {number}: {text}", highlight=False)
    if job.warning_count > 20:
        err_console.print(f"  … and {job.warning_count - 20} more warnings", highlight=False)
    if job.message:
        err_console.print(job.message, highlight=False)


def export_command(
    out: Annotated[Path, typer.Argument(help="File to write.")],
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.iso2709,
    flavour: Annotated[Flavour | None, typer.Option(
        "--flavour", help="Output flavour (default: each record's own).")] = None,
    encoding: Annotated[OutEncoding, typer.Option(
        "--encoding", help="ISO 2709 encoding (MARCXML and JSON are UTF-8).")] = OutEncoding.utf8,
    with_holdings: Annotated[bool, typer.Option(
        "--with-holdings", help="Write each copy as a holdings field (952 / 995).")] = False,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only editions changed on or after this date (YYYY-MM-DD).")] = None,
    query: Annotated[str | None, typer.Option(
        "--query", help="Only editions whose title, authors or ISBN match.")] = None,
    branch: Annotated[str | None, typer.Option(
        "--branch", help="Library code written into holdings fields.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export catalogue records as MARC (exit code 1 when some could not be written)."""
    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError as error:
        raise fail(f"--since must be a date YYYY-MM-DD, not {since!r}", EXIT_USAGE) from error
    try:
        check_export_options(format.value, flavour.value if flavour else None, encoding.value)
    except CollectionError as error:
        raise fail(str(error), EXIT_USAGE) from error
    settings = load_settings()
    engine, factory = _factory(settings)
    try:
        with factory() as session, open(out, "wb") as stream:
            summary = export_editions(
                session, stream, query=query, since=since_date, format=format.value,
                flavour=flavour.value if flavour else None, encoding=encoding.value,
                with_holdings=with_holdings, branch=branch,
            )  # fmt: skip
    finally:
        engine.dispose()
    if as_json:
        sys.stdout.write(json.dumps({"file": str(out), **summary.as_dict()}, ensure_ascii=False)
                         + "\n")
    else:
        err_console.print(f"{out}: {summary.written} records written, {summary.errors} not "
                          f"written", highlight=False)
        for problem in summary.problems[:50]:
            err_console.print(f"  [red]error[/] {problem}", highlight=False)
        for note in summary.replaced[:50]:
            err_console.print(f"  [yellow]replaced[/] {note}", highlight=False)
        if len(summary.replaced) > 50:
            err_console.print(f"  … and {len(summary.replaced) - 50} more records with replacements")
    raise typer.Exit(1 if summary.errors else 0)

