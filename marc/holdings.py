"""Copy-level holdings: read and write one copy in MARC21 852, Koha 952, Koha 995 or IRBIS 910.

Subfield maps and where they come from:

* **Koha 952** (MARC21), Koha's default framework: $a home branch, $b holding branch,
  $c shelving location, $d date acquired (YYYY-MM-DD), $g purchase price, $i inventory number
  (items.stocknumber), $o call number, $p barcode; statuses $0 withdrawn, $1 lost, $4 damaged,
  $5 restricted, $7 not for loan.
* **Koha 995** (UNIMARC), Koha's Ukrainian UKRMARC framework (installer/data/mysql/uk-UA):
  $b home branch, $c holding branch, $e shelving location, $f barcode, $j inventory number
  (items.stocknumber), $k call number, $p price, $5 date acquired; statuses $0 withdrawn,
  $1 damaged, $2 lost, $3 restricted, $o not for loan. The real Ukrainian record in
  xbib__marc/rusmarc.xml agrees: 198 copies, $j is unique per copy (and equals the barcode $f
  in 197 of them), $p holds prices such as "4.30", $5 ISO dates, $g the edit timestamp, $z the
  number in the library's previous system. $i there is a date (items.datelastseen), not an
  inventory number.
* **IRBIS 910**: ^a status, ^b inventory number, ^c date (YYYYMMDD), ^d location (department),
  ^e price, ^h barcode, ^1 copy count (group accounting), ^r shelf index used as call number.
  Subfield codes are read case-insensitively, as IRBIS treats them.
* **MARC21 852** is a location field, not a copy record: $a institution, $b sublocation
  (read as location, with $c shelving location and then $a as fallbacks), $k/$h/$i/$m call
  number prefix, classification, item part and suffix, $p piece designation (barcode), $j
  shelving control number (read as inventory number: closed stacks shelved by inventory number
  put it there). MARC21 has no copy price or acquisition date in 852 (they belong in 876);
  $9 is not read as a price because real files use it for other local codes ("00", "09").
  Writing 852 therefore drops price, date, status and copy count.

A location is the most specific place a field names: shelving location, else holding branch,
else home branch; ``holding_field(..., branch=...)`` writes the library code. A 952 or 852
naming nothing but a location is skipped: MARC21 files reuse those tags for notes ("952
$aLibrary has 2 copies." in Evergreen's nepali.marc). An 852 is only read when the record has
no copy-level field, because systems that keep items in 952/995 also keep a title-level 852
(rusmarc.xml does).

Status is kept raw: IRBIS ^a as written; for Koha, "0" when every status subfield present is
0 (available), else the raised ones as "lost=1,damaged=2". Only "0" and the Koha forms cross
between schemes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pymarc
from pymarc import Indicators, Subfield

from marc.sniff import is_ascii_digits

SCHEMES = ("852", "952", "995", "910")
COPY_LEVEL = {"marc21": ("952",), "unimarc": ("995", "910")}

# Koha item statuses, in the order they are reported: name -> subfield code per scheme.
_KOHA_STATUS = {
    "952": (
        ("withdrawn", "0"),
        ("lost", "1"),
        ("damaged", "4"),
        ("restricted", "5"),
        ("notforloan", "7"),
    ),
    "995": (
        ("withdrawn", "0"),
        ("damaged", "1"),
        ("lost", "2"),
        ("restricted", "3"),
        ("notforloan", "o"),
    ),
}


@dataclass(slots=True)
class Holding:
    """One copy (or a group of uniform copies) as a holdings field describes it."""

    inventory_number: str | None
    barcode: str | None
    location: str | None
    call_number: str | None
    price: Decimal | None
    price_raw: str | None
    acquired: date | None
    date_raw: str | None
    copies: int = 1  # IRBIS 910^1 / a grouped copy count; 1 otherwise
    status: str | None = None  # raw status code (IRBIS ^a, Koha "lost=1" ...; "0" = available)
    source_tag: str = ""  # "852", "952", "995" or "910"


def default_scheme(flavour: str) -> str:
    """The holdings field komplekt writes for a flavour: Koha 952 or Koha 995."""
    if flavour == "marc21":
        return "952"
    if flavour == "unimarc":
        return "995"
    raise ValueError(f"unknown MARC flavour {flavour!r}")


def read_holdings(record: pymarc.Record, flavour: str | None = None) -> list[Holding]:
    """Every copy the record's holdings fields describe, in record order.

    ``flavour`` limits which tags count: 995 and 910 are local fields with other meanings
    in MARC21 files, so they are read only for UNIMARC, and 952 only for MARC21. Without a
    flavour it is guessed from the title field (245 or 200).
    """
    flavour = flavour or _guess_flavour(record)
    copy_tags = COPY_LEVEL.get(flavour or "", ("952", "995", "910"))
    copies: list[Holding] = []
    locations: list[Holding] = []
    for field in record.fields:
        tag = field.tag
        if tag in copy_tags:
            holding = _READERS[tag](_codes(field, lower=tag == "910"))
            if holding is not None:
                copies.append(holding)
        elif tag == "852" and not copies:
            holding = _read_852(_codes(field))
            if holding is not None:
                locations.append(holding)
    return copies or locations


def holding_field(holding: Holding, scheme: str, *, branch: str | None = None) -> pymarc.Field:
    """One holding written as a field of ``scheme``; ``branch`` fills the library code.

    Written in its own scheme, a holding keeps its raw price and date text, so read → write
    → read gives the same Holding. Written in another scheme, price and date take that
    scheme's form (Koha wants YYYY-MM-DD, IRBIS YYYYMMDD).
    """
    if scheme not in _WRITERS:
        raise ValueError(f"unknown holdings scheme {scheme!r}; expected one of {SCHEMES}")
    native = holding.source_tag == scheme
    pairs = _WRITERS[scheme](holding, native, branch)
    subfields = [Subfield(code, value) for code, value in pairs if value not in (None, "")]
    return pymarc.Field(tag=scheme, indicators=Indicators(" ", " "), subfields=subfields)


# ---------------------------------------------------------------- prices and dates


_NO_PRICE = re.compile(r"^\s*(б\.?\s*ц\.?|без\s+ц[іие]ни)\s*$", re.IGNORECASE)
_ROUBLES_KOPECKS = re.compile(
    r"(\d[\d\s]*?)\s*(?:р|руб|грн|гр)\.?\s*(\d{1,2})\s*(?:к|коп)\.?", re.IGNORECASE
)
_AMOUNT = re.compile(r"\d{1,3}(?:[\s\u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*")


@lru_cache(maxsize=8192)
def parse_price(text: str) -> Decimal | None:
    """A price as Decimal from "45 р. 00 к.", "120.50", "120,50 грн", "1 200,00"; else None."""
    if not text or _NO_PRICE.match(text):
        return None
    split = _ROUBLES_KOPECKS.search(text)
    if split:
        whole = re.sub(r"\s", "", split.group(1))
        return Decimal(f"{whole}.{int(split.group(2)):02d}")
    amount = _AMOUNT.search(text)
    if not amount:
        return None
    return _decimal(amount.group(0))


def _decimal(number: str) -> Decimal | None:
    """Decimal from "1 200,50", "1,200.50", "120.50" or "120,50".

    With both marks the later one is the decimal mark; a single mark used once is a decimal
    mark (Ukrainian and Russian prices use the comma); a mark used twice is a thousands mark.
    """
    number = re.sub(r"[\s\u00a0]", "", number)
    if "." in number and "," in number:
        mark = "." if number.rfind(".") > number.rfind(",") else ","
        other = "," if mark == "." else "."
        number = number.replace(other, "").replace(mark, ".")
    else:
        for mark in ".,":
            if number.count(mark) > 1:
                number = number.replace(mark, "")
            elif mark in number:
                number = number.replace(mark, ".")
    try:
        return Decimal(number)
    except InvalidOperation:
        return None


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SHORT = re.compile(r"^(\d{2})(\d{2})(\d{2})$")


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date | None:
    """A date from YYYYMMDD, YYYY-MM-DD (time ignored), YYMMDD or DD.MM.YYYY; else None."""
    text = (text or "").strip()
    try:
        if m := _ISO.match(text) or _COMPACT.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _DOTTED.match(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _SHORT.match(text):
            year = int(m.group(1))
            century = 2000 if year <= date.today().year % 100 else 1900
            return date(century + year, int(m.group(2)), int(m.group(3)))
    except ValueError:  # 2023-02-30 and the like
        return None
    return None


# ---------------------------------------------------------------- reading


def _codes(field: pymarc.Field, lower: bool = False) -> dict[str, str]:
    """First non-empty value of each subfield code (a copy field repeats none of ours)."""
    values: dict[str, str] = {}
    for sub in getattr(field, "subfields", None) or ():
        code = sub.code.lower() if lower else sub.code
        value = (sub.value or "").strip()
        if value and code not in values:
            values[code] = value
    return values


def _holding(
    tag: str,
    sf: dict[str, str],
    *,
    inventory: str,
    barcode: str,
    locations: tuple[str, ...],
    call: str | None,
    price: str | None,
    acquired: str | None,
    status: str | None = None,
    copies: int = 1,
) -> Holding | None:
    """Assemble a Holding from the subfields a scheme names; None when it names nothing."""
    price_raw = sf.get(price) if price else None
    date_raw = sf.get(acquired) if acquired else None
    holding = Holding(
        inventory_number=sf.get(inventory),
        barcode=sf.get(barcode),
        location=next((sf[c] for c in locations if c in sf), None),
        call_number=call,
        price=parse_price(price_raw) if price_raw else None,
        price_raw=price_raw,
        acquired=parse_date(date_raw) if date_raw else None,
        date_raw=date_raw,
        copies=copies,
        status=status,
        source_tag=tag,
    )
    details = (
        holding.inventory_number,
        holding.barcode,
        holding.call_number,
        price_raw,
        date_raw,
        status,
        copies != 1,
    )
    # MARC21 files reuse 952/852 for notes and codes ("952 $aLibrary has 2 copies."): there a
    # bare location names no copy. In 995/910 a location alone still stands for one copy.
    if any(details) or (holding.location and tag in ("995", "910")):
        return holding
    return None


def _koha_status(scheme: str, sf: dict[str, str]) -> str | None:
    """Status "0" when Koha's subfields say available, "lost=1,..." otherwise, None if absent."""
    present = [(name, sf[code]) for name, code in _KOHA_STATUS[scheme] if code in sf]
    if not present:
        return None
    raised = [f"{name}={value}" for name, value in present if value != "0"]
    return ",".join(raised) or "0"


def _read_952(sf: dict[str, str]) -> Holding | None:
    return _holding(
        "952",
        sf,
        inventory="i",
        barcode="p",
        locations=("c", "b", "a"),
        call=sf.get("o"),
        price="g",
        acquired="d",
        status=_koha_status("952", sf),
    )


def _read_995(sf: dict[str, str]) -> Holding | None:
    return _holding(
        "995",
        sf,
        inventory="j",
        barcode="f",
        locations=("e", "c", "b"),
        call=sf.get("k"),
        price="p",
        acquired="5",
        status=_koha_status("995", sf),
    )


def _read_910(sf: dict[str, str]) -> Holding | None:
    count = sf.get("1", "")
    copies = int(count) if is_ascii_digits(count) and int(count) > 0 else 1
    return _holding(
        "910",
        sf,
        inventory="b",
        barcode="h",
        locations=("d",),
        call=sf.get("r"),
        price="e",
        acquired="c",
        status=sf.get("a"),
        copies=copies,
    )


def _read_852(sf: dict[str, str]) -> Holding | None:
    parts = [sf[c] for c in ("k", "h", "i", "m") if c in sf]
    return _holding(
        "852",
        sf,
        inventory="j",
        barcode="p",
        locations=("b", "c", "a"),
        call=" ".join(parts) or None,
        price=None,
        acquired=None,
    )


_READERS = {"952": _read_952, "995": _read_995, "910": _read_910}


def _guess_flavour(record: pymarc.Record) -> str | None:
    """MARC21 when the record has a 245, UNIMARC when it has a 200, else unknown."""
    tags = {field.tag for field in record.fields}
    if "245" in tags:
        return "marc21"
    if "200" in tags:
        return "unimarc"
    return None


# ---------------------------------------------------------------- writing

Pairs = list[tuple[str, str | None]]


def _price_text(holding: Holding, native: bool) -> str | None:
    """Raw price in its own scheme; elsewhere the parsed amount (raw if unparseable)."""
    if native or holding.price is None:
        return holding.price_raw
    return f"{holding.price:.2f}"


def _date_text(holding: Holding, native: bool, form: str) -> str | None:
    """Raw date in its own scheme; elsewhere the parsed date in ``form`` (raw if unparseable)."""
    if native or holding.acquired is None:
        return holding.date_raw
    return holding.acquired.strftime(form)


def _koha_status_pairs(holding: Holding, scheme: str) -> Pairs:
    """Status subfields from "0" or "name=value,..."; other status codes have no Koha form."""
    status = holding.status
    if not status:
        return []
    codes = dict(_KOHA_STATUS[scheme])
    if status == "0":
        return [(codes["withdrawn"], "0")]
    pairs: Pairs = []
    for part in status.split(","):
        name, _, value = part.partition("=")
        if name in codes and value:
            pairs.append((codes[name], value))
    return pairs


def _write_952(holding: Holding, native: bool, branch: str | None) -> Pairs:
    return [
        *_koha_status_pairs(holding, "952"),
        ("a", branch),
        ("b", branch),
        ("c", holding.location),
        ("d", _date_text(holding, native, "%Y-%m-%d")),
        ("g", _price_text(holding, native)),
        ("i", holding.inventory_number),
        ("o", holding.call_number),
        ("p", holding.barcode),
    ]


def _write_995(holding: Holding, native: bool, branch: str | None) -> Pairs:
    return [
        *_koha_status_pairs(holding, "995"),
        ("5", _date_text(holding, native, "%Y-%m-%d")),
        ("b", branch),
        ("c", branch),
        ("e", holding.location),
        ("f", holding.barcode),
        ("j", holding.inventory_number),
        ("k", holding.call_number),
        ("p", _price_text(holding, native)),
    ]


def _write_910(holding: Holding, native: bool, branch: str | None) -> Pairs:
    status = holding.status if native else ("0" if holding.status == "0" else None)
    return [
        ("a", status),
        ("b", holding.inventory_number),
        ("c", _date_text(holding, native, "%Y%m%d")),
        ("d", holding.location or branch),
        ("e", _price_text(holding, native)),
        ("h", holding.barcode),
        ("r", holding.call_number),
        ("1", str(holding.copies) if holding.copies != 1 else None),
    ]


def _write_852(holding: Holding, native: bool, branch: str | None) -> Pairs:
    return [
        ("a", branch),
        ("b", holding.location),
        ("h", holding.call_number),
        ("j", holding.inventory_number),
        ("p", holding.barcode),
    ]


_WRITERS = {"852": _write_852, "952": _write_952, "995": _write_995, "910": _write_910}
