"""Permissive MARC-in-JSON reading: one object, an array, NDJSON or objects one after another.

Raw control characters inside strings (common in real exports) are accepted. A piece that is
not valid JSON, or an object that is not MARC-in-JSON, becomes a RecordError; reading goes on at
the next line that starts an object.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from pymarc import Field, Leader, Record, Subfield

from marc.fields import control_field, data_field
from marc.flavour import detect_flavour
from marc.marcxml import DEFAULT_LEADER
from marc.model import ReadRecord, ReadResult, RecordError

_decoder = json.JSONDecoder(strict=False)
_SEPARATORS = " \t\r\n,"


def read_marcjson(stream: BinaryIO, *, flavour: str | None = None) -> Iterator[ReadResult]:
    """Read every MARC-in-JSON record in the stream, yielding records and errors in order."""
    raw = stream.read()
    text = raw.decode("utf-8-sig", errors="replace")
    pos = _skip(text, 0)
    in_array = text.startswith("[", pos)
    if in_array:
        pos = _skip(text, pos + 1)
    number = 0
    while pos < len(text):
        if in_array and text[pos] == "]":
            pos = _skip(text, pos + 1)
            in_array = False
            continue
        number += 1
        offset = len(text[:pos].encode("utf-8"))
        try:
            obj, end = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            resume = _next_object(text, pos + 1)
            yield RecordError(number, offset, f"not valid JSON: {err.msg} (line {err.lineno}, "
                              f"column {err.colno})", text[pos:resume].encode(), "json")
            pos = resume
            continue
        yield _to_result(obj, text[pos:end], number, offset, flavour)
        pos = _skip(text, end)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SEPARATORS:
        pos += 1
    return pos


def _next_object(text: str, pos: int) -> int:
    """Where the next object begins: the next line starting with '{' at column 0, or the end.

    NDJSON and one-object-per-line arrays start each record at the line's start; indented
    braces belong to the broken record and are skipped with it.
    """
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            return len(text)
        if text.startswith("{", newline + 1):
            return newline + 1
        pos = newline + 1


def _to_result(obj: Any, source: str, number: int, offset: int, flavour: str | None) -> ReadResult:
    notes: list[str] = []
    try:
        record = dict_to_record(obj, notes)
    except ValueError as err:
        return RecordError(number, offset, str(err), source.encode(), "json")
    general = None
    for field in record.fields:
        if field.tag == "100" and not field.control_field:
            general = "\x1fa" + (field.get("a") or "")
            break
    found = flavour or detect_flavour([f.tag for f in record.fields], str(record.leader), general)
    return ReadRecord(record, number, offset, "json", found, "utf-8", notes)


def dict_to_record(obj: Any, notes: list[str]) -> Record:
    """Turn one MARC-in-JSON object into a pymarc Record; ValueError says what is wrong."""
    if not isinstance(obj, dict) or not isinstance(obj.get("fields"), list):
        raise ValueError("not a MARC-in-JSON record: expected an object with a 'fields' list")
    leader = obj.get("leader")
    if not isinstance(leader, str):
        notes.append("no leader; a default leader was supplied")
        leader = DEFAULT_LEADER
    elif len(leader) != 24:
        notes.append(f"leader is {len(leader)} characters, not 24; padded or cut")
        leader = leader[:24].ljust(24)
    fields = [_field(item, i) for i, item in enumerate(obj["fields"], start=1)]
    if not fields:
        raise ValueError("record has no fields")
    record = Record()
    record.leader = Leader(leader)
    record.fields = fields
    return record


def _field(item: Any, position: int) -> Field:
    if not isinstance(item, dict) or len(item) != 1:
        raise ValueError(f"field {position}: expected an object with one tag")
    ((tag, value),) = item.items()
    if isinstance(value, str):
        return control_field(tag, value)
    if not isinstance(value, dict):
        raise ValueError(f"field {position} ({tag}): expected a string or an object")
    subfields = []
    for sub in value.get("subfields") or []:
        if not isinstance(sub, dict) or len(sub) != 1:
            raise ValueError(f"field {tag}: each subfield must be an object with one code")
        ((code, text),) = sub.items()
        subfields.append(Subfield(str(code), "" if text is None else str(text)))
    ind1 = str(value.get("ind1") or " ")[:1]
    ind2 = str(value.get("ind2") or " ")[:1]
    return data_field(tag, ind1, ind2, subfields)
