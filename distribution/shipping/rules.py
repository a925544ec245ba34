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

from collection.errors import N_, Message, Messages
from distribution.errors import InvalidPackingInput

DEFAULT_COPY_WEIGHT = Decimal("0.500")  # kg, when the record says nothing usable
_PAGES = re.compile(r"(\d{1,5})\s*(?:с|c|p|pp|s|стор|стр|pages|сторінок)\b", re.IGNORECASE)
_HEIGHT = re.compile(r"(\d{1,3})\s*(?:см|cm)", re.IGNORECASE)
_GRAMS = Decimal("0.001")


# The one set of bounds for carrier limits: REST, pages and the CLI all rely on CarrierLimits.
MAX_WEIGHT_BOUNDS = (Decimal("0.1"), Decimal("1000"))  # kg per parcel
MAX_COPIES_BOUNDS = (1, 10_000)  # copies per parcel
LIMIT_FIELDS = ("max_weight", "max_copies", "packaging_weight")
LIMIT_LABELS = {
    "max_weight": N_("Гранична вага посилки"),
    "max_copies": N_("Примірників у посилці"),
    "packaging_weight": N_("Вага пакування"),
}
LIMIT_PROBLEMS = {
    "max_weight": N_("Від 0,1 до 1000 кг"),
    "max_copies": N_("Ціле число від 1 до 10000"),
    "packaging_weight": N_("Від 0 до граничної ваги посилки"),
}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool) and Decimal(value).is_finite()


def carrier_limit_errors(
    max_weight: Decimal | None, max_copies: int | Decimal | None, packaging_weight: Decimal | None
) -> dict[str, str]:
    """Field -> problem for limits packing cannot work with; ``None`` is a value not known yet."""
    errors: dict[str, str] = {}
    low, high = MAX_WEIGHT_BOUNDS
    if max_weight is not None and not (_is_number(max_weight) and low <= max_weight <= high):
        errors["max_weight"] = LIMIT_PROBLEMS["max_weight"]
    first, last = MAX_COPIES_BOUNDS
    if max_copies is not None and not (
        _is_number(max_copies) and max_copies == int(max_copies) and first <= max_copies <= last
    ):
        errors["max_copies"] = LIMIT_PROBLEMS["max_copies"]
    ceiling = max_weight if max_weight is not None and "max_weight" not in errors else high
    if packaging_weight is not None and not (
        _is_number(packaging_weight) and 0 <= packaging_weight < ceiling
    ):
        errors["packaging_weight"] = LIMIT_PROBLEMS["packaging_weight"]
    return errors


def refuse(
    errors: dict[str, str], labels: dict[str, str], **params: object
) -> InvalidPackingInput:
    """One error naming every field at fault, read the same by REST, pages and the CLI."""
    problems = Messages(
        Message(
            N_("{field} — {problem}"),
            {"field": Message(labels.get(name, name), params), "problem": Message(text)},
        )
        for name, text in errors.items()
    )
    return InvalidPackingInput(
        N_("Пакування неможливе: {problems}"), params={"problems": problems}, errors=errors
    )


@dataclass(frozen=True, slots=True)
class CarrierLimits:
    """What one parcel may hold: e.g. Ukrposhta or Nova Poshta limits for the chosen service.

    Limits outside the bounds are refused on construction (``max_copies=0`` would never finish).
    """

    max_weight: Decimal = Decimal("30")  # kg
    max_copies: int = 100
    packaging_weight: Decimal = Decimal("0.300")  # box and filler, kg

    def __post_init__(self) -> None:
        errors = carrier_limit_errors(self.max_weight, self.max_copies, self.packaging_weight)
        if errors:
            raise refuse(errors, LIMIT_LABELS)


@dataclass(frozen=True, slots=True)
class PackItem:
    """Copies of one title to pack for one library."""

    title: str
    copies: int
    copy_weight: Decimal

    def __post_init__(self) -> None:
        errors = item_errors(self.copies, self.copy_weight)
        if errors:
            raise refuse(errors, ITEM_LABELS, title=self.title)


ITEM_LABELS = {"copies": N_("Примірників назви {title}"), "copy_weight": N_("Вага примірника назви {title}")}
ITEM_PROBLEMS = {
    "copies": N_("Кількість не може бути від'ємною"),
    "copy_weight": N_("Вага має бути більшою за нуль"),
}


def item_errors(copies: int | None, copy_weight: Decimal | None) -> dict[str, str]:
    """Field -> problem for copies packing cannot place: negative counts, weightless copies."""
    errors: dict[str, str] = {}
    if copies is not None and not (isinstance(copies, int) and copies >= 0):
        errors["copies"] = ITEM_PROBLEMS["copies"]
    if copy_weight is not None and not (_is_number(copy_weight) and copy_weight > 0):
        errors["copy_weight"] = ITEM_PROBLEMS["copy_weight"]
    return errors


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
    """Pack one library's copies into as few parcels as first-fit decreasing finds.

    A copy heavier than a parcel may hold is not refused: it goes alone, flagged oversize.
    """
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
    """Parcels for every library from a plan's allocations (library, title) -> copies.

    Zero allocations are skipped; a negative one or a weightless copy is refused.
    """
    for title, weight in weights.items():
        if errors := item_errors(None, weight):
            raise refuse(errors, ITEM_LABELS, title=title)
    grams = {title: max(1, _grams(weight)) for title, weight in weights.items()}
    default = _grams(DEFAULT_COPY_WEIGHT)
    per_library: dict[str, list[tuple[int, str, int]]] = {}
    for (library, title), copies in allocations.items():
        if errors := item_errors(copies, None):
            raise refuse(errors, ITEM_LABELS, title=title)
        if copies > 0:
            per_library.setdefault(library, []).append((grams.get(title, default), title, copies))
    return {library: _pack(lines, limits) for library, lines in sorted(per_library.items())}
