"""`komplekt programme to-fund`: the regional library's own share into its fund, by receipt."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from api.cli.common import cli_actor, database_session, fail, load_settings
from collection.errors import CollectionError
from distribution.programmes.own_fund import fund_share, take_into_fund
from distribution.programmes.titles import programme_titles


def to_fund(
    programme: Annotated[int, typer.Argument(help="Programme id.")],
    take: Annotated[
        list[str] | None,
        typer.Option("--take", help="ISBN=COPIES to take (repeatable); default: everything left over."),
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="Receipt date, YYYY-MM-DD (default today).")
    ] = None,
    location: Annotated[str, typer.Option("--location", help="Where the copies are shelved.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as REST answers it.")] = False,
) -> None:
    """Put copies left after allocation into the own fund with one receipt (КСО part 1)."""
    try:
        receipt_date = date.fromisoformat(day) if day else date.today()
    except ValueError:
        raise fail("--date: use YYYY-MM-DD") from None
    with database_session(load_settings()) as session:
        try:
            quantities = None
            if take:
                by_isbn = {t.isbn: t.id for t in programme_titles(session, programme) if t.isbn}
                quantities = {}
                for item in take:
                    isbn, _, copies = item.partition("=")
                    if isbn.replace("-", "") not in by_isbn or not copies.isdigit():
                        raise fail(f"--take {item}: expected ISBN=COPIES with an ISBN of the programme")
                    quantities[by_isbn[isbn.replace("-", "")]] = int(copies)
            left = sum(fund_share(session, programme).values())
            receipt = take_into_fund(
                session, actor=cli_actor(), programme_id=programme, receipt_date=receipt_date,
                quantities=quantities, location=location,
            )  # fmt: skip
        except CollectionError as error:
            raise fail(f"{error} {error.errors or ''}".strip()) from error
        if as_json:
            from api.presenters.own_fund import taken_into_fund_out  # REST's answer to the same step

            typer.echo(taken_into_fund_out(receipt).model_dump_json())
            return
        typer.echo(
            f"receipt {receipt.number}: {len(receipt.copies)} copies into the fund ({left} were left over)"
        )
