"""`komplekt marc ...`: inspect and convert MARC files without touching the database.

Only what `stats` needs is imported at module level; the view, crosswalk, writers, samples and
rich (consoles, progress bar, table) are imported where they are used, so a one-file
`komplekt marc stats` starts quickly (tests/api/test_cli_startup.py guards it).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from marc.model import ReadRecord, RecordError
from marc.reader import read_stream
from marc.stats import FileStats

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(help="Read, inspect and convert MARC files (no database needed).",
                  no_args_is_help=True)


@cache
def err_console() -> Console:
    """rich's console on stderr, made on first use: `stats --json` never needs rich."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


@cache
def out_console() -> Console:
    """rich's console on stdout, made on first use."""
    from rich.console import Console

    return Console(soft_wrap=True)


class Format(StrEnum):
    iso2709 = "iso2709"
    marcxml = "marcxml"
    json = "json"


class Flavour(StrEnum):
    marc21 = "marc21"
    unimarc = "unimarc"


class InEncoding(StrEnum):
    utf8 = "utf-8"
    marc8 = "marc-8"
    cp1251 = "cp1251"
    cp866 = "cp866"
    iso5426 = "iso-5426"


class OutEncoding(StrEnum):
    utf8 = "utf-8"
    cp1251 = "cp1251"
    marc8 = "marc-8"


FileArg = Annotated[Path, typer.Argument(help="MARC file: ISO 2709, MARCXML or MARC-in-JSON "
                                         "(gzip allowed); the format is detected.")]
FormatOpt = Annotated[Format | None, typer.Option("--format", help="Input format (default: detect).")]
FromFlavourOpt = Annotated[Flavour | None, typer.Option(
    "--from-flavour", help="Treat every record as this flavour (default: detect per record).")]
FromEncodingOpt = Annotated[InEncoding | None, typer.Option(
    "--from-encoding", help="Decode ISO 2709 records with this encoding (default: detect).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _fail_usage(message: str) -> None:
    """A usage error: one clear line on stderr, exit code 2."""
    err_console().print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _check_input(path: Path, fmt: Format | None = None) -> None:
    """Usage errors (exit 2) for a missing file; a file that is not MARC is one line, exit 1."""
    from collection.imports.not_marc import NotMarcFileError, check_marc_stream

    if not path.exists():
        _fail_usage(f"file not found: {path}")
    if not path.is_file():
        _fail_usage(f"not a file: {path}")
    try:
        with open(path, "rb") as stream:
            check_marc_stream(stream, fmt.value if fmt else None)
    except NotMarcFileError as error:
        err_console().print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from None


@contextmanager
def _progress_reader(path: Path, show: bool) -> Iterator[BinaryIO]:
    """Open the file for reading with a progress bar on stderr for large inputs."""
    size = path.stat().st_size
    if not show or size < 1 << 20:
        with open(path, "rb") as stream:
            yield stream
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err_console(), transient=False) as progress, \
            progress.open(path, "rb", description=path.name) as stream:
        yield stream


def _read(stream: BinaryIO, fmt: Format | None, flavour: Flavour | None,
          encoding: InEncoding | None):
    return read_stream(stream, format=fmt.value if fmt else None,
                       flavour=flavour.value if flavour else None,
                       encoding=encoding.value if encoding else None)


@app.command()
def stats(
    file: FileArg,
    as_json: JsonOpt = False,
    format: FormatOpt = None,
    from_flavour: FromFlavourOpt = None,
    from_encoding: FromEncodingOpt = None,
) -> None:
    """Count records, errors, flavours, encodings, formats and tags in a MARC file.

    Exit code 0 when every record was read, 1 when some were in error (the summary still
    prints), 2 on usage errors.
    """
    _check_input(file, format)
    totals = FileStats()
    with _progress_reader(file, show=not as_json) as stream:
        for result in _read(stream, format, from_flavour, from_encoding):
            totals.add(result)
    if as_json:
        sys.stdout.write(json.dumps(totals.as_dict(), ensure_ascii=False) + "\n")
    else:
        _print_stats(file, totals)
    raise typer.Exit(1 if totals.errors else 0)


def _print_stats(file: Path, totals: FileStats) -> None:
    out_console().print(f"[bold]{file}[/]: {totals.records} records read, "
                      f"{totals.errors} in error, {totals.warnings} warnings", highlight=False)
    for title, counter in (("format", totals.formats), ("flavour", totals.flavours),
                           ("encoding", totals.encodings)):
        if counter:
            pairs = ", ".join(f"{name} {count}" for name, count in counter.most_common())
            out_console().print(f"  {title}: {pairs}", highlight=False)
    if totals.tags:
        from rich.table import Table

        table = Table("tag", "fields", title="tags", title_justify="left")
        for tag, count in sorted(totals.tags.items()):
            table.add_row(tag, str(count))
        out_console().print(table)
    for kind, count in totals.warning_kinds.most_common(10):
        out_console().print(f"  warning ×{count}: {kind}", highlight=False)
    for error in totals.error_list[:50]:
        out_console().print(f"  [red]error[/] {error.describe()}", highlight=False)
    if len(totals.error_list) > 50:
        out_console().print(f"  … and {len(totals.error_list) - 50} more errors")


@app.command()
def show(
    file: FileArg,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Show at most N records.")] = None,
    as_json: JsonOpt = False,
    format: FormatOpt = None,
    from_flavour: FromFlavourOpt = None,
    from_encoding: FromEncodingOpt = None,
) -> None:
    """Show the normalised bibliographic view of each record (one JSON object per line with --json)."""
    from marc.view import bib_view

    _check_input(file, format)
    errors = 0
    shown = 0
    with open(file, "rb") as stream:
        for result in _read(stream, format, from_flavour, from_encoding):
            if limit is not None and shown + errors >= limit:
                break
            if isinstance(result, RecordError):
                errors += 1
                err_console().print(f"error: {result.describe()}", highlight=False)
                continue
            shown += 1
            view = bib_view(result.record, result.flavour).as_dict()
            view.update(flavour=result.flavour, encoding=result.encoding, format=result.format,
                        record_number=result.number, warnings=result.warnings)
            if as_json:
                sys.stdout.write(json.dumps(view, ensure_ascii=False, default=str) + "\n")
            else:
                _print_view(view)
    raise typer.Exit(1 if errors else 0)


def _print_view(view: dict) -> None:
    out_console().rule(f"record {view['record_number']} · {view['flavour']} · {view['encoding']}")
    for key in ("control_number", "title", "remainder_of_title", "responsibility", "authors",
                "edition", "place", "publisher", "year", "extent", "isbn", "isbn_invalid",
                "languages", "udc", "bbk", "subjects", "price", "host"):
        value = view.get(key)
        if value in (None, [], ""):
            continue
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        out_console().print(f"[bold]{key}[/]: {value}", highlight=False)
    for warning in view.get("warnings") or []:
        out_console().print(f"[yellow]warning[/]: {warning}", highlight=False)


@app.command("convert")
def convert_command(
    source: Annotated[Path, typer.Argument(help="Input MARC file (format detected).")],
    target: Annotated[Path, typer.Argument(help="Output file to write.")],
    to: Annotated[Format, typer.Option("--to", help="Output format.")],
    flavour: Annotated[Flavour | None, typer.Option(
        "--flavour", help="Output flavour (default: each record keeps its own).")] = None,
    encoding: Annotated[OutEncoding | None, typer.Option(
        "--encoding", help="ISO 2709 output encoding (default: each record's source encoding; "
        "MARCXML and JSON are always UTF-8).")] = None,
    format: FormatOpt = None,
    from_flavour: FromFlavourOpt = None,
    from_encoding: FromEncodingOpt = None,
) -> None:
    """Convert a MARC file to another format, flavour or encoding, with a closing summary."""
    from marc.errors import MarcError
    from marc.writer import writer_for

    _check_input(source)
    if target.resolve() == source.resolve():
        _fail_usage("the output file must differ from the input file")
    if encoding is not None and to is not Format.iso2709 and encoding is not OutEncoding.utf8:
        _fail_usage(f"--encoding {encoding.value} applies to ISO 2709 only; {to.value} is UTF-8")
    if encoding is OutEncoding.marc8 and flavour is Flavour.unimarc:
        _fail_usage("MARC-8 is a MARC21 encoding; choose utf-8 or cp1251 for UNIMARC")
    written = errors = 0
    uncovered: Counter[str] = Counter()
    problems: list[str] = []
    replaced: list[str] = []
    with _progress_reader(source, show=True) as stream, open(target, "wb") as out, \
            writer_for(to.value, out) as writer:
        for result in _read(stream, format, from_flavour, from_encoding):
            if isinstance(result, RecordError):
                errors += 1
                problems.append(result.describe())
                continue
            try:
                note = _write_one(writer, result, to, flavour, encoding, uncovered)
            except MarcError as err:
                errors += 1
                problems.append(f"record {result.number} at byte {result.offset}: {err}")
                continue
            if note:
                replaced.append(note)
            written += 1
    _print_convert_summary(source, target, to, written, errors, problems, uncovered, replaced)
    raise typer.Exit(1 if errors else 0)


def _write_one(writer, result: ReadRecord, to: Format, flavour: Flavour | None,
               encoding: OutEncoding | None, uncovered: Counter[str]) -> str | None:
    """Write one record in the output flavour and encoding, declared in its coded data.

    Characters a narrow code page lacks are replaced (marc.fitting); returns the note saying
    which, or None.
    """
    from marc.crosswalk import convert as crosswalk_convert
    from marc.fitting import fit_record, needs_fitting
    from marc.writer import mark_encoding

    record = result.record
    out_flavour = flavour.value if flavour else result.flavour
    if out_flavour != result.flavour:
        conversion = crosswalk_convert(record, result.flavour, out_flavour)
        record = conversion.record
        uncovered.update(conversion.uncovered)
    out_encoding = "utf-8"
    if to is Format.iso2709:
        out_encoding = encoding.value if encoding else result.encoding
    mark_encoding(record, out_flavour, out_encoding)
    note = None
    if needs_fitting(out_encoding):
        record, replaced = fit_record(record, out_encoding)
        if replaced:
            from collection.catalogue.exporting import replacement_note

            note = replacement_note(result.number, out_encoding, replaced)
    writer.write(record, out_encoding)
    return note


def _print_convert_summary(source: Path, target: Path, to: Format, written: int, errors: int,
                           problems: list[str], uncovered: Counter[str],
                           replaced: list[str]) -> None:
    err_console().print(f"{source} → {target} ({to.value}): {written} records written, "
                      f"{errors} not written", highlight=False)
    for problem in problems[:50]:
        err_console().print(f"  [red]error[/] {problem}", highlight=False)
    if len(problems) > 50:
        err_console().print(f"  … and {len(problems) - 50} more")
    for note in replaced[:50]:
        err_console().print(f"  [yellow]replaced[/] {note}", highlight=False)
    if len(replaced) > 50:
        err_console().print(f"  … and {len(replaced) - 50} more records with replacements")
    if uncovered:
        from marc.crosswalk import uncovered_summary

        err_console().print(f"  {uncovered_summary(uncovered)}", highlight=False)


@app.command()
def sample(
    target: Annotated[Path, typer.Argument(help="File to write the generated records to.")],
    count: Annotated[int, typer.Option("--count", min=1, help="How many records.")] = 100,
    flavour: Annotated[Flavour, typer.Option("--flavour", help="Flavour of the records.")] = Flavour.unimarc,
    to: Annotated[Format, typer.Option("--to", help="Output format.")] = Format.iso2709,
    encoding: Annotated[OutEncoding, typer.Option(
        "--encoding", help="ISO 2709 encoding (MARCXML and JSON are UTF-8).")] = OutEncoding.utf8,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same records.")] = 1,
) -> None:
    """Write generated Ukrainian book records with holdings (for demos and trying komplekt out)."""
    from marc.samples import sample_records
    from marc.writer import mark_encoding, writer_for

    if encoding is not OutEncoding.utf8 and to is not Format.iso2709:
        _fail_usage(f"--encoding {encoding.value} applies to ISO 2709 only")
    if encoding is OutEncoding.marc8 and flavour is Flavour.unimarc:
        _fail_usage("MARC-8 is a MARC21 encoding; choose utf-8 or cp1251 for UNIMARC")
    with open(target, "wb") as out, writer_for(to.value, out) as writer:
        for record in sample_records(count, flavour=flavour.value, seed=seed):
            mark_encoding(record, flavour.value, encoding.value)
            writer.write(record, encoding.value)
    err_console().print(f"{target}: {count} {flavour.value} records written ({to.value}, "
                      f"{encoding.value})", highlight=False)
