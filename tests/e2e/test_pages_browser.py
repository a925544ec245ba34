"""End to end in a real browser: log in, navigate, fail a form, see the error, fix it, succeed.

This is the pattern every page issue follows (see docs/platform.md).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_admin_creates_a_user_after_fixing_errors_shown_next_to_fields(page):
    log_in(page, "admin", "demo-admin")
    page.get_by_role("navigation").get_by_role("link", name="Користувачі").click()
    page.wait_for_url("**/admin/users")

    page.locator("#f-username").fill("X")
    page.locator("#f-role").select_option("library")
    page.locator("#f-password").fill("short")
    page.get_by_role("button", name="Створити").click()

    assert "латинські малі літери" in page.locator("#username-error").inner_text()
    assert "вкажіть бібліотеку" in page.locator("#library-error").inner_text()
    assert "8 символів" in page.locator("#password-error").inner_text()
    assert page.locator("#f-role").input_value() == "library"  # the form keeps what was typed

    page.locator("#f-username").fill("svatove")
    page.locator("#f-library").select_option("LG-SVT-01")
    page.locator("#f-password").fill("svatove-pass")
    page.get_by_role("button", name="Створити").click()

    assert "Користувача svatove створено" in page.locator(".flash-success").inner_text()
    assert page.locator("table.data").get_by_text("svatove", exact=True).is_visible()
    assert page.locator(".field-error").count() == 0


def test_library_user_edits_its_own_card_and_cannot_open_another(page):
    log_in(page, "starobilsk", "demo-pass")
    page.get_by_role("link", name="Моя бібліотека").first.click()
    page.wait_for_url("**/libraries/LG-STB-01")
    assert page.locator("#f-status").is_disabled()

    page.locator("#f-phone").fill("дзвоніть")
    page.get_by_role("button", name="Зберегти").click()
    assert "Телефон: цифри" in page.locator("#phone-error").inner_text()

    page.locator("#f-phone").fill("+380 44 555 66 77")
    page.get_by_role("button", name="Зберегти").click()
    assert page.locator(".flash-success").inner_text() == "Зміни збережено"
    assert page.locator("#f-phone").input_value() == "+380 44 555 66 77"
    assert page.locator(".history").get_by_text("starobilsk").first.is_visible()

    response = page.goto("/libraries/LG-SVT-01")
    assert response.status == 404
    assert "Сторінку не знайдено" in page.content()
    assert "Сватівська" not in page.content()


def test_password_change_in_english_with_an_error_then_success(page):
    log_in(page, "methodologist", "demo-pass")
    page.get_by_role("link", name="English").click()
    page.get_by_role("navigation").get_by_role("link", name="My account").click()
    page.wait_for_url("**/account")

    page.locator("#f-current_password").fill("demo-pass")
    page.locator("#f-new_password").fill("methodologist-2026")
    page.locator("#f-confirm_password").fill("methodologist-2025")
    page.get_by_role("button", name="Change password").click()
    assert page.locator("#confirm_password-error").inner_text() == "The passwords do not match"

    page.locator("#f-current_password").fill("demo-pass")
    page.locator("#f-new_password").fill("methodologist-2026")
    page.locator("#f-confirm_password").fill("methodologist-2026")
    page.get_by_role("button", name="Change password").click()
    assert page.locator(".flash-success").inner_text() == "Password changed"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.locator("#f-username").fill("methodologist")
    page.locator("#f-password").fill("methodologist-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("navigation").get_by_role("link", name="Audit trail").is_visible()


def test_staff_filter_the_library_list_as_they_type(page):
    log_in(page, "programme", "demo-pass")
    page.get_by_role("navigation").get_by_role("link", name="Бібліотеки").click()
    rows = page.locator("#library-rows tr:not(.total)")
    assert rows.count() == 10
    page.locator("#f-q").fill("сват")  # lower case: the search folds Cyrillic case
    page.wait_for_url(re.compile(r".*q=%D1%81%D0%B2%D0%B0%D1%82.*"))  # htmx pushed the URL
    assert rows.count() == 1
    assert "LG-SVT-01" in rows.first.inner_text()
