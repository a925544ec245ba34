"""Fund accounting in a real browser: a receipt (error, fix), copies, the КСО row; a stocktake."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_acquisitions_registers_a_receipt_adds_copies_and_sees_the_kso_row(page):
    log_in(page, "acquisitions", "demo-pass")
    page.get_by_role("navigation").get_by_role("link", name="Облік фонду").click()
    page.get_by_role("link", name="Надходження").first.click()
    page.get_by_role("link", name="Нове надходження").click()

    page.locator("#f-number").fill("E2E-1")
    page.locator("#f-date").fill("2026-05-04")
    page.locator("#f-source").select_option("purchase")
    page.get_by_role("button", name="Зареєструвати").click()
    assert "постачальника" in page.locator("#supplier-error").inner_text()

    page.locator("#f-supplier").fill("Видавництво Старого Лева")
    page.get_by_role("button", name="Зареєструвати").click()
    assert "E2E-1" in page.locator(".flash-success").inner_text()

    page.locator("#f-edition_id").select_option(index=1)
    page.locator("#f-quantity").fill("2")
    page.locator("#f-price").fill("дорого")
    page.get_by_role("button", name="Додати").click()
    assert page.locator("#price-error").is_visible()
    page.locator("#f-price").fill("240,00")
    page.get_by_role("button", name="Додати").click()
    assert "Додано примірників: 2" in page.locator(".flash-success").inner_text()
    assert page.locator("#receipt-copies tbody tr").count() == 2

    page.goto("/fund/register?year=2026")
    row = page.locator("#part1 tr", has_text="E2E-1")
    assert row.is_visible()
    assert "480" in row.inner_text()
    assert page.get_by_role("link", name="xlsx").is_visible()


def test_a_short_stocktake_closes_with_an_act_for_the_missing(page):
    log_in(page, "acquisitions", "demo-pass")
    page.goto("/fund/inventory-book")
    numbers = page.locator("#inventory-book tbody tr td:first-child").all_inner_texts()
    page.goto("/fund/stocktakes")
    page.locator("#f-location").fill("ЧЗ")
    page.get_by_role("button", name="Відкрити").click()
    assert "відкрито" in page.locator(".flash-success").inner_text()
    missing_before = int(page.locator("#missing-count").inner_text())
    assert missing_before > 1

    first_missing = page.locator("#missing tbody tr td:first-child").first.inner_text()
    page.locator("#f-entries").fill(f"{first_missing}\nНЕМАЄ-1")
    page.get_by_role("button", name="Записати").click()
    assert "невідомих: 1" in page.locator(".flash-success").inner_text()
    assert int(page.locator("#missing-count").inner_text()) == missing_before - 1
    assert first_missing in numbers

    page.get_by_role("button", name="Закрити переоблік").click()
    assert "складено акт" in page.locator(".flash-success").inner_text()
    assert page.locator("#act-copies tbody tr").count() == missing_before - 1
    page.get_by_role("button", name="Підписати акт").click()
    assert "підписано" in page.locator(".flash-success").inner_text()
    assert page.get_by_role("button", name="Підписати акт").count() == 0
