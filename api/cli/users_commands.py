"""`komplekt users ...`: create, list, reset passwords of and disable accounts."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated

import typer

from api.auth import services
from api.auth.models import ROLES
from api.cli.common import cli_actor, database_session, fail, load_settings
from collection.errors import CollectionError

app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)

Role = Enum("Role", {role: role for role in ROLES}, type=str)  # type: ignore[misc]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _explain(error: CollectionError) -> typer.Exit:
    details = "; ".join(f"{field}: {message}" for field, message in error.errors.items())
    return fail(details or str(error))


@app.command("create")
def create(
    username: str,
    role: Annotated[Role, typer.Option(help="the user's role")],
    library: Annotated[str, typer.Option(help="library code (role 'library' only)")] = "",
    full_name: Annotated[str, typer.Option(help="the person's full name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create USERNAME with a role (a library user also needs --library CODE)."""
    settings = load_settings()
    password = _password(password_stdin)
    with database_session(settings) as session:
        try:
            user = services.create_user(
                session, actor=cli_actor(), username=username, password=password,
                role=role.value, full_name=full_name, library_code=library or None,
            )  # fmt: skip
        except CollectionError as error:
            raise _explain(error) from error
        typer.echo(f"created {user.username} ({user.role})")


@app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """List every account."""
    from api.presenters.libraries import user_out  # the fields REST shows for /auth/me, and ``active``

    with database_session(load_settings()) as session:
        rows = [user_out(user).model_dump() for user in services.list_users(session)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = "" if row["active"] else "  [disabled]"
        library = f"  {row['library']}" if row["library"] else ""
        typer.echo(f"{row['username']:<24} {row['role']:<14}{library}{state}")


@app.command("set-password")
def set_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Give USERNAME a new password."""
    settings = load_settings()
    password = _password(password_stdin)
    with database_session(settings) as session:
        try:
            user = services.get_user(session, username)
            services.set_password(session, user, actor=cli_actor(), password=password)
        except CollectionError as error:
            raise _explain(error) from error
    typer.echo(f"password of {username} changed")


@app.command("disable")
def disable(username: str) -> None:
    """Disable USERNAME: it can no longer log in, its sessions and tokens stop working."""
    with database_session(load_settings()) as session:
        try:
            user = services.get_user(session, username)
            services.set_active(session, user, actor=cli_actor(), active=False)
        except CollectionError as error:
            raise _explain(error) from error
    typer.echo(f"{username} disabled")
