"""Fixtures for API and page tests: an app on the test database and a TestClient."""

from __future__ import annotations

import re
import warnings

import pytest

from api.app import create_app
from api.settings import Settings
from tests.builders import PASSWORD

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette nudges towards httpx2; httpx is what we have
    from fastapi.testclient import TestClient


@pytest.fixture
def settings(db_url) -> Settings:
    """Settings for a test app (Ukrainian UI, a fixed secret)."""
    return Settings(database_url=db_url, secret_key="test-secret-key")


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


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
