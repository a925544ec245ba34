"""`komplekt shipment ...` and `komplekt programme shipments`: dispatch and acceptance by number.

Shipments are named by their number ("3-0001"), as on the packing list and the transfer act.
Every step calls the ``distribution`` service the REST API calls; a refused step prints each
problem (naming the option or the file's row) and changes nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from api.cli.common import EXIT_USAGE, cli_actor, database_session, fail, load_settings
from api.cli.programme_commands import print_problems, read_table_file
from collection.errors import CollectionError
from distribution.programmes.services import get_programme
from distribution.shipping import acceptance as shipping_acceptance
from distribution.shipping import dispatch
from distribution.shipping import queries as shipping_queries
from distribution.shipping.bulk_dispatch import (
    DISPATCH_COLUMNS,
    BulkDispatchRefused,
    dispatch_shipments,
    items_from_table,
    shipment_by_number,
    title_ids_by_isbn,
)
from distribution.shipping.models import CARRIERS, SHIPMENT_STATES, Shipment
from distribution.shipping.recipient_marc import export_recipient_marc, shipment_lines
from distribution.spreadsheets import RowError

app = typer.Typer(help="Shipments: pack, dispatch (one or a whole list), deliver, confirm, MARC.",
                  no_args_is_help=True)  # fmt: skip

NumberArg = Annotated[str, typer.Argument(help='Shipment number, e.g. "3-0001".')]
DateOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the shipment as JSON.")]
Pairs = list[str] | None  # repeatable ISBN=QTY options
MAX_ERRORS_SHOWN = 50


State = StrEnum("State", {state: state for state in SHIPMENT_STATES})  # type: ignore[misc]
Carrier = StrEnum("Carrier", {code: code for code in CARRIERS})  # type: ignore[misc]


class MarcFormat(StrEnum):
    iso2709 = "iso2709"
    marcxml = "marcxml"


# --- helpers ------------------------------------------------------------------------------------


def _date(value: str | None, option: str = "--date") -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise fail(f"{option}: {error}", EXIT_USAGE) from error


def _text(message: str, params: dict[str, object]) -> str:
    try:
        return message.format(**params)
    except (KeyError, IndexError):
        return message


def refused(error: CollectionError, name: Callable[[str], str] = str) -> typer.Exit:
    """Print the error's per-field problems (``name`` says how a field is called here) and exit 1."""
    for field, message in list(error.errors.items())[:MAX_ERRORS_SHOWN]:
        typer.echo(f"{name(field)}: {_text(message, error.params)}", err=True)
    return fail(f"{error}; nothing was changed" if error.errors else str(error))


def _take_step(
    number: str,
    as_json: bool,
    step: Callable[..., Shipment],
    *,
    option_of: Callable[[str], str] = str,
    **options: object,
) -> None:
    """Take ``step`` (a ``dispatch`` service) on the shipment with this number and print it; a
    refused step prints its problems (fields named by ``option_of``) and exits 1."""
    with database_session(load_settings()) as session:
        try:
            shipment = shipment_by_number(session, number)
            shipment = step(session, actor=cli_actor(), shipment_id=shipment.id, **options)
        except CollectionError as error:
            raise refused(error, option_of) from error
        _print(shipment, as_json, session)


def _print(shipment: Shipment, as_json: bool, session: Session) -> None:
    from api.presenters.shipments import shipment_detail_out  # the REST API renders it the same way

    if as_json:
        detail = shipment_detail_out(session, shipment).model_dump(mode="json")
        typer.echo(json.dumps(detail, ensure_ascii=False))
        return
    parts = [f"{shipment.number}: {shipment.state}"]
    if shipment.carrier:
        parts.append(f"by {shipment.carrier}" + (f", tracking {shipment.tracking_number}"
                                                  if shipment.tracking_number else ""))  # fmt: skip
    if shipment.acceptance_number:
        parts.append(f"act {shipment.acceptance_number}")
    typer.echo("; ".join(parts))


# --- listing ------------------------------------------------------------------------------------


def list_programme_shipments(
    programme: Annotated[int, typer.Argument(help="Programme id.")],
    state: Annotated[State | None, typer.Option("--state", help="Only shipments in this state.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A programme's shipments, newest first: number, library, state, copies, carrier, tracking."""
    from api.presenters.shipments import shipments_out

    with database_session(load_settings()) as session:
        try:
            get_programme(session, programme)
        except CollectionError as error:
            raise fail(str(error)) from error
        found = shipping_queries.list_shipments(
            session, programme_id=programme, states=None if state is None else [state.value]
        )
        rows = [s.model_dump(mode="json") for s in shipments_out(session, found)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo("\t".join(str(v) for v in (
            row["number"], row["library_code"], row["state"], row["copies"], row["carrier"] or "-",
            row["tracking_number"] or "-")))  # fmt: skip
    typer.echo(f"{len(rows)} shipments", err=True)


@app.command("show")
def show(number: NumberArg, as_json: JsonOpt = False) -> None:
    """One shipment: state, carrier, tracking number (with --json: lines, parcels, discrepancies)."""
    with database_session(load_settings()) as session:
        try:
            shipment = shipment_by_number(session, number)
        except CollectionError as error:
            raise fail(str(error)) from error
        _print(shipment, as_json, session)


# --- steps --------------------------------------------------------------------------------------


@app.command("pack")
def pack(number: NumberArg, as_json: JsonOpt = False) -> None:
    """Planned → packed: the parcels are physically packed."""
    _take_step(number, as_json, dispatch.mark_packed)


@app.command("unpack")
def unpack(number: NumberArg, as_json: JsonOpt = False) -> None:
    """Packed → planned, while it has not left."""
    _take_step(number, as_json, dispatch.unpack)


DISPATCH_OPTION = {"carrier": "--carrier", "tracking_number": "--tracking"}


@app.command("dispatch")
def dispatch_command(
    number: NumberArg,
    carrier: Annotated[Carrier, typer.Option("--carrier", help="Carrier.")],
    tracking: Annotated[str, typer.Option("--tracking", help="Tracking number (ТТН); not for own.")] = "",
    on: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Packed (or planned) → dispatched with carrier and tracking number; the documents freeze."""
    dispatched_on = _date(on)
    _take_step(
        number,
        as_json,
        dispatch.dispatch_shipment,
        option_of=lambda field: DISPATCH_OPTION.get(field, field),
        carrier=carrier.value,
        tracking_number=tracking,
        dispatched_on=dispatched_on,
    )


def _refuse_rows(errors: list[RowError]) -> typer.Exit:
    print_problems(errors)
    return fail(f"{len(errors)} errors; nothing was dispatched")


@app.command("dispatch-file")
def dispatch_file(
    programme: Annotated[int, typer.Argument(help="Programme id.")],
    file: Annotated[
        Path, typer.Argument(help="csv or xlsx: shipment_number, carrier, tracking_number[, date].")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the dispatched shipments as JSON.")] = False,
) -> None:
    """Dispatch every shipment the file lists, or none: each bad row is named."""
    from api.presenters.shipments import shipments_out

    table = read_table_file(file, DISPATCH_COLUMNS)
    if table.errors:
        raise _refuse_rows(table.errors)
    if not table.rows:
        raise fail(f"{file.name}: no shipments in the file")
    with database_session(load_settings()) as session:
        try:
            shipments = dispatch_shipments(
                session, actor=cli_actor(), programme_id=programme, items=items_from_table(table)
            )
        except BulkDispatchRefused as error:
            raise _refuse_rows(error.problems) from error
        except CollectionError as error:
            raise fail(str(error)) from error
        rows = [s.model_dump(mode="json") for s in shipments_out(session, shipments)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['number']} {row['library_code']}: dispatched by {row['carrier']}"
                   + (f", tracking {row['tracking_number']}" if row["tracking_number"] else ""))  # fmt: skip
    typer.echo(f"{len(rows)} shipments dispatched", err=True)


@app.command("deliver")
def deliver(number: NumberArg, on: DateOpt = None, as_json: JsonOpt = False) -> None:
    """Dispatched → delivered: the carrier handed it over."""
    delivered_on = _date(on)
    _take_step(number, as_json, dispatch.mark_delivered, delivered_on=delivered_on)


def _pairs(values: list[str] | None, option: str) -> list[tuple[str, str, int]]:
    """``ISBN=QTY`` values as (option text, isbn, quantity); a malformed one is a usage error."""
    pairs = []
    for value in values or []:
        isbn, sep, quantity = value.partition("=")
        if not sep or not isbn.strip() or not quantity.strip().lstrip("-").isdigit():
            raise fail(f"{option} {value}: give ISBN=QUANTITY, e.g. 9786170000116=2", EXIT_USAGE)
        pairs.append((f"{option} {value}", isbn.strip(), int(quantity)))
    return pairs


@app.command("confirm")
def confirm(
    number: NumberArg,
    on: DateOpt = None,
    shortage: Annotated[Pairs, typer.Option("--shortage", help="Copies missing: ISBN=QTY.")] = None,
    damaged: Annotated[Pairs, typer.Option("--damaged", help="Copies damaged: ISBN=QTY.")] = None,
    surplus: Annotated[Pairs, typer.Option("--surplus", help="Copies beyond the list: ISBN=QTY.")] = None,
    wrong_title: Annotated[
        Pairs, typer.Option("--wrong-title", help="Copies of another title instead: ISBN=QTY.")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note for every discrepancy given.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """The library's acceptance: confirmed, or discrepancy with what was wrong per title."""
    accepted_on = _date(on)
    given = [
        (kind, *pair)
        for kind, values, option in (("shortage", shortage, "--shortage"), ("damaged", damaged, "--damaged"),
                                     ("surplus", surplus, "--surplus"),
                                     ("wrong_title", wrong_title, "--wrong-title"))
        for pair in _pairs(values, option)
    ]  # fmt: skip
    with database_session(load_settings()) as session:
        try:
            shipment = shipment_by_number(session, number)
        except CollectionError as error:
            raise fail(str(error)) from error
        titles = title_ids_by_isbn(session, shipment.programme_id, [isbn for _, _, isbn, _ in given])
        unknown = [option for _, option, isbn, _ in given if isbn not in titles]
        if unknown:
            for option in unknown:
                typer.echo(f"{option}: no such title in the programme", err=True)
            raise fail(f"{len(unknown)} errors; nothing was changed")
        items = [
            shipping_acceptance.Discrepancy(titles[isbn], kind, quantity, note)
            for kind, _, isbn, quantity in given
        ]

        def name(field: str) -> str:  # "discrepancy.2.quantity" -> the option that gave it
            parts = field.split(".")
            if parts[0] == "discrepancy" and len(parts) == 3 and parts[1].isdigit():
                return given[int(parts[1]) - 1][1]
            return field

        try:
            shipment = shipping_acceptance.accept_shipment(
                session, actor=cli_actor(), shipment_id=shipment.id, accepted_on=accepted_on,
                discrepancies=items,
            )  # fmt: skip
        except CollectionError as error:
            raise refused(error, name) from error
        _print(shipment, as_json, session)


@app.command("marc")
def marc(
    number: NumberArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[MarcFormat, typer.Option("--format", help="iso2709 or marcxml.")] = MarcFormat.iso2709,
    flavour: Annotated[
        str | None, typer.Option("--flavour", help="marc21 or unimarc (default: the library's).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="utf-8, marc-8 or cp1251 (default: the library's).")
    ] = None,
) -> None:
    """The shipment's MARC records with holdings for the receiving library."""
    buffer = io.BytesIO()  # the file is written only when every record could be made
    settings = load_settings()
    with database_session(settings) as session:
        try:
            shipment = shipment_by_number(session, number)
            library = shipping_queries.library_of(session, shipment)
            count = export_recipient_marc(
                session, buffer, library=library, lines=shipment_lines(session, shipment.id),
                fmt=fmt.value, flavour=flavour, encoding=encoding, agency=settings.marc_agency,
            )  # fmt: skip
        except CollectionError as error:
            raise refused(error) from error
        code = library.code
    output.write_bytes(buffer.getvalue())
    typer.echo(f"{output}: {count} records for {code}")
