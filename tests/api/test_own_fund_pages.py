"""The own-fund page: acquisitions staff put the undistributed copies into the fund."""

from __future__ import annotations

import html

from sqlalchemy import select

from collection.fund.models import Copy, Receipt
from distribution.allocation.services import allocate_programme
from distribution.programmes.models import ProgrammeTitle
from tests.api.conftest import page_login, post_form
from tests.builders import TEST_ACTOR, make_user
from tests.distribution.programme_builders import A, B, programme_with_orders


def surplus_programme(db):
    programme = programme_with_orders(db, [["LG-A01", A, 3]], received=[[A, 5, 0], [B, 1, 0]])
    allocate_programme(db, actor=TEST_ACTOR, programme_id=programme.id)
    return programme


def test_acquisitions_takes_the_undistributed_copies_into_the_fund(client, db):
    programme = surplus_programme(db)
    make_user(db, "iryna", "acquisitions")
    page_login(client, "iryna")
    url = f"/programmes/{programme.id}/own-fund"
    page = html.unescape(client.get(url).text)
    assert "Кобзар" in page and "Лісова пісня" in page and 'id="own-fund-form"' in page
    a, b = (db.scalar(select(ProgrammeTitle.id).where(ProgrammeTitle.isbn == i)) for i in (A, B))
    refused = post_form(client, url, {"date": "2026-11-02", f"q_{a}": "3", f"q_{b}": "1"})
    assert refused.status_code == 422 and "Не більше, ніж лишилося нерозподіленим" in refused.text
    assert db.scalar(select(Receipt.id)) is None
    response = post_form(client, url, {"date": "2026-11-02", f"q_{a}": "2", f"q_{b}": "0", "location": "ЧЗ"})
    assert response.status_code == 303 and response.headers["location"].startswith("/fund/receipts/")
    copies = list(db.scalars(select(Copy)))
    assert len(copies) == 2 and {c.location for c in copies} == {"ЧЗ"}
    again = html.unescape(client.get(url).text)
    assert 'id="fund-receipts"' in again and "Кобзар" not in again.split('id="fund-share"')[-1]


def test_a_programme_officer_sees_the_share_but_cannot_take_it(client, db):
    programme = surplus_programme(db)
    make_user(db, "maks", "programme")
    page_login(client, "maks")
    url = f"/programmes/{programme.id}/own-fund"
    page = client.get(url).text
    assert 'id="fund-share"' in page and "Взяти до фонду" not in page
    assert post_form(client, url, {"date": "2026-11-02"}).status_code == 403


def test_rest_shows_the_share_and_takes_it_for_fund_staff_only(client, db):
    from tests.api.conftest import bearer

    programme = surplus_programme(db)
    make_user(db, "iryna", "acquisitions")
    make_user(db, "nata", "methodologist")
    url = f"/api/v1/programmes/{programme.id}/own-fund"
    staff, reader = bearer(client, "iryna"), bearer(client, "nata")
    a, b = (db.scalar(select(ProgrammeTitle.id).where(ProgrammeTitle.isbn == i)) for i in (A, B))
    assert client.get(url, headers=reader).json()["share"] == {str(a): 2, str(b): 1}
    assert client.post(url, headers=reader, json={}).status_code == 403
    too_many = client.post(url, headers=staff, json={"quantities": {str(a): 5}})
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == f"quantities.{a}"
    taken = client.post(url, headers=staff, json={"receipt_date": "2026-11-03"})
    assert taken.status_code == 201 and taken.json()["copies"] == 3
    assert client.get(url, headers=reader).json() == {"share": {}, "taken": {str(a): 2, str(b): 1}}
