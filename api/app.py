"""``create_app(settings)``: the whole web application, REST API and pages, built from settings."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.access import FUND_READ, LIBRARY_SIDE_READ, PROGRAMME_READ
from api.auth.csrf import verify_csrf
from api.auth.ratelimit import LoginRateLimiter
from api.auth.sessions import SessionMiddleware
from api.errors import install_error_handlers
from api.import_runner import ImportRunner
from api.pages import (
    account,
    audit_pages,
    auth_pages,
    home,
    library_pages,
    programme_own_fund,
    shipment_detail,
    shipment_pages,
    shipment_receipt,
    user_pages,
)
from api.pages import catalogue as catalogue_pages
from api.pages import document_pages as document_page_routes
from api.pages import exchange as exchange_pages
from api.pages import fund as fund_pages
from api.pages import imports as import_pages
from api.pages import programmes as programme_pages
from api.routes import audit, auth, health, libraries
from api.routes import catalogue as catalogue_routes
from api.routes import documents as document_routes
from api.routes import exchange as exchange_routes
from api.routes import fund as fund_routes
from api.routes import imports as import_routes
from api.routes import own_fund as own_fund_routes
from api.routes import programme_steps as programme_step_routes
from api.routes import programmes as programme_routes
from api.routes import shipments as shipment_routes
from api.settings import Settings
from collection.db import make_engine, make_session_factory

HERE = Path(__file__).resolve().parent
API_PREFIX = "/api/v1"


def komplekt_version() -> str:
    """The installed package's version."""
    try:
        return package_version("komplekt")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI application for ``settings`` (the database must already be migrated)."""
    app = FastAPI(
        title="komplekt",
        version=komplekt_version(),
        description="Acquisitions and distribution for a regional library: REST API.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI would load its assets from a CDN; pages must work offline
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.import_runner = ImportRunner(  # background MARC imports (uploads)
        app.state.session_factory, quality_tolerance=settings.import_quality_tolerance)
    app.state.limiter = LoginRateLimiter(settings.login_attempts, settings.login_window_seconds)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.globals["version"] = app.version
    app.state.templates.env.globals["fund_roles"] = FUND_READ  # nav entry in base.html
    app.state.templates.env.globals["programme_roles"] = PROGRAMME_READ  # nav entry in base.html
    app.state.templates.env.globals["exchange_roles"] = LIBRARY_SIDE_READ  # nav entry

    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key)
    install_error_handlers(app)

    for router in (health.router, auth.router, libraries.router, audit.router,
                   catalogue_routes.router, fund_routes.router, import_routes.router,
                   programme_routes.router, programme_step_routes.router, exchange_routes.router,
                   shipment_routes.router, document_routes.router, own_fund_routes.router):  # fmt: skip
        app.include_router(router, prefix=API_PREFIX)
    for router in (
        auth_pages.router, home.router, library_pages.router, account.router,
        user_pages.router, audit_pages.router, catalogue_pages.router, fund_pages.router,
        import_pages.router, programme_pages.router, programme_own_fund.router, exchange_pages.router,
        shipment_pages.router, shipment_detail.router, shipment_receipt.router, document_page_routes.router,
    ):  # fmt: skip
        # Every page route checks the CSRF token of unsafe requests: no form can forget it.
        app.include_router(router, include_in_schema=False, dependencies=[Depends(verify_csrf)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.import_runner.resume_interrupted()  # uploads a stopped server left unfinished
    return app
