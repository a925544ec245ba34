"""The state programme in a real browser, as its people click it.

A programme officer creates a programme, loads its title list and the libraries' orders (one
file refused for a bad row, nothing stored), registers a supplier's delivery one copy short,
allocates (one hand adjustment, one refused beyond the limits), plans parcels, packs and
dispatches a shipment and reads its transfer act; the library confirms receipt with a shortage
and gets its act of acceptance; the officer sees the shortage in the programme's totals. A
library of the same programme whose shipment has not left sees nothing of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.distribution.programme_builders import csv_bytes, isbn13
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

PROGRAMME = "Е2Е державна програма 2026"
KOBZAR, PISNIA, DESNA = isbn13(901), isbn13(902), isbn13(903)
# Starobilsk (demo user "starobilsk") and Novopskov (a user made here) order; Pisnia is short.
ORDERS = [("LG-STB-01", KOBZAR, 3), ("LG-STB-01", PISNIA, 3), ("LG-STB-01", DESNA, 1),
          ("LG-SCH-01", KOBZAR, 2), ("LG-SCH-01", PISNIA, 1)]  # fmt: skip
# Kobzar: 6 received for 5 ordered (one to spare); Pisnia: 3 for 4; Desna: 1 for 1.
DELIVERY = f"{KOBZAR}; 6; 0\n{PISNIA}; 3; 0\n{DESNA}; 1; 0"
# Starobilsk gets Kobzar 3 + the spare one by hand, Pisnia 2 of 3 (largest remainder), Desna 1:
# 4 × 350,00 + 2 × 210,50 + 1 × 120,00 = 1 941,00.
STB_COPIES, STB_SUM = 7, "1 941,00"


def plain(text: str) -> str:
    """Text with the non-breaking and narrow spaces of Ukrainian number formats as plain spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


@pytest.fixture
def open_page(browser, server) -> Iterator[Callable[[], object]]:
    """Fresh tabs, each with its own cookies (another person at another desk)."""
    contexts = []

    def new_page():
        context = browser.new_context(base_url=server, locale="uk-UA")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def write(tmp_path: Path, name: str, header: list[str], rows: list) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(header, rows))
    return str(path)


def create_library_user(page, username: str, library_code: str) -> None:
    """The admin makes a public library's account through the users page."""
    log_in(page, "admin", "demo-admin")
    page.goto("/admin/users")
    page.locator("#f-username").fill(username)
    page.locator("#f-role").select_option("library")
    page.locator("#f-library").select_option(library_code)
    page.locator("#f-password").fill(f"{username}-pass")
    page.get_by_role("button", name="Створити").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Користувача {username} створено")


def test_state_programme_from_title_list_to_the_librarys_receipt(open_page, tmp_path):
    create_library_user(open_page(), "shchastia", "LG-SCH-01")
    titles_csv = write(tmp_path, "titles.csv", ["isbn", "title", "author", "publisher", "year", "price"], [
        [KOBZAR, "Кобзар", "Шевченко Т.", "Знання", "2025", "350.00"],
        [PISNIA, "Лісова пісня", "Українка Л.", "Фоліо", "2024", "210.50"],
        [DESNA, "Зачарована Десна", "Довженко О.", "Знання", "2025", "120.00"],
    ])  # fmt: skip
    order_header = ["library_code", "isbn", "quantity"]
    bad_row = ("LG-STB-01", PISNIA, "багато")  # row 3 of the file: the header is row 1
    bad_orders_csv = write(tmp_path, "orders-bad.csv", order_header, [ORDERS[0], bad_row, *ORDERS[2:]])
    orders_csv = write(tmp_path, "orders.csv", order_header, ORDERS)

    # --- the officer: a new programme, its title list and the orders ---------------------------------
    officer = open_page()
    log_in(officer, "programme", "demo-pass")
    officer.get_by_role("navigation").get_by_role("link", name="Програми").click()
    officer.wait_for_url("**/programmes")
    new_programme = officer.locator("form", has=officer.locator("#f-name"))
    new_programme.get_by_label("Вид").select_option(label="державна програма")
    new_programme.get_by_label("Рік").fill("2026")
    new_programme.get_by_label("Назва").fill(PROGRAMME)
    new_programme.get_by_role("button", name="Створити").click()
    officer.wait_for_url(re.compile(r".*/programmes/\d+$"))
    expect(officer.locator(".flash-success")).to_contain_text(f"Програму «{PROGRAMME}» створено")
    programme_url = officer.url
    programme_id = int(programme_url.rsplit("/", 1)[1])
    steps = officer.get_by_role("navigation", name="Кроки програми")

    steps.get_by_role("link", name="Список назв").click()
    officer.wait_for_url("**/titles")
    officer.get_by_label("Файл зі списком назв").set_input_files(titles_csv)
    officer.get_by_role("button", name="Завантажити").click()
    expect(officer.locator(".flash-success")).to_contain_text("рядків 3; створено 3")
    assert officer.locator("#titles tbody tr").count() == 3

    steps.get_by_role("link", name="Заявки бібліотек").click()
    officer.wait_for_url("**/orders")
    officer.get_by_label("Файл із заявками").set_input_files(bad_orders_csv)
    officer.get_by_role("button", name="Завантажити").click()
    refusal = officer.locator("#load-errors")
    expect(refusal).to_contain_text("Файл orders-bad.csv не завантажено: помилок 1")
    expect(refusal).to_contain_text("Нічого не збережено")
    error_row = refusal.locator("#load-error-rows tbody tr")
    assert error_row.count() == 1
    assert error_row.locator("td").nth(0).inner_text() == "3"  # the header is row 1
    assert error_row.locator("td").nth(1).inner_text() == "кількість"
    assert error_row.locator("td").nth(3).inner_text() == "багато"
    assert officer.locator("#orders tbody").inner_text().strip() == "Заявок ще немає"

    officer.get_by_label("Файл із заявками").set_input_files(orders_csv)
    officer.get_by_role("button", name="Завантажити").click()
    expect(officer.locator(".flash-success")).to_contain_text("рядків 5; створено 5")
    assert officer.locator("#orders tbody tr").count() == 5

    # --- a supplier's delivery, typed in: Pisnia one copy short ----------------------------------------
    steps.get_by_role("link", name="Надходження").click()
    officer.wait_for_url("**/deliveries")
    officer.get_by_label("Номер документа").fill("УІК-Е2Е/1")
    officer.get_by_label("Постачальник").fill("Український інститут книги")
    officer.get_by_label("або рядки вручну").fill(DELIVERY)
    officer.get_by_role("button", name="Зареєструвати").click()
    officer.wait_for_url(re.compile(r".*/deliveries/\d+$"))
    expect(officer.locator(".flash-success")).to_contain_text(
        "Надходження УІК-Е2Е/1 зареєстровано: назв 3, отримано 10, пошкоджено 0"
    )
    short_line = officer.locator("#delivery-lines tr", has_text="Лісова пісня")
    assert short_line.locator("td").nth(2).inner_text() == "3"

    # --- allocation: run it, one adjustment refused beyond the limits, one within them ---------------
    steps.get_by_role("link", name="Розподіл").click()
    officer.wait_for_url("**/allocation")
    run = officer.locator("details", has=officer.locator("#allocation-run"))
    if run.get_attribute("open") is None:  # folded away once the orders fill the table
        run.locator("summary").click()
    run.get_by_role("button", name="Розподілити").click()
    expect(officer.locator(".flash-success")).to_contain_text(
        "Розподілено примірників: 9; бібліотек: 2; надлишок: 1"
    )

    def line(code: str, isbn: str):
        return officer.locator("#allocation tbody tr", has_text=code).filter(has_text=isbn)

    assert line("LG-STB-01", PISNIA).locator("[data-allocated]").inner_text() == "2"
    assert line("LG-SCH-01", PISNIA).locator("[data-allocated]").inner_text() == "1"
    spare = line("LG-STB-01", KOBZAR)
    assert spare.locator("[data-allocated]").inner_text() == "3"

    spare.get_by_label("Кількість для LG-STB-01").fill("4")  # more than ordered, no "over the order"
    spare.get_by_role("button", name="Зберегти").click()
    expect(officer.locator("#allocation-error")).to_contain_text("Розподіл виходить за межі")
    expect(officer.locator("#allocation-error")).to_contain_text("більше, ніж замовлено (3)")
    assert line("LG-STB-01", KOBZAR).locator("[data-allocated]").inner_text() == "3"

    spare = line("LG-STB-01", KOBZAR)
    spare.get_by_label("Кількість для LG-STB-01").fill("4")
    spare.get_by_label("понад заявку").check()
    spare.get_by_role("button", name="Зберегти").click()
    expect(officer.locator(".flash-success")).to_contain_text("LG-STB-01")
    expect(officer.locator(".flash-success")).to_contain_text("розподілено 4")
    expect(line("LG-STB-01", KOBZAR).locator("[data-allocated]")).to_have_text("4")
    assert "programme" in line("LG-STB-01", KOBZAR).inner_text()  # who changed it by hand
    assert officer.locator('#allocation-totals [data-total="surplus"]').inner_text().startswith("0")

    # --- packing --------------------------------------------------------------------------------------
    steps.get_by_role("link", name="Пакування").click()
    officer.wait_for_url("**/packing")
    officer.locator("#packing-run").get_by_role("button", name="Спланувати").click()
    expect(officer.locator(".flash-success")).to_contain_text("бібліотек: 2; примірників: 10")
    assert officer.locator("#parcels-LG-STB-01").is_visible()
    assert officer.locator("#parcels-LG-SCH-01").is_visible()

    # --- the shipment: packed, dispatched by Нова пошта, its transfer act ------------------------------
    steps.get_by_role("link", name="Відправлення").click()
    officer.wait_for_url(f"**/programmes/{programme_id}/shipments")
    rows = officer.locator("#shipments tbody tr")
    assert rows.count() == 2
    row = rows.filter(has_text="LG-STB-01")
    assert row.get_attribute("data-state") == "planned"
    number = row.get_by_role("link").inner_text()
    row.get_by_role("link", name=number).click()
    officer.wait_for_url(re.compile(r".*/shipments/\d+$"))
    shipment_path = "/" + officer.url.split("/", 3)[3]
    assert officer.locator("#shipment-state").inner_text() == "заплановано"
    assert officer.locator("#shipment-copies").inner_text() == str(STB_COPIES)

    officer.get_by_role("button", name="Позначити як упаковане").click()
    expect(officer.locator(".flash-success")).to_contain_text(f"Відправлення {number} упаковано")
    expect(officer.locator("#shipment-state")).to_have_text("упаковано")

    dispatch = officer.locator("#dispatch-form")
    dispatch.get_by_label("Перевізник").select_option(label="Нова пошта")
    dispatch.get_by_label("Номер ТТН").fill("20451234567890")
    dispatch.get_by_role("button", name="Відправити").click()
    expect(officer.locator(".flash-success")).to_contain_text(f"Відправлення {number} відправлено")
    expect(officer.locator("#shipment-state")).to_have_text("відправлено")
    assert officer.locator("#tracking-number").inner_text() == "20451234567890"
    assert officer.locator("#dispatch-form").count() == 0

    officer.locator("#shipment-documents").get_by_role("link", name="акт приймання-передачі").click()
    officer.wait_for_url(f"**{shipment_path}/documents/transfer-act")
    act = officer.locator("#transfer-act")
    assert f"Акт приймання-передачі № {number}" in act.get_by_role("heading", level=1).inner_text()
    assert officer.locator("#draft-mark").count() == 0
    expect(act).to_contain_text("Нова пошта")
    expect(act).to_contain_text("20451234567890")
    assert act.locator("#act-lines tbody tr:not(.total)").count() == 3
    total = act.locator("#act-total td")
    assert total.nth(2).inner_text() == str(STB_COPIES)
    assert plain(total.last.inner_text()) == STB_SUM

    # --- the library of another shipment sees nothing of this one ----------------------------------
    other = open_page()
    log_in(other, "shchastia", "shchastia-pass")
    other.get_by_role("navigation").get_by_role("link", name="Надходження до бібліотеки").click()
    other.wait_for_url("**/incoming")
    assert other.locator("#incoming tbody").inner_text().strip() == "Надходжень немає"  # not yet sent
    response = other.goto(shipment_path)
    assert response.status == 404
    assert number not in other.content()
    assert other.goto(f"{shipment_path}/documents/transfer-act").status == 404

    # --- the receiving library: incoming, receipt with a shortage of one copy -----------------------------
    library = open_page()
    log_in(library, "starobilsk", "demo-pass")
    library.get_by_role("navigation").get_by_role("link", name="Надходження до бібліотеки").click()
    library.wait_for_url("**/incoming")
    incoming = library.locator(f"#incoming tr#shipment-{number}")
    assert incoming.get_attribute("data-state") == "dispatched"
    assert PROGRAMME in incoming.inner_text()
    expect(incoming).to_contain_text("Нова пошта")
    expect(incoming).to_contain_text("20451234567890")
    incoming.get_by_role("link", name=number).click()
    library.wait_for_url(f"**{shipment_path}")
    assert library.locator("#shipment-state").inner_text() == "відправлено"
    assert library.locator("#shipment-actions").count() == 0  # no staff steps for the library

    receipt = library.locator("#accept-form")
    receipt.get_by_label("є розбіжності").check()
    short = receipt.get_by_role("row", name=f"Лісова пісня ({PISNIA})")
    assert short.locator("td").nth(1).inner_text() == "2"
    short.get_by_label("Розбіжність").select_option(label="нестача")
    short.get_by_label("Кількість").fill("1")
    short.get_by_label("Примітка").fill("у посилці один примірник замість двох")
    receipt.get_by_role("button", name="Підтвердити отримання").click()
    expect(library.locator(".flash-success")).to_contain_text(
        "Отримання підтверджено з розбіжностями: акт приймання"
    )
    expect(library.locator("#shipment-state")).to_have_text("розбіжність")
    assert library.locator("#accept-form").count() == 0
    discrepancy = library.locator("#shipment-discrepancies tbody tr")
    assert discrepancy.count() == 1
    expect(discrepancy).to_contain_text("Лісова пісня")
    expect(discrepancy).to_contain_text("нестача")

    library.locator("#accepted-note").get_by_role("link", name=re.compile("Акт приймання")).click()
    library.wait_for_url(f"**{shipment_path}/documents/acceptance-act")
    acceptance = library.locator("#acceptance-act")
    assert acceptance.locator("#acceptance-state").inner_text() == "з розбіжностями"
    accepted_total = acceptance.locator("#acceptance-total td")
    sent, shortage, received = (accepted_total.nth(i).inner_text() for i in (2, 3, 6))
    assert (sent, shortage, received) == (str(STB_COPIES), "1", str(STB_COPIES - 1))
    expect(acceptance.locator("#discrepancies")).to_contain_text("недостача")

    # --- back at the officer's desk: the shortage in the programme's totals ------------------------------
    officer.goto(programme_url)
    totals = officer.locator("#programme-totals")

    def total_of(name: str) -> int:
        return int(plain(totals.locator(f'[data-total="{name}"]').inner_text()).replace(" ", ""))

    assert total_of("dispatched") == STB_COPIES
    assert total_of("confirmed") == STB_COPIES - 1
    assert total_of("confirmed") < total_of("dispatched")
    assert total_of("ordered") == 10
    assert total_of("received") == 10
