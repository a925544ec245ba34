"""`komplekt programme ...`: a replenishment programme from title list to parcels and report."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from api.cli.common import EXIT_USAGE, cli_actor, database_session, fail, load_settings
from collection.errors import CollectionError
from distribution.allocation.adjustments import resolve_adjustments
from distribution.allocation.services import adjust_allocation, allocate_programme, allocation_rows
from distribution.exchange.offer_files import parse_offer_file
from distribution.exchange.offers import FILE_SOURCES, load_offers
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import ORDER_COLUMNS, load_orders
from distribution.programmes.report import programme_report, write_report
from distribution.programmes.services import LoadResult, create_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles
from distribution.shipping.packing import pack_programme
from distribution.shipping.rules import CarrierLimits
from distribution.spreadsheets import (
    ROW_FIELD,
    Column,
    RowError,
    Table,
    read_table,
    table_format,
    write_error_report,
)
from distribution.vocabulary import PROGRAMME_KINDS, SURPLUS_DESTINATIONS

app = typer.Typer(help="Replenishment programmes: titles, orders, deliveries, allocation, packing.",
                  no_args_is_help=True)  # fmt: skip

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON summary.")]
ErrorsOpt = Annotated[
    Path | None,
    typer.Option("--errors", help="Write the error report here (.csv or .xlsx) when rows are refused."),
]
FileArg = Annotated[Path, typer.Argument(help="csv or xlsx (English or Ukrainian headers).")]
IdArg = Annotated[int, typer.Argument(help="Programme id.")]
MAX_ERRORS_SHOWN = 50


# Choices built from the domain's tuples, never restated.
Kind = StrEnum("Kind", {kind: kind for kind in PROGRAMME_KINDS})  # type: ignore[misc]


class ReportFormat(StrEnum):
    json = "json"
    xlsx = "xlsx"
    csv = "csv"


Surplus = StrEnum("Surplus", {where: where for where in SURPLUS_DESTINATIONS})  # type: ignore[misc]


def print_problems(errors: list[RowError], describe: Callable[[RowError], str] = str) -> None:
    """Print the refused rows' problems, the first MAX_ERRORS_SHOWN of them, to stderr."""
    for error in errors[:MAX_ERRORS_SHOWN]:
        typer.echo(describe(error), err=True)
    if len(errors) > MAX_ERRORS_SHOWN:
        typer.echo(f"... and {len(errors) - MAX_ERRORS_SHOWN} more", err=True)


def finish_load(result: LoadResult, errors_file: Path | None, as_json: bool) -> None:
    """Print the summary (or the refused rows) and exit 1 when the file had errors."""
    if result.errors and errors_file is not None:
        with errors_file.open("wb") as stream:
            write_error_report(stream, result.errors, table_format(errors_file.name))
    if as_json:
        from api.presenters.programmes import load_json  # the summary REST answers with

        typer.echo(json.dumps(load_json(result).model_dump(mode="json"), ensure_ascii=False))
    elif result.ok:
        typer.echo(
            f"{result.file}: {result.rows} rows; created {result.created}, "
            f"updated {result.updated}, unchanged {result.unchanged}"
        )
    if result.errors:
        print_problems(result.errors)
        raise fail(f"{result.file}: {len(result.errors)} errors; nothing was loaded")


def open_table(file: Path) -> BinaryIO:
    """The csv/xlsx file opened for reading; a missing file or another format is a usage error."""
    if not file.is_file():
        raise fail(f"file not found: {file}", EXIT_USAGE)
    try:
        table_format(file.name)
    except ValueError as error:
        raise fail(str(error), EXIT_USAGE) from error
    return file.open("rb")


def read_table_file(file: Path, columns: Sequence[Column]) -> Table:
    """The csv/xlsx file's rows (and row errors); a file the reader cannot open exits 1."""
    with open_table(file) as stream:
        try:
            return read_table(stream, file.name, columns)
        except Exception as error:  # noqa: BLE001 - a file the reader cannot open is bad input
            raise fail(f"{file.name}: cannot read the file: {error}") from error


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Programme name.")],
    year: Annotated[int, typer.Option("--year", help="Programme year.")],
    kind: Annotated[Kind, typer.Option("--kind", help="state, exchange or gift.")] = Kind.state,
    as_json: JsonOpt = False,
) -> None:
    """Create a programme and print its id."""
    with database_session(load_settings()) as session:
        try:
            programme = create_programme(session, actor=cli_actor(), name=name, year=year, kind=kind.value)
        except CollectionError as error:
            raise fail(f"{error}: {error.errors}") from error
        typer.echo(
            json.dumps({"id": programme.id, "name": programme.name}, ensure_ascii=False)
            if as_json
            else str(programme.id)
        )


@app.command("load-titles")
def load_titles_command(
    programme: IdArg, file: FileArg, errors: ErrorsOpt = None, as_json: JsonOpt = False
) -> None:
    """Load the title list (isbn,title,author,publisher,year,price); editions matched or created."""
    with database_session(load_settings()) as session, open_table(file) as stream:
        try:
            titles = parse_title_file(stream, file.name)
            result = load_titles(session, actor=cli_actor(), programme_id=programme, titles=titles)
        except CollectionError as error:
            raise fail(str(error)) from error
    finish_load(result, errors, as_json)


@app.command("load-orders")
def load_orders_command(
    programme: IdArg, file: FileArg, errors: ErrorsOpt = None, as_json: JsonOpt = False
) -> None:
    """Load the libraries' orders (library_code,isbn,quantity); idempotent, all or nothing."""
    with database_session(load_settings()) as session, open_table(file) as stream:
        try:
            orders = parse_order_file(stream, file.name)
            result = load_orders(session, actor=cli_actor(), programme_id=programme, orders=orders)
        except CollectionError as error:
            raise fail(str(error)) from error
    finish_load(result, errors, as_json)


OfferSource = StrEnum("OfferSource", {source: source for source in FILE_SOURCES})  # type: ignore[misc]


@app.command("load-offers")
def load_offers_command(
    programme: IdArg,
    file: FileArg,
    source: Annotated[
        OfferSource, typer.Option("--source", help="file (a list of duplicates) or gift.")
    ] = OfferSource.file,
    errors: ErrorsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load an exchange round's offer list (isbn,title,author,publisher,year,price,quantity)."""
    with database_session(load_settings()) as session, open_table(file) as stream:
        try:
            offers = parse_offer_file(stream, file.name)
            result = load_offers(session, actor=cli_actor(), programme_id=programme, offers=offers,
                                 source=source.value)  # fmt: skip
        except CollectionError as error:
            raise fail(str(error)) from error
    finish_load(result, errors, as_json)


@app.command("receive")
def receive(
    programme: IdArg,
    file: FileArg,
    number: Annotated[
        str | None, typer.Option("--number", help="Document number (default: file name).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Delivery date YYYY-MM-DD (default: today).")
    ] = None,
    supplier: Annotated[str, typer.Option("--supplier", help="Supplier (publisher).")] = "",
    errors: ErrorsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a supplier's delivery (isbn,received,damaged); partial deliveries are normal."""
    try:
        delivered_on = date.fromisoformat(on) if on else None
    except ValueError as error:
        raise fail(f"--date: {error}", EXIT_USAGE) from error
    with database_session(load_settings()) as session, open_table(file) as stream:
        try:
            result = receive_delivery(
                session,
                actor=cli_actor(),
                programme_id=programme,
                lines=parse_delivery_file(stream, file.name),
                number=number,
                delivered_on=delivered_on,
                supplier=supplier,
            )
        except CollectionError as error:
            raise fail(str(error)) from error
    finish_load(result, errors, as_json)


@app.command("allocate")
def allocate(
    programme: IdArg,
    surplus: Annotated[
        Surplus | None, typer.Option("--surplus", help="Where surplus copies go (default: left undecided).")
    ] = None,
    priority: Annotated[
        list[str] | None,
        typer.Option(
            "--priority", help="Library status served first when short (repeatable), e.g. relocated."
        ),
    ] = None,
    held: Annotated[
        list[str] | None,
        typer.Option("--hold", help="Library status that gets nothing now (repeatable), e.g. occupied."),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Discard hand adjustments (copies already sent always stay).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Allocate what was received over the orders (largest remainder) and store the plan.

    Hand adjustments are kept unless --reset; copies packed or sent are always kept."""
    with database_session(load_settings()) as session:
        try:
            plan = allocate_programme(
                session,
                actor=cli_actor(),
                programme_id=programme,
                surplus_destination=surplus.value if surplus else None,
                priority_statuses=priority or (),
                held_statuses=held or (),
                reset=reset,
            )
            rows = allocation_rows(session, programme)
        except CollectionError as error:
            raise fail(str(error)) from error
    if as_json:
        from api.presenters.programmes import AllocationRowOut  # the rows REST lists

        typer.echo(json.dumps([AllocationRowOut(**row).model_dump() for row in rows], ensure_ascii=False))
        return
    ordered = sum(r["ordered"] for r in rows)
    allocated = sum(r["allocated"] for r in rows)
    typer.echo(
        f"allocated {allocated} of {ordered} ordered copies to "
        f"{len({r['library_code'] for r in rows if r['allocated']})} libraries"
    )
    if plan.surplus:
        where = plan.surplus_destination or "undecided (use --surplus)"
        typer.echo(f"surplus {sum(plan.surplus.values())} copies: {where}")


@app.command("pack")
def pack(
    programme: IdArg,
    max_weight: Annotated[float, typer.Option("--max-weight", help="Parcel weight limit, kg.")] = 30.0,
    max_copies: Annotated[int, typer.Option("--max-copies", help="Copies per parcel.")] = 100,
    packaging_weight: Annotated[
        float, typer.Option("--packaging-weight", help="Box and filler per parcel, kg.")
    ] = 0.3,
    as_json: JsonOpt = False,
) -> None:
    """Plan parcels per library from the stored allocation (replacing planned parcels)."""
    from decimal import Decimal

    try:  # the bounds are the domain's, the same as on the page and in REST
        limits = CarrierLimits(
            max_weight=Decimal(str(max_weight)), max_copies=max_copies,
            packaging_weight=Decimal(str(packaging_weight)),
        )  # fmt: skip
    except CollectionError as error:
        raise fail(str(error)) from error
    with database_session(load_settings()) as session:
        try:
            parcels = pack_programme(session, actor=cli_actor(), programme_id=programme, limits=limits)
        except CollectionError as error:
            raise fail(str(error)) from error
        summary = [
            {
                "library_code": code,
                "parcels": len(items),
                "copies": sum(p.copies for p in items),
                "weight": str(sum((p.weight for p in items), Decimal(0))),
            }
            for code, items in parcels.items()
        ]
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        typer.echo(f"{sum(s['parcels'] for s in summary)} parcels for {len(summary)} libraries")


@app.command("report")
def report(
    programme: IdArg,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="json, xlsx or csv.")] = ReportFormat.json,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (xlsx needs it).")
    ] = None,
) -> None:
    """Per-title and per-library totals: ordered, received, allocated, packed, dispatched, confirmed."""
    if fmt is ReportFormat.xlsx and output is None:
        raise fail("--format xlsx needs --output FILE", EXIT_USAGE)
    with database_session(load_settings()) as session:
        try:
            data = programme_report(session, programme)
        except CollectionError as error:
            raise fail(str(error)) from error
    if fmt is ReportFormat.json:
        from api.presenters.programme_report import report_out  # the report REST answers with

        text = json.dumps(report_out(data).model_dump(mode="json"), ensure_ascii=False, indent=1)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            typer.echo(text)
        return
    if output:
        with output.open("wb") as stream:
            write_report(data, stream, fmt.value)
    else:
        write_report(data, sys.stdout.buffer, fmt.value)


# How the single-change form of `adjust` names each column in its messages.
OPTION_OF = {"library_code": "--library", "isbn": "--isbn", "title_id": "--title-id",
             "quantity": "--quantity"}  # fmt: skip


def _refuse(errors: list[RowError], describe: Callable[[RowError], str]) -> typer.Exit:
    """Print every problem (up to MAX_ERRORS_SHOWN) and return the input-error exit."""
    print_problems(errors, describe)
    return fail(f"{len(errors)} errors; nothing was changed")


@app.command("adjust")
def adjust(
    programme: IdArg,
    library: Annotated[str | None, typer.Option("--library", help="Library code.")] = None,
    isbn: Annotated[str | None, typer.Option("--isbn", help="The title's ISBN.")] = None,
    title_id: Annotated[int | None, typer.Option("--title-id", help="The programme title's id.")] = None,
    quantity: Annotated[
        int | None, typer.Option("--quantity", min=0, help="Copies the library gets (0 takes all away).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Many changes at once: csv/xlsx with library_code, isbn (or title_id), "
                                    "quantity."),
    ] = None,
    allow_over_order: Annotated[
        bool, typer.Option("--allow-over-order", help="Let a library get more than it ordered.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Set allocated copies by hand: never more than received, nor than ordered unless allowed."""
    single = (library, isbn, title_id, quantity)
    if file is not None and any(value is not None for value in single):
        raise fail("give either --file or --library/--isbn/--title-id/--quantity, not both", EXIT_USAGE)
    if file is None and (library is None or quantity is None or (isbn is None) == (title_id is None)):
        raise fail("give --library, --quantity and one of --isbn or --title-id (or --file)", EXIT_USAGE)
    if file is not None:
        table = read_table_file(file, ORDER_COLUMNS)
        if table.errors:
            raise _refuse(table.errors, str)
        if not table.rows:
            raise fail(f"{file.name}: no changes in the file")
        rows, describe = table.rows, str
    else:
        rows = [{ROW_FIELD: 1, "library_code": library, "isbn": isbn, "title_id": title_id,
                 "quantity": quantity}]  # fmt: skip

        def describe(error: RowError) -> str:
            return f"{OPTION_OF.get(error.column, error.column)}: {error.message()}"

    with database_session(load_settings()) as session:
        try:
            changes, errors = resolve_adjustments(session, programme, rows)
            if errors:
                raise _refuse(errors, describe)
            adjust_allocation(session, actor=cli_actor(), programme_id=programme, changes=changes,
                              allow_over_order=allow_over_order)  # fmt: skip
            changed = [r for r in allocation_rows(session, programme)
                       if (r["library_code"], r["title_id"]) in changes]  # fmt: skip
        except CollectionError as error:
            raise fail(str(error)) from error
    if as_json:
        from api.presenters.programmes import AllocationRowOut  # the rows REST's adjustment answers with

        typer.echo(json.dumps([AllocationRowOut(**row).model_dump() for row in changed], ensure_ascii=False))
        return
    for row in changed:
        typer.echo(f"{row['library_code']} {row['isbn'] or row['title_id']}: "
                   f"allocated {row['allocated']} (ordered {row['ordered']})")  # fmt: skip
