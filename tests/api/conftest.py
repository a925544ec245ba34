"""Fixtures for API and page tests: an app on the test database and a TestClient."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from api.app import create_app
from api.auth.ratelimit import LoginRateLimiter
from api.import_runner import ImportRunner
from api.settings import Settings
from tests.builders import PASSWORD

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette nudges towards httpx2; httpx is what we have
    from fastapi.testclient import TestClient


def app_settings(database_url: str) -> Settings:
    """Settings for a test app (Ukrainian UI, a fixed secret)."""
    return Settings(database_url=database_url, secret_key="test-secret-key")


@pytest.fixture
def settings(db_url) -> Settings:
    """Settings for a test app; override this fixture for an app with other settings."""
    return app_settings(db_url)


@pytest.fixture(scope="session")
def _session_app(_migrated_db_url) -> Iterator[FastAPI]:
    """One app (routes, templates, engine) per backend per session: building it costs a second."""
    app = create_app(app_settings(_migrated_db_url))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def app(request, settings) -> Iterator[FastAPI]:
    """The session's app when the test keeps the default settings, else an app of its own.

    What the app keeps between requests (settings and engine a test may swap, failed logins,
    the import worker) is put back or made fresh for every test.
    """
    if "db_url" not in request.fixturenames or settings != app_settings(request.getfixturevalue("db_url")):
        app = create_app(settings)
        yield app
        app.state.engine.dispose()
        return
    app = request.getfixturevalue("_session_app")
    state = app.state
    settings, engine = state.settings, state.engine
    state.limiter = LoginRateLimiter(settings.login_attempts, settings.login_window_seconds)
    state.import_runner = ImportRunner(
        state.session_factory, quality_tolerance=settings.import_quality_tolerance)
    yield app
    # A running import must not write into the next test's (emptied) tables.
    if state.import_runner._thread is not None:  # private, but set only once a job was submitted
        state.import_runner.done.wait(60)
    if state.engine is not engine:
        state.engine.dispose()
    state.settings, state.engine = settings, engine
    app.dependency_overrides.clear()


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


@pytest.fixture
def db(app):
    """A session on the app's database, for arranging data and checking results."""
    with app.state.session_factory() as session:
        yield session


def csrf_of(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def page_login(client: TestClient, username: str, password: str = PASSWORD):
    """Log in through the login form, as a browser would; returns the response to the POST."""
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers with a fresh token for ``username``."""
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def post_form(client: TestClient, url: str, data: dict[str, str], page: str | None = None):
    """Submit a form the way a browser does: with the CSRF token of the page it came from."""
    token = csrf_of(client.get(page or url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
