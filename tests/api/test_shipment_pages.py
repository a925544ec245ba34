"""Shipment pages: staff pack and dispatch (one by one or from the carrier's register), the
receiving library confirms or reports discrepancies, and who may see or do what."""

from __future__ import annotations

import io
import re
from datetime import date

import pymarc
import pytest
from sqlalchemy import select

from collection.audit import entries_for_object
from distribution.allocation.services import allocate_programme, allocation_rows
from distribution.libraries.models import Library
from distribution.programmes.models import ProgrammeTitle
from distribution.shipping.acceptance import Discrepancy, accept_shipment
from distribution.shipping.models import Parcel, Shipment
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments
from tests.api.conftest import csrf_of, page_login, post_form
from tests.builders import TEST_ACTOR, make_user
from tests.distribution.programme_builders import A, B, csv_bytes, programme_with_orders, xlsx_bytes

TODAY = date.today().isoformat()


@pytest.fixture
def programme(db):
    """Titles A, B; LG-A01 gets 5 A + 2 B, LG-B01 3 A; allocated and packed (shipments planned)."""
    programme = programme_with_orders(
        db, [["LG-A01", A, 5], ["LG-A01", B, 2], ["LG-B01", A, 3]], received=[[A, 8, 0], [B, 2, 0]]
    )
    allocate_programme(db, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(db, actor=TEST_ACTOR, programme_id=programme.id)
    make_user(db, "olha", "programme")
    make_user(db, "nata", "methodologist")
    make_user(db, "liba", library=library(db, "LG-A01"))
    make_user(db, "libb", library=library(db, "LG-B01"))
    return programme


def library(db, code):
    return db.scalar(select(Library).where(Library.code == code))


def shipment_of(db, programme, code):
    """The library's (only) shipment, read afresh."""
    db.expire_all()
    (shipment,) = list_shipments(db, programme_id=programme.id, library_id=library(db, code).id)
    return shipment


def title_id(db, programme, isbn):
    return db.scalar(
        select(ProgrammeTitle.id).where(
            ProgrammeTitle.programme_id == programme.id, ProgrammeTitle.isbn == isbn
        )
    )


def allocated(db, programme, code, isbn):
    db.expire_all()
    return next(
        r["allocated"]
        for r in allocation_rows(db, programme.id)
        if r["library_code"] == code and r["isbn"] == isbn
    )


def audit_states(db, shipment):
    db.expire_all()
    return [e.changes.get("state") for e in entries_for_object(db, "shipment", shipment.number)]


def text_of(html, element_id):
    """The text of the element with ``element_id`` (tags stripped, spaces collapsed)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def upload(client, url, filename, content, page):
    token = csrf_of(client.get(page).text)
    return client.post(
        url, data={"csrf_token": token}, files={"file": (filename, content)}, follow_redirects=False
    )


def dispatch(client, shipment, **fields):
    data = {"carrier": "nova_poshta", "tracking_number": "20450000000001", "dispatched_on": TODAY, **fields}
    return post_form(client, f"/shipments/{shipment.id}/dispatch", data, page=f"/shipments/{shipment.id}")


def dispatch_all(db, client, programme):
    page_login(client, "olha")
    for n, code in enumerate(("LG-A01", "LG-B01")):
        response = dispatch(client, shipment_of(db, programme, code), tracking_number=f"2045000000000{n}")
        assert response.status_code == 303, response.text
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


# --- staff ---------------------------------------------------------------------------------------------


def test_staff_take_a_shipment_from_planned_through_packed_and_dispatched_to_delivered(db, client, programme):
    page_login(client, "olha")
    shipment = shipment_of(db, programme, "LG-A01")
    page = client.get(f"/programmes/{programme.id}/shipments")
    assert page.status_code == 200
    assert shipment.number in text_of(page.text, "shipments") and "LG-A01" in page.text
    assert text_of(page.text, "state-counts").count("2") >= 1
    overview = client.get(f"/programmes/{programme.id}").text
    assert f'href="/programmes/{programme.id}/shipments"' in overview

    assert (
        post_form(client, f"/shipments/{shipment.id}/pack", {}, page=f"/shipments/{shipment.id}").status_code
        == 303
    )
    assert shipment_of(db, programme, "LG-A01").state == "packed"
    response = dispatch(client, shipment, tracking_number=" 20450000012345 ", **{"parcel-1": "P-1"})
    assert response.status_code == 303, response.text
    shipment = shipment_of(db, programme, "LG-A01")
    assert (shipment.state, shipment.carrier, shipment.tracking_number) == (
        "dispatched",
        "nova_poshta",
        "20450000012345",
    )
    assert (
        db.scalar(select(Parcel.tracking_number).where(Parcel.shipment_id == shipment.id, Parcel.number == 1))
        == "P-1"
    )
    detail = client.get(f"/shipments/{shipment.id}").text
    assert "20450000012345" in text_of(detail, "tracking-number") and "Нова пошта" in detail
    assert "dispatch-form" not in detail and "deliver-form" in detail
    assert f"/shipments/{shipment.id}/documents/transfer-act" in detail

    response = post_form(
        client, f"/shipments/{shipment.id}/deliver", {"delivered_on": TODAY}, page=f"/shipments/{shipment.id}"
    )
    assert response.status_code == 303
    assert shipment_of(db, programme, "LG-A01").state == "delivered"
    assert audit_states(db, shipment) == [
        ["dispatched", "delivered"],
        ["packed", "dispatched"],
        ["planned", "packed"],
    ]
    history = text_of(client.get(f"/shipments/{shipment.id}").text, "shipment-history")
    assert "olha" in history and "20450000012345" in history


def test_unpack_returns_a_packed_shipment_to_planned_and_is_audited(db, client, programme):
    page_login(client, "olha")
    shipment = shipment_of(db, programme, "LG-B01")
    post_form(client, f"/shipments/{shipment.id}/pack", {}, page=f"/shipments/{shipment.id}")
    assert (
        post_form(
            client, f"/shipments/{shipment.id}/unpack", {}, page=f"/shipments/{shipment.id}"
        ).status_code
        == 303
    )
    assert shipment_of(db, programme, "LG-B01").state == "planned"
    assert audit_states(db, shipment) == [["packed", "planned"], ["planned", "packed"]]
    # a step the state no longer allows is refused with a message, nothing changes
    response = post_form(client, f"/shipments/{shipment.id}/unpack", {}, page=f"/shipments/{shipment.id}")
    assert response.status_code == 303
    assert "цей крок неможливий" in client.get(f"/shipments/{shipment.id}").text


def test_dispatch_without_a_tracking_number_shows_the_field_error_and_changes_nothing(db, client, programme):
    page_login(client, "olha")
    shipment = shipment_of(db, programme, "LG-A01")
    response = dispatch(client, shipment, tracking_number="  ")
    assert response.status_code == 422
    assert text_of(response.text, "tracking_number-error") == "Вкажіть номер відстеження (ТТН)"
    response = dispatch(client, shipment, dispatched_on="31.02.2026")
    assert response.status_code == 422 and "dispatched_on-error" in response.text
    assert shipment_of(db, programme, "LG-A01").state == "planned"
    assert audit_states(db, shipment) == []
    # own transport needs no tracking number
    assert dispatch(client, shipment, carrier="own", tracking_number="").status_code == 303
    assert shipment_of(db, programme, "LG-A01").state == "dispatched"


def test_bulk_mark_packed_packs_the_chosen_planned_shipments(db, client, programme):
    page_login(client, "olha")
    a, b = shipment_of(db, programme, "LG-A01"), shipment_of(db, programme, "LG-B01")
    url = f"/programmes/{programme.id}/shipments"
    response = post_form(client, f"{url}/pack", {"shipment": str(a.id)}, page=url)
    assert response.status_code == 303
    assert (shipment_of(db, programme, "LG-A01").state, shipment_of(db, programme, "LG-B01").state) == (
        "packed",
        "planned",
    )
    assert post_form(client, f"{url}/pack", {"all_planned": "1"}, page=url).status_code == 303
    assert shipment_of(db, programme, "LG-B01").state == "packed"
    assert audit_states(db, b) == [["planned", "packed"]]
    filtered = client.get(f"{url}?state=packed&library=LG-B").text
    assert b.number in text_of(filtered, "shipments") and a.number not in text_of(filtered, "shipments")


def test_a_register_with_a_bad_row_shows_the_row_error_and_dispatches_nothing(db, client, programme):
    page_login(client, "olha")
    a, b = shipment_of(db, programme, "LG-A01"), shipment_of(db, programme, "LG-B01")
    register = csv_bytes(
        ["shipment_number", "carrier", "tracking_number", "date"],
        [
            [a.number, "Нова пошта", "20450000000011", TODAY],
            [b.number, "Укрпошта", "", TODAY],
            ["999-0001", "own", "", ""],
            [a.number, "own", "", ""],
        ],
    )
    url = f"/programmes/{programme.id}/shipments"
    response = upload(client, f"{url}/dispatch", "register.csv", register, url)
    assert response.status_code == 422
    errors = text_of(response.text, "load-error-rows")
    assert "Вкажіть номер відстеження (ТТН)" in errors
    assert "У цій програмі немає відправлення з таким номером" in errors and "999-0001" in errors
    assert "Це відправлення вже є в іншому рядку" in errors
    rows = re.findall(r'<tr><td class="num">(\d+)</td>', response.text)
    assert rows == ["3", "4", "5"]  # row numbers as the spreadsheet shows them
    assert f"/programmes/{programme.id}/errors/" in response.text  # the error report to download
    # a cell that cannot be read is named by its row and column too
    bad_cells = csv_bytes(
        ["shipment_number", "carrier", "tracking_number", "date"], [[a.number, "голуб", "1", "вчора"]]
    )
    errors = text_of(upload(client, f"{url}/dispatch", "bad.csv", bad_cells, url).text, "load-error-rows")
    assert "голуб" in errors and "вчора" in errors
    assert [shipment_of(db, programme, c).state for c in ("LG-A01", "LG-B01")] == ["planned", "planned"]
    assert audit_states(db, a) == [] and audit_states(db, b) == []


def test_a_good_register_dispatches_every_shipment_in_it(db, client, programme):
    page_login(client, "olha")
    a, b = shipment_of(db, programme, "LG-A01"), shipment_of(db, programme, "LG-B01")
    register = xlsx_bytes(
        ["Номер відправлення", "Перевізник", "ТТН", "Дата"],
        [[a.number, "Нова пошта", "20450000000011", "20.11.2026"], [b.number, "власний транспорт", "", None]],
    )
    url = f"/programmes/{programme.id}/shipments"
    response = upload(client, f"{url}/dispatch", "реєстр.xlsx", register, url)
    assert response.status_code == 303, response.text
    a, b = shipment_of(db, programme, "LG-A01"), shipment_of(db, programme, "LG-B01")
    assert (a.state, a.carrier, a.tracking_number, a.dispatched_on) == (
        "dispatched",
        "nova_poshta",
        "20450000000011",
        date(2026, 11, 20),
    )
    assert (b.state, b.carrier, b.dispatched_on) == ("dispatched", "own", date.today())
    assert all(line.isbn for line in a.lines)  # the lines were frozen as sent
    assert audit_states(db, a) == [["planned", "dispatched"]] and audit_states(db, b) == [
        ["planned", "dispatched"]
    ]
    assert "Відправлено за реєстром" in client.get(url).text


def test_the_register_of_unsent_shipments_filled_in_dispatches_them(db, client, programme):
    page_login(client, "olha")
    url = f"/programmes/{programme.id}/shipments"
    assert 'href="' + url + '/register.xlsx"' in client.get(url).text
    response = client.get(f"{url}/register.csv")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "shipment_number,library_code,library_name,carrier,tracking_number,date"
    filled = [line.split(",") for line in lines[1:]]
    assert [row[1] for row in filled] == ["LG-A01", "LG-B01"]
    rows = [[row[0], row[1], row[2], "Нова пошта", f"2045000000777{n}", ""] for n, row in enumerate(filled)]
    register = csv_bytes(lines[0].split(","), rows)
    assert upload(client, f"{url}/dispatch", "filled.csv", register, url).status_code == 303
    assert [shipment_of(db, programme, c).tracking_number for c in ("LG-A01", "LG-B01")] == [
        "20450000007770",
        "20450000007771",
    ]
    assert client.get(f"{url}/register.csv").content.decode("utf-8-sig").splitlines()[1:] == []


def test_staff_issue_a_correction_that_links_both_ways(db, client, programme):
    dispatch_all(db, client, programme)
    page_login(client, "olha")
    shipment = shipment_of(db, programme, "LG-A01")
    a = title_id(db, programme, A)
    page = f"/shipments/{shipment.id}"
    response = post_form(client, f"{page}/correct", {f"c{a}": "-2", "c_note": ""}, page=page)
    assert response.status_code == 422 and "c_note-error" in response.text
    response = post_form(client, f"{page}/correct", {f"c{a}": "+1", "c_note": "ще один"}, page=page)
    assert response.status_code == 422 and f"c{a}-error" in response.text  # beyond the allocation
    response = post_form(
        client,
        f"{page}/correct",
        {f"c{a}": "-2", "c_tracking_number": "20450000099999", "c_note": "2 прим. не вмістилися"},
        page=page,
    )
    assert response.status_code == 303, response.text
    correction = db.scalar(select(Shipment).where(Shipment.corrects_id == shipment.id))
    assert response.headers["location"] == f"/shipments/{correction.id}"
    assert [(line.title_id, line.copies) for line in correction.lines] == [(a, -2)]
    assert correction.number in text_of(client.get(page).text, "corrections")
    assert shipment.number in text_of(client.get(f"/shipments/{correction.id}").text, "corrects-link")
    assert entries_for_object(db, "shipment", correction.number)


def test_staff_may_confirm_receipt_on_behalf_of_the_library_and_it_is_audited_as_them(db, client, programme):
    dispatch_all(db, client, programme)
    page_login(client, "olha")
    shipment = shipment_of(db, programme, "LG-B01")
    response = post_form(
        client,
        f"/shipments/{shipment.id}/accept",
        {"accepted_on": TODAY, "outcome": "all"},
        page=f"/shipments/{shipment.id}",
    )
    assert response.status_code == 303
    shipment = shipment_of(db, programme, "LG-B01")
    assert (shipment.state, shipment.accepted_by) == ("confirmed", "olha")
    (entry,) = [
        e for e in entries_for_object(db, "shipment", shipment.number) if e.changes["state"][1] == "confirmed"
    ]
    assert entry.username == "olha"


# --- the receiving library -----------------------------------------------------------------------------


def test_a_library_sees_only_its_own_shipments_and_only_once_they_have_left(db, client, programme):
    page_login(client, "liba")
    planned = shipment_of(db, programme, "LG-A01")
    assert "Надходжень немає" in client.get("/incoming").text
    assert client.get(f"/shipments/{planned.id}").status_code == 404
    assert 'href="/incoming"' in client.get("/").text  # the menu entry
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    dispatch_all(db, client, programme)
    page_login(client, "liba")
    ours, theirs = shipment_of(db, programme, "LG-A01"), shipment_of(db, programme, "LG-B01")
    incoming = text_of(client.get("/incoming").text, "incoming")
    assert ours.number in incoming and theirs.number not in incoming and "Програма 2026" in incoming
    assert client.get(f"/shipments/{theirs.id}").status_code == 404
    assert client.get(f"/shipments/{theirs.id}/marc").status_code == 404
    assert client.get(f"/programmes/{programme.id}/shipments").status_code == 404
    page = client.get(f"/shipments/{ours.id}").text
    assert "accept-form" in page and "deliver-form" in page and "dispatch-form" not in page
    assert "shipment-history" not in page and "Кобзар" in text_of(page, "shipment-lines")
    # POSTs to another library's shipment or to staff steps find nothing
    assert (
        post_form(
            client, f"/shipments/{theirs.id}/deliver", {"delivered_on": TODAY}, page=f"/shipments/{ours.id}"
        ).status_code
        == 404
    )
    assert (
        post_form(client, f"/shipments/{ours.id}/correct", {"c_note": "x"}, page="/incoming").status_code
        == 404
    )
    assert shipment_of(db, programme, "LG-B01").state == "dispatched"


def test_a_library_marks_delivered_and_confirms_with_a_shortage_which_reopens_the_allocation(
    db, client, programme
):
    dispatch_all(db, client, programme)
    page_login(client, "liba")
    shipment = shipment_of(db, programme, "LG-A01")
    page = f"/shipments/{shipment.id}"
    assert post_form(client, f"{page}/deliver", {"delivered_on": TODAY}, page=page).status_code == 303
    rows = {row: i for i, row in enumerate(line.title_id for line in shipment.lines)}
    d = rows[title_id(db, programme, A)]
    response = post_form(
        client,
        f"{page}/accept",
        {
            "accepted_on": TODAY,
            "outcome": "discrepancies",
            f"d{d}_kind": "shortage",
            f"d{d}_quantity": "2",
            f"d{d}_note": "пачка надірвана",
        },
        page=page,
    )
    assert response.status_code == 303, response.text
    shipment = shipment_of(db, programme, "LG-A01")
    assert shipment.state == "discrepancy"
    assert [(x.kind, x.quantity, x.reopened) for x in shipment.discrepancies] == [("shortage", 2, 2)]
    assert allocated(db, programme, "LG-A01", A) == 3
    after = client.get(page).text
    assert shipment.acceptance_number in text_of(after, "accepted-note")
    assert f'href="/shipments/{shipment.id}/documents/acceptance-act"' in after
    assert "accept-form" not in after and "нестача" in text_of(after, "shipment-discrepancies")
    assert audit_states(db, shipment)[0] == ["delivered", "discrepancy"]
    assert entries_for_object(db, "shipment", shipment.number)[0].username == "liba"
    assert "write-off-" not in after  # only staff write copies off


def test_staff_write_off_copies_lost_in_transit_and_they_are_not_sent_again(db, client, programme):
    dispatch_all(db, client, programme)
    shipment = shipment_of(db, programme, "LG-A01")
    a = title_id(db, programme, A)
    accept_shipment(db, actor=TEST_ACTOR, shipment_id=shipment.id, accepted_on=date.today(),
                    discrepancies=[Discrepancy(a, "shortage", 2)])  # fmt: skip
    db.commit()
    page_login(client, "olha")
    page = f"/shipments/{shipment.id}"
    (shortage,) = shipment_of(db, programme, "LG-A01").discrepancies
    form = f'id="write-off-{shortage.id}"'
    assert form in client.get(page).text
    url = f"{page}/discrepancies/{shortage.id}/write-off"
    refused = post_form(client, url, {"copies": "5"}, page=page)
    assert refused.status_code == 303 and "Списати можна від 1 до 2 прим." in client.get(page).text
    assert post_form(client, url, {"copies": "2"}, page=page).status_code == 303
    after = client.get(page).text
    assert "Списано як втрачені в дорозі: 2 прим." in after and form not in after
    db.expire_all()
    assert shipment_of(db, programme, "LG-A01").discrepancies[0].written_off == 2


def test_an_impossible_quantity_is_shown_next_to_its_row_and_nothing_is_stored(db, client, programme):
    dispatch_all(db, client, programme)
    page_login(client, "liba")
    shipment = shipment_of(db, programme, "LG-A01")
    rows = {row: i for i, row in enumerate(line.title_id for line in shipment.lines)}
    d = rows[title_id(db, programme, A)]
    page = f"/shipments/{shipment.id}"
    response = post_form(
        client,
        f"{page}/accept",
        {"accepted_on": TODAY, "outcome": "discrepancies", f"d{d}_kind": "shortage", f"d{d}_quantity": "99"},
        page=page,
    )
    assert response.status_code == 422
    assert text_of(response.text, f"d{d}_quantity-error") == "Більше, ніж надіслано"
    assert 'value="99"' in response.text  # what was typed stays in the form
    response = post_form(
        client,
        f"{page}/accept",
        {"accepted_on": TODAY, "outcome": "discrepancies", f"d{d}_kind": "", f"d{d}_quantity": "два"},
        page=page,
    )
    assert response.status_code == 422
    assert f"d{d}_kind-error" in response.text and f"d{d}_quantity-error" in response.text
    response = post_form(
        client, f"{page}/accept", {"accepted_on": TODAY, "outcome": "discrepancies"}, page=page
    )
    assert response.status_code == 422 and "outcome-error" in response.text
    shipment = shipment_of(db, programme, "LG-A01")
    assert (shipment.state, shipment.discrepancies, shipment.accepted_on) == ("dispatched", [], None)
    assert allocated(db, programme, "LG-A01", A) == 5
    assert audit_states(db, shipment) == [["planned", "dispatched"]]


def test_a_library_downloads_the_marc_records_of_its_shipment(db, client, programme):
    dispatch_all(db, client, programme)
    page_login(client, "liba")
    shipment = shipment_of(db, programme, "LG-A01")
    response = client.get(f"/shipments/{shipment.id}/marc?format=iso2709")
    assert response.status_code == 200, response.text
    assert f"shipment-{shipment.number}.mrc" in response.headers["content-disposition"]
    records = list(pymarc.MARCReader(io.BytesIO(response.content), to_unicode=True, force_utf8=True))
    assert len(records) == 2
    xml = client.get(f"/shipments/{shipment.id}/marc?format=marcxml")
    assert xml.status_code == 200 and b"<record" in xml.content
    assert client.get(f"/shipments/{shipment.id}/marc?format=pdf").status_code == 404


# --- watching only -------------------------------------------------------------------------------------


def test_a_methodologist_sees_shipments_without_forms_and_every_post_is_refused(db, client, programme):
    page_login(client, "nata")
    shipment = shipment_of(db, programme, "LG-A01")
    listing = client.get(f"/programmes/{programme.id}/shipments")
    assert listing.status_code == 200 and shipment.number in listing.text
    assert "bulk-pack" not in listing.text and "bulk-dispatch" not in listing.text
    detail = client.get(f"/shipments/{shipment.id}")
    assert detail.status_code == 200
    for form in ("pack-form", "dispatch-form", "deliver-form", "accept-form", "correct-form"):
        assert form not in detail.text
    token = csrf_of(detail.text)
    for url, data in (
        (f"/shipments/{shipment.id}/pack", {}),
        (f"/shipments/{shipment.id}/dispatch", {"carrier": "own", "dispatched_on": TODAY}),
        (f"/shipments/{shipment.id}/deliver", {"delivered_on": TODAY}),
        (f"/shipments/{shipment.id}/accept", {"accepted_on": TODAY, "outcome": "all"}),
        (f"/shipments/{shipment.id}/correct", {"c_note": "x"}),
        (f"/programmes/{programme.id}/shipments/pack", {"all_planned": "1"}),
    ):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    response = client.post(
        f"/programmes/{programme.id}/shipments/dispatch",
        data={"csrf_token": token},
        files={"file": ("r.csv", b"shipment_number,carrier,tracking_number\n")},
    )
    assert response.status_code == 403
    assert shipment_of(db, programme, "LG-A01").state == "planned"
    assert audit_states(db, shipment) == []


def test_the_pages_speak_english_when_asked(db, client, programme):
    client.cookies.set("komplekt_lang", "en")
    page_login(client, "olha")
    shipment = shipment_of(db, programme, "LG-A01")
    listing = client.get(f"/programmes/{programme.id}/shipments").text
    assert "planned" in text_of(listing, "state-counts").lower()
    detail = client.get(f"/shipments/{shipment.id}").text
    assert "Nova Poshta" in detail and "Нова пошта" not in detail
    response = dispatch(client, shipment, tracking_number="")
    assert text_of(response.text, "tracking_number-error") == "Enter the tracking number"
