"""Document pages and REST: print-ready HTML, xlsx downloads, JSON, and who may see what."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from api.presenters.document_models import TransferActOut
from distribution.libraries.models import Library
from distribution.programmes.models import ProgrammeTitle
from distribution.shipping.acceptance import Discrepancy, accept_shipment
from tests.api.conftest import bearer, page_login
from tests.builders import TEST_ACTOR, make_user
from tests.distribution.programme_builders import A
from tests.distribution.shipment_builders import (
    dispatched_programme,
    packed_programme,
    shipment_for,
    title_id,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plain(text: str) -> str:
    """CLDR groups thousands with (narrow) no-break spaces; compare with ordinary ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def library(db, code):
    return db.scalars(select(Library).where(Library.code == code)).one()


def staff(client, db):
    make_user(db, "prog", "programme")
    page_login(client, "prog")


def library_user(client, db, code="LG-A01"):
    make_user(db, "lib", library=library(db, code))
    page_login(client, "lib")


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_transfer_act_page_prints_the_lines_totals_and_sum_in_words(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    staff(client, db)
    response = client.get(f"/shipments/{shipment.id}/documents/transfer-act")
    assert response.status_code == 200
    page = plain(response.text)
    assert f"Акт приймання-передачі № {shipment.number}" in page
    assert "від 20.11.2026" in page and "Луганська обласна універсальна наукова бібліотека" in page
    assert "1 750,00" in page and "2 171,00" in page and "421,00" in page
    assert "Дві тисячі сто сімдесят одна гривня 00 копійок" in page
    assert "ЧЕРНЕТКА" not in page
    assert "@page" in page and '<script src="http' not in page  # print rules, nothing from a CDN


def test_the_transfer_act_downloads_as_xlsx_named_with_its_number(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    staff(client, db)
    response = client.get(f"/shipments/{shipment.id}/documents/transfer-act?format=xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert f"transfer-act-{shipment.number}.xlsx" in response.headers["content-disposition"]
    rows = xlsx_rows(response.content)
    total = next(row for row in rows if row[1] == "Разом")
    assert (total[4], total[6]) == (7, 2171)
    assert client.get(f"/shipments/{shipment.id}/documents/transfer-act?format=pdf").status_code == 404


def test_an_unsent_act_is_marked_as_a_draft(client, db):
    programme = packed_programme(db)
    shipment = shipment_for(db, programme.id, "LG-B01")
    staff(client, db)
    page = client.get(f"/shipments/{shipment.id}/documents/transfer-act").text
    assert 'id="draft-mark"' in page and "ЧЕРНЕТКА" in page
    rows = xlsx_rows(client.get(f"/shipments/{shipment.id}/documents/transfer-act?format=xlsx").content)
    assert any("ЧЕРНЕТКА" in str(row[0]) for row in rows)


def test_a_dispatched_act_does_not_change_after_the_price_changes(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    staff(client, db)
    before = client.get(f"/shipments/{shipment.id}/documents/transfer-act").text
    title = db.get(ProgrammeTitle, title_id(db, programme.id, A))
    title.price = Decimal("999.00")
    db.commit()
    after = client.get(f"/shipments/{shipment.id}/documents/transfer-act").text
    assert "999,00" not in after and "1 750,00" in plain(after)
    strip = lambda html: html.split("<article", 1)[1].split("</article>", 1)[0]  # noqa: E731
    assert strip(after) == strip(before)


def test_packing_list_labels_register_and_summary_pages_render_their_numbers(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    staff(client, db)
    packing = client.get(f"/shipments/{shipment.id}/documents/packing-list").text
    assert "Пакувальний лист" in packing and "Посилка 1 з 1" in packing and "Кобзар" in packing
    labels = client.get(f"/shipments/{shipment.id}/documents/labels").text
    assert f'id="label-{shipment.number}-1"' in labels and shipment.tracking_number in labels
    everything = client.get(f"/programmes/{programme.id}/documents/labels").text
    assert everything.count('class="parcel-label"') == 2
    register = plain(client.get(f"/programmes/{programme.id}/documents/register").text)
    assert "Реєстр відправлень" in register and "3 221,00" in register and "Відправлень: 2" in register
    filtered = plain(client.get(
        f"/programmes/{programme.id}/documents/register?state=confirmed&date_from=2026-11-01"
    ).text)  # fmt: skip
    assert "Відправлень: 0" in filtered
    response = client.get(f"/programmes/{programme.id}/documents/register?state=dispatched&format=xlsx")
    assert response.status_code == 200 and f"register-programme-{programme.id}" in response.headers[
        "content-disposition"]  # fmt: skip
    summary = plain(client.get(f"/programmes/{programme.id}/documents/library-summary/LG-A01").text)
    assert "Зведення по бібліотеці" in summary and "2 171,00" in summary


def test_the_acceptance_act_appears_once_the_library_answers(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    library_user(client, db)
    assert client.get(f"/shipments/{shipment.id}/documents/acceptance-act").status_code == 409
    accept_shipment(
        db, actor=TEST_ACTOR, shipment_id=shipment.id, accepted_on=date(2026, 11, 25),
        discrepancies=[Discrepancy(title_id(db, programme.id, A), "shortage", 2, "пачка надірвана")],
    )  # fmt: skip
    db.commit()
    page = plain(client.get(f"/shipments/{shipment.id}/documents/acceptance-act").text)
    assert f"Акт приймання № {shipment.number}-П" in page
    assert "пачка надірвана" in page and "недостача" in page and "1 471,00" in page
    response = client.get(f"/shipments/{shipment.id}/documents/acceptance-act?format=xlsx")
    assert response.status_code == 200 and "filename*=UTF-8''acceptance-act-" in response.headers[
        "content-disposition"]  # fmt: skip


def test_a_library_sees_only_its_own_sent_documents_and_summary(client, db):
    programme = dispatched_programme(db)
    ours, theirs = shipment_for(db, programme.id, "LG-A01"), shipment_for(db, programme.id, "LG-B01")
    library_user(client, db)
    assert client.get(f"/shipments/{ours.id}/documents/transfer-act").status_code == 200
    assert client.get(f"/shipments/{ours.id}/documents/packing-list").status_code == 200
    for url in (
        f"/shipments/{theirs.id}/documents/transfer-act",
        f"/shipments/{theirs.id}/documents/packing-list",
        f"/shipments/{ours.id}/documents/labels",
        f"/programmes/{programme.id}/documents/register",
        f"/programmes/{programme.id}/documents/register?format=xlsx",
        f"/programmes/{programme.id}/documents/labels",
        f"/programmes/{programme.id}/documents/library-summary/LG-B01",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/programmes/{programme.id}/documents/library-summary/lg-a01").status_code == 200


def test_a_library_does_not_see_a_shipment_that_has_not_left(client, db):
    programme = packed_programme(db)
    library_user(client, db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    assert client.get(f"/shipments/{shipment.id}/documents/transfer-act").status_code == 404


def test_roles_outside_the_programme_flow_are_refused(client, db):
    programme = dispatched_programme(db)
    make_user(db, "cat", "cataloguer")
    page_login(client, "cat")
    shipment = shipment_for(db, programme.id, "LG-A01")
    assert client.get(f"/shipments/{shipment.id}/documents/transfer-act").status_code == 403
    assert client.get(f"/programmes/{programme.id}/documents/register").status_code == 403


def test_documents_print_in_english_when_the_ui_is_english(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    staff(client, db)
    client.cookies.set("komplekt_lang", "en")
    page = client.get(f"/shipments/{shipment.id}/documents/transfer-act").text
    assert f"Transfer act No. {shipment.number}" in page and "2,171.00" in page and "Amount in words" in page


def test_rest_gives_the_document_data_as_json_or_xlsx(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    make_user(db, "prog", "programme")
    headers = bearer(client, "prog")
    act = client.get(f"/api/v1/shipments/{shipment.id}/documents/transfer-act", headers=headers).json()
    assert (act["number"], act["date"], act["total_sum"], act["total_copies"]) == (
        shipment.number, "2026-11-20", "2171.00", 7,
    )  # fmt: skip
    assert act["lines"][0]["price"] == "350.00" and act["recipient"]["code"] == "LG-A01"
    response = client.get(
        f"/api/v1/programmes/{programme.id}/documents/register?format=xlsx&state=dispatched", headers=headers
    )
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    register = client.get(f"/api/v1/programmes/{programme.id}/documents/register", headers=headers).json()
    assert register["totals"]["total_sum"] == "3221.00" and len(register["rows"]) == 2
    summary = client.get(
        f"/api/v1/programmes/{programme.id}/documents/library-summary/LG-B01", headers=headers
    ).json()
    assert summary["totals"]["dispatched"] == 3
    bad = client.get(f"/api/v1/programmes/{programme.id}/documents/register?state=lost", headers=headers)
    assert bad.status_code == 422


def test_rest_transfer_act_is_the_typed_answer_the_openapi_schema_names(client, db):
    programme = dispatched_programme(db)
    shipment = shipment_for(db, programme.id, "LG-A01")
    make_user(db, "prog", "programme")
    headers = bearer(client, "prog")
    response = client.get(f"/api/v1/shipments/{shipment.id}/documents/transfer-act", headers=headers)
    act = TransferActOut.model_validate(response.json())
    assert act.total_sum == Decimal("2171.00") and act.date == date(2026, 11, 20)
    assert act.sum_in_words == "Дві тисячі сто сімдесят одна гривня 00 копійок"
    operation = client.app.openapi()["paths"]["/api/v1/shipments/{shipment_id}/documents/{kind}"]["get"]
    answers = operation["responses"]["200"]["content"]
    assert {"$ref": "#/components/schemas/TransferActOut"} in answers["application/json"]["schema"]["anyOf"]
    assert XLSX in answers


def test_rest_hides_other_libraries_documents_and_the_register_from_a_library(client, db):
    programme = dispatched_programme(db)
    ours, theirs = shipment_for(db, programme.id, "LG-A01"), shipment_for(db, programme.id, "LG-B01")
    make_user(db, "lib", library=library(db, "LG-A01"))
    headers = bearer(client, "lib")
    assert (
        client.get(f"/api/v1/shipments/{ours.id}/documents/transfer-act", headers=headers).status_code == 200
    )
    for url in (
        f"/api/v1/shipments/{theirs.id}/documents/transfer-act",
        f"/api/v1/shipments/{ours.id}/documents/labels",
        f"/api/v1/programmes/{programme.id}/documents/register",
        f"/api/v1/programmes/{programme.id}/documents/library-summary/LG-B01",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    own = client.get(f"/api/v1/programmes/{programme.id}/documents/library-summary/LG-A01", headers=headers)
    assert own.status_code == 200 and own.json()["library"]["code"] == "LG-A01"
