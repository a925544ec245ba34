"""REST and the CLI present a shipment through the same presenter: the same fields, the same values."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app as cli
from distribution.allocation.services import allocate_programme
from distribution.libraries.models import Library
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments
from distribution.shipping.rules import CarrierLimits
from tests.api.conftest import bearer
from tests.builders import TEST_ACTOR, make_user
from tests.distribution.programme_builders import A, B, programme_with_orders

API = "/api/v1"
runner = CliRunner()


@pytest.fixture
def planned(client, db, db_url, monkeypatch):
    """Two planned shipments (LG-A01 with two parcels, LG-B01), a staff token, the CLI on the same DB."""
    monkeypatch.setenv("KOMPLEKT_DATABASE_URL", db_url)
    monkeypatch.setenv("KOMPLEKT_SECRET_KEY", "cli-test")
    programme = programme_with_orders(
        db, [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]], received=[[A, 8, 0], [B, 2, 0]]
    )
    allocate_programme(db, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(db, actor=TEST_ACTOR, programme_id=programme.id, limits=CarrierLimits(max_copies=4))
    make_user(db, "olena", "programme")
    db.commit()
    codes = dict(db.execute(select(Library.id, Library.code)).all())
    shipments = {codes[s.library_id]: s for s in list_shipments(db, programme_id=programme.id)}
    return {"programme": programme.id, "a": shipments["LG-A01"], "staff": bearer(client, "olena")}


def cli_json(*args: object) -> object:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_programme_s_shipments_are_listed_alike_by_rest_and_the_cli(client, planned):
    by_cli = cli_json("programme", "shipments", planned["programme"], "--json")
    by_rest = client.get(f"{API}/programmes/{planned['programme']}/shipments", headers=planned["staff"])
    assert by_rest.status_code == 200, by_rest.text
    assert len(by_cli) == 2
    assert by_cli == by_rest.json()


def test_a_shipment_s_detail_is_the_same_from_rest_and_the_cli(client, planned):
    shipment = planned["a"]
    by_cli = cli_json("shipment", "pack", shipment.number, "--json")
    by_rest = client.get(f"{API}/shipments/{shipment.id}", headers=planned["staff"])
    assert by_rest.status_code == 200, by_rest.text
    assert by_cli["state"] == "packed" and len(by_cli["parcels"]) == 2 and by_cli["total"] is not None
    assert by_cli == by_rest.json()


def test_a_library_has_the_same_fields_from_rest_and_the_cli(client, planned):
    by_cli = cli_json("libraries", "list", "--search", "LG-A01", "--json")
    by_rest = client.get(f"{API}/libraries/LG-A01", headers=planned["staff"])
    assert by_rest.status_code == 200, by_rest.text
    assert len(by_cli) == 1 and by_cli[0]["code"] == "LG-A01"
    assert by_cli[0] == by_rest.json()


def test_the_programme_report_is_the_same_from_rest_and_the_cli(client, planned):
    by_cli = cli_json("programme", "report", planned["programme"], "--format", "json")
    by_rest = client.get(f"{API}/programmes/{planned['programme']}/report", headers=planned["staff"])
    assert by_rest.status_code == 200, by_rest.text
    assert by_cli["totals"]["packed"] == 10 and len(by_cli["libraries"]) == 2
    assert by_cli == by_rest.json()
