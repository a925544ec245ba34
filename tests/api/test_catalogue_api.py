"""Catalogue over REST and pages: who may read and edit, validation errors naming the field."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from collection.audit import Actor
from collection.catalogue.services import create_edition
from collection.fund.models import Copy
from marc.reader import read_path
from tests.api.conftest import bearer, csrf_of, page_login, post_form
from tests.builders import make_library, make_user
from tests.shared_data import data_path


@pytest.fixture
def edition(db):
    found = next(r for r in read_path(data_path("xbib__marc/rusmarc.xml")) if hasattr(r, "record"))
    edition = create_edition(db, Actor(None, "import"), found.record, found.flavour)
    db.add(Copy(edition_id=edition.id, inventory_number="206033", barcode="B-206033"))
    db.commit()
    return edition


@pytest.mark.parametrize("role", ["acquisitions", "programme", "methodologist"])
def test_staff_read_the_catalogue_but_only_cataloguers_and_admins_edit(client, db, edition, role):
    make_user(db, "reader", role)
    headers = bearer(client, "reader")
    found = client.get("/api/v1/editions", params={"q": "206033"}, headers=headers).json()
    assert [item["id"] for item in found["items"]] == [edition.id]
    detail = client.get(f"/api/v1/editions/{edition.id}", headers=headers).json()
    assert detail["view"]["title"] == "Сучасна соціальна філософія"
    assert detail["copies"][0]["inventory_number"] == "206033"
    assert detail["marc"]["fields"][0] == {"010": {"ind1": " ", "ind2": " ",
                                                   "subfields": [{"a": "966-504-025-1"}]}}
    patch = client.patch(f"/api/v1/editions/{edition.id}", json={"changes": []}, headers=headers)
    assert patch.status_code == 403


def test_a_library_user_is_told_the_catalogue_does_not_exist(client, db, edition):
    make_user(db, "lib", library=make_library(db))
    headers = bearer(client, "lib")
    assert client.get("/api/v1/editions", params={"q": "x"}, headers=headers).status_code == 404
    assert client.get(f"/api/v1/editions/{edition.id}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/editions/{edition.id}", json={"changes": []},
                        headers=headers).status_code == 404
    assert client.get("/api/v1/cataloguing/counts", headers=headers).status_code == 404
    page_login(client, "lib")
    assert client.get("/catalogue").status_code == 404
    assert client.get(f"/catalogue/{edition.id}").status_code == 404
    assert client.get("/catalogue/counts").status_code == 404
    assert 'href="/catalogue"' not in client.get("/").text


def test_patch_validation_errors_name_the_field_and_subfield(client, db, edition):
    make_user(db, "olena", "cataloguer")
    headers = bearer(client, "olena")
    response = client.patch(f"/api/v1/editions/{edition.id}", headers=headers, json={"changes": [
        {"op": "set_subfield", "field": "010", "subfield": "a", "value": "966-504-025-9"},
        {"op": "add_field", "tag": "60", "position": 5, "subfields": [{"a": "x"}]}]})
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"010[0]$a[0]", "60[5].tag"}
    assert "ISBN" in fields["010[0]$a[0]"]
    unknown = client.patch(f"/api/v1/editions/{edition.id}", headers=headers,
                           json={"changes": [{"op": "remove_field", "field": 9999}]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "changes[0]"


def test_a_cataloguer_edits_and_creates_and_the_counts_show_it(client, db, edition):
    make_user(db, "olena", "cataloguer")
    headers = bearer(client, "olena")
    response = client.patch(f"/api/v1/editions/{edition.id}", headers=headers, json={"changes": [
        {"op": "set_subfield", "field": "200", "subfield": "a", "value": "Соціальна філософія"}]})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Соціальна філософія"
    created = client.post("/api/v1/editions", headers=headers, json={"flavour": "marc21", "record": {
        "leader": "00000nam a2200000 i 4500",
        "fields": [{"245": {"ind1": "0", "ind2": "0", "subfields": [{"a": "Заповіт"}]}},
                   {"080": {"ind1": " ", "ind2": " ", "subfields": [{"a": "821.161.2"}]}}]}})
    assert created.status_code == 201, created.text
    year = client.get("/api/v1/cataloguing/plan", headers=headers).json()["year"]
    by_person = client.get("/api/v1/cataloguing/counts", params={"year": year, "by": "person"},
                           headers=headers).json()["rows"]
    olena = next(row for row in by_person if row["person"] == "olena")
    assert (olena["edited"], olena["created"], olena["classified"]) == (1, 1, 1)
    bad = client.post("/api/v1/editions", headers=headers,
                      json={"flavour": "marc21", "record": {"fields": [{"001": "x"}]}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "245"


def test_only_admins_and_methodologists_set_the_plan(client, db):
    make_user(db, "olena", "cataloguer")
    make_user(db, "nataliia", "methodologist")
    body = {"analytic": {"planned": 120}, "edited": {"planned": 1100, "planned_max": 3000}}
    assert client.put("/api/v1/cataloguing/plan/2027", json=body,
                      headers=bearer(client, "olena")).status_code == 403
    saved = client.put("/api/v1/cataloguing/plan/2027", json=body, headers=bearer(client, "nataliia"))
    assert saved.status_code == 200
    assert saved.json()["plan"]["analytic"] == {"planned": 120, "planned_max": None}
    rows = client.get("/api/v1/cataloguing/counts", params={"year": 2027},
                      headers=bearer(client, "olena")).json()["rows"]
    assert {r["kind"]: r["planned"] for r in rows}["analytic"] == 120


# ------------------------------------------------------------------ pages


def test_the_search_page_finds_by_isbn_and_links_to_the_record(client, db, edition):
    make_user(db, "ira", "acquisitions")
    page_login(client, "ira")
    page = client.get("/catalogue", params={"q": "966-504-025-1"}).text
    assert f'href="/catalogue/{edition.id}"' in page
    record = client.get(f"/catalogue/{edition.id}").text
    assert "Сучасна соціальна філософія" in record and "206033" in record
    assert f"/catalogue/{edition.id}/edit" not in record  # read-only role
    assert client.get(f"/catalogue/{edition.id}/edit").status_code == 403


def test_the_editor_shows_an_invalid_isbn_next_to_its_subfield_then_saves(client, db, edition):
    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    form = client.get(f"/catalogue/{edition.id}/edit").text
    data = editor_form(form)
    data["value-0-0"] = "966-504-025-9"
    response = client.post(f"/catalogue/{edition.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert 'id="f0-s0-error"' in response.text
    data["value-0-0"] = "966-504-025-1"
    data["value-4-0"] = "Сучасна філософія"  # 200$a
    response = client.post(f"/catalogue/{edition.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303
    detail = client.get(f"/api/v1/editions/{edition.id}", headers=bearer(client, "olena")).json()
    assert detail["title"] == "Сучасна філософія"
    assert len(detail["marc"]["fields"]) == len(edition.marc["fields"])  # the 995s are kept
    counts = client.get("/catalogue/counts").text
    assert "olena" in counts


def test_the_editor_adds_and_removes_rows_without_saving(client, db, edition):
    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    data = editor_form(client.get(f"/catalogue/{edition.id}/edit").text)
    page = client.post(f"/catalogue/{edition.id}/edit", data={**data, "action": "add-sub:4"}).text
    assert 'id="code-4-2"' in page
    page = client.post(f"/catalogue/{edition.id}/edit", data={**data, "action": "remove-field:0"}).text
    assert 'value="966-504-025-1"' not in page
    assert client.get(f"/api/v1/editions/{edition.id}",
                      headers=bearer(client, "olena")).json()["isbn"] == "9789665040255"


def test_the_counts_page_saves_a_plan_and_exports_xlsx(client, db):
    make_user(db, "boss", "admin")
    page_login(client, "boss")
    data = {kind: "10" for kind in ("created", "classified", "subject_indexed", "analytic", "edited")}
    data |= {f"{k}_max": "" for k in data} | {"year": "2026", "edited_max": "5"}
    response = post_form(client, "/catalogue/counts/plan", data, page="/catalogue/counts?year=2026")
    assert response.status_code == 422
    assert 'id="edited_max-error"' in response.text
    data["edited_max"] = "30"
    response = post_form(client, "/catalogue/counts/plan", data, page="/catalogue/counts?year=2026")
    assert response.status_code == 303
    workbook = load_workbook(io.BytesIO(client.get("/catalogue/counts.xlsx?year=2026").content))
    assert workbook.sheetnames == ["План", "За місяцями", "За працівниками"]
    assert workbook["План"]["B2"].value == 10


def editor_form(html: str) -> dict[str, str]:
    """The editor's inputs as a browser would submit them (plus the save action)."""
    import re

    data = {name: value for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', html)}
    data.pop("action", None)
    data["csrf_token"] = csrf_of(html)
    data["action"] = "save"
    return {k: v.replace("&#34;", '"').replace("&amp;", "&") for k, v in data.items()}


def test_the_search_results_export_as_marc(client, db, edition):
    make_user(db, "ira", "acquisitions")
    make_user(db, "maksym", "programme")
    page_login(client, "ira")
    assert "/catalogue/export" in client.get("/catalogue", params={"q": "філософія"}).text
    response = client.get("/catalogue/export", params={"q": "філософія", "format": "json"})
    assert response.status_code == 200
    assert "Сучасна соціальна філософія" in response.content.decode("utf-8")
    page_login(client, "maksym")
    assert client.get("/catalogue/export", params={"q": "x"}).status_code == 403
