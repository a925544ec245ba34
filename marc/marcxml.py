"""Permissive, safe MARCXML reading.

Each ``<record>`` element is cut out of the document and parsed on its own with defusedxml
(no DTDs, no entity expansion, no external entities), so a broken record, junk after the root
element, or several root elements cost only the records they touch. Namespaces declared on the
root (``marc:``, MARCXML's slim namespace, RUSMARC's UNISlim) are carried over to each record.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pymarc import Field, Leader, Record, Subfield

from marc.fields import control_field, data_field
from marc.flavour import detect_flavour
from marc.model import ReadRecord, ReadResult, RecordError
from marc.sniff import is_ascii_digits

_RECORD_START = re.compile(r"<(?:[\w.-]+:)?record(?=[\s>])[^>]*>")
_RECORD_END = re.compile(r"</(?:[\w.-]+:)?record\s*>")
_XMLNS = re.compile(r"""xmlns(?::[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')""")
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([\w.-]+)["']""")
_CHUNK = 1 << 20
DEFAULT_LEADER = "     nam a22     7a 4500"


_COLLECTION = re.compile(r"<(?:[\w.-]+:)?collection\b")


def read_marcxml(stream: BinaryIO, *, flavour: str | None = None) -> Iterator[ReadResult]:
    """Read every record of a MARCXML stream, yielding records and errors in order."""
    first = stream.read(_CHUNK)
    encoding = _document_encoding(first)
    name = _codec_name(encoding)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(first, final=not first)
    pos = 0  # where the unread part of text begins
    consumed = 0  # bytes of the document before text[pos]
    namespaces: str | None = None
    number = 0
    eof = not first
    while True:
        start = _RECORD_START.search(text, pos)
        end = _RECORD_END.search(text, start.end()) if start else None
        if start is None or end is None:
            if eof:
                break
            more = stream.read(_CHUNK)
            eof = not more
            text = text[pos:] + decoder.decode(more, final=eof)
            pos = 0
            continue
        if namespaces is None:
            namespaces = " ".join(m.group(0) for m in _XMLNS.finditer(text[:start.start()]))
        number += 1
        offset = consumed + _byte_len(text[pos:start.start()], encoding)
        # A record that opens before the previous one closed: the previous one is broken.
        next_start = _RECORD_START.search(text, start.end(), end.start())
        if next_start is not None:
            broken = text[start.start():next_start.start()]
            yield RecordError(number, offset, "record element is not closed", broken.encode(), "marcxml")
            cut = next_start.start()
        else:
            chunk = text[start.start():end.end()]
            yield _parse_record(chunk, namespaces, number, offset, flavour, name)
            cut = end.end()
        consumed += _byte_len(text[pos:cut], encoding)
        pos = cut
    start = _RECORD_START.search(text, pos)
    if start is not None:
        number += 1
        offset = consumed + _byte_len(text[pos:start.start()], encoding)
        yield RecordError(number, offset, "record element is not closed before the end of the file",
                          text[start.start():].encode(), "marcxml")
    elif number == 0 and first.strip() and not _COLLECTION.search(first.decode(name, errors="replace")):
        # Neither a record nor an (empty) collection: whatever it is, it is not MARCXML.
        yield RecordError(1, 0, "no MARCXML record or collection element found", first, "marcxml")


def _document_encoding(head: bytes) -> str:
    """Encoding from the XML declaration or BOM; UTF-8 when unstated."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    found = _DECLARED_ENCODING.search(head[:200])
    if found:
        name = found.group(1).decode("ascii").lower()
        try:
            return codecs.lookup(name).name
        except LookupError:
            return "utf-8"
    return "utf-8"


def _codec_name(encoding: str) -> str:
    """The project's name for a document encoding (cp1251 exports declare windows-1251)."""
    name = codecs.lookup(encoding).name
    return {"utf-8-sig": "utf-8", "utf-16": "utf-8"}.get(name, name)


def _byte_len(text: str, encoding: str) -> int:
    """Bytes the text took in the document (a BOM is counted once, not per piece)."""
    plain = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding, encoding)
    return len(text.encode(plain, errors="replace"))


def _parse_record(
    chunk: str, namespaces: str, number: int, offset: int, flavour: str | None, encoding: str
) -> ReadResult:
    """Parse one ``<record>`` element, with the root's namespace declarations around it."""
    wrapped = f"<komplekt-wrap {namespaces}>{chunk}</komplekt-wrap>"
    try:
        root = fromstring(wrapped)
    except (ParseError, DefusedXmlException, ValueError) as err:
        return RecordError(number, offset, f"XML not well-formed: {err}", chunk.encode(), "marcxml")
    element = root[0]
    notes: list[str] = []
    try:
        record = element_to_record(element, notes)
    except ValueError as err:
        return RecordError(number, offset, str(err), chunk.encode(), "marcxml")
    tags = [f.tag for f in record.fields]
    general = None
    for field in record.fields:
        if field.tag == "100" and not field.control_field:
            general = "\x1fa" + (field.get("a") or "")
            break
    found = flavour or _declared_flavour(element) or detect_flavour(tags, str(record.leader), general)
    return ReadRecord(record, number, offset, "marcxml", found, encoding, notes)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _declared_flavour(element: Element) -> str | None:
    """UNISlim records say format="UNIMARC" on the record element."""
    declared = (element.get("format") or element.get("type") or "").lower()
    if "unimarc" in declared or "rusmarc" in declared:
        return "unimarc"
    if "marc21" in declared:
        return "marc21"
    return None


def element_to_record(element: Element, notes: list[str]) -> Record:
    """Turn a parsed ``<record>`` element into a pymarc Record, noting what was repaired."""
    leader = None
    fields: list[Field] = []
    for child in element:
        name = _local(child.tag)
        if name == "leader":
            leader = child.text or ""
        elif name == "controlfield":
            tag = child.get("tag")
            if not tag:
                notes.append("controlfield without a tag attribute skipped")
                continue
            fields.append(control_field(tag, child.text or ""))
        elif name == "datafield":
            fields.append(_datafield(child, notes))
    if not fields:
        raise ValueError("record has no fields")
    record = Record()
    if leader is None:
        notes.append("no leader element; a default leader was supplied")
        leader = DEFAULT_LEADER
    elif len(leader) != 24:
        notes.append(f"leader is {len(leader)} characters, not 24; padded or cut")
        leader = leader[:24].ljust(24)
    record.leader = Leader(leader)
    record.fields = fields
    return record


def _datafield(child: Element, notes: list[str]) -> Field:
    tag = child.get("tag") or ""
    if not tag:
        notes.append("datafield without a tag attribute kept with tag '   '")
        tag = "   "
    ind1 = (child.get("ind1") or " ")[:1]
    ind2 = (child.get("ind2") or " ")[:1]
    subfields = []
    for sub in child:
        if _local(sub.tag) != "subfield":
            continue
        code = sub.get("code")
        if code is None or code == "":
            notes.append(f"field {tag}: subfield without a code kept as code ' '")
            code = " "
        subfields.append(Subfield(code[:1], sub.text or ""))
    if tag < "010" and is_ascii_digits(tag):
        notes.append(f"field {tag} is a control tag written as a datafield; kept as written")
    return data_field(tag, ind1, ind2, subfields)
