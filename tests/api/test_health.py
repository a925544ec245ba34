"""``/api/v1/health`` and the OpenAPI document."""

from __future__ import annotations

from sqlalchemy.pool import NullPool

from collection.db import make_engine


def test_health_reports_version_and_a_reachable_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": client.app.version, "database": "ok"}


def test_health_reports_an_unreachable_database_with_503(app, client):
    app.state.engine.dispose()
    app.state.engine = make_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", poolclass=NullPool,
        connect_args={"connect_timeout": 1},
    )  # fmt: skip
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_openapi_document_lists_the_api_and_no_pages(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/health", "/api/v1/libraries", "/api/v1/libraries/{code}",
            "/api/v1/auth/token", "/api/v1/audit"} <= set(paths)
    assert "/login" not in paths


def test_static_assets_are_served_locally(client):
    assert "--ink" in client.get("/static/komplekt.css").text
    assert client.get("/static/htmx.min.js").status_code == 200
