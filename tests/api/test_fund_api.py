"""Fund over REST and pages: roles, immutability of signed acts, xlsx with the right totals."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.api.conftest import bearer, page_login, post_form
from tests.builders import make_library, make_user
from tests.collection.fund_builders import make_edition


@pytest.fixture
def staff(client, db):
    make_user(db, "olena", "acquisitions")
    make_user(db, "nata", "methodologist")
    make_user(db, "kat", "cataloguer")
    make_user(db, "stb", library=make_library(db))
    return {name: bearer(client, name) for name in ("olena", "nata", "kat", "stb")}


def _receipt_with_copies(client, headers, db, quantity=3, price="120.50", year=2026):
    edition = make_edition(db, content_branch="fiction", language="ukr")
    receipt = client.post(
        "/api/v1/fund/receipts",
        headers=headers,
        json={"date": f"{year}-03-02", "source": "purchase", "supplier": "Фоліо", "document": "накл. 5"},
    )
    assert receipt.status_code == 201, receipt.text
    copies = client.post(
        f"/api/v1/fund/receipts/{receipt.json()['id']}/copies",
        headers=headers,
        json={"edition_id": edition.id, "quantity": quantity, "price": price, "location": "АБ"},
    )
    assert copies.status_code == 201, copies.text
    return receipt.json(), copies.json()


def test_acquisitions_registers_a_receipt_and_the_register_counts_it(client, db, staff):
    receipt, copies = _receipt_with_copies(client, staff["olena"], db)
    assert [c["inventory_number"] for c in copies] == ["000001", "000002", "000003"]
    register = client.get("/api/v1/fund/register/2026", headers=staff["nata"]).json()
    assert register["part1"]["rows"][0]["number"] == receipt["number"]
    assert register["part3"]["end"]["copies"] == 3
    assert register["part3"]["end"]["money"] == "361.50"
    assert register["part3"]["end"]["by"]["content_branch"]["fiction"]["copies"] == 3


def test_roles_read_write_and_library_users_see_nothing(client, db, staff):
    receipt, _ = _receipt_with_copies(client, staff["olena"], db)
    url = f"/api/v1/fund/receipts/{receipt['id']}"
    assert client.get(url, headers=staff["nata"]).status_code == 200
    assert (
        client.post(
            "/api/v1/fund/receipts", headers=staff["nata"], json={"date": "2026-01-01", "source": "other"}
        ).status_code
        == 403
    )
    assert client.get(url, headers=staff["kat"]).status_code == 403
    assert client.get(url, headers=staff["stb"]).status_code == 404
    assert client.get("/api/v1/fund/register/2026", headers=staff["stb"]).status_code == 404
    assert client.get(url).status_code == 401


def test_field_errors_are_named(client, staff):
    response = client.post(
        "/api/v1/fund/receipts",
        headers=staff["olena"],
        json={"date": "2026-01-01", "source": "found-on-street"},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"source"}


def test_a_signed_act_is_immutable_over_rest(client, db, staff):
    _, copies = _receipt_with_copies(client, staff["olena"], db)
    h = staff["olena"]
    act = client.post(
        "/api/v1/fund/acts", headers=h, json={"date": "2026-10-01", "reason": "worn_out"}
    ).json()
    added = client.post(
        f"/api/v1/fund/acts/{act['id']}/copies",
        headers=h,
        json={"inventory_numbers": [copies[0]["inventory_number"]]},
    )
    assert added.status_code == 200 and added.json()["total"]["copies"] == 1
    assert client.post(f"/api/v1/fund/acts/{act['id']}/sign", headers=h).json()["state"] == "signed"
    assert client.post(f"/api/v1/fund/acts/{act['id']}/sign", headers=h).status_code == 409
    assert client.patch(f"/api/v1/fund/acts/{act['id']}", headers=h, json={"note": "x"}).status_code == 409
    more = client.post(
        f"/api/v1/fund/acts/{act['id']}/copies",
        headers=h,
        json={"inventory_numbers": [copies[1]["inventory_number"]]},
    )
    assert more.status_code == 409
    other = client.post(
        "/api/v1/fund/acts", headers=h, json={"date": "2026-10-02", "reason": "duplicate"}
    ).json()
    again = client.post(
        f"/api/v1/fund/acts/{other['id']}/copies",
        headers=h,
        json={"inventory_numbers": [copies[0]["inventory_number"]]},
    )
    assert again.status_code == 409  # a copy is withdrawn at most once
    correction = client.post(
        "/api/v1/fund/acts",
        headers=h,
        json={"date": "2026-10-03", "reason": "worn_out", "corrects_id": act["id"]},
    )
    assert correction.status_code == 201 and correction.json()["corrects_id"] == act["id"]


def test_register_xlsx_has_a_sheet_per_part_with_the_right_totals(client, db, staff):
    _, copies = _receipt_with_copies(client, staff["olena"], db, quantity=4, price="100")
    h = staff["olena"]
    act = client.post(
        "/api/v1/fund/acts", headers=h, json={"date": "2026-10-01", "reason": "obsolete"}
    ).json()
    client.post(
        f"/api/v1/fund/acts/{act['id']}/copies",
        headers=h,
        json={"inventory_numbers": [copies[0]["inventory_number"]]},
    )
    client.post(f"/api/v1/fund/acts/{act['id']}/sign", headers=h)
    response = client.get("/api/v1/fund/register/2026/xlsx", headers=staff["nata"])
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 3
    part1, part2, part3 = (list(book[name].iter_rows(values_only=True)) for name in book.sheetnames)
    header = part1[0]
    assert part1[-1][header.index("Примірників")] == 4
    assert float(part1[-1][header.index("Сума, грн")]) == 400
    assert part2[-1][part2[0].index("Примірників")] == 1
    total = dict(zip(part3[0], part3[1], strict=True))
    assert total["На кінець року, прим."] == 3 and float(total["На кінець року, грн"]) == 300
    book_xlsx = load_workbook(BytesIO(client.get("/api/v1/fund/inventory-book/xlsx", headers=h).content))
    assert book_xlsx.active.max_row == 5
    act_book = load_workbook(BytesIO(client.get(f"/api/v1/fund/acts/{act['id']}/xlsx", headers=h).content))
    assert act_book.sheetnames == ["Акт", "Примірники"]


def test_inventory_book_and_stocktake_over_rest(client, db, staff):
    _, copies = _receipt_with_copies(client, staff["olena"], db, quantity=3)
    h = staff["olena"]
    book = client.get("/api/v1/fund/inventory-book?per_page=2", headers=h).json()
    assert (book["total"], book["pages"], len(book["copies"])) == (3, 2, 2)
    stocktake = client.post("/api/v1/fund/stocktakes", headers=h, json={"location": "АБ"}).json()
    finds = client.post(
        f"/api/v1/fund/stocktakes/{stocktake['id']}/finds",
        headers=h,
        json={"entries": [copies[0]["inventory_number"], "NOPE"]},
    ).json()
    assert (finds["matched"], finds["unknown"]) == (1, ["NOPE"])
    missing = client.get(f"/api/v1/fund/stocktakes/{stocktake['id']}/missing", headers=h).json()
    assert len(missing) == 2
    closed = client.post(f"/api/v1/fund/stocktakes/{stocktake['id']}/close", headers=h, json={}).json()
    assert closed["state"] == "closed" and closed["act"]["total"]["copies"] == 2


def test_pages_show_the_fund_to_staff_and_hide_it_from_libraries(client, db, staff):
    _receipt_with_copies(client, staff["olena"], db)
    page_login(client, "nata")
    for url in (
        "/fund",
        "/fund/receipts",
        "/fund/acts",
        "/fund/register?year=2026",
        "/fund/inventory-book",
        "/fund/stocktakes",
    ):
        assert client.get(url).status_code == 200, url
    assert "xlsx" in client.get("/fund/register?year=2026").text
    assert (
        client.get("/fund/register/xlsx?year=2026")
        .headers["content-type"]
        .startswith("application/vnd.openxmlformats")
    )
    assert client.get("/fund/receipts/new").status_code == 403
    client.cookies.clear()
    page_login(client, "stb")
    assert client.get("/fund/receipts").status_code == 404
    assert 'href="/fund"' not in client.get("/").text


def test_receipt_form_shows_errors_next_to_fields_then_succeeds(client, db, staff):
    page_login(client, "olena")
    response = post_form(
        client, "/fund/receipts/new", {"date": "вчора", "source": "purchase", "supplier": ""}
    )
    assert response.status_code == 422
    assert 'id="date-error"' in response.text and 'id="supplier-error"' in response.text
    response = post_form(
        client, "/fund/receipts/new", {"date": "2026-04-01", "source": "purchase", "supplier": "Віват"}
    )
    assert response.status_code == 303
    edition = make_edition(db)
    target = response.headers["location"]
    bad = post_form(
        client,
        f"{target}/copies",
        {"edition_id": str(edition.id), "quantity": "0", "price": "1"},
        page=target,
    )
    assert bad.status_code == 422 and 'id="quantity-error"' in bad.text
    good = post_form(
        client,
        f"{target}/copies",
        {"edition_id": str(edition.id), "quantity": "2", "price": "9,90"},
        page=target,
    )
    assert good.status_code == 303
    assert "000002" in client.get(target).text
