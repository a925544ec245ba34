"""`komplekt serve`: migrate the database, optionally fill it with demo data, run the web app."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from sqlalchemy.exc import OperationalError

from api.app import create_app
from api.cli.common import fail, load_settings
from api.demo import DEMO_NOTE, ensure_demo_data
from collection.db import make_engine, make_session_factory
from collection.migrate import upgrade


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="use ./komplekt-demo.db with demo users and libraries")
    ] = False,
) -> None:
    """Run the web application (pages and REST API); migrations are applied first."""
    settings = load_settings(demo=demo)
    try:
        upgrade(settings.database_url)
    except OperationalError as error:
        raise fail(f"cannot open the database: {error.orig}") from error
    if demo:
        engine = make_engine(settings.database_url)
        try:
            logins = ensure_demo_data(make_session_factory(engine))
        finally:
            engine.dispose()
        typer.echo(DEMO_NOTE.format(url=f"http://{host}:{port}/"))
        for login in logins:
            typer.echo(f"  {login.username:<16} {login.password:<14} {login.role:<14} {login.note}")
    app = create_app(settings)
    # proxy_headers: behind a TLS proxy the request scheme becomes https (Secure cookies).
    uvicorn.run(app, host=host, port=port, proxy_headers=True, log_level="info")
