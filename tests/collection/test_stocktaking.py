"""Stocktaking: finds as entered, missing copies at the location, closing with an act."""

from __future__ import annotations

from datetime import date

import pytest

from collection.audit import entries_for_object
from collection.errors import ConflictError, InvalidValueError
from collection.fund import acts as fund_acts
from collection.fund import registers as fund_services
from collection.fund import stocktaking
from tests.collection.fund_builders import ACTOR, receive


def test_finds_match_inventory_numbers_or_barcodes_and_keep_unknown_entries(session):
    copies = receive(session, quantity=3, location="АБ", barcodes=["B1", "B2", "B3"])
    stocktake = stocktaking.open_stocktake(session, actor=ACTOR, location="АБ")
    added = stocktaking.add_finds(
        session,
        actor=ACTOR,
        stocktake=stocktake,
        entries=stocktaking.parse_entries(f"{copies[0].inventory_number}\nB2\n\nXYZ-1"),
    )
    assert (added.matched, added.unknown, added.repeated) == (2, ["XYZ-1"], 0)
    again = stocktaking.add_finds(session, actor=ACTOR, stocktake=stocktake, entries=["B1", "XYZ-1"])
    assert (again.matched, again.repeated) == (0, 2)  # B1 is copy 1 again
    assert [c.inventory_number for c in stocktaking.missing_copies(session, stocktake)] == [
        copies[2].inventory_number
    ]


def test_pasted_lists_may_use_lines_commas_semicolons_or_tabs():
    assert stocktaking.parse_entries('000001, 000002;000003\t"000004"\r\n 000005 \n') == [
        "000001",
        "000002",
        "000003",
        "000004",
        "000005",
    ]


def test_a_copy_found_at_another_location_is_reported(session):
    copy = receive(session, location="ЧЗ")[0]
    stocktake = stocktaking.open_stocktake(session, actor=ACTOR, location="АБ")
    added = stocktaking.add_finds(session, actor=ACTOR, stocktake=stocktake, entries=[copy.inventory_number])
    assert added.elsewhere == [copy.inventory_number]


def test_closing_withdraws_the_missing_with_one_act(session):
    copies = receive(session, quantity=3, location="АБ", receipt_date=date(2026, 1, 10))
    receive(session, quantity=1, location="ЧЗ")  # another location is not missing
    stocktake = stocktaking.open_stocktake(session, actor=ACTOR, location="АБ")
    stocktaking.add_finds(session, actor=ACTOR, stocktake=stocktake, entries=[copies[0].inventory_number])
    act = stocktaking.close_stocktake(session, actor=ACTOR, stocktake=stocktake, act_date=date(2026, 11, 1))
    assert act is not None and act.reason == "lost_by_readers" and act.state == "draft"
    assert sorted(c.inventory_number for c in fund_acts.get_act(session, act.id).copies) == sorted(
        c.inventory_number for c in copies[1:]
    )
    assert stocktake.state == "closed" and stocktake.act_id == act.id
    assert entries_for_object(session, "stocktake", stocktake.id)[0].changes["state"] == ["open", "closed"]
    with pytest.raises(stocktaking.StocktakeClosed):
        stocktaking.add_finds(session, actor=ACTOR, stocktake=stocktake, entries=["1"])
    fund_acts.sign_act(session, actor=ACTOR, act=act)
    assert fund_services.summary_register(session, 2026).movement.end.total.copies == 2


def test_closing_without_withdrawal_and_with_nothing_missing_makes_no_act(session):
    copy = receive(session, location="АБ")[0]
    stocktake = stocktaking.open_stocktake(session, actor=ACTOR, location="АБ")
    stocktaking.add_finds(session, actor=ACTOR, stocktake=stocktake, entries=[copy.inventory_number])
    assert stocktaking.close_stocktake(session, actor=ACTOR, stocktake=stocktake) is None


def test_one_open_stocktake_per_location_and_a_location_is_required(session):
    stocktaking.open_stocktake(session, actor=ACTOR, location="АБ")
    with pytest.raises(ConflictError):
        stocktaking.open_stocktake(session, actor=ACTOR, location="АБ")
    with pytest.raises(InvalidValueError):
        stocktaking.open_stocktake(session, actor=ACTOR, location=" ")
