"""Per-object authorisation: a library user sees and edits only its own library, REST and pages.

Other libraries answer 404 (never 403), so their existence is not revealed.
"""

from __future__ import annotations

import html

import pytest

from collection.audit import entries_for_object
from tests.api.conftest import bearer, page_login, post_form
from tests.builders import make_library, make_user


@pytest.fixture
def two_libraries(db):
    """Starobilsk with its user, Bilovodsk with its user, and a staff member."""
    own = make_library(db, code="LG-STB-01", name="Старобільська міська публічна бібліотека")
    other = make_library(db, code="LG-BLV-01", name="Біловодська публічна бібліотека")
    make_user(db, "starobilsk", library=own)
    make_user(db, "bilovodsk", library=other)
    make_user(db, "programme", "programme")
    make_user(db, "boss", "admin")
    return own, other


# --- REST ------------------------------------------------------------------------------------


def test_library_user_lists_only_its_own_library(client, two_libraries):
    headers = bearer(client, "starobilsk")
    codes = [row["code"] for row in client.get("/api/v1/libraries", headers=headers).json()]
    assert codes == ["LG-STB-01"]
    found = client.get("/api/v1/libraries?q=Біловодська", headers=headers).json()
    assert found == []


def test_staff_list_every_library_and_search_ignores_case(client, two_libraries):
    headers = bearer(client, "programme")
    codes = {row["code"] for row in client.get("/api/v1/libraries", headers=headers).json()}
    assert codes == {"LG-STB-01", "LG-BLV-01"}
    found = client.get("/api/v1/libraries?q=біловодська", headers=headers).json()
    assert [row["code"] for row in found] == ["LG-BLV-01"]


def test_library_user_gets_404_for_another_librarys_card(client, two_libraries):
    headers = bearer(client, "starobilsk")
    assert client.get("/api/v1/libraries/LG-STB-01", headers=headers).status_code == 200
    other = client.get("/api/v1/libraries/LG-BLV-01", headers=headers)
    missing = client.get("/api/v1/libraries/LG-NONE-01", headers=headers)
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"].replace("LG-BLV-01", "X") == missing.json()["detail"].replace(
        "LG-NONE-01", "X"
    )


def test_library_user_cannot_patch_another_library(client, db, two_libraries):
    headers = bearer(client, "starobilsk")
    response = client.patch(
        "/api/v1/libraries/LG-BLV-01", headers=headers, json={"phone": "+380 44 000 00 00"}
    )
    assert response.status_code == 404
    assert [e.action for e in entries_for_object(db, "library", "LG-BLV-01")] == ["create"]


def test_library_user_patches_its_own_contacts_and_it_is_audited(client, db, two_libraries):
    headers = bearer(client, "starobilsk")
    response = client.patch(
        "/api/v1/libraries/LG-STB-01", headers=headers,
        json={"phone": "+380 44 123 45 67", "address": "м. Київ, вул. Нова, 1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["phone"] == "+380 44 123 45 67"
    latest = entries_for_object(db, "library", "LG-STB-01")[0]
    assert latest.username == "starobilsk"
    assert latest.changes["address"] == ["", "м. Київ, вул. Нова, 1"]


def test_library_user_sets_its_own_delivery_point(client, db, two_libraries):
    headers = bearer(client, "starobilsk")
    response = client.patch(
        "/api/v1/libraries/LG-STB-01", headers=headers,
        json={"carrier": "Нова пошта", "carrier_branch": "134"},
    )  # fmt: skip
    assert response.status_code == 200
    assert (response.json()["carrier"], response.json()["carrier_branch"]) == ("Нова пошта", "134")
    assert entries_for_object(db, "library", "LG-STB-01")[0].changes["carrier_branch"] == ["", "134"]
    too_long = client.patch("/api/v1/libraries/LG-STB-01", headers=headers, json={"carrier_branch": "9" * 40})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "carrier_branch"


def test_library_user_cannot_change_fields_reserved_for_staff(client, two_libraries):
    headers = bearer(client, "starobilsk")
    response = client.patch(
        "/api/v1/libraries/LG-STB-01", headers=headers, json={"status": "closed"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_rest_validation_errors_name_the_field(client, two_libraries):
    headers = bearer(client, "programme")
    response = client.patch(
        "/api/v1/libraries/LG-BLV-01", headers=headers, json={"email": "not an email"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "email", "message": "Некоректна адреса електронної пошти"}
    ]
    unknown = client.patch("/api/v1/libraries/LG-BLV-01", headers=headers, json={"colour": "x"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "colour"


def test_staff_edit_any_library(client, two_libraries):
    headers = bearer(client, "programme")
    response = client.patch(
        "/api/v1/libraries/LG-BLV-01", headers=headers, json={"status": "relocated"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "relocated"


def test_only_admin_creates_libraries_and_codes_are_unique(client, two_libraries):
    body = {"code": "lg-new-01", "name": "Нова бібліотека", "status": "working"}
    staff = bearer(client, "programme")
    assert client.post("/api/v1/libraries", headers=staff, json=body).status_code == 403
    admin = bearer(client, "boss")
    created = client.post("/api/v1/libraries", headers=admin, json=body)
    assert created.status_code == 201
    assert created.json()["code"] == "LG-NEW-01"
    again = client.post("/api/v1/libraries", headers=admin, json=body)
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "code"


def test_audit_api_answers_by_object_and_by_user_for_admin_only(client, two_libraries):
    admin = bearer(client, "boss")
    client.patch("/api/v1/libraries/LG-BLV-01", headers=admin, json={"phone": "+380 1234567"})
    by_object = client.get(
        "/api/v1/audit?object_type=library&object_id=LG-BLV-01", headers=admin
    ).json()
    assert [e["action"] for e in by_object] == ["update", "create"]
    by_user = client.get("/api/v1/audit?user=boss", headers=admin).json()
    assert {e["action"] for e in by_user} >= {"update", "login", "issue_token"}
    assert client.get("/api/v1/audit", headers=bearer(client, "starobilsk")).status_code == 403


# --- Pages -----------------------------------------------------------------------------------


def test_library_user_page_list_redirects_to_its_own_card(client, two_libraries):
    page_login(client, "starobilsk")
    response = client.get("/libraries", follow_redirects=False)
    assert response.headers["location"] == "/libraries/LG-STB-01"


def test_library_user_cannot_open_another_librarys_card_page(client, two_libraries):
    page_login(client, "starobilsk")
    own = client.get("/libraries/LG-STB-01")
    assert own.status_code == 200 and "Старобільська" in own.text
    other = client.get("/libraries/LG-BLV-01")
    assert other.status_code == 404
    assert "Біловодська" not in other.text


def test_library_user_cannot_post_to_another_librarys_card_page(client, db, two_libraries):
    page_login(client, "starobilsk")
    response = post_form(client, "/libraries/LG-BLV-01", {"phone": "+380 44 000 00 00"},
                         page="/libraries/LG-STB-01")
    assert response.status_code == 404
    assert [e.action for e in entries_for_object(db, "library", "LG-BLV-01")] == ["create"]


def test_library_user_edits_own_contacts_on_the_page_and_staff_fields_are_locked(
    client, db, two_libraries
):
    page_login(client, "starobilsk")
    card = client.get("/libraries/LG-STB-01").text
    assert 'name="status" disabled' in card and 'name="phone" type="tel"' in card
    response = post_form(client, "/libraries/LG-STB-01", {
        "phone": "call me", "address": "м. Київ", "status": "closed", "name": "Hacked",
    })  # fmt: skip
    assert response.status_code == 422
    assert 'id="phone-error"' in response.text
    response = post_form(client, "/libraries/LG-STB-01", {
        "phone": "+380 44 123 45 67", "address": "м. Київ", "status": "closed", "name": "Hacked",
    })  # fmt: skip
    assert response.status_code == 303
    page = html.unescape(client.get("/libraries/LG-STB-01").text)
    assert "Зміни збережено" in page
    library = db.get(type(two_libraries[0]), two_libraries[0].id)
    db.refresh(library)
    assert (library.phone, library.address) == ("+380 44 123 45 67", "м. Київ")
    assert (library.status, library.name) == ("working", "Старобільська міська публічна бібліотека")


def test_staff_page_list_shows_all_libraries_and_htmx_gets_only_rows(client, two_libraries):
    page_login(client, "programme")
    page = client.get("/libraries").text
    assert "LG-STB-01" in page and "LG-BLV-01" in page
    rows = client.get("/libraries?q=біловод", headers={"HX-Request": "true"}).text
    assert "LG-BLV-01" in rows and "LG-STB-01" not in rows and "<html" not in rows
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get("/libraries?q=біловод", headers=restore).text


def test_admin_adds_a_library_through_the_form(client, db, two_libraries):
    page_login(client, "boss")
    response = post_form(client, "/libraries/new", {"code": "??", "name": ""})
    assert response.status_code == 422
    assert 'id="code-error"' in response.text and 'id="name-error"' in response.text
    response = post_form(client, "/libraries/new", {
        "code": "LG-MRK-01", "name": "Марківська публічна бібліотека", "status": "closed",
        "preferred_flavour": "marc21", "preferred_encoding": "cp1251",
    })  # fmt: skip
    assert response.headers["location"] == "/libraries/LG-MRK-01"
    assert "Бібліотеку LG-MRK-01 додано" in client.get("/libraries/LG-MRK-01").text


def test_audit_page_filters_by_object_and_by_user(client, two_libraries):
    page_login(client, "boss")
    page = client.get("/audit?object_type=library&object_id=LG-BLV-01").text
    assert "LG-BLV-01" in page and "LG-STB-01" not in page
    assert "login" in client.get("/audit?user=boss").text
