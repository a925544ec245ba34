"""Dispatch and acceptance over REST: staff pack and send, the receiving library confirms; roles."""

from __future__ import annotations

import io

import pymarc
import pytest
from sqlalchemy import select

from distribution.allocation.services import allocate_programme
from distribution.libraries.models import Library
from distribution.shipping.models import Shipment
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments
from distribution.shipping.rules import CarrierLimits
from tests.api.conftest import bearer
from tests.builders import TEST_ACTOR, make_user
from tests.distribution.programme_builders import A, B, programme_with_orders

API = "/api/v1"


@pytest.fixture
def packed(client, db):
    """LG-A01 gets 5 A + 2 B in two parcels, LG-B01 3 A; both shipments planned; users and tokens."""
    programme = programme_with_orders(
        db, [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]], received=[[A, 8, 0], [B, 2, 0]]
    )
    allocate_programme(db, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(db, actor=TEST_ACTOR, programme_id=programme.id, limits=CarrierLimits(max_copies=4))
    libraries = {lib.code: lib for lib in db.scalars(select(Library))}
    make_user(db, "olena", "programme")
    make_user(db, "nata", "methodologist")
    make_user(db, "kat", "cataloguer")
    make_user(db, "liba", library=libraries["LG-A01"])
    make_user(db, "libb", library=libraries["LG-B01"])
    code_of = {lib.id: code for code, lib in libraries.items()}
    shipments = {code_of[s.library_id]: s for s in list_shipments(db, programme_id=programme.id)}
    return {
        "programme": programme.id,
        "a": shipments["LG-A01"].id, "b": shipments["LG-B01"].id,
        "number_a": shipments["LG-A01"].number, "number_b": shipments["LG-B01"].number,
        **{name: bearer(client, name) for name in ("olena", "nata", "kat", "liba", "libb")},
    }  # fmt: skip


def send(client, shipment_id, headers, **overrides):
    body = {"carrier": "nova_poshta", "tracking_number": f"204000000{shipment_id:05d}",
            "dispatched_on": "2026-11-20", **overrides}  # fmt: skip
    return client.post(f"{API}/shipments/{shipment_id}/dispatch", headers=headers, json=body)


def state_of(db, shipment_id):
    db.expire_all()
    return db.get(Shipment, shipment_id).state


def test_the_whole_path_from_packing_to_a_reported_shortage(client, db, packed):
    staff, library = packed["olena"], packed["liba"]
    listed = client.get(f"{API}/programmes/{packed['programme']}/shipments", headers=staff).json()
    assert {(s["library_code"], s["state"], s["copies"]) for s in listed} == {
        ("LG-A01", "planned", 7), ("LG-B01", "planned", 3)}  # fmt: skip

    packed_now = client.post(f"{API}/shipments/{packed['a']}/pack", headers=staff)
    assert packed_now.status_code == 200, packed_now.text
    assert packed_now.json()["state"] == "packed"
    assert {p["state"] for p in packed_now.json()["parcels"]} == {"packed"}

    sent = send(
        client, packed["a"], staff, tracking_number="20400000000001", parcel_tracking={"2": "20400000000002"}
    )
    assert sent.status_code == 200, sent.text
    shipment = sent.json()
    assert (shipment["state"], shipment["carrier"], shipment["dispatched_on"]) == (
        "dispatched", "nova_poshta", "2026-11-20")  # fmt: skip
    line_a = next(line for line in shipment["lines"] if line["isbn"] == A)
    assert (line_a["title"], line_a["price"], line_a["copies"], line_a["sum"]) == (
        "Кобзар",
        "350.00",
        5,
        "1750.00",
    )
    assert shipment["total"] == "2171.00"  # 1750 + 2 × 210.50
    assert [(p["number"], p["tracking_number"]) for p in shipment["parcels"]] == [
        (1, "20400000000001"), (2, "20400000000002")]  # fmt: skip
    assert sum(pl["copies"] for p in shipment["parcels"] for pl in p["lines"]) == 7
    assert all(pl["isbn"] in (A, B) for p in shipment["parcels"] for pl in p["lines"])

    delivered = client.post(f"{API}/shipments/{packed['a']}/deliver", headers=library,
                            json={"delivered_on": "2026-11-22"})  # fmt: skip
    assert delivered.status_code == 200, delivered.text
    assert (delivered.json()["state"], delivered.json()["delivered_on"]) == ("delivered", "2026-11-22")

    accepted = client.post(
        f"{API}/shipments/{packed['a']}/accept",
        headers=library,
        json={
            "accepted_on": "2026-11-23",
            "discrepancies": [{"isbn": A, "kind": "shortage", "quantity": 2, "note": "пачка надірвана"}],
        },
    )
    assert accepted.status_code == 200, accepted.text
    answer = accepted.json()
    assert (answer["state"], answer["acceptance_number"]) == ("discrepancy", f"{packed['number_a']}-П")
    assert [(d["isbn"], d["kind"], d["quantity"], d["reopened"]) for d in answer["discrepancies"]] == [
        (A, "shortage", 2, 2)]  # fmt: skip

    report = client.get(f"{API}/programmes/{packed['programme']}/report", headers=staff)
    assert report.status_code == 200, report.text
    data = report.json()
    row = next(r for r in data["libraries"] if r["library_code"] == "LG-A01")
    assert (row["dispatched"], row["confirmed"]) == (7, 5)
    other = next(r for r in data["libraries"] if r["library_code"] == "LG-B01")
    assert (other["dispatched"], other["confirmed"]) == (0, 0)

    shortage = answer["discrepancies"][0]
    url = f"{API}/shipments/{packed['a']}/discrepancies/{shortage['id']}/write-off"
    assert client.post(url, headers=library, json={"copies": 1}).status_code == 403
    too_many = client.post(url, headers=staff, json={"copies": 3})
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "copies"
    lost = client.post(url, headers=staff, json={"copies": 2})
    assert lost.status_code == 200 and lost.json()["discrepancies"][0]["written_off"] == 2
    totals = client.get(f"{API}/programmes/{packed['programme']}/report", headers=staff).json()["totals"]
    assert totals["lost"] == 2


def test_dispatch_without_a_tracking_number_is_refused_naming_the_field(client, db, packed):
    response = send(client, packed["a"], packed["olena"], tracking_number="  ")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["tracking_number"]
    assert state_of(db, packed["a"]) == "planned"
    unknown = send(client, packed["a"], packed["olena"], parcel_tracking={"9": "X"})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["parcel_tracking.9"]
    assert send(client, packed["a"], packed["olena"], carrier="own", tracking_number="").status_code == 200


def test_a_shipment_is_dispatched_only_once(client, db, packed):
    assert send(client, packed["a"], packed["olena"]).status_code == 200
    again = send(client, packed["a"], packed["olena"])
    assert again.status_code == 409
    assert packed["number_a"] in again.json()["detail"] and "dispatched" in again.json()["detail"]
    assert client.post(f"{API}/shipments/{packed['a']}/pack", headers=packed["olena"]).status_code == 409


def test_a_library_user_sees_only_its_own_shipments_once_they_are_sent(client, db, packed):
    liba = packed["liba"]
    assert client.get(f"{API}/shipments", headers=liba).json() == []
    assert client.get(f"{API}/shipments/{packed['a']}", headers=liba).status_code == 404  # not sent yet
    for key in ("a", "b"):
        assert send(client, packed[key], packed["olena"]).status_code == 200
    listed = client.get(f"{API}/shipments", headers=liba).json()
    assert [(s["number"], s["library_code"]) for s in listed] == [(packed["number_a"], "LG-A01")]
    assert client.get(f"{API}/shipments?state=planned", headers=liba).json() == []
    assert client.get(f"{API}/shipments/{packed['a']}", headers=liba).status_code == 200
    theirs = client.get(f"{API}/shipments/{packed['b']}", headers=liba)
    missing = client.get(f"{API}/shipments/999999", headers=liba)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace(str(packed["b"]), "X") == missing.json()["detail"].replace(
        "999999", "X"
    )
    accept_theirs = client.post(f"{API}/shipments/{packed['b']}/accept", headers=liba, json={})
    assert accept_theirs.status_code == 404
    assert client.post(f"{API}/shipments/{packed['b']}/deliver", headers=liba).status_code == 404
    assert state_of(db, packed["b"]) == "dispatched"
    # staff-only steps and programme lists are closed to a library
    assert client.post(f"{API}/shipments/{packed['a']}/pack", headers=liba).status_code == 403
    assert send(client, packed["a"], liba).status_code == 403
    assert client.get(f"{API}/programmes/{packed['programme']}/shipments", headers=liba).status_code == 404
    # its own: accepted with no discrepancies is confirmed
    confirmed = client.post(f"{API}/shipments/{packed['a']}/accept", headers=liba)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"


def test_the_methodologist_reads_but_cannot_change_and_a_cataloguer_sees_nothing(client, db, packed):
    nata, kat = packed["nata"], packed["kat"]
    assert client.get(f"{API}/programmes/{packed['programme']}/shipments", headers=nata).status_code == 200
    assert client.get(f"{API}/shipments", headers=nata).status_code == 200
    assert client.get(f"{API}/shipments/{packed['a']}", headers=nata).status_code == 200
    assert client.post(f"{API}/shipments/{packed['a']}/pack", headers=nata).status_code == 403
    assert send(client, packed["a"], nata).status_code == 403
    bulk = [{"shipment_number": packed["number_a"], "carrier": "own"}]
    url = f"{API}/programmes/{packed['programme']}/shipments/dispatch"
    assert client.post(url, headers=nata, json=bulk).status_code == 403
    assert client.post(f"{API}/shipments/{packed['a']}/accept", headers=nata).status_code == 403
    assert client.get(f"{API}/shipments", headers=kat).status_code == 403
    assert state_of(db, packed["a"]) == "planned"


def test_staff_filter_shipments_by_programme_state_and_library(client, db, packed):
    staff = packed["olena"]
    assert send(client, packed["b"], staff).status_code == 200
    url = f"{API}/programmes/{packed['programme']}/shipments"
    assert [s["number"] for s in client.get(f"{url}?state=dispatched", headers=staff).json()] == [
        packed["number_b"]]  # fmt: skip
    assert [s["number"] for s in client.get(f"{url}?library_code=lg-a01", headers=staff).json()] == [
        packed["number_a"]]  # fmt: skip
    everywhere = client.get(
        f"{API}/shipments?programme_id={packed['programme']}&state=planned", headers=staff
    )
    assert [s["number"] for s in everywhere.json()] == [packed["number_a"]]
    assert client.get(f"{url}?state=lost", headers=staff).status_code == 422
    assert client.get(f"{API}/programmes/999999/shipments", headers=staff).status_code == 404


def test_bulk_dispatch_with_one_bad_item_dispatches_nothing(client, db, packed):
    staff, url = packed["olena"], f"{API}/programmes/{packed['programme']}/shipments/dispatch"
    items = [
        {"shipment_number": packed["number_a"], "carrier": "nova_poshta", "tracking_number": "20400000000001",
         "dispatched_on": "2026-11-20"},
        {"shipment_number": packed["number_b"], "carrier": "nova_poshta", "tracking_number": "",
         "dispatched_on": "2026-11-20"},
        {"shipment_number": "0-0000", "carrier": "ukrposhta", "tracking_number": "1",
         "dispatched_on": "2026-11-20"},
    ]  # fmt: skip
    refused = client.post(url, headers=staff, json=items)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["1.tracking_number", "2.shipment_number"]
    assert "2" in refused.json()["detail"]
    assert state_of(db, packed["a"]) == state_of(db, packed["b"]) == "planned"

    items[1]["tracking_number"] = "20400000000002"
    sent = client.post(url, headers=staff, json=items[:2])
    assert sent.status_code == 200, sent.text
    assert [(s["number"], s["state"], s["tracking_number"]) for s in sent.json()] == [
        (packed["number_a"], "dispatched", "20400000000001"),
        (packed["number_b"], "dispatched", "20400000000002"),
    ]
    again = client.post(url, headers=staff, json=items[:1])  # the same line again: done already
    assert again.status_code == 200 and again.json() == []
    changed = client.post(url, headers=staff, json=[{**items[0], "tracking_number": "20400000000099"}])
    assert changed.status_code == 422 and [e["field"] for e in changed.json()["errors"]] == ["0.state"]


def test_bulk_dispatch_errors_are_translated(client, db, packed):
    client.cookies.set("komplekt_lang", "en")
    url = f"{API}/programmes/{packed['programme']}/shipments/dispatch"
    refused = client.post(url, headers=packed["olena"], json=[
        {"shipment_number": packed["number_a"], "carrier": "nova_poshta"}])  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Errors: 1; no shipment was dispatched"
    assert refused.json()["errors"] == [
        {"field": "0.tracking_number", "message": "Enter the tracking number"}
    ]


def test_accepting_with_an_unknown_isbn_or_a_bad_quantity_names_the_item(client, db, packed):
    assert send(client, packed["a"], packed["olena"]).status_code == 200
    url = f"{API}/shipments/{packed['a']}/accept"
    response = client.post(url, headers=packed["olena"], json={"discrepancies": [
        {"isbn": "9786170009999", "kind": "shortage", "quantity": 1},
        {"isbn": B, "kind": "damaged", "quantity": 1}]})  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["discrepancy.1.isbn"]
    too_many = client.post(url, headers=packed["olena"], json={"discrepancies": [
        {"isbn": B, "kind": "shortage", "quantity": 3}]})  # fmt: skip
    assert [e["field"] for e in too_many.json()["errors"]] == ["discrepancy.1.quantity"]
    both = client.post(url, headers=packed["olena"], json={"discrepancies": [
        {"isbn": B, "title_id": 1, "kind": "shortage", "quantity": 1}]})  # fmt: skip
    assert both.status_code == 422
    assert state_of(db, packed["a"]) == "dispatched"
    on_behalf = client.post(url, headers=packed["olena"], json={"accepted_on": "2026-11-25"})
    assert on_behalf.json()["state"] == "confirmed" and on_behalf.json()["accepted_on"] == "2026-11-25"


def test_a_correction_is_a_new_document_pointing_at_the_shipment(client, db, packed):
    staff = packed["olena"]
    url = f"{API}/shipments/{packed['a']}/corrections"
    planned = client.post(url, headers=staff, json={"lines": [{"isbn": A, "copies": -1}], "note": "x"})
    assert planned.status_code == 409
    assert send(client, packed["a"], staff).status_code == 200
    duplicate = client.post(url, headers=staff, json={
        "lines": [{"isbn": A, "copies": -1}, {"isbn": A, "copies": -1}], "note": "двічі"})  # fmt: skip
    assert [e["field"] for e in duplicate.json()["errors"]] == ["lines.2"]
    created = client.post(url, headers=staff, json={
        "lines": [{"isbn": A, "copies": -2}], "tracking_number": "20400000009999",
        "note": "2 прим. не вмістилися"})  # fmt: skip
    assert created.status_code == 201, created.text
    correction = created.json()
    assert (correction["kind"], correction["state"], correction["corrects"]["id"]) == (
        "correction", "dispatched", packed["a"])  # fmt: skip
    assert [(line["isbn"], line["copies"], line["sum"]) for line in correction["lines"]] == [
        (A, -2, "-700.00")
    ]
    original = client.get(f"{API}/shipments/{packed['a']}", headers=packed["liba"]).json()
    assert [c["number"] for c in original["corrections"]] == [correction["number"]]
    assert next(line["copies"] for line in original["lines"] if line["isbn"] == A) == 5
    assert client.post(url, headers=packed["liba"], json={"note": "x"}).status_code == 403


def test_a_library_downloads_its_shipment_as_marc_with_its_holdings(client, db, packed):
    assert send(client, packed["a"], packed["olena"]).status_code == 200
    url = f"{API}/shipments/{packed['a']}/marc"
    response = client.get(f"{url}?flavour=marc21&encoding=utf-8", headers=packed["liba"])
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].endswith(f'shipment-{packed["number_a"]}.mrc"')
    records = list(pymarc.MARCReader(io.BytesIO(response.content), to_unicode=True, force_utf8=True))
    assert len(records) == 2
    copies = [f for record in records for f in record.get_fields("952")]
    assert len(copies) == 7 and {f.get("a") for f in copies} == {"LG-A01"}
    assert {f.get("x") for f in copies} == {packed["number_a"]}
    xml = client.get(f"{url}?format=marcxml", headers=packed["liba"])
    assert xml.status_code == 200 and xml.content.lstrip().startswith(b"<?xml")
    assert client.get(f"{url}?format=marcxml&encoding=cp1251", headers=packed["liba"]).status_code == 422
    assert client.get(f"{API}/shipments/{packed['b']}/marc", headers=packed["liba"]).status_code == 404


def test_the_marc_carries_the_regional_librarys_code_and_the_corrections_net(client, app, db, packed):
    app.state.settings = app.state.settings.with_(marc_agency="UA-LG-0001")
    assert send(client, packed["a"], packed["olena"]).status_code == 200
    detail = client.get(f"{API}/shipments/{packed['a']}", headers=packed["olena"]).json()
    a_title = next(line["title_id"] for line in detail["lines"] if line["isbn"] == A)
    change = {"lines": [{"title_id": a_title, "copies": -2}], "note": "2 не вмістилися"}
    fixed = client.post(f"{API}/shipments/{packed['a']}/corrections", headers=packed["olena"], json=change)
    assert fixed.status_code == 201, fixed.text
    response = client.get(f"{API}/shipments/{packed['a']}/marc?flavour=marc21", headers=packed["liba"])
    records = list(pymarc.MARCReader(io.BytesIO(response.content), to_unicode=True, force_utf8=True))
    assert {r["003"].data for r in records} == {"UA-LG-0001"}
    assert all(r["001"].data.startswith("UA-LG-0001-") for r in records)
    assert len([f for r in records for f in r.get_fields("952")]) == 5  # 7 sent, 2 taken off
