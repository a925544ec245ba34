"""Packing: every allocated copy lands in exactly one parcel, and no parcel breaks the limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distribution.errors import InvalidPackingInput, InvalidShipmentData
from distribution.shipping.rules import (
    DEFAULT_COPY_WEIGHT,
    CarrierLimits,
    PackItem,
    estimate_copy_weight,
    pack,
    pack_library,
)


def test_weight_is_estimated_from_pages_and_height() -> None:
    assert estimate_copy_weight("320 с.") == Decimal("0.460")
    assert estimate_copy_weight("[4], 320 с. : іл.", "21 см") == Decimal("0.460")
    assert estimate_copy_weight("320 p.", "30 cm") > Decimal("0.9")
    assert estimate_copy_weight("1 online resource") == DEFAULT_COPY_WEIGHT
    assert estimate_copy_weight(None) == DEFAULT_COPY_WEIGHT


def test_copies_of_a_title_stay_together_when_they_fit() -> None:
    parcels = pack_library([PackItem("Кобзар", 10, Decimal("0.5")),
                            PackItem("Енеїда", 5, Decimal("0.4"))])
    assert len(parcels) == 1
    assert parcels[0].lines == {"Кобзар": 10, "Енеїда": 5}
    assert parcels[0].weight == Decimal("7.3")  # 5 + 2 + 0.3 packaging


def test_count_limit_splits_parcels() -> None:
    limits = CarrierLimits(max_weight=Decimal("30"), max_copies=20)
    parcels = pack_library([PackItem("T", 45, Decimal("0.2"))], limits)
    assert [p.copies for p in parcels] == [20, 20, 5]


def test_a_copy_heavier_than_the_limit_goes_alone_and_is_flagged() -> None:
    limits = CarrierLimits(max_weight=Decimal("2"))
    parcels = pack_library([PackItem("Атлас", 2, Decimal("2.5"))], limits)
    assert [p.oversize for p in parcels] == [True, True]


def test_pack_groups_by_library_and_skips_zero_allocations() -> None:
    parcels = pack({("LIB-A", "T1"): 3, ("LIB-B", "T1"): 0, ("LIB-B", "T2"): 1},
                   {"T1": Decimal("0.5")})
    assert sorted(parcels) == ["LIB-A", "LIB-B"]
    assert parcels["LIB-B"][0].lines == {"T2": 1}


items = st.lists(st.builds(PackItem, st.sampled_from([f"T{i}" for i in range(30)]),
                           st.integers(min_value=1, max_value=60),
                           st.decimals(min_value=Decimal("0.05"), max_value=Decimal("3"), places=3)),
                 max_size=25, unique_by=lambda i: i.title)


@settings(max_examples=300, deadline=None)
@given(items, st.integers(min_value=1, max_value=80),
       st.decimals(min_value=Decimal("1"), max_value=Decimal("31"), places=1))
def test_every_copy_is_packed_once_within_limits(batch, max_copies, max_weight) -> None:
    limits = CarrierLimits(max_weight=max_weight, max_copies=max_copies)
    parcels = pack_library(batch, limits)
    packed: dict[str, int] = {}
    for parcel in parcels:
        for title, copies in parcel.lines.items():
            packed[title] = packed.get(title, 0) + copies
        assert parcel.copies <= max_copies
        if not parcel.oversize:
            assert parcel.weight <= max_weight
        else:
            assert parcel.copies == 1
    assert packed == {item.title: item.copies for item in batch}


# --- limits and inputs packing cannot work with -----------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"max_copies": 0}, "max_copies"),  # would never finish
        ({"max_copies": 10_001}, "max_copies"),
        ({"max_weight": Decimal("0.05")}, "max_weight"),
        ({"max_weight": Decimal("1000.5")}, "max_weight"),
        ({"packaging_weight": Decimal("-0.1")}, "packaging_weight"),
        ({"max_weight": Decimal("1"), "packaging_weight": Decimal("1")}, "packaging_weight"),
    ],
)
def test_carrier_limits_out_of_bounds_are_refused_naming_the_field(limits, field) -> None:
    with pytest.raises(InvalidPackingInput) as refused:
        CarrierLimits(**limits)
    assert isinstance(refused.value, InvalidShipmentData)
    assert refused.value.field == field and list(refused.value.errors) == [field]
    assert str(refused.value).startswith("Пакування неможливе: ")


def test_every_bad_limit_is_named_at_once() -> None:
    with pytest.raises(InvalidPackingInput) as refused:
        CarrierLimits(max_weight=Decimal("0"), max_copies=0, packaging_weight=Decimal("-1"))
    assert set(refused.value.errors) == {"max_weight", "max_copies", "packaging_weight"}
    assert "Ціле число від 1 до 10000" in str(refused.value)


def test_limits_on_the_bounds_are_accepted() -> None:
    CarrierLimits(max_weight=Decimal("0.1"), max_copies=1, packaging_weight=Decimal("0"))
    CarrierLimits(max_weight=Decimal("1000"), max_copies=10_000, packaging_weight=Decimal("999.9"))


@pytest.mark.parametrize(("copies", "weight", "field"), [(-1, Decimal("0.5"), "copies"),
                                                          (2, Decimal("0"), "copy_weight"),
                                                          (2, Decimal("-0.3"), "copy_weight")])
def test_negative_copies_and_weightless_copies_are_refused(copies, weight, field) -> None:
    with pytest.raises(InvalidPackingInput) as refused:
        pack_library([PackItem("Кобзар", copies, weight)])
    assert refused.value.field == field and "Кобзар" in str(refused.value)


def test_pack_refuses_a_negative_allocation_and_a_weightless_title() -> None:
    with pytest.raises(InvalidPackingInput, match="від'ємною"):
        pack({("LIB-1", "T1"): -2}, {"T1": Decimal("0.5")})
    with pytest.raises(InvalidPackingInput, match="більшою за нуль"):
        pack({("LIB-1", "T1"): 2}, {"T1": Decimal("0")})
