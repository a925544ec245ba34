"""Writing records as ISO 2709, MARCXML and MARC-in-JSON.

Writers take a binary stream the caller owns, so the same code writes files, HTTP responses
and in-memory buffers. ``write_records`` picks the writer by format name.

    >>> with open("out.xml", "wb") as out:
    ...     with MarcXmlWriter(out) as writer:
    ...         writer.write(record)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from types import TracebackType
from typing import Any, BinaryIO, Self
from xml.sax.saxutils import escape, quoteattr

from pymarc import Field, Indicators, Leader, Record, Subfield

from marc.encoding import encode
from marc.errors import WriteError
from marc.model import FORMATS

_MAX_RECORD = 99999
_MAX_FIELD = 9999
# Characters XML 1.0 cannot carry at all; MARC data sometimes has them (stray ESC, NUL).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MARCXML_NS = "http://www.loc.gov/MARC21/slim"


def record_to_iso2709(record: Record, encoding: str = "utf-8") -> bytes:
    """Serialise one record as ISO 2709 bytes in the given encoding.

    The leader is kept as it is except the record length and base address, which are
    computed; WriteError names the field when a field or the record is too long.
    """
    directory = bytearray()
    body = bytearray()
    for field in record.fields:
        data = _field_bytes(field, encoding)
        if len(data) > _MAX_FIELD:
            raise WriteError(f"field {field.tag} is {len(data)} bytes; ISO 2709 allows {_MAX_FIELD}")
        tag = field.tag.encode("latin-1", errors="replace")[:3].rjust(3, b"0")
        directory += tag + b"%04d%05d" % (len(data), len(body))
        body += data
    directory += b"\x1e"
    body += b"\x1d"
    base = 24 + len(directory)
    length = base + len(body)
    if length > _MAX_RECORD:
        raise WriteError(f"record is {length} bytes; ISO 2709 allows {_MAX_RECORD}")
    leader = str(record.leader)
    head = f"{length:05d}{leader[5:12]}{base:05d}{leader[17:24]}".encode("latin-1", errors="replace")
    return head + bytes(directory) + bytes(body)


def _field_bytes(field: Field, encoding: str) -> bytes:
    """Bytes of one field including its terminator."""
    if field.control_field:
        return encode(field.data or "", encoding) + b"\x1e"
    indicators = (field.indicator1 or " ") + (field.indicator2 or " ")
    out = bytearray(indicators.encode("latin-1", errors="replace"))
    for code, value in field.subfields:
        out += b"\x1f" + _code_bytes(code, encoding) + encode(value, encoding)
    out += b"\x1e"
    return bytes(out)


def _code_bytes(code: str, encoding: str) -> bytes:
    """A subfield code's byte(s): bad codes in real data are kept as the reader saw them."""
    if code.isascii():
        return code.encode("ascii")
    if encoding in ("marc-8", "iso-5426"):  # the reader took the single raw byte
        return code.encode("latin-1", errors="replace")
    return encode(code, encoding)


def record_to_marcxml(record: Record) -> str:
    """One ``<record>`` element (MARC21 slim schema) as text."""
    parts = [f"<record>\n  <leader>{_xml_text(str(record.leader))}</leader>\n"]
    for field in record.fields:
        tag = quoteattr(field.tag)
        if field.control_field:
            parts.append(f"  <controlfield tag={tag}>{_xml_text(field.data or '')}</controlfield>\n")
            continue
        ind1 = quoteattr(field.indicator1 or " ")
        ind2 = quoteattr(field.indicator2 or " ")
        parts.append(f"  <datafield tag={tag} ind1={ind1} ind2={ind2}>\n")
        for code, value in field.subfields:
            parts.append(f"    <subfield code={quoteattr(_xml_text(code))}>{_xml_text(value)}</subfield>\n")
        parts.append("  </datafield>\n")
    parts.append("</record>\n")
    return "".join(parts)


def _xml_text(text: str) -> str:
    """Escape for XML; characters XML cannot hold become U+FFFD (they cannot survive XML)."""
    return escape(_XML_ILLEGAL.sub("\ufffd", text))


def record_to_dict(record: Record) -> dict[str, Any]:
    """MARC-in-JSON object for one record."""
    fields: list[dict[str, Any]] = []
    for field in record.fields:
        if field.control_field:
            fields.append({field.tag: field.data or ""})
        else:
            fields.append({field.tag: {
                "ind1": field.indicator1 or " ",
                "ind2": field.indicator2 or " ",
                "subfields": [{code: value} for code, value in field.subfields],
            }})
    return {"leader": str(record.leader), "fields": fields}


class _Writer:
    """Common context-manager behaviour: header on open, footer on close."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0
        self._started = False

    def __enter__(self) -> Self:
        self._start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.stream.write(self.header())

    def header(self) -> bytes:
        return b""

    def footer(self) -> bytes:
        return b""

    def write(self, record: Record, encoding: str = "utf-8") -> None:
        """Write one record (encoding matters for ISO 2709 only)."""
        self._start()
        self.stream.write(self.serialise(record, encoding))
        self.count += 1

    def serialise(self, record: Record, encoding: str) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        """Write the footer; the stream stays open (the caller owns it)."""
        self._start()
        self.stream.write(self.footer())


class Iso2709Writer(_Writer):
    """ISO 2709 records one after another."""

    def serialise(self, record: Record, encoding: str) -> bytes:
        return record_to_iso2709(record, encoding)


class MarcXmlWriter(_Writer):
    """A MARCXML ``<collection>`` in UTF-8."""

    def header(self) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARCXML_NS}">\n'
                ).encode()

    def footer(self) -> bytes:
        return b"</collection>\n"

    def serialise(self, record: Record, encoding: str) -> bytes:
        return record_to_marcxml(record).encode("utf-8")


class JsonWriter(_Writer):
    """A JSON array of MARC-in-JSON objects, one record per line (valid JSON, easy to stream)."""

    def header(self) -> bytes:
        return b"[\n"

    def footer(self) -> bytes:
        return b"\n]\n" if self.count else b"]\n"

    def serialise(self, record: Record, encoding: str) -> bytes:
        text = json.dumps(record_to_dict(record), ensure_ascii=False)
        return (",\n" if self.count else "").encode() + text.encode("utf-8")


WRITERS: dict[str, type[_Writer]] = {"iso2709": Iso2709Writer, "marcxml": MarcXmlWriter,
                                     "json": JsonWriter}


def writer_for(format: str, stream: BinaryIO) -> _Writer:
    """A writer for the named format (one of FORMATS)."""
    if format not in WRITERS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    return WRITERS[format](stream)


def write_records(records: Iterable[Record], stream: BinaryIO, format: str,
                  encoding: str = "utf-8") -> int:
    """Write all records in one format; returns how many were written."""
    with writer_for(format, stream) as writer:
        for record in records:
            writer.write(record, encoding)
    return writer.count


def mark_encoding(record: Record, flavour: str, encoding: str) -> None:
    """Make the record's coded data say the encoding it is being written in.

    MARC21 declares it in leader/09 ("a" = UCS/Unicode, blank = MARC-8 or a local code page);
    UNIMARC in 100$a/26-29 ("50  " = ISO 10646, "03  " = ISO 5426; blank for code pages such
    as cp1251, which UNIMARC has no code for, so the reader takes them from the bytes). A
    UNIMARC record without 100$a gets one of fill characters ("|") with only the code set; a
    shorter one is filled up to it. Recipient downloads, exports and conversions all declare
    through this one function.
    """
    if flavour == "marc21":
        leader = str(record.leader)
        mark = "a" if encoding == "utf-8" else " "
        record.leader = Leader(leader[:9] + mark + leader[10:])
        return
    code = {"utf-8": "50  ", "iso-5426": "03  "}.get(encoding, "    ")  # unstated otherwise
    for field in record.get_fields("100"):
        for i, (sub, value) in enumerate(field.subfields):
            if sub == "a":
                field.subfields[i] = Subfield(sub, _with_charset(value, code))
                return
        field.subfields.insert(0, Subfield("a", _with_charset("", code)))
        return
    record.add_ordered_field(Field(tag="100", indicators=Indicators(" ", " "),
                                   subfields=[Subfield("a", _with_charset("", code))]))


def _with_charset(general: str, code: str) -> str:
    """UNIMARC 100$a with positions 26-29 set to ``code`` (filled with "|" up to 36 if short)."""
    general = general.ljust(_UNIMARC_GENERAL, "|")
    return general[:26] + code + general[30:]


_UNIMARC_GENERAL = 36  # the fixed length of UNIMARC 100$a
