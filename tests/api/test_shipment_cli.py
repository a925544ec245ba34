"""Dispatch and acceptance through `komplekt shipment ...` and `komplekt programme shipments`."""

from __future__ import annotations

import json

import pymarc
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app
from distribution.allocation.services import allocate_programme
from distribution.libraries.models import Library
from distribution.programmes.report import programme_report
from distribution.shipping.models import Shipment
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments
from distribution.shipping.rules import CarrierLimits
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B, csv_bytes, programme_with_orders, xlsx_bytes

runner = CliRunner()


@pytest.fixture
def env(monkeypatch, db_url):
    monkeypatch.setenv("KOMPLEKT_DATABASE_URL", db_url)
    monkeypatch.setenv("KOMPLEKT_SECRET_KEY", "cli-test")
    return db_url


@pytest.fixture
def packed(env, session):
    """LG-A01 gets 5 A + 2 B in two parcels, LG-B01 3 A: both shipments planned."""
    programme = programme_with_orders(
        session, [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]], received=[[A, 8, 0], [B, 2, 0]]
    )
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(session, actor=TEST_ACTOR, programme_id=programme.id, limits=CarrierLimits(max_copies=4))
    session.commit()
    codes = dict(session.execute(select(Library.id, Library.code)).all())
    numbers = {codes[s.library_id]: s.number for s in list_shipments(session, programme_id=programme.id)}
    return {"programme": str(programme.id), "a": numbers["LG-A01"], "b": numbers["LG-B01"]}


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def states(session):
    session.expire_all()
    return {s.number: s.state for s in session.scalars(select(Shipment))}


def test_the_whole_path_from_the_list_to_a_reported_shortage(packed, session):
    listed = invoke("programme", "shipments", packed["programme"], "--json")
    assert listed.exit_code == 0, listed.output
    assert {(s["number"], s["state"]) for s in json.loads(listed.stdout)} == {
        (packed["a"], "planned"), (packed["b"], "planned")}  # fmt: skip

    assert invoke("shipment", "pack", packed["a"]).stdout.strip() == f"{packed['a']}: packed"

    no_tracking = invoke("shipment", "dispatch", packed["a"], "--carrier", "nova_poshta")
    assert no_tracking.exit_code == 1
    assert "--tracking: Вкажіть номер відстеження (ТТН)" in no_tracking.stderr
    assert states(session)[packed["a"]] == "packed"

    sent = invoke("shipment", "dispatch", packed["a"], "--carrier", "nova_poshta",
                  "--tracking", "20400000000001", "--date", "2026-11-20", "--json")  # fmt: skip
    assert sent.exit_code == 0, sent.output
    shipment = json.loads(sent.stdout)
    assert (shipment["state"], shipment["tracking_number"], shipment["dispatched_on"]) == (
        "dispatched", "20400000000001", "2026-11-20")  # fmt: skip
    again = invoke("shipment", "dispatch", packed["a"], "--carrier", "own")
    assert again.exit_code == 1 and "dispatched" in again.stderr

    delivered = invoke("shipment", "deliver", packed["a"], "--date", "2026-11-22")
    assert delivered.exit_code == 0, delivered.output
    assert delivered.stdout.strip() == f"{packed['a']}: delivered; by nova_poshta, tracking 20400000000001"

    confirmed = invoke("shipment", "confirm", packed["a"], "--date", "2026-11-23",
                       "--shortage", f"{A}=2", "--damaged", f"{B}=1", "--json")  # fmt: skip
    assert confirmed.exit_code == 0, confirmed.output
    answer = json.loads(confirmed.stdout)
    assert answer["state"] == "discrepancy" and answer["acceptance_number"] == f"{packed['a']}-П"
    assert {(d["isbn"], d["kind"], d["quantity"]) for d in answer["discrepancies"]} == {
        (A, "shortage", 2), (B, "damaged", 1)}  # fmt: skip

    report = programme_report(session, int(packed["programme"]))
    row = next(r for r in report["libraries"] if r["library_code"] == "LG-A01")
    assert (row["dispatched"], row["confirmed"]) == (7, 5)
    text = invoke("programme", "shipments", packed["programme"], "--state", "discrepancy")
    assert text.exit_code == 0 and text.stdout.split("\t")[:3] == [packed["a"], "LG-A01", "discrepancy"]


def test_a_confirmation_naming_a_title_badly_changes_nothing(packed, session):
    invoke("shipment", "dispatch", packed["b"], "--carrier", "own")
    unknown = invoke("shipment", "confirm", packed["b"], "--shortage", "9786170009999=1")
    assert unknown.exit_code == 1 and "--shortage 9786170009999=1: no such title" in unknown.stderr
    too_many = invoke("shipment", "confirm", packed["b"], "--shortage", f"{A}=4")
    assert too_many.exit_code == 1 and f"--shortage {A}=4: Більше, ніж надіслано" in too_many.stderr
    malformed = invoke("shipment", "confirm", packed["b"], "--damaged", A)
    assert malformed.exit_code == 2
    assert states(session)[packed["b"]] == "dispatched"
    missing = invoke("shipment", "pack", "999-0001")
    assert missing.exit_code == 1 and "999-0001" in missing.stderr


def test_a_dispatch_file_with_a_bad_row_names_it_and_dispatches_nothing(packed, session, tmp_path):
    header = ["Номер відправлення", "Перевізник", "ТТН", "Дата"]
    bad = tmp_path / "dispatch.xlsx"
    bad.write_bytes(xlsx_bytes(header, [[packed["a"], "Нова пошта", "20400000000001", "20.11.2026"],
                                        [packed["b"], "Укрпошта", "", ""]]))  # fmt: skip
    result = invoke("shipment", "dispatch-file", packed["programme"], bad)
    assert result.exit_code == 1
    assert "row 3, tracking_number: Вкажіть номер відстеження (ТТН)" in result.stderr
    assert "nothing was dispatched" in result.stderr
    assert set(states(session).values()) == {"planned"}

    unreadable = tmp_path / "cells.csv"
    rows = [[packed["a"], "голуб", "1", "2026-13-01"], [packed["b"], "own", "", ""]]
    unreadable.write_bytes(csv_bytes(["shipment_number", "carrier", "tracking_number", "date"], rows))
    result = invoke("shipment", "dispatch-file", packed["programme"], unreadable)
    assert result.exit_code == 1
    assert "row 2, carrier" in result.stderr and "row 2, dispatched_on" in result.stderr
    assert set(states(session).values()) == {"planned"}

    good = tmp_path / "good.csv"
    good.write_bytes(
        csv_bytes(
            ["shipment_number", "carrier", "tracking_number"],
            [[packed["a"], "nova_poshta", "20400000000001"], [packed["b"], "own", ""]],
        )
    )
    result = invoke("shipment", "dispatch-file", packed["programme"], good, "--json")
    assert result.exit_code == 0, result.output
    assert [(s["number"], s["state"]) for s in json.loads(result.stdout)] == [
        (packed["a"], "dispatched"), (packed["b"], "dispatched")]  # fmt: skip
    again = invoke("shipment", "dispatch-file", packed["programme"], good)  # the same register: done already
    assert again.exit_code == 0 and "0 shipments dispatched" in again.stderr
    changed = tmp_path / "changed.csv"
    changed.write_bytes(csv_bytes(["shipment_number", "carrier", "tracking_number"],
                                  [[packed["a"], "nova_poshta", "20400000000009"]]))  # fmt: skip
    refused = invoke("shipment", "dispatch-file", packed["programme"], changed)
    assert refused.exit_code == 1 and "row 2, state" in refused.stderr


def test_the_shipments_marc_is_written_for_the_receiving_library(packed, session, tmp_path):
    invoke("shipment", "dispatch", packed["a"], "--carrier", "own")
    output = tmp_path / "a.xml"
    result = invoke("shipment", "marc", packed["a"], "--output", output, "--format", "marcxml",
                    "--flavour", "marc21")  # fmt: skip
    assert result.exit_code == 0, result.output
    records = pymarc.parse_xml_to_array(str(output))
    assert len(records) == 2
    assert sum(len(r.get_fields("952")) for r in records) == 7
    refused = invoke("shipment", "marc", packed["a"], "--output", tmp_path / "x.xml", "--format", "marcxml",
                     "--encoding", "cp1251")  # fmt: skip
    assert refused.exit_code == 1 and not (tmp_path / "x.xml").exists()
