"""In a real browser: find a record, open it, edit an ISBN wrongly, see the error, fix it, count it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_cataloguer_fixes_an_isbn_after_an_error_and_the_edit_is_counted(page):
    log_in(page, "cataloguer", "demo-pass")
    page.get_by_role("navigation").get_by_role("link", name="Каталог").click()
    page.wait_for_url("**/catalogue")

    page.locator("#f-q").fill("978-966-666-176-3")  # the demo's "Московіада", by its ISBN
    page.get_by_role("button", name="Знайти").click()
    page.locator("#results").get_by_role("link", name="Московіада", exact=True).first.click()
    assert "Дочинець, Мирослав Іванович" in page.locator("#view").inner_text()
    page.get_by_role("link", name="Редагувати").click()
    page.wait_for_url("**/edit")

    page.locator("#value-1-0").fill("978-617-000-000-0")  # 010$a with a wrong check digit
    page.get_by_role("button", name="Зберегти").first.click()
    assert "Недійсний ISBN" in page.locator("#f1-s0-error").inner_text()
    assert page.locator("#value-1-0").input_value() == "978-617-000-000-0"  # kept as typed

    page.locator("#value-1-0").fill("966-504-025-1")
    page.get_by_role("button", name="Зберегти").first.click()
    assert page.locator(".flash-success").inner_text() == "Запис збережено"
    assert "9789665040255" in page.locator("#view").inner_text()
    assert page.locator(".field-error").count() == 0

    page.get_by_role("navigation").get_by_role("link", name="Каталог").click()
    page.get_by_role("link", name="Облік каталогізації").click()
    assert page.locator("#plan-edited .done").inner_text() == "1"
    row = page.locator("#by-person tr", has_text="cataloguer")
    assert row.locator("td.edited").inner_text() == "1"
