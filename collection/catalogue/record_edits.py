"""Editing a MARC record field by field: the operations and the rules an edit must satisfy.

Pure functions over MARC-in-JSON (no database). ``apply_changes`` runs a list of operations
(set/add/remove a subfield, add/remove a field, change indicators or control data, or replace
the whole field list as the edit page does) and ``validate_fields`` checks the result.

Error keys name the place in the *resulting* record: ``"020[3]"`` is the field at position 3
(0-based, tag 020), ``"020[3].ind1"`` its first indicator, ``"020[3]$a[0]"`` its first
subfield (code a) and ``"245"`` / ``"200$a"`` a required field that is missing. Operation
errors are ``"changes[2]"``.

Only fields an edit adds or changes are checked field by field: imported records carry local
oddities (IRBIS fields without subfields, "#" indicators) that must not block fixing something
else. A new record is checked whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from collection.errors import N_, InvalidValueError
from marc.isbn import parse_isbn

_TAG = re.compile(r"^(?:\d{3}|[A-Za-z][A-Za-z0-9]{2})$")
_CODE = re.compile(r"^[a-z0-9]$")
_INDICATOR = re.compile(r"^[0-9 ]$")
ISBN_TAGS = {"marc21": "020", "unimarc": "010"}

MSG_INVALID = N_("Запис містить помилки: виправте виділені поля")
MSG_TAG = N_("Мітка поля: три цифри (локальні поля: латинська літера і дві літери чи цифри)")
MSG_CONTROL_HAS_SUBFIELDS = N_("Поле з міткою до 010 містить лише дані, без індикаторів і підполів")
MSG_DATA_NEEDS_SUBFIELDS = N_("Поле даних повинне мати хоча б одне підполе")
MSG_CODE = N_("Код підполя: одна латинська мала літера або цифра")
MSG_INDICATOR = N_("Індикатор: одна цифра або пробіл")
MSG_EMPTY = N_("Порожнє підполе: введіть значення або видаліть підполе")
MSG_ISBN = N_("Недійсний ISBN: перевірте цифри або перенесіть номер у підполе $z")
MSG_TITLE_245 = N_("Немає назви: потрібне поле 245 з підполем $a")
MSG_TITLE_200 = N_("Немає назви: потрібне поле 200 з підполем $a")
MSG_NO_FIELD = N_("Немає такого поля")
MSG_NO_SUBFIELD = N_("Немає такого підполя")
MSG_BAD_OPERATION = N_("Невідома або неповна операція редагування")


@dataclass(slots=True)
class EditField:
    """One field while it is edited: control fields have ``data``, data fields subfields."""

    tag: str
    data: str | None = None
    ind1: str = " "
    ind2: str = " "
    subfields: list[list[str]] = field(default_factory=list)  # [[code, value], ...]

    @property
    def is_control(self) -> bool:
        return self.data is not None

    def to_json(self) -> dict[str, Any]:
        """The MARC-in-JSON form of this field."""
        if self.data is not None:
            return {self.tag: self.data}
        return {self.tag: {"ind1": self.ind1, "ind2": self.ind2,
                           "subfields": [{code: value} for code, value in self.subfields]}}

    def text(self) -> str:
        """A one-line form for the audit trail: ``10 $aTitle $cAuthor`` or the control data."""
        if self.data is not None:
            return self.data
        subs = " ".join(f"${code}{value}" for code, value in self.subfields)
        return f"{self.ind1}{self.ind2}".replace(" ", "#") + " " + subs

    def key(self) -> tuple[object, ...]:
        return (self.tag, self.data, self.ind1, self.ind2,
                tuple(tuple(pair) for pair in self.subfields))


@dataclass(slots=True)
class Location:
    """Where an error is: field position, subfield position, or a part (tag/ind1/ind2/code)."""

    field: int | None
    subfield: int | None = None
    part: str | None = None


class RecordInvalid(InvalidValueError):
    """The edited or new record breaks the rules; ``errors`` names each field/subfield."""

    def __init__(self, errors: dict[str, str], locations: dict[str, Location]) -> None:
        super().__init__(MSG_INVALID, errors=errors)
        self.locations = locations


def field_from_json(item: Any) -> EditField:
    """One MARC-in-JSON field as an EditField (ValueError when it is not shaped like one)."""
    if not isinstance(item, Mapping) or len(item) != 1:
        raise ValueError("a field is an object with one tag")
    ((tag, value),) = item.items()
    if isinstance(value, str):
        return EditField(str(tag), data=value)
    if not isinstance(value, Mapping):
        raise ValueError("a field's value is a string or an object")
    subfields = []
    for sub in value.get("subfields") or []:
        if not isinstance(sub, Mapping) or len(sub) != 1:
            raise ValueError("a subfield is an object with one code")
        ((code, text),) = sub.items()
        subfields.append([str(code), "" if text is None else str(text)])
    return EditField(str(tag), None, _indicator(value.get("ind1")), _indicator(value.get("ind2")),
                     subfields)


def _indicator(value: Any) -> str:
    return " " if value is None or value == "" else str(value)


def fields_from_marc(marc: Mapping[str, Any]) -> list[EditField]:
    """The fields of a stored record."""
    return [field_from_json(item) for item in marc.get("fields") or []]


def fields_to_marc(leader: str, fields: Iterable[EditField]) -> dict[str, Any]:
    """A MARC-in-JSON record from a leader and fields."""
    return {"leader": leader, "fields": [f.to_json() for f in fields]}


# ------------------------------------------------------------------ operations


def apply_changes(fields: list[EditField], changes: Sequence[Mapping[str, Any]]) -> list[EditField]:
    """Apply the operations in order to a copy of ``fields``; InvalidValueError names a bad one."""
    result = [EditField(f.tag, f.data, f.ind1, f.ind2, [list(s) for s in f.subfields])
              for f in fields]
    errors: dict[str, str] = {}
    for number, change in enumerate(changes):
        try:
            _apply(result, change)
        except (LookupError, TypeError, ValueError) as error:
            errors[f"changes[{number}]"] = _operation_message(error)
    if errors:
        raise InvalidValueError(MSG_BAD_OPERATION, errors=errors)
    return result


class _Missing(LookupError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _operation_message(error: Exception) -> str:
    return error.message if isinstance(error, _Missing) else MSG_BAD_OPERATION


def _field_index(fields: list[EditField], ref: Any) -> int:
    """A field by position (int) or by tag (the first field with that tag)."""
    if isinstance(ref, bool):
        raise TypeError("field")
    if isinstance(ref, int):
        if 0 <= ref < len(fields):
            return ref
        raise _Missing(MSG_NO_FIELD)
    if isinstance(ref, str):
        for index, fld in enumerate(fields):
            if fld.tag == ref:
                return index
    raise _Missing(MSG_NO_FIELD)


def _subfield_index(fld: EditField, ref: Any) -> int:
    """A subfield by position (int) or by code (the first with that code)."""
    if isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref < len(fld.subfields):
        return ref
    if isinstance(ref, str):
        for index, (code, _value) in enumerate(fld.subfields):
            if code == ref:
                return index
    raise _Missing(MSG_NO_SUBFIELD)


def _apply(fields: list[EditField], change: Mapping[str, Any]) -> None:
    op = change["op"]
    if op == "replace_fields":
        fields[:] = [field_from_json(item) for item in change["fields"]]
        return
    if op == "add_field":
        new = (EditField(str(change["tag"]), data=str(change["data"])) if "data" in change
               else field_from_json({change["tag"]: {"ind1": change.get("ind1"),
                                                     "ind2": change.get("ind2"),
                                                     "subfields": change.get("subfields", [])}}))
        position = change.get("position", len(fields))
        fields.insert(int(position), new)
        return
    index = _field_index(fields, change["field"])
    fld = fields[index]
    if op == "remove_field":
        del fields[index]
    elif op == "set_indicators":
        if fld.is_control:
            raise ValueError("control field")
        fld.ind1 = _indicator(change.get("ind1", fld.ind1))
        fld.ind2 = _indicator(change.get("ind2", fld.ind2))
    elif op == "set_data":
        if not fld.is_control:
            raise ValueError("data field")
        fld.data = str(change["value"])
    elif op == "set_tag":
        fld.tag = str(change["tag"])
    elif op == "set_subfield":
        sub = fld.subfields[_subfield_index(fld, change["subfield"])]
        sub[1] = str(change["value"])
        if "code" in change:
            sub[0] = str(change["code"])
    elif op == "add_subfield":
        if fld.is_control:
            raise ValueError("control field")
        position = int(change.get("position", len(fld.subfields)))
        fld.subfields.insert(position, [str(change["code"]), str(change["value"])])
    elif op == "remove_subfield":
        del fld.subfields[_subfield_index(fld, change["subfield"])]
    else:
        raise ValueError(op)


# ------------------------------------------------------------------ validation


def touched(before: Sequence[EditField], after: Sequence[EditField]) -> set[int]:
    """Positions in ``after`` of fields that are new or changed (a multiset comparison)."""
    remaining = Counter(f.key() for f in before)
    changed = set()
    for index, fld in enumerate(after):
        key = fld.key()
        if remaining[key]:
            remaining[key] -= 1
        else:
            changed.add(index)
    return changed


def validate_fields(
    fields: Sequence[EditField], flavour: str, only: set[int] | None = None
) -> None:
    """Raise RecordInvalid when a field (of ``only``, default all) or the title breaks a rule."""
    errors: dict[str, str] = {}
    locations: dict[str, Location] = {}

    def report(key: str, message: str, location: Location) -> None:
        errors.setdefault(key, message)
        locations.setdefault(key, location)

    isbn_tag = ISBN_TAGS.get(flavour, "020")
    for index, fld in enumerate(fields):
        if only is not None and index not in only:
            continue
        base = f"{fld.tag}[{index}]"
        if not _TAG.match(fld.tag):
            report(f"{base}.tag", MSG_TAG, Location(index, part="tag"))
            continue
        control_tag = fld.tag.isdigit() and fld.tag < "010"
        if control_tag and not fld.is_control:
            report(base, MSG_CONTROL_HAS_SUBFIELDS, Location(index))
            continue
        if fld.is_control:
            if not control_tag:
                report(base, MSG_DATA_NEEDS_SUBFIELDS, Location(index))
            continue
        for part in ("ind1", "ind2"):
            if not _INDICATOR.match(getattr(fld, part)):
                report(f"{base}.{part}", MSG_INDICATOR, Location(index, part=part))
        if not fld.subfields:
            report(base, MSG_DATA_NEEDS_SUBFIELDS, Location(index))
        for position, (code, value) in enumerate(fld.subfields):
            key = f"{base}${code}[{position}]"
            if not _CODE.match(code):
                report(key, MSG_CODE, Location(index, position, "code"))
            elif not value.strip():
                report(key, MSG_EMPTY, Location(index, position))
            elif fld.tag == isbn_tag and code == "a" and not parse_isbn(value.strip()).valid:
                report(key, MSG_ISBN, Location(index, position))
    _check_title(fields, flavour, report)
    if errors:
        raise RecordInvalid(errors, locations)


def _check_title(fields: Sequence[EditField], flavour: str, report: Any) -> None:
    tag, message = ("200", MSG_TITLE_200) if flavour == "unimarc" else ("245", MSG_TITLE_245)
    for fld in fields:
        if fld.tag == tag and any(c == "a" and v.strip() for c, v in fld.subfields):
            return
    report(tag if flavour != "unimarc" else "200$a", message, Location(None))


def field_changes(before: Sequence[EditField], after: Sequence[EditField]) -> dict[str, list[str | None]]:
    """``{tag: [old, new]}`` for every tag whose fields changed: the audit trail's diff."""
    def by_tag(fields: Sequence[EditField]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for fld in fields:
            grouped.setdefault(fld.tag, []).append(fld.text())
        return grouped

    old, new = by_tag(before), by_tag(after)
    changes: dict[str, list[str | None]] = {}
    for tag in sorted(old.keys() | new.keys()):
        if old.get(tag) != new.get(tag):
            changes[tag] = [" | ".join(old[tag]) if tag in old else None,
                            " | ".join(new[tag]) if tag in new else None]
    return changes
