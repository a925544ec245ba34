"""The programme flow over REST: titles, orders, deliveries, allocation, packing, report; roles."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from collection.audit import entries_for_object
from tests.api.conftest import bearer
from tests.builders import make_library, make_user
from tests.distribution.programme_builders import csv_bytes, isbn13, xlsx_bytes
from tests.shared_data import data_path

A, B, C = isbn13(1), isbn13(2), isbn13(3)
API = "/api/v1/programmes"
TITLES = csv_bytes(
    ["isbn", "title", "author", "publisher", "year", "price"],
    [[A, "Кобзар", "Шевченко Т.", "Знання", "2025", "350.00"],
     [B, "Лісова пісня", "Українка Л.", "Фоліо", "2024", "210,50"],
     [C, "Тіні забутих предків", "Коцюбинський М.", "А-ба-ба-га-ла-ма-га", "2025", ""]],
)  # fmt: skip
ORDERS = xlsx_bytes(
    ["Код бібліотеки", "ISBN", "Кількість"],
    [["LG-STB-01", A, 5], ["LG-SVT-01", A, 3], ["LG-KRM-01", A, 2], ["LG-STB-01", B, 1], ["LG-SVT-01", C, 4]],
)


@pytest.fixture
def staff(client, db):
    """Three libraries; a programme officer, a methodologist, a cataloguer and a library user."""
    stb = make_library(db, code="LG-STB-01", status="relocated")
    make_library(db, code="LG-SVT-01")
    make_library(db, code="LG-KRM-01", status="occupied")
    make_user(db, "olena", "programme")
    make_user(db, "nata", "methodologist")
    make_user(db, "kat", "cataloguer")
    make_user(db, "stb", library=stb)
    return {name: bearer(client, name) for name in ("olena", "nata", "kat", "stb")}


def upload(client, url, headers, name, content, **kwargs):
    """POST ``content`` as the multipart field ``file`` named ``name``."""
    return client.post(url, headers=headers, files={"file": (name, content)}, **kwargs)


def new_programme(client, headers, name="Державна програма 2026", year=2026, kind="state") -> int:
    response = client.post(API, headers=headers, json={"name": name, "year": year, "kind": kind})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def ordered(client, staff):
    """A programme with three titles and five orders (A: 10 copies, B: 1, C: 4)."""
    h = staff["olena"]
    pid = new_programme(client, h)
    assert upload(client, f"{API}/{pid}/titles", h, "titles.csv", TITLES).status_code == 200
    assert upload(client, f"{API}/{pid}/orders", h, "orders.xlsx", ORDERS).status_code == 200
    return pid


@pytest.fixture
def received(client, staff, ordered):
    """The programme with one delivery: A 7 (1 damaged), B 1, C 4."""
    delivery = csv_bytes(["isbn", "received", "damaged"], [[A, "7", "1"], [B, "1", "0"], [C, "4", "0"]])
    response = upload(client, f"{API}/{ordered}/deliveries", staff["olena"], "invoice-17.csv", delivery,
                      data={"supplier": "Знання", "date": "2026-03-02"})  # fmt: skip
    assert response.status_code == 201, response.text
    return ordered


def titles_by_isbn(client, headers, pid) -> dict[str, int]:
    return {t["isbn"]: t["id"] for t in client.get(f"{API}/{pid}/titles", headers=headers).json()}


def allocation(client, headers, pid) -> dict[tuple[str, str], tuple[int, int]]:
    items = client.get(f"{API}/{pid}/allocation", headers=headers).json()["items"]
    return {(r["library_code"], r["isbn"]): (r["ordered"], r["allocated"]) for r in items}


# --- the whole flow -------------------------------------------------------------------------------


def test_the_whole_flow_from_title_list_to_report(client, staff):
    h = staff["olena"]
    pid = new_programme(client, h)
    titles = upload(client, f"{API}/{pid}/titles", h, "titles.csv", TITLES)
    assert titles.status_code == 200, titles.text
    assert (titles.json()["created"], titles.json()["errors"]) == (3, [])
    listed = client.get(f"{API}/{pid}/titles", headers=h).json()
    assert [(t["isbn"], t["title"], t["price"]) for t in listed][:2] == [
        (A, "Кобзар", "350.00"), (B, "Лісова пісня", "210.50")]  # fmt: skip

    orders = upload(client, f"{API}/{pid}/orders", h, "orders.xlsx", ORDERS)
    assert orders.status_code == 200 and orders.json()["created"] == 5

    delivery = csv_bytes(["isbn", "received", "damaged"], [[A, "7", "1"], [B, "1", "0"]])
    by_file = upload(client, f"{API}/{pid}/deliveries", h, "invoice-17.csv", delivery,
                     data={"number": "ВН-17", "date": "2026-03-02", "supplier": "Знання"})  # fmt: skip
    assert by_file.status_code == 201, by_file.text
    summary = by_file.json()
    assert (summary["number"], summary["received"], summary["damaged"]) == ("ВН-17", 8, 1)
    by_json = client.post(f"{API}/{pid}/deliveries", headers=h, json={
        "number": "ВН-18", "date": "2026-03-09", "supplier": "А-ба-ба-га-ла-ма-га",
        "lines": [{"isbn": C, "received": 4}]})  # fmt: skip
    assert by_json.status_code == 201, by_json.text
    deliveries = client.get(f"{API}/{pid}/deliveries", headers=h).json()
    assert [(d["number"], d["date"], d["received"]) for d in deliveries] == [
        ("ВН-17", "2026-03-02", 8), ("ВН-18", "2026-03-09", 4)]  # fmt: skip
    one = client.get(f"{API}/{pid}/deliveries/{deliveries[0]['id']}", headers=h).json()
    lines = [(line["isbn"], line["received"], line["damaged"]) for line in one["lines"]]
    assert lines == [(A, 7, 1), (B, 1, 0)]

    plan = client.post(f"{API}/{pid}/allocation", headers=h, json={"surplus_destination": "exchange_fund"})
    assert plan.status_code == 200, plan.text
    assert plan.json() | {"state": None} == {
        "ordered": 15, "allocated": 11, "libraries": 3, "titles": 3, "surplus": 0,
        "surplus_destination": "exchange_fund", "state": None}  # fmt: skip
    rows = allocation(client, h, pid)
    assert sum(allocated for (_, isbn), (_, allocated) in rows.items() if isbn == A) == 6  # 7 less 1 damaged
    assert all(allocated <= ordered for ordered, allocated in rows.values())

    packed = client.post(f"{API}/{pid}/packing", headers=h, json={"max_weight": "30", "max_copies": 100})
    assert packed.status_code == 200, packed.text
    assert (packed.json()["parcels"], packed.json()["libraries"], packed.json()["copies"]) == (3, 3, 11)
    parcels = client.get(f"{API}/{pid}/parcels?library_code=lg-stb-01", headers=h).json()
    assert parcels["total"] == 1
    assert {line["isbn"] for line in parcels["items"][0]["lines"]} == {A, B}

    report = client.get(f"{API}/{pid}/report", headers=staff["nata"]).json()
    assert report["totals"]["allocated"] == report["totals"]["packed"] == 11
    programme = client.get(f"{API}/{pid}", headers=staff["nata"]).json()
    assert (programme["name"], programme["state"], programme["titles"], programme["deliveries"]) == (
        "Державна програма 2026", "dispatching", 3, 2)  # fmt: skip
    assert programme["totals"]["ordered"] == 15 and programme["totals"]["received"] == 12


def test_every_write_is_audited_once_under_the_callers_name(client, db, staff, received):
    h = staff["olena"]
    before = len(entries_for_object(db, "programme", received))
    client.post(f"{API}/{received}/allocation", headers=h)
    client.post(f"{API}/{received}/packing", headers=h)
    entries = entries_for_object(db, "programme", received)
    assert len(entries) == before + 2
    assert {e.username for e in entries[:2]} == {"olena"}


# --- who may do what ------------------------------------------------------------------------------


def test_library_users_get_404_on_every_programme_endpoint(client, staff, received):
    h = staff["stb"]
    for url in ("", f"/{received}", f"/{received}/titles", f"/{received}/orders", f"/{received}/deliveries",
                f"/{received}/allocation", f"/{received}/parcels", f"/{received}/report"):  # fmt: skip
        assert client.get(API + url, headers=h).status_code == 404, url
    assert client.post(API, headers=h, json={"name": "x", "year": 2026}).status_code == 404
    assert client.post(f"{API}/{received}/allocation", headers=h).status_code == 404
    assert upload(client, f"{API}/{received}/orders", h, "orders.xlsx", ORDERS).status_code == 404


def test_methodologist_reads_but_may_not_write(client, staff, received):
    h = staff["nata"]
    for url in ("", f"/{received}", f"/{received}/titles", f"/{received}/orders", f"/{received}/deliveries",
                f"/{received}/allocation", f"/{received}/parcels", f"/{received}/report"):  # fmt: skip
        assert client.get(API + url, headers=h).status_code == 200, url
    assert client.post(API, headers=h, json={"name": "x", "year": 2026}).status_code == 403
    assert upload(client, f"{API}/{received}/orders", h, "orders.xlsx", ORDERS).status_code == 403
    assert client.post(f"{API}/{received}/allocation", headers=h).status_code == 403
    assert client.patch(f"{API}/{received}/allocation", headers=h, json={
        "changes": [{"library_code": "LG-STB-01", "isbn": A, "quantity": 1}]}).status_code == 403  # fmt: skip
    assert client.post(f"{API}/{received}/packing", headers=h).status_code == 403
    assert client.post(f"{API}/{received}/deliveries", headers=h, json={
        "number": "x", "lines": [{"isbn": A, "received": 1}]}).status_code == 403  # fmt: skip


def test_other_staff_roles_are_forbidden_and_anonymous_calls_unauthorised(client, staff, ordered):
    assert client.get(f"{API}/{ordered}", headers=staff["kat"]).status_code == 403
    assert client.get(f"{API}/{ordered}").status_code == 401


def test_an_unknown_programme_is_404(client, staff):
    h = staff["olena"]
    assert client.get(f"{API}/999999", headers=h).status_code == 404
    assert client.get(f"{API}/999999/report", headers=h).status_code == 404
    assert upload(client, f"{API}/999999/orders", h, "orders.xlsx", ORDERS).status_code == 404


# --- programmes -----------------------------------------------------------------------------------


def test_programmes_are_listed_with_filters_and_bad_fields_named(client, staff):
    h = staff["olena"]
    state = new_programme(client, h, year=2025)
    gift = new_programme(client, h, name="Книжки для деокупованих громад", year=2026, kind="gift")
    assert [p["id"] for p in client.get(API, headers=h).json()] == [gift, state]
    assert [p["id"] for p in client.get(f"{API}?kind=gift", headers=h).json()] == [gift]
    assert [p["id"] for p in client.get(f"{API}?year=2025&state=collecting", headers=h).json()] == [state]
    assert client.get(f"{API}?state=dispatching", headers=h).json() == []
    bad = client.post(API, headers=h, json={"name": "", "year": 1900, "kind": "lottery"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "year", "kind"}


# --- title list and orders ------------------------------------------------------------------------


def test_bad_orders_are_refused_with_every_error_and_nothing_is_loaded(client, staff, ordered):
    h = staff["olena"]
    pid = new_programme(client, h, name="Друга програма")
    upload(client, f"{API}/{pid}/titles", h, "titles.csv", TITLES)
    bad = csv_bytes(["library_code", "isbn", "quantity"],
                    [["LG-STB-01", A, "5"], ["LG-NOPE-01", A, "2"], ["LG-SVT-01", isbn13(999), "1"],
                     ["LG-KRM-01", B, "багато"]])  # fmt: skip
    response = upload(client, f"{API}/{pid}/orders", h, "orders.csv", bad)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "library_code"), (4, "isbn"), (5, "quantity")]
    assert errors[0]["message"] == "Невідома бібліотека LG-NOPE-01"
    assert errors[2]["value"] == "багато"
    assert client.get(f"{API}/{pid}/orders", headers=h).json()["total"] == 0


def test_the_error_report_downloads_as_csv_or_xlsx_with_status_422(client, staff, ordered):
    h = staff["olena"]
    bad = csv_bytes(["library_code", "isbn", "quantity"], [["LG-NOPE-01", A, "2"]])
    as_csv = upload(client, f"{API}/{ordered}/orders?error_report=csv", h, "orders.csv", bad)
    assert as_csv.status_code == 422
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "orders-errors.csv" in as_csv.headers["content-disposition"]
    assert "2,library_code,Невідома бібліотека LG-NOPE-01" in as_csv.content.decode("utf-8-sig")
    as_xlsx = upload(client, f"{API}/{ordered}/orders?error_report=xlsx", h, "orders.csv", bad)
    assert as_xlsx.status_code == 422
    rows = list(load_workbook(BytesIO(as_xlsx.content)).active.iter_rows(values_only=True))
    assert rows == [("row", "column", "problem", "value"),
                    (2, "library_code", "Невідома бібліотека LG-NOPE-01", "LG-NOPE-01")]  # fmt: skip


def test_errors_come_in_english_when_the_caller_chose_english(client, staff, ordered):
    client.cookies.set("komplekt_lang", "en")
    bad = csv_bytes(["library_code", "isbn", "quantity"], [["LG-NOPE-01", A, "2"]])
    response = upload(client, f"{API}/{ordered}/orders", staff["olena"], "orders.csv", bad)
    assert response.json()["detail"] == "The file has errors; nothing was loaded"
    assert response.json()["errors"][0]["message"] == "Unknown library LG-NOPE-01"


def test_uploading_the_same_orders_again_changes_nothing(client, db, staff, ordered):
    h = staff["olena"]
    before = client.get(f"{API}/{ordered}/orders", headers=h).json()
    history = len(entries_for_object(db, "programme", ordered))
    again = upload(client, f"{API}/{ordered}/orders", h, "orders.xlsx", ORDERS)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 5)
    assert client.get(f"{API}/{ordered}/orders", headers=h).json() == before
    assert len(entries_for_object(db, "programme", ordered)) == history


def test_a_changed_quantity_updates_only_that_order(client, staff, ordered):
    h = staff["olena"]
    changed = csv_bytes(["library_code", "isbn", "quantity"], [["LG-STB-01", A, "8"], ["LG-SVT-01", A, "3"]])
    response = upload(client, f"{API}/{ordered}/orders", h, "orders-v2.csv", changed)
    assert (response.json()["updated"], response.json()["unchanged"]) == (1, 1)
    orders = client.get(f"{API}/{ordered}/orders?isbn={A}", headers=h).json()["items"]
    assert {(o["library_code"], o["quantity"]) for o in orders} == {("LG-STB-01", 8), ("LG-SVT-01", 3),
                                                                      ("LG-KRM-01", 2)}  # fmt: skip


def test_orders_are_filtered_and_paged(client, staff, ordered):
    h = staff["olena"]
    url = f"{API}/{ordered}/orders"
    stb = client.get(f"{url}?library_code=lg-stb-01", headers=h).json()
    assert (stb["total"], {o["isbn"] for o in stb["items"]}) == (2, {A, B})
    hyphenated = f"{A[:3]}-{A[3:6]}-{A[6:]}"
    assert client.get(f"{url}?isbn={hyphenated}", headers=h).json()["total"] == 3
    first, second = (client.get(f"{url}?limit=3&offset={o}", headers=h).json() for o in (0, 3))
    assert (first["total"], len(first["items"]), len(second["items"])) == (5, 3, 2)
    assert not {o["id"] for o in first["items"]} & {o["id"] for o in second["items"]}
    bad = client.get(f"{url}?isbn=123", headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "isbn"


def test_files_that_are_not_tables_are_refused(client, staff, ordered):
    h = staff["olena"]
    pdf = upload(client, f"{API}/{ordered}/titles", h, "titles.pdf", b"%PDF-1.4")
    assert pdf.status_code == 422 and pdf.json()["errors"][0]["field"] == "file"
    marc = upload(client, f"{API}/{ordered}/titles", h, "titles.mrc", b"00026nam  2200025   4500\x1e\x1d")
    assert marc.status_code == 422 and marc.json()["errors"][0]["column"] == "record"
    broken = upload(client, f"{API}/{ordered}/orders", h, "orders.xlsx", b"not a workbook")
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "file"


def test_a_title_list_loads_from_a_real_marc_file(client, staff):
    h = staff["olena"]
    pid = new_programme(client, h)
    response = upload(
        client, f"{API}/{pid}/titles", h, "rusmarc.xml", data_path("xbib__marc/rusmarc.xml").read_bytes()
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1
    (title,) = client.get(f"{API}/{pid}/titles", headers=h).json()
    assert (title["title"], title["isbn"]) == ("Сучасна соціальна філософія", "9789665040255")


def test_bad_title_rows_are_named(client, staff):
    h = staff["olena"]
    pid = new_programme(client, h)
    bad = csv_bytes(["isbn", "title", "year"], [[A, "Кобзар", "25"], ["978-0", "", "2025"]])
    response = upload(client, f"{API}/{pid}/titles", h, "titles.csv", bad)
    assert response.status_code == 422
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == {
        (2, "year"), (3, "isbn"), (3, "title")}  # fmt: skip
    assert client.get(f"{API}/{pid}/titles", headers=h).json() == []


# --- deliveries -----------------------------------------------------------------------------------


def test_a_delivery_number_is_registered_once(client, staff, received):
    h = staff["olena"]
    again = upload(client, f"{API}/{received}/deliveries", h, "invoice-17.csv",
                   csv_bytes(["isbn", "received"], [[A, "1"]]))  # fmt: skip
    assert again.status_code == 409
    assert len(client.get(f"{API}/{received}/deliveries", headers=h).json()) == 1


def test_json_delivery_errors_name_the_line(client, staff, ordered):
    h = staff["olena"]
    response = client.post(f"{API}/{ordered}/deliveries", headers=h, json={
        "number": "ВН-1", "lines": [{"isbn": A, "received": 2}, {"isbn": isbn13(999), "received": 1},
                                    {"isbn": B, "received": 1, "damaged": 3}]})  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lines[1].isbn", "lines[2].damaged"]
    assert client.get(f"{API}/{ordered}/deliveries", headers=h).json() == []
    shape = client.post(f"{API}/{ordered}/deliveries", headers=h, json={"number": "ВН-2", "lines": []})
    assert shape.status_code == 422
    assert client.get(f"{API}/{ordered}/deliveries/999999", headers=h).status_code == 404


def test_a_multipart_delivery_needs_a_file_and_a_valid_date(client, staff, ordered):
    h = staff["olena"]
    no_file = client.post(f"{API}/{ordered}/deliveries", headers=h, data={"number": "1"},
                          files={"other": ("x.txt", b"x")})  # fmt: skip
    assert no_file.status_code == 422 and no_file.json()["errors"][0]["field"] == "file"
    lines = csv_bytes(["isbn", "received"], [[A, 1]])
    bad_date = upload(client, f"{API}/{ordered}/deliveries", h, "d.csv", lines, data={"date": "02.03.2026"})
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["field"] == "date"


# --- allocation -----------------------------------------------------------------------------------


def test_priority_statuses_are_served_first_and_unknown_values_refused(client, staff, ordered):
    h = staff["olena"]
    client.post(f"{API}/{ordered}/deliveries", headers=h, json={
        "number": "ВН-1", "lines": [{"isbn": A, "received": 5}]})  # fmt: skip
    client.post(f"{API}/{ordered}/allocation", headers=h, json={"priority_statuses": ["relocated"]})
    rows = allocation(client, h, ordered)
    assert rows[("LG-STB-01", A)] == (5, 5)  # the relocated library ordered 5 and gets all 5
    unknown = client.post(f"{API}/{ordered}/allocation", headers=h, json={"priority_statuses": ["sleepy"]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "priority_statuses"
    surplus = client.post(f"{API}/{ordered}/allocation", headers=h, json={"surplus_destination": "sea"})
    assert surplus.status_code == 422 and surplus.json()["errors"][0]["field"] == "surplus_destination"


def test_allocation_rows_are_filtered(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    title = titles_by_isbn(client, h, received)[A]
    one = client.get(f"{API}/{received}/allocation?library_code=LG-SVT-01&title_id={title}", headers=h).json()
    assert [(r["library_code"], r["isbn"], r["ordered"]) for r in one["items"]] == [("LG-SVT-01", A, 3)]
    assert client.get(f"{API}/{received}/allocation?library_code=LG-STB-01", headers=h).json()["total"] == 2


def test_copies_are_moved_by_hand_within_the_limits_and_audited(client, db, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    before = allocation(client, h, received)
    stb, svt = before[("LG-STB-01", A)][1], before[("LG-SVT-01", A)][1]
    title = titles_by_isbn(client, h, received)[A]
    response = client.patch(f"{API}/{received}/allocation", headers=h, json={"changes": [
        {"library_code": "LG-STB-01", "isbn": A, "quantity": stb - 1},
        {"library_code": "lg-svt-01", "title_id": title, "quantity": svt + 1}]})  # fmt: skip
    assert response.status_code == 200, response.text
    assert {(r["library_code"], r["allocated"]) for r in response.json()["items"]} == {
        ("LG-STB-01", stb - 1), ("LG-SVT-01", svt + 1)}  # fmt: skip
    after = allocation(client, h, received)
    assert after[("LG-STB-01", A)][1] == stb - 1 and after[("LG-SVT-01", A)][1] == svt + 1
    [entry, *_] = entries_for_object(db, "allocation", f"{received}/LG-SVT-01/{title}")
    assert (entry.username, entry.changes["quantity"]) == ("olena", [svt, svt + 1])


def test_allocating_again_keeps_hand_adjustments_unless_reset(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    computed = allocation(client, h, received)
    client.patch(f"{API}/{received}/allocation", headers=h, json={
        "changes": [{"library_code": "LG-STB-01", "isbn": A, "quantity": 0}]})  # fmt: skip
    client.post(f"{API}/{received}/allocation", headers=h)
    assert allocation(client, h, received)[("LG-STB-01", A)] == (5, 0)
    client.post(f"{API}/{received}/allocation", headers=h, json={"reset": True})
    assert allocation(client, h, received) == computed


def test_an_adjustment_beyond_received_or_ordered_is_refused_and_changes_nothing(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    before = allocation(client, h, received)
    over_order = client.patch(f"{API}/{received}/allocation", headers=h, json={
        "changes": [{"library_code": "LG-KRM-01", "isbn": C, "quantity": 1}]})  # fmt: skip
    assert over_order.status_code == 409
    assert "LG-KRM-01, «Тіні забутих предків" in over_order.json()["detail"]
    assert "більше, ніж замовлено (0)" in over_order.json()["detail"]
    assert over_order.json()["errors"][0]["field"] == "allocation"
    over_received = client.patch(f"{API}/{received}/allocation", headers=h, json={
        "changes": [{"library_code": "LG-STB-01", "isbn": A, "quantity": 5}],
        "allow_over_order": True})  # fmt: skip
    assert over_received.status_code == 409 and "а отримано лише" in over_received.json()["detail"]
    assert allocation(client, h, received) == before
    negative = client.patch(f"{API}/{received}/allocation", headers=h, json={
        "changes": [{"library_code": "LG-STB-01", "isbn": A, "quantity": -1}]})  # fmt: skip
    assert negative.status_code == 422


def test_staff_may_allocate_over_an_order_when_they_say_so(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    freed = client.patch(f"{API}/{received}/allocation", headers=h, json={
        "changes": [{"library_code": "LG-SVT-01", "isbn": C, "quantity": 3}]})  # fmt: skip
    assert freed.status_code == 200
    response = client.patch(f"{API}/{received}/allocation", headers=h, json={
        "changes": [{"library_code": "LG-KRM-01", "isbn": C, "quantity": 1}],
        "allow_over_order": True})  # fmt: skip
    assert response.status_code == 200, response.text
    assert allocation(client, h, received)[("LG-KRM-01", C)] == (0, 1)


def test_adjustments_naming_unknown_libraries_or_titles_are_422_each_named(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    before = allocation(client, h, received)
    response = client.patch(f"{API}/{received}/allocation", headers=h, json={"changes": [
        {"library_code": "LG-NOPE-01", "isbn": A, "quantity": 1},
        {"library_code": "LG-STB-01", "isbn": isbn13(999), "quantity": 1},
        {"library_code": "LG-STB-01", "quantity": 1},
        {"library_code": "LG-STB-01", "title_id": 999999, "quantity": 1},
        {"library_code": "LG-STB-01", "isbn": "12345", "quantity": 1},
        {"library_code": "LG-SVT-01", "isbn": A, "quantity": 1},
        {"library_code": "LG-SVT-01", "isbn": A, "quantity": 2}]})  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "changes[0].library_code", "changes[1].isbn", "changes[2].isbn", "changes[3].title_id",
        "changes[4].isbn", "changes[6].library_code"]  # fmt: skip
    assert "changes[5]" in response.json()["errors"][-1]["message"]
    assert allocation(client, h, received) == before


# --- packing and report ---------------------------------------------------------------------------


def test_parcels_keep_to_the_carriers_limits(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    limits = {"max_copies": 2, "max_weight": 5, "packaging_weight": "0.2"}
    packed = client.post(f"{API}/{received}/packing", headers=h, json=limits)
    assert packed.status_code == 200
    parcels = client.get(f"{API}/{received}/parcels", headers=h).json()
    assert parcels["total"] == packed.json()["parcels"] >= 6  # 11 copies, at most 2 a parcel
    assert all(p["copies"] <= 2 and float(p["weight"]) <= 5 for p in parcels["items"])
    assert sum(line["copies"] for p in parcels["items"] for line in p["lines"]) == 11
    page = client.get(f"{API}/{received}/parcels?limit=2&offset=1", headers=h).json()
    assert [p["id"] for p in page["items"]] == [p["id"] for p in parcels["items"][1:3]]
    impossible = client.post(f"{API}/{received}/packing", headers=h,
                             json={"max_weight": 1, "packaging_weight": 1})  # fmt: skip
    assert impossible.status_code == 422
    assert client.get(f"{API}/{received}/parcels", headers=h).json()["total"] == parcels["total"]



def test_a_carrier_limit_out_of_the_domains_bounds_is_refused_with_its_message(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    refused = client.post(f"{API}/{received}/packing", headers=h, json={"max_copies": 0})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "max_copies", "message": "Ціле число від 1 до 10000"}]
    assert client.get(f"{API}/{received}/parcels", headers=h).json()["total"] == 0

def test_the_report_downloads_as_csv_and_xlsx(client, staff, received):
    h = staff["nata"]
    client.post(f"{API}/{received}/allocation", headers=staff["olena"])
    as_csv = client.get(f"{API}/{received}/report?format=csv", headers=h)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content.decode("utf-8-sig").splitlines()[0].startswith("title_id,isbn,title")
    as_xlsx = client.get(f"{API}/{received}/report?format=xlsx", headers=h)
    book = load_workbook(BytesIO(as_xlsx.content))
    assert book.sheetnames == ["titles", "libraries", "publishers", "districts"]
    header, *rows = book["titles"].iter_rows(values_only=True)
    assert {row[header.index("isbn")]: row[header.index("allocated")] for row in rows}[A] == 6
    assert client.get(f"{API}/{received}/report?format=pdf", headers=h).status_code == 422


def test_limit_problems_are_told_in_the_callers_language(client, staff, received):
    h = staff["olena"]
    client.post(f"{API}/{received}/allocation", headers=h)
    client.cookies.set("komplekt_lang", "en")
    change = {"changes": [{"library_code": "LG-KRM-01", "isbn": C, "quantity": 1}]}
    refused = client.patch(f"{API}/{received}/allocation", headers=h, json=change)
    assert refused.status_code == 409
    assert "LG-KRM-01, “Тіні забутих предків" in refused.json()["detail"]
    assert "is more than the 0 ordered" in refused.json()["detail"]
