"""Shipment and programme documents: acts, packing lists, labels, register, summary, xlsx."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from distribution.documents import xlsx as documents_xlsx
from distribution.documents.amount_words import amount_in_words_uk
from distribution.documents.parts import Party
from distribution.documents.programmes import library_summary, shipment_register
from distribution.documents.shipments import (
    acceptance_act,
    packing_list,
    programme_labels,
    shipment_labels,
    transfer_act,
)
from distribution.errors import InvalidShipmentData, LibraryNotFound, ShipmentStateError
from distribution.libraries.models import Library
from distribution.programmes.models import ProgrammeTitle
from distribution.shipping.acceptance import Discrepancy, accept_shipment, correct_shipment
from distribution.shipping.dispatch import dispatch_shipment, mark_packed
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B
from tests.distribution.shipment_builders import (
    DAY,
    dispatched_programme,
    library_id,
    packed_programme,
    shipment_for,
    title_id,
)

SENDER = Party(name="Луганська обласна універсальна наукова бібліотека")


# --- builders -------------------------------------------------------------------------------------


def with_shortage(session):
    """LG-A01 reports 2 copies of A missing and 1 of B damaged."""
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    a, b = title_id(session, programme.id, A), title_id(session, programme.id, B)
    accept_shipment(
        session, actor=TEST_ACTOR, shipment_id=shipment.id, accepted_on=date(2026, 11, 25),
        discrepancies=[Discrepancy(a, "shortage", 2, "пачка надірвана"), Discrepancy(b, "damaged", 1)],
    )  # fmt: skip
    return programme, shipment


def cells(content: bytes) -> list[list[object]]:
    """Every row of every sheet of an xlsx file, as values."""
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]


def row_with(rows: list[list[object]], value: object) -> list[object]:
    return next(row for row in rows if value in row)


# --- the sum in words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Нуль гривень 00 копійок"),
        ("1", "Одна гривня 00 копійок"),
        ("2", "Дві гривні 00 копійок"),
        ("5", "П'ять гривень 00 копійок"),
        ("11", "Одинадцять гривень 00 копійок"),
        ("14", "Чотирнадцять гривень 00 копійок"),
        ("21", "Двадцять одна гривня 00 копійок"),
        ("112", "Сто дванадцять гривень 00 копійок"),
        ("1000", "Одна тисяча гривень 00 копійок"),
        ("1750", "Одна тисяча сімсот п'ятдесят гривень 00 копійок"),
        ("2171.00", "Дві тисячі сто сімдесят одна гривня 00 копійок"),
        ("5000", "П'ять тисяч гривень 00 копійок"),
        ("11000", "Одинадцять тисяч гривень 00 копійок"),
        ("22000", "Двадцять дві тисячі гривень 00 копійок"),
        ("1000000", "Один мільйон гривень 00 копійок"),
        ("2000000", "Два мільйони гривень 00 копійок"),
        ("5022001.21", "П'ять мільйонів двадцять дві тисячі одна гривня 21 копійка"),
        ("0.01", "Нуль гривень 01 копійка"),
        ("3.02", "Три гривні 02 копійки"),
        ("12.11", "Дванадцять гривень 11 копійок"),
        ("999.99", "Дев'ятсот дев'яносто дев'ять гривень 99 копійок"),
        ("-210.50", "Мінус двісті десять гривень 50 копійок"),
    ],
)
def test_the_sum_in_words_is_written_as_an_accountant_writes_it(amount, words):
    assert amount_in_words_uk(Decimal(amount)) == words


def test_the_sum_in_words_rounds_to_kopiyky():
    assert amount_in_words_uk(Decimal("1.005")) == "Одна гривня 01 копійка"


# --- transfer act -----------------------------------------------------------------------------------


def test_a_dispatched_transfer_act_lists_titles_copies_prices_and_the_total_in_words(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    act = transfer_act(session, shipment, sender=SENDER)
    assert (act.number, act.date, act.draft, act.correction_of) == (shipment.number, DAY, False, "")
    assert act.recipient.code == "LG-A01" and act.sender == SENDER
    assert [
        (line.number, line.title, line.isbn, line.copies, line.price, line.total) for line in act.lines
    ] == [
        (1, "Кобзар", A, 5, Decimal("350.00"), Decimal("1750.00")),
        (2, "Лісова пісня", B, 2, Decimal("210.50"), Decimal("421.00")),
    ]
    assert (act.total_copies, act.total_sum) == (7, Decimal("2171.00"))
    assert act.sum_in_words == "Дві тисячі сто сімдесят одна гривня 00 копійок"
    assert (act.carrier, act.tracking_number, act.parcels) == (
        "nova_poshta",
        f"2040000000{shipment.id:04d}",
        1,
    )


def test_an_unsent_act_is_a_draft_dated_today_at_current_prices(session):
    programme = packed_programme(session)
    shipment = shipment_for(session, programme.id, "LG-B01")
    title = session.get(ProgrammeTitle, title_id(session, programme.id, A))
    title.price = Decimal("360.00")
    session.commit()
    act = transfer_act(session, shipment, sender=SENDER, today=date(2026, 11, 18))
    assert (act.draft, act.date, act.state) == (True, date(2026, 11, 18), "planned")
    assert [(line.copies, line.price) for line in act.lines] == [(3, Decimal("360.00"))]
    assert act.total_sum == Decimal("1080.00")


def test_a_dispatched_act_does_not_change_when_the_title_list_does(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    before = transfer_act(session, shipment, sender=SENDER)
    title = session.get(ProgrammeTitle, title_id(session, programme.id, A))
    title.price, title.title = Decimal("999.00"), "Кобзар (нове видання)"
    session.commit()
    assert transfer_act(session, shipment, sender=SENDER) == before


def test_a_correction_act_amends_the_original_with_signed_quantities(session):
    programme = dispatched_programme(session)
    shipment = shipment_for(session, programme.id, "LG-A01")
    b = title_id(session, programme.id, B)
    correction = correct_shipment(
        session, actor=TEST_ACTOR, shipment_id=shipment.id, lines={b: -1}, note="одну не вклали"
    )
    act = transfer_act(session, correction, sender=SENDER)
    assert (act.correction_of, act.number, act.draft, act.note) == (
        shipment.number, correction.number, False, "одну не вклали",
    )  # fmt: skip
    assert [(line.title, line.copies, line.total) for line in act.lines] == [
        ("Лісова пісня", -1, Decimal("-210.50"))
    ]
    assert (act.total_copies, act.total_sum) == (-1, Decimal("-210.50"))
    assert act.sum_in_words == "Мінус двісті десять гривень 50 копійок"


# --- packing list and labels ------------------------------------------------------------------------


def test_the_packing_list_has_a_page_per_parcel_numbered_n_of_m(session):
    programme = dispatched_programme(session, max_copies=4)
    shipment = shipment_for(session, programme.id, "LG-A01")
    packing = packing_list(session, shipment, sender=SENDER)
    assert [(p.index, p.count, p.copies) for p in packing.parcels] == [(1, 2, 4), (2, 2, 3)]
    assert packing.total_copies == 7 and packing.total_weight == sum(p.weight for p in packing.parcels)
    titles = {(line.title, line.isbn) for p in packing.parcels for line in p.lines}
    assert titles == {("Кобзар", A), ("Лісова пісня", B)}
    assert sum(line.copies for p in packing.parcels for line in p.lines) == 7
    assert all(p.tracking_number == shipment.tracking_number for p in packing.parcels)


def test_labels_carry_carrier_branch_parcel_n_of_m_and_tracking(session):
    programme = packed_programme(session, max_copies=4)
    a01 = session.get(Library, library_id(session, "LG-A01"))
    a01.carrier, a01.carrier_branch, a01.address = "nova_poshta", "17", "вул. Соборна, 5"
    session.commit()
    shipment = shipment_for(session, programme.id, "LG-A01")
    labels = shipment_labels(session, shipment, sender=SENDER).labels
    assert [(label.index, label.count, label.carrier_branch) for label in labels] == [
        (1, 2, "17"),
        (2, 2, "17"),
    ]
    assert labels[0].recipient.address == "вул. Соборна, 5" and labels[0].tracking_number == ""
    # a programme's labels leave out what is still only planned
    assert programme_labels(session, programme.id, sender=SENDER).labels == ()
    mark_packed(session, actor=TEST_ACTOR, shipment_id=shipment.id)
    dispatch_shipment(
        session, actor=TEST_ACTOR, shipment_id=shipment.id, carrier="nova_poshta", tracking_number="20450001",
        dispatched_on=DAY, parcel_tracking={2: "20450002"},
    )  # fmt: skip
    sheet = programme_labels(session, programme.id, sender=SENDER)
    assert [(label.shipment_number, label.tracking_number) for label in sheet.labels] == [
        (shipment.number, "20450001"),
        (shipment.number, "20450002"),
    ]


# --- register and library summary ------------------------------------------------------------------


def test_the_register_has_a_row_per_shipment_with_totals_and_filters(session):
    programme = dispatched_programme(session)
    a01 = shipment_for(session, programme.id, "LG-A01")
    accept_shipment(session, actor=TEST_ACTOR, shipment_id=a01.id, accepted_on=date(2026, 11, 25))
    register = shipment_register(session, programme.id)
    assert [(r.library_code, r.copies, r.total_sum, r.state, r.parcels) for r in register.rows] == [
        ("LG-A01", 7, Decimal("2171.00"), "confirmed", 1),
        ("LG-B01", 3, Decimal("1050.00"), "dispatched", 1),
    ]
    row = register.rows[0]
    assert (row.dispatched_on, row.delivered_on, row.accepted_on) == (
        DAY,
        date(2026, 11, 25),
        date(2026, 11, 25),
    )
    totals = register.totals
    assert (totals.shipments, totals.parcels, totals.copies, totals.total_sum) == (
        2,
        2,
        10,
        Decimal("3221.00"),
    )
    assert totals.weight == sum(r.weight for r in register.rows) > 0
    only = shipment_register(session, programme.id, states=["dispatched"])
    assert [r.library_code for r in only.rows] == ["LG-B01"] and only.totals.total_sum == Decimal("1050.00")
    assert shipment_register(session, programme.id, date_from=date(2026, 11, 21)).rows == ()
    assert len(shipment_register(session, programme.id, date_from=DAY, date_to=DAY).rows) == 2
    with pytest.raises(InvalidShipmentData):
        shipment_register(session, programme.id, states=["lost"])


def test_the_register_counts_unsent_shipments_at_current_prices(session):
    programme = packed_programme(session)
    title = session.get(ProgrammeTitle, title_id(session, programme.id, A))
    title.price = Decimal("100.00")
    session.commit()
    register = shipment_register(session, programme.id)
    assert [(r.state, r.total_sum) for r in register.rows] == [
        ("planned", Decimal("921.00")),
        ("planned", Decimal("300.00")),
    ]


def test_the_library_summary_after_a_shortage(session):
    programme, _shipment = with_shortage(session)
    summary = library_summary(session, programme.id, "lg-a01")
    assert summary.library.code == "LG-A01" and len(summary.shipments) == 1
    by_title = {line.isbn: line for line in summary.lines}
    a = by_title[A]
    assert (a.ordered, a.allocated, a.dispatched, a.confirmed, a.shortage, a.damaged) == (5, 3, 5, 3, 2, 0)
    assert (a.allocated_sum, a.dispatched_sum, a.confirmed_sum) == (
        Decimal("1050.00"), Decimal("1750.00"), Decimal("1050.00"),
    )  # fmt: skip
    b = by_title[B]
    assert (b.dispatched, b.confirmed, b.damaged) == (2, 2, 1)
    t = summary.totals
    assert (t.ordered, t.allocated, t.dispatched, t.confirmed, t.shortage, t.damaged) == (7, 5, 7, 5, 2, 1)
    assert (t.dispatched_sum, t.confirmed_sum) == (Decimal("2171.00"), Decimal("1471.00"))
    with pytest.raises(LibraryNotFound):
        library_summary(session, programme.id, "LG-NOPE")


# --- act of acceptance ------------------------------------------------------------------------------


def test_the_acceptance_act_shows_what_was_received_and_the_discrepancies(session):
    _programme, shipment = with_shortage(session)
    act = acceptance_act(session, shipment, sender=SENDER)
    assert (act.acceptance_number, act.accepted_on, act.state) == (
        f"{shipment.number}-П", date(2026, 11, 25), "discrepancy",
    )  # fmt: skip
    assert [
        (line.title, line.sent, line.shortage, line.damaged, line.received, line.total) for line in act.lines
    ] == [
        ("Кобзар", 5, 2, 0, 3, Decimal("1050.00")),
        ("Лісова пісня", 2, 0, 1, 2, Decimal("421.00")),
    ]
    assert (act.total_sent, act.total_received, act.total_damaged) == (7, 5, 1)
    assert act.total_sum == Decimal("1471.00")
    assert act.sum_in_words == "Одна тисяча чотириста сімдесят одна гривня 00 копійок"
    assert [(d.title, d.kind, d.quantity, d.note) for d in act.discrepancies] == [
        ("Кобзар", "shortage", 2, "пачка надірвана"),
        ("Лісова пісня", "damaged", 1, ""),
    ]


def test_there_is_no_acceptance_act_before_the_library_answers(session):
    programme = dispatched_programme(session)
    with pytest.raises(ShipmentStateError):
        acceptance_act(session, shipment_for(session, programme.id, "LG-B01"), sender=SENDER)


# --- xlsx -----------------------------------------------------------------------------------------


def test_the_transfer_act_xlsx_has_the_lines_the_total_and_the_words(session):
    programme = dispatched_programme(session)
    act = transfer_act(session, shipment_for(session, programme.id, "LG-A01"), sender=SENDER)
    rows = cells(documents_xlsx.transfer_act_xlsx(act))
    assert rows[0][0] == f"Акт приймання-передачі № {act.number}"
    line = row_with(rows, "Кобзар")
    assert line[:7] == [1, "Шевченко Т.", "Кобзар", A, 5, 350, 1750]
    total = row_with(rows, "Разом")
    assert (total[4], total[6]) == (7, 2171)
    assert row_with(rows, "Сума прописом")[1] == "Дві тисячі сто сімдесят одна гривня 00 копійок"
    assert not any("ЧЕРНЕТКА" in str(value) for row in rows for value in row)


def test_the_other_xlsx_files_carry_the_same_numbers(session):
    programme, shipment = with_shortage(session)
    register = cells(documents_xlsx.register_xlsx(shipment_register(session, programme.id)))
    total = row_with(register, "Разом")
    assert (total[6], total[7], total[9]) == (2, 10, 3221)
    summary = cells(documents_xlsx.library_summary_xlsx(library_summary(session, programme.id, "LG-A01")))
    assert row_with(summary, "Кобзар")[5:11] == [5, 3, 5, 3, 2, 0]
    assert row_with(summary, "Разом")[12:14] == [2171, 1471]
    acceptance = cells(documents_xlsx.acceptance_act_xlsx(acceptance_act(session, shipment, sender=SENDER)))
    assert row_with(acceptance, "Разом")[4:11] == [7, 2, 0, 1, 5, None, 1471]
    assert row_with(acceptance, "недостача")[3:5] == [2, "пачка надірвана"]
    packing = load_workbook(io.BytesIO(documents_xlsx.packing_list_xlsx(
        packing_list(session, shipment, sender=SENDER))))  # fmt: skip
    assert len(packing.worksheets) == 1
    labels = cells(documents_xlsx.labels_xlsx(shipment_labels(session, shipment, sender=SENDER)))
    assert labels[1][:3] == [shipment.number, "1/1", "LG-A01"]


def test_xlsx_headers_follow_the_callers_language(session):
    programme = dispatched_programme(session)
    act = transfer_act(session, shipment_for(session, programme.id, "LG-A01"), sender=SENDER)

    def english(message, **params):
        text = {"Акт приймання-передачі № {number}": "Transfer act No. {number}"}.get(message, message)
        return text.format(**params) if params else text

    assert cells(documents_xlsx.transfer_act_xlsx(act, english))[0][0] == f"Transfer act No. {act.number}"
