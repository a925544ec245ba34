"""The exchange fund over REST and pages: staff offer, libraries request only for themselves."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from distribution.allocation.services import allocate_programme
from distribution.exchange.models import ExchangeOffer, ExchangeReservation
from distribution.exchange.offer_files import parse_offer_file
from distribution.exchange.offers import load_offers
from distribution.programmes.models import Order, ProgrammeTitle
from distribution.programmes.services import create_programme
from distribution.shipping.packing import pack_programme
from tests.api.conftest import bearer, csrf_of, page_login, post_form
from tests.builders import TEST_ACTOR, make_library, make_user
from tests.collection.fund_builders import make_edition, receive
from tests.distribution.programme_builders import csv_bytes, isbn13

A, B = isbn13(301), isbn13(302)
HEADER = ["isbn", "title", "author", "publisher", "year", "price", "quantity"]
ROWS = [[A, "Кобзар", "Шевченко Т.", "Знання", "2020", "150", "4"],
        [B, "Лісова пісня", "Українка Л.", "Фоліо", "2019", "", "2"]]  # fmt: skip


@pytest.fixture
def world(db):
    """An exchange round with two offered titles, two libraries with users, and staff."""
    first, second = make_library(db, code="LG-EXA-01"), make_library(db, code="LG-EXA-02")
    make_user(db, "lib1", library=first)
    make_user(db, "lib2", library=second)
    make_user(db, "prog", "programme")
    make_user(db, "method", "methodologist")
    make_user(db, "cat", "cataloguer")
    programme = create_programme(db, actor=TEST_ACTOR, name="Обмінний фонд 2026", year=2026, kind="exchange")
    offers = io.BytesIO(csv_bytes(HEADER, ROWS))
    assert load_offers(db, actor=TEST_ACTOR, programme_id=programme.id,
                       offers=parse_offer_file(offers, "o.csv")).ok
    db.commit()
    titles = dict(db.execute(select(ProgrammeTitle.isbn, ProgrammeTitle.id)).all())
    return {"programme": programme.id, "first": first, "second": second, "a": titles[A], "b": titles[B]}


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


# --- REST: staff ----------------------------------------------------------------------------------


def test_staff_upload_an_offer_list_all_or_nothing_and_idempotently(client, db):
    make_user(db, "prog", "programme")
    programme = create_programme(db, actor=TEST_ACTOR, name="Обмін", year=2026, kind="exchange")
    db.commit()
    headers = bearer(client, "prog")
    url = f"/api/v1/programmes/{programme.id}/offers"
    bad = csv_bytes(HEADER, [*ROWS, [isbn13(303), "Тіні", "", "", "", "", "-1"]])
    response = client.post(url, headers=headers, files={"file": ("offers.csv", bad)})
    assert response.status_code == 422
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(4, "quantity")]
    assert count(db, ExchangeOffer) == 0
    good = csv_bytes(HEADER, ROWS)
    upload = {"headers": headers, "files": {"file": ("offers.csv", good)}, "data": {"source": "gift"}}
    response = client.post(url, **upload)
    assert response.status_code == 200 and response.json()["created"] == 2
    again = client.post(url, **upload)
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 2)
    offers = client.get(url, headers=headers).json()
    assert [(o["isbn"], o["offered"], o["sources"], o["requested"]) for o in offers] == [
        (A, 4, {"gift": 4}, 0), (B, 2, {"gift": 2}, 0)]


def test_staff_draw_fund_duplicates_and_the_methodologist_only_reads(client, db, world):
    edition = make_edition(db)
    receive(db, edition, quantity=3)
    url = f"/api/v1/programmes/{world['programme']}/offers"
    response = client.post(f"{url}/fund-duplicates", headers=bearer(client, "prog"), json={"keep": 1})
    assert response.status_code == 200, response.text
    assert (response.json()["copies"], response.json()["editions"]) == (2, 1)
    again = client.post(f"{url}/fund-duplicates", headers=bearer(client, "prog"), json={"keep": 1})
    assert again.json()["copies"] == 0
    assert count(db, ExchangeReservation) == 2
    method = bearer(client, "method")
    assert client.get(url, headers=method).status_code == 200
    assert client.post(f"{url}/fund-duplicates", headers=method, json={"keep": 1}).status_code == 403
    assert client.get(url, headers=bearer(client, "lib1")).status_code == 404
    assert client.get("/api/v1/exchange", headers=bearer(client, "cat")).status_code == 403


# --- REST: libraries ------------------------------------------------------------------------------


def test_a_library_sees_open_rounds_and_sets_only_its_own_requests(client, world):
    lib1 = bearer(client, "lib1")
    rounds = client.get("/api/v1/exchange", headers=lib1).json()
    assert [(r["id"], r["titles"], r["offered"]) for r in rounds] == [(world["programme"], 2, 6)]
    base = f"/api/v1/exchange/{world['programme']}"
    response = client.put(f"{base}/requests/LG-EXA-01", headers=lib1, json={"quantities": {world["a"]: 3}})
    assert response.status_code == 200, response.text
    assert response.json()["requests"] == [
        {"title_id": world["a"], "isbn": A, "title": "Кобзар", "quantity": 3}]
    # Another library's requests: neither writable nor readable, as if it did not exist.
    other = client.put(f"{base}/requests/LG-EXA-02", headers=lib1, json={"quantities": {world["a"]: 1}})
    assert other.status_code == 404
    assert client.get(f"{base}/requests/LG-EXA-02", headers=lib1).status_code == 404
    lib2 = bearer(client, "lib2")
    client.put(f"{base}/requests/LG-EXA-02", headers=lib2, json={"quantities": {world["a"]: 1}})
    offers = client.get(base, headers=lib1).json()["offers"]
    assert offers[0]["requested_by_library"] == 3
    assert "requested" not in offers[0] and "sources" not in offers[0]  # no totals for libraries
    staff_url = f"/api/v1/programmes/{world['programme']}/offers"
    staff = client.get(staff_url, headers=bearer(client, "prog")).json()
    assert staff[0]["requested"] == 4


def test_a_request_beyond_the_offer_names_the_title_and_changes_nothing(client, db, world):
    base = f"/api/v1/exchange/{world['programme']}/requests/LG-EXA-01"
    response = client.put(base, headers=bearer(client, "lib1"), json={"quantities": {world["a"]: 9}})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"title_{world['a']}"]
    assert count(db, Order) == 0


def test_requests_close_when_the_round_is_allocated(client, db, world):
    lib1 = bearer(client, "lib1")
    base = f"/api/v1/exchange/{world['programme']}"
    client.put(f"{base}/requests/LG-EXA-01", headers=lib1, json={"quantities": {world["a"]: 3}})
    allocate_programme(db, actor=TEST_ACTOR, programme_id=world["programme"])
    db.commit()
    late = client.put(f"{base}/requests/LG-EXA-01", headers=lib1, json={"quantities": {world["a"]: 4}})
    assert late.status_code == 409
    assert client.get(base, headers=lib1).status_code == 404
    assert client.get("/api/v1/exchange", headers=lib1).json() == []
    assert client.get(base, headers=bearer(client, "method")).status_code == 200
    parcels = pack_programme(db, actor=TEST_ACTOR, programme_id=world["programme"])
    assert sum(p.copies for p in parcels["LG-EXA-01"]) == 3


# --- pages ----------------------------------------------------------------------------------------


def test_a_library_requests_copies_with_the_form_and_sees_its_requests(client, db, world):
    page_login(client, "lib1")
    assert "Обмінний фонд 2026" in client.get("/exchange").text
    url = f"/exchange/{world['programme']}"
    page = client.get(url).text
    assert f'name="title_{world["a"]}"' in page and "Ви ще нічого не замовили" in page
    response = post_form(client, url, {f"title_{world['a']}": "2", f"title_{world['b']}": ""})
    assert response.status_code == 303
    page = client.get(url).text
    assert "Заявку збережено" in page
    assert 'value="2"' in page
    assert db.scalar(select(Order.quantity)) == 2
    refused = post_form(client, url, {f"title_{world['a']}": "7"})
    assert refused.status_code == 422
    assert "Ціле число від 0 до запропонованої кількості" in refused.text
    assert client.get(f"/programmes/{world['programme']}/offers").status_code == 404


def test_a_library_cannot_request_once_collecting_has_closed(client, db, world):
    page_login(client, "lib1")
    url = f"/exchange/{world['programme']}"
    token = csrf_of(client.get(url).text)
    allocate_programme(db, actor=TEST_ACTOR, programme_id=world["programme"])
    db.commit()
    response = client.post(url, data={f"title_{world['a']}": "1", "csrf_token": token})
    assert response.status_code == 409
    assert client.get(url).status_code == 404


def test_staff_upload_offers_and_draw_fund_duplicates_with_the_forms(client, db, world):
    edition = make_edition(db)
    receive(db, edition, quantity=3)
    page_login(client, "prog")
    url = f"/programmes/{world['programme']}/offers"
    page = client.get(url).text
    assert "Кобзар" in page and "Запропонувати дублети" in page
    token = csrf_of(page)
    bad = csv_bytes(HEADER, [[A, "Кобзар", "", "", "", "", "багато"]])
    response = client.post(f"{url}/upload", data={"csrf_token": token, "source": "file"},
                           files={"file": ("bad.csv", bad)}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 422
    assert "Має бути ціле число" in response.text and 'id="row-errors"' in response.text
    changed = csv_bytes(HEADER, [[A, "Кобзар", "Шевченко Т.", "Знання", "2020", "150", "5"]])
    response = client.post(f"{url}/upload", data={"csrf_token": token, "source": "file"},
                           files={"file": ("offers.csv", changed)}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert "змінено 1" in client.get(url).text
    response = post_form(client, f"{url}/fund-duplicates", {"keep": "1"}, page=url)
    assert response.status_code == 303
    assert "З фонду запропоновано примірників: 2" in client.get(url).text
    refused = post_form(client, f"{url}/fund-duplicates", {"keep": "-3"}, page=url)
    assert refused.status_code == 422 and "Ціле число від 0 до 10000" in refused.text


def test_the_methodologist_reads_the_offers_page_without_forms_and_english_works(client, world):
    page_login(client, "method")
    client.cookies.set("komplekt_lang", "en")
    page = client.get(f"/programmes/{world['programme']}/offers").text
    assert "Exchange fund offer" in page and "Кобзар" in page
    assert "Offer fund duplicates" not in page
    assert ">Exchange fund<" in client.get("/exchange").text
