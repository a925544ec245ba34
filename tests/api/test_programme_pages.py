"""Programme pages: what staff see and change at each step, and who may see or change it."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from distribution.allocation.models import AllocationLine
from distribution.programmes.models import Delivery, Order, Programme, ProgrammeTitle
from distribution.shipping.models import Parcel
from tests.api.conftest import csrf_of, page_login, post_form
from tests.builders import make_library, make_user
from tests.distribution.programme_builders import A, B, csv_bytes, isbn13, programme_with_orders, xlsx_bytes
from tests.shared_data import data_path


@pytest.fixture
def staff(db):
    make_user(db, "olha", "programme")
    make_user(db, "nata", "methodologist")
    make_user(db, "kat", "cataloguer")
    make_user(db, "stb", library=make_library(db, code="LG-STB"))


def upload(client, url, filename, content, data=None, field="file"):
    """Post a form with a file, as the browser does from the page at ``url``."""
    token = csrf_of(client.get(url).text)
    return client.post(
        url,
        data={**(data or {}), "csrf_token": token},
        files={field: (filename, content)},
        follow_redirects=False,
    )


def count(db, model, **where):
    db.expire_all()
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.scalar(stmt)


def cell_text(html, element_id):
    """The text of the element with ``element_id`` (tags stripped, spaces collapsed)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def new_programme(client, name="Державна програма 2026"):
    response = post_form(client, "/programmes", {"kind": "state", "year": "2026", "name": name})
    assert response.status_code == 303, response.text
    return response.headers["location"]


# --- list, create, overview ----------------------------------------------------------------------------


def test_programme_staff_create_a_programme_then_find_it_in_the_list(client, db, staff):
    page_login(client, "olha")
    bad = post_form(client, "/programmes", {"kind": "state", "year": "1900", "name": ""})
    assert bad.status_code == 422
    assert 'id="name-error"' in bad.text and 'id="year-error"' in bad.text
    assert count(db, Programme) == 0

    target = new_programme(client)
    overview = client.get(target).text
    assert "Програму «Державна програма 2026» створено" in overview
    assert "збір заявок" in cell_text(overview, "programme-state")
    assert cell_text(overview, "programme-totals").endswith("0 0 0 0 0 0 0")
    steps = cell_text(overview, "programme-steps")
    assert steps.index("Список назв") < steps.index("Заявки бібліотек") < steps.index("Надходження")
    assert steps.index("Надходження") < steps.index("Розподіл") < steps.index("Пакування")

    post_form(client, "/programmes", {"kind": "gift", "year": "2025", "name": "Книжкова акція"})
    listing = client.get("/programmes").text
    assert "Державна програма 2026" in listing and "Книжкова акція" in listing
    only_gifts = client.get("/programmes?kind=gift&year=&state=&q=").text
    assert "Книжкова акція" in only_gifts and "Державна програма 2026" not in only_gifts
    by_word = client.get("/programmes?q=ДЕРЖАВНА").text
    assert "Державна програма 2026" in by_word and "Книжкова акція" not in by_word


def test_the_report_downloads_as_xlsx_and_csv(client, db, staff):
    programme = programme_with_orders(db, [["LG-A01", A, 3]], received=[[A, 2, 0]])
    page_login(client, "nata")
    overview = client.get(f"/programmes/{programme.id}").text
    assert f'href="/programmes/{programme.id}/report.xlsx"' in overview
    assert cell_text(overview, "programme-totals").endswith("надлишок 3 2 0 0 0 0 2")
    assert "Знання 1 3 0 0 0" in cell_text(overview, "by-publisher")
    assert "3 0 0 0" in cell_text(overview, "by-district")
    xlsx = client.get(f"/programmes/{programme.id}/report.xlsx")
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["titles", "libraries", "publishers", "districts"]
    text = client.get(f"/programmes/{programme.id}/report.csv").content.decode("utf-8-sig")
    assert A in text and "LG-A01" in text
    assert client.get(f"/programmes/{programme.id}/report.pdf").status_code == 404
    assert client.get("/programmes/999999").status_code == 404


# --- titles --------------------------------------------------------------------------------------------


def test_a_title_list_with_bad_rows_shows_every_error_and_stores_nothing(client, db, staff):
    page_login(client, "olha")
    target = new_programme(client)
    header = ["isbn", "title", "author", "publisher", "year", "price"]
    bad = csv_bytes(
        header,
        [
            [A, "Кобзар", "Шевченко Т.", "Знання", "2025", "350"],
            ["978-0-00-000000-1", "Лісова пісня", "", "", "2024", ""],
            [B, "", "", "", "двадцять", ""],
        ],
    )
    response = upload(client, f"{target}/titles", "titles.csv", bad)
    assert response.status_code == 422
    errors = cell_text(response.text, "load-error-rows")
    assert "3 ISBN Некоректний ISBN 978-0-00-000000-1" in errors
    assert "4 назва Порожнє значення" in errors
    assert "4 рік Рік: чотири цифри двадцять" in errors
    assert "Нічого не збережено" in response.text
    assert count(db, ProgrammeTitle) == 0

    good = csv_bytes(
        header,
        [
            [A, "Кобзар", "Шевченко Т.", "Знання", "2025", "350"],
            [B, "Лісова пісня", "Українка Л.", "Фоліо", "2024", "210.50"],
        ],
    )
    response = upload(
        client,
        f"{target}/titles",
        "titles.xlsx",
        xlsx_bytes(header, list(csv.reader(io.StringIO(good.decode())))[1:]),
    )
    assert response.status_code == 303
    page = client.get(f"{target}/titles").text
    assert "Файл titles.xlsx: рядків 2; створено 2" in page
    assert "Кобзар" in page and "Лісова пісня" in page
    found = client.get(f"{target}/titles?q=кобзар").text
    assert "Кобзар" in cell_text(found, "titles") and "Лісова" not in cell_text(found, "titles")
    assert count(db, ProgrammeTitle) == 2


def test_a_file_that_is_not_a_table_is_refused_at_the_field(client, db, staff):
    page_login(client, "olha")
    target = new_programme(client)
    response = upload(client, f"{target}/titles", "records.pdf", b"%PDF-1.4")
    assert response.status_code == 422
    assert 'id="file-error"' in response.text and "потрібен csv, xlsx або MARC" in response.text
    response = upload(client, f"{target}/titles", "records.mrc", b"00000nam")
    assert response.status_code == 422 and "Запис не прочитано" in html.unescape(response.text)
    response = upload(client, f"{target}/titles", "broken.xlsx", b"not a workbook")
    assert response.status_code == 422 and "Не вдалося прочитати файл broken.xlsx" in response.text


def test_a_title_list_loads_from_a_real_marc_file(client, db, staff):
    page_login(client, "olha")
    target = new_programme(client)
    records = data_path("edsu__pymarc/1251.dat").read_bytes()
    response = upload(client, f"{target}/titles", "1251.dat", records)
    assert response.status_code == 303
    listing = cell_text(client.get(f"{target}/titles").text, "titles")
    assert "Мио, мой Мио!" in listing and "9785352012864" in listing
    assert count(db, ProgrammeTitle) == 6


# --- orders --------------------------------------------------------------------------------------------


def test_orders_with_a_bad_row_are_refused_and_the_error_report_downloads(client, db, staff):
    programme = programme_with_orders(db, [["LG-A01", A, 1]])
    url = f"/programmes/{programme.id}/orders"
    page_login(client, "olha")
    bad = csv_bytes(
        ["library_code", "isbn", "quantity"], [["LG-B01", A, 4], ["LG-NOPE", B, 2], ["LG-B01", B, "x"]]
    )
    response = upload(client, url, "orders-may.csv", bad)
    assert response.status_code == 422
    errors = cell_text(response.text, "load-error-rows")
    assert "3 код бібліотеки Невідома бібліотека LG-NOPE" in errors
    assert "4 кількість Має бути ціле число x" in errors
    assert count(db, Order, programme_id=programme.id) == 1  # only the one loaded before

    link = re.search(r'href="(/programmes/\d+/errors/[^"]+)\.xlsx"', response.text).group(1)
    sheet = load_workbook(io.BytesIO(client.get(f"{link}.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("row", "column", "problem", "value")
    assert (3, "library_code", "Невідома бібліотека LG-NOPE", "LG-NOPE") in rows
    report = client.get(f"{link}.csv").content.decode("utf-8-sig")
    assert "4,quantity,Має бути ціле число,x" in report
    assert client.get(f"/programmes/{programme.id}/errors/not-a-real-token-at-all.csv").status_code == 404

    good = csv_bytes(["код бібліотеки", "ISBN", "кількість"], [["LG-B01", A, 4], ["lg-b01", B, 2]])
    response = upload(client, url, "orders-may.csv", good)
    assert response.status_code == 303
    page = client.get(url).text
    assert "Файл orders-may.csv: рядків 2; створено 2" in page
    assert count(db, Order, programme_id=programme.id) == 3
    only_b01 = cell_text(client.get(f"{url}?library=lg-b&isbn=").text, "orders")
    assert "LG-B01" in only_b01 and "LG-A01" not in only_b01
    hyphenated = f"{B[:3]}-{B[3:6]}-{B[6:]}"
    only_b = cell_text(client.get(f"{url}?library=&isbn={hyphenated}").text, "orders")
    assert "Лісова пісня" in only_b and "Кобзар" not in only_b


# --- deliveries ----------------------------------------------------------------------------------------


def test_a_delivery_is_registered_from_typed_lines_or_a_file(client, db, staff):
    programme = programme_with_orders(db, [["LG-A01", A, 5]])
    url = f"/programmes/{programme.id}/deliveries"
    page_login(client, "olha")
    typed = {"number": "ВН-17", "date": "2026-03-02", "supplier": "Фоліо", "lines": f"{A}; 20; 1\n{B} 5",
             "note": "коробка 3 прим'ята"}  # fmt: skip
    response = post_form(client, url, typed)
    assert response.status_code == 303
    detail = client.get(response.headers["location"]).text
    assert html.unescape(detail).count("коробка 3 прим'ята") == 1
    assert "Надходження ВН-17 зареєстровано: назв 2, отримано 25, пошкоджено 1" in detail
    lines = cell_text(detail, "delivery-lines")
    assert "Кобзар 20 1 0" in lines and "Лісова пісня 5 0 0" in lines
    assert "ВН-17" in cell_text(client.get(url).text, "deliveries")

    again = post_form(client, url, typed)
    assert again.status_code == 409 and "Надходження ВН-17 вже зареєстроване" in again.text
    unknown = post_form(client, url, {**typed, "number": "ВН-18", "lines": f"{A} 1\n\n{isbn13(99)} 2"})
    assert unknown.status_code == 422
    assert f"3 ISBN ISBN {isbn13(99)} немає в списку назв програми" in cell_text(
        unknown.text, "load-error-rows"
    )
    neither = post_form(client, url, {"number": "ВН-19", "date": "2026-03-02"})
    assert neither.status_code == 422 and 'id="file-error"' in neither.text
    assert count(db, Delivery, programme_id=programme.id) == 1

    file = csv_bytes(["isbn", "received", "damaged"], [[A, 3, 0]])
    response = upload(client, url, "d-0305.csv", file, data={"date": "2026-03-05", "supplier": "Фоліо"})
    assert response.status_code == 303
    assert "d-0305" in cell_text(client.get(url).text, "deliveries")
    assert count(db, Delivery, programme_id=programme.id) == 2


# --- allocation ----------------------------------------------------------------------------------------


def test_allocation_shares_out_the_delivery_and_refuses_adjustments_beyond_the_limits(client, db, staff):
    programme = programme_with_orders(db, [["LG-A01", A, 6], ["LG-B01", A, 4]], received=[[A, 5, 0]])
    url = f"/programmes/{programme.id}/allocation"
    page_login(client, "olha")
    form = client.get(url).text  # libraries that cannot receive are held unless staff say otherwise
    for status in ("occupied", "destroyed", "closed"):
        assert f'name="held" value="{status}" checked' in form
    assert 'name="held" value="relocated" checked' not in form
    response = post_form(client, url, {"surplus_destination": "", "priority": "relocated"})
    assert response.status_code == 303
    page = client.get(url).text
    assert "Розподілено примірників: 5; бібліотек: 2; надлишок: 0" in page
    table = cell_text(page, "allocation")  # LG-B01 is relocated: served first when short
    assert f"LG-A01 {A} Кобзар 6 1" in table and f"LG-B01 {A} Кобзар 4 4" in table

    form = {
        "library_code": "LG-A01",
        "title_id": str(_title_id(db, programme.id, A)),
        "f_library": "",
        "f_title": "",
        "page": "1",
    }
    refused = post_form(client, f"{url}/adjust", {**form, "quantity": "2"}, page=url)
    assert refused.status_code == 409
    refusal = cell_text(refused.text, "allocation-error")
    assert "Розподіл виходить за межі" in refusal
    assert f"«Кобзар ({A})»: розподілено 6, а отримано лише 5" in refusal
    assert _allocated(db, programme.id) == {"LG-A01": 1, "LG-B01": 4}

    over_order = post_form(
        client, f"{url}/adjust", {**form, "library_code": "LG-B01", "quantity": "5"}, page=url
    )
    assert over_order.status_code == 409
    assert _allocated(db, programme.id) == {"LG-A01": 1, "LG-B01": 4}

    done = post_form(client, f"{url}/adjust", {**form, "library_code": "LG-B01", "quantity": "3"}, page=url)
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "LG-B01, назва" in page and "розподілено 3" in page
    assert f"LG-B01 {A} Кобзар 4 3 olha" in cell_text(page, "allocation")
    assert _allocated(db, programme.id) == {"LG-A01": 1, "LG-B01": 3}

    only_b = cell_text(client.get(f"{url}?library=LG-B&title=кобзар").text, "allocation")
    assert "LG-B01" in only_b and "LG-A01" not in only_b


def _title_id(db, programme_id, isbn):
    return db.scalar(
        select(ProgrammeTitle.id).where(
            ProgrammeTitle.programme_id == programme_id, ProgrammeTitle.isbn == isbn
        )
    )


def _allocated(db, programme_id):
    from distribution.libraries.models import Library

    db.expire_all()
    stmt = (
        select(Library.code, AllocationLine.quantity)
        .join(Library, Library.id == AllocationLine.library_id)
        .where(AllocationLine.programme_id == programme_id)
    )
    return dict(db.execute(stmt).all())


# --- packing -------------------------------------------------------------------------------------------


def test_packing_plans_parcels_within_the_limits_and_prints_packing_lists(client, db, staff):
    programme = programme_with_orders(
        db, [["LG-A01", A, 3], ["LG-B01", B, 1]], received=[[A, 3, 0], [B, 1, 0]]
    )
    page_login(client, "olha")
    post_form(client, f"/programmes/{programme.id}/allocation", {"surplus_destination": ""})
    url = f"/programmes/{programme.id}/packing"
    bad = post_form(client, url, {"max_weight": "важко", "max_copies": "0", "packaging_weight": "0.3"})
    assert bad.status_code == 422
    assert 'id="max_weight-error"' in bad.text and 'id="max_copies-error"' in bad.text
    assert count(db, Parcel, programme_id=programme.id) == 0
    too_many = post_form(client, url, {"max_weight": "30", "max_copies": "20000", "packaging_weight": "0.3"})
    assert too_many.status_code == 422 and "Ціле число від 1 до 10000" in too_many.text  # the domain's words

    response = post_form(client, url, {"max_weight": "30", "max_copies": "2", "packaging_weight": "0,3"})
    assert response.status_code == 303
    page = client.get(url).text
    assert "Сплановано посилок: 3; бібліотек: 2; примірників: 4" in page
    assert "Посилок: 3" in cell_text(page, "parcel-count")
    assert "посилок 2, примірників 3" in page
    assert count(db, Parcel, programme_id=programme.id) == 3

    printed = client.get(f"{url}/print?library=LG-A01").text
    assert printed.count('class="part packing-list"') == 2
    assert "Пакувальний лист" in printed and "Шевченко Т. Кобзар" in printed
    assert "Лісова пісня" not in printed


# --- who sees what -------------------------------------------------------------------------------------


def test_a_methodologist_sees_every_page_without_forms_and_cannot_change_anything(client, db, staff):
    programme = programme_with_orders(db, [["LG-A01", A, 3]], received=[[A, 3, 0]])
    page_login(client, "nata")
    base = f"/programmes/{programme.id}"
    assert 'href="/programmes"' in client.get("/").text
    for path in (
        "/programmes",
        base,
        f"{base}/titles",
        f"{base}/orders",
        f"{base}/deliveries",
        f"{base}/allocation",
        f"{base}/packing",
        f"{base}/packing/print",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'method="post" action="/programmes' not in response.text, path
    token = csrf_of(client.get("/programmes").text)
    for path in ("/programmes", f"{base}/allocation", f"{base}/packing", f"{base}/deliveries"):
        response = client.post(
            path,
            data={
                "csrf_token": token,
                "name": "x",
                "year": "2026",
                "kind": "state",
                "lines": f"{A} 1",
                "number": "X",
            },
        )
        assert response.status_code == 403, path
    assert count(db, Programme) == 1 and count(db, AllocationLine) == 0


def test_library_users_get_not_found_and_other_roles_are_refused(client, db, staff):
    programme = programme_with_orders(db, [["LG-A01", A, 3]])
    page_login(client, "stb")
    assert 'href="/programmes"' not in client.get("/").text
    for path in (
        "/programmes",
        f"/programmes/{programme.id}",
        f"/programmes/{programme.id}/orders",
        f"/programmes/{programme.id}/report.csv",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_of(client.get("/account").text)
    assert (
        client.post(f"/programmes/{programme.id}/allocation", data={"csrf_token": token}).status_code == 404
    )
    client.cookies.clear()
    page_login(client, "kat")
    assert client.get("/programmes").status_code == 403


def test_the_pages_speak_english_when_asked(client, db, staff):
    programme = programme_with_orders(db, [["LG-A01", A, 3]])
    client.cookies.set("komplekt_lang", "en")
    page_login(client, "olha")
    page = client.get(f"/programmes/{programme.id}").text
    assert "Title list" in page and "Library orders" in page and "collecting orders" in page
    response = upload(
        client,
        f"/programmes/{programme.id}/orders",
        "o.csv",
        csv_bytes(["library_code", "isbn", "quantity"], [["LG-NOPE", A, 1]]),
    )
    assert "Unknown library LG-NOPE" in response.text and "Nothing was stored" in response.text
