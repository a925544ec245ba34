"""Packing (пакування): a library's allocated copies split into parcels within carrier limits.

Weights come from the record when it says how big the book is (pages from 300$a / 215$a, height
from 300$c / 215$d), else from a default; the carrier's limits are weight and copies per parcel.
Packing is first-fit decreasing by copy weight, keeping copies of one title together as far
as a parcel allows, so packing lists stay short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_COPY_WEIGHT = Decimal("0.500")  # kg, when the record says nothing usable
_PAGES = re.compile(r"(\d{1,5})\s*(?:с|c|p|pp|s|стор|стр|pages|сторінок)\b", re.IGNORECASE)
_HEIGHT = re.compile(r"(\d{1,3})\s*(?:см|cm)", re.IGNORECASE)
_GRAMS = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class CarrierLimits:
    """What one parcel may hold: e.g. Ukrposhta or Nova Poshta limits for the chosen service."""

    max_weight: Decimal = Decimal("30")  # kg
    max_copies: int = 100
    packaging_weight: Decimal = Decimal("0.300")  # box and filler, kg


@dataclass(frozen=True, slots=True)
class PackItem:
    """Copies of one title to pack for one library."""

    title: str
    copies: int
    copy_weight: Decimal


@dataclass(slots=True)
class Parcel:
    """One parcel: its lines (title -> copies), weight and count."""

    lines: dict[str, int] = field(default_factory=dict)
    grams: int = 0
    copies: int = 0
    oversize: bool = False  # a single copy heavier than the limit: sent alone, flagged

    @property
    def weight(self) -> Decimal:
        """Weight in kg, packaging included."""
        return Decimal(self.grams) / 1000

    def add(self, title: str, copies: int, copy_grams: int) -> None:
        self.lines[title] = self.lines.get(title, 0) + copies
        self.copies += copies
        self.grams += copies * copy_grams


def _grams(kg: Decimal) -> int:
    """Whole grams: integer arithmetic keeps packing exact and fast."""
    return int((kg * 1000).to_integral_value(rounding=ROUND_HALF_UP))


def estimate_copy_weight(extent: str | None, dimensions: str | None = None,
                         default: Decimal = DEFAULT_COPY_WEIGHT) -> Decimal:
    """Weight of one copy in kg from its extent ("320 с.") and height ("21 см").

    An A5 page of 80 g/m² offset paper weighs about 1.25 g (a leaf is two pages), plus about
    60 g of cover; taller books scale with the page area.
    """
    pages = _PAGES.search(extent or "")
    if not pages:
        return default
    grams = Decimal(pages.group(1)) * Decimal("1.25") + 60
    height = _HEIGHT.search(dimensions or "")
    if height:
        scale = Decimal(height.group(1)) / 21
        grams = grams * scale * scale
    return (grams / 1000).quantize(_GRAMS, rounding=ROUND_HALF_UP)


def pack_library(items: Iterable[PackItem], limits: CarrierLimits = CarrierLimits()  # noqa: B008
                 ) -> list[Parcel]:
    """Pack one library's copies into as few parcels as first-fit decreasing finds."""
    return _pack([(max(1, _grams(i.copy_weight)), i.title, i.copies) for i in items], limits)


def _pack(lines: list[tuple[int, str, int]], limits: CarrierLimits) -> list[Parcel]:
    """First-fit decreasing over (copy grams, title, copies) lines."""
    capacity = _grams(limits.max_weight - limits.packaging_weight)
    max_copies = limits.max_copies
    ordered = sorted(lines, key=lambda x: (-x[0], x[1]))
    lightest = ordered[-1][0] if ordered else 1
    parcels: list[Parcel] = []
    open_parcels: list[Parcel] = []  # parcels that can still take the lightest copy
    for grams, title, copies in ordered:
        left = copies
        if grams > capacity:
            for _ in range(left):
                parcel = Parcel(oversize=True)
                parcel.add(title, 1, grams)
                parcels.append(parcel)
            continue
        for parcel in open_parcels:
            room = min(max_copies - parcel.copies, (capacity - parcel.grams) // grams)
            if room > 0:
                take = min(room, left)
                parcel.add(title, take, grams)
                left -= take
                if not left:
                    break
        while left:
            parcel = Parcel()
            take = min(left, max_copies, capacity // grams)
            parcel.add(title, take, grams)
            parcels.append(parcel)
            open_parcels.append(parcel)
            left -= take
        open_parcels = [p for p in open_parcels
                        if p.copies < max_copies and capacity - p.grams >= lightest]
    packaging = _grams(limits.packaging_weight)
    for parcel in parcels:
        parcel.grams += packaging
    return parcels


def pack(allocations: Mapping[tuple[str, str], int], weights: Mapping[str, Decimal],
         limits: CarrierLimits = CarrierLimits()  # noqa: B008
         ) -> dict[str, list[Parcel]]:
    """Parcels for every library from a plan's allocations (library, title) -> copies."""
    grams = {title: max(1, _grams(weight)) for title, weight in weights.items()}
    default = _grams(DEFAULT_COPY_WEIGHT)
    per_library: dict[str, list[tuple[int, str, int]]] = {}
    for (library, title), copies in allocations.items():
        if copies > 0:
            per_library.setdefault(library, []).append((grams.get(title, default), title, copies))
    return {library: _pack(lines, limits) for library, lines in sorted(per_library.items())}
