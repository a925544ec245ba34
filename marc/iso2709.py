"""Permissive ISO 2709 reading: split a stream into records and parse each one.

Real files break the standard in many ways: record lengths counted in characters instead of
bytes, directories that are one byte off (IRBIS), missing record terminators, leader/10-11 of
"00". A record is taken by its declared length when that length ends on a record terminator,
otherwise up to the next terminator; fields are taken by the directory when it agrees with
the data, otherwise in order between field terminators. Whatever cannot be read becomes a
``RecordError`` with the raw bytes, never an exception that stops the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from pymarc import Field, Leader, Record, Subfield

from marc.encoding import decode, detect_encoding
from marc.fields import control_field, data_field
from marc.flavour import detect_flavour
from marc.model import ReadRecord, ReadResult, RecordError
from marc.sniff import is_ascii_digits

RECORD_END = 0x1D
FIELD_END = 0x1E
SUBFIELD_MARK = 0x1F
_CHUNK = 1 << 20
_STATEFUL = ("marc-8", "iso-5426")
_SKIPPABLE = b"\r\n \t\x00\x1a\x1d"  # a lone 0x1D is an empty record: nothing to read


class _Unreadable(Exception):
    """Internal: the record cannot be parsed; the message is the reason."""


def split_records(stream: BinaryIO) -> Iterator[tuple[int, bytes, list[str]]]:
    """Yield (byte offset, raw record bytes, warnings) for every record in the stream."""
    buffer = b""
    pos = 0  # where the unread part of buffer begins
    base = 0  # offset of buffer[0] in the stream
    eof = False
    while True:
        pos = _skip_filler(buffer, pos)
        taken = _take_record(buffer, pos, eof) if pos < len(buffer) else None
        if taken is None:  # need more data (or none is left)
            if eof:
                return
            chunk = stream.read(_CHUNK)
            base += pos
            buffer = buffer[pos:] + chunk
            pos = 0
            eof = not chunk
            continue
        end, warnings = taken
        yield base + pos, buffer[pos:end], warnings
        pos = end


def _skip_filler(buffer: bytes, pos: int) -> int:
    """Skip line breaks and padding that some systems put between records."""
    while pos < len(buffer) and buffer[pos] in _SKIPPABLE:
        pos += 1
    return pos


def _take_record(buffer: bytes, pos: int, eof: bool) -> tuple[int, list[str]] | None:
    """Return the end of the record starting at pos, or None when more data is needed."""
    head = buffer[pos:pos + 5]
    declared = int(head) if len(head) == 5 and is_ascii_digits(head) else 0
    if declared >= 24:
        end = pos + declared
        if end <= len(buffer):
            if buffer[end - 1] == RECORD_END:
                return end, []
        elif not eof:
            return None
    terminator = buffer.find(b"\x1d", pos)
    if terminator < 0:
        if not eof:
            return None
        return len(buffer), ["no record terminator (0x1D) at the end of the record"]
    actual = terminator + 1 - pos
    warnings = []
    if declared != actual:
        stated = f"{head.decode('ascii', 'replace')!r}" if not declared else str(declared)
        warnings.append(f"leader says the record is {stated} bytes long, it is {actual}")
    return terminator + 1, warnings


def parse_record(
    raw: bytes,
    number: int,
    offset: int,
    *,
    flavour: str | None = None,
    encoding: str | None = None,
    warnings: list[str] | None = None,
) -> ReadResult:
    """Parse one raw record into a ReadRecord, or a RecordError saying why it cannot be read."""
    notes = list(warnings or [])
    try:
        leader, tags, chunks = _fields_of(raw, notes)
    except _Unreadable as err:
        return RecordError(number, offset, str(err), raw, "iso2709")
    general = None
    if "100" in tags:
        general = chunks[tags.index("100")].decode("latin-1")
    found_flavour = flavour or detect_flavour(tags, leader, general)
    charset = _unimarc_charset(general) if found_flavour == "unimarc" else None
    if encoding is None:
        data_area = b"".join(chunks)
        encoding, found = detect_encoding(data_area, found_flavour, leader[9:10], charset)
        notes.extend(found)
    record = Record()
    record.leader = Leader(leader)  # exactly as read (pymarc's constructor rewrites 10-11, 20-23)
    record.fields = [
        _make_field(tag, chunk, encoding, notes) for tag, chunk in zip(tags, chunks, strict=True)
    ]
    if not record.fields:
        return RecordError(number, offset, "record has no fields", raw, "iso2709")
    return ReadRecord(record, number, offset, "iso2709", found_flavour, encoding, notes)


def _fields_of(raw: bytes, notes: list[str]) -> tuple[str, list[str], list[bytes]]:
    """Split a raw record into its leader, tags and field bytes (without terminators)."""
    if len(raw) < 25:
        raise _Unreadable(f"record is {len(raw)} bytes, shorter than a leader and directory")
    leader = raw[:24].decode("latin-1")
    dir_end = raw.find(b"\x1e", 24)
    if dir_end < 0:
        raise _Unreadable("no end of directory (0x1E) found")
    directory = raw[24:dir_end]
    len_digits, start_digits = _entry_map(leader)
    entry = 3 + len_digits + start_digits
    if len(directory) % entry:
        notes.append(f"directory length {len(directory)} is not a multiple of {entry}")
    split = 3 + len_digits
    count = len(directory) // entry
    if not count:
        raise _Unreadable("directory is empty")
    tags = [directory[i:i + 3].decode("latin-1") for i in range(0, count * entry, entry)]
    # int() would also take spaces, signs and underscores ("  -12", "1_2"): digits only.
    numbers = [directory[i + 3:i + entry] for i in range(0, count * entry, entry)]
    if not all(is_ascii_digits(number) for number in numbers):
        raise _Unreadable(_bad_entry(directory, entry, split))
    lengths = [int(number[:split - 3]) for number in numbers]
    starts = [int(number[split - 3:]) for number in numbers]
    base = dir_end + 1
    declared_base = raw[12:17]
    if not is_ascii_digits(declared_base) or int(declared_base) != base:
        notes.append(f"leader base address {declared_base.decode('latin-1')!r} corrected to {base}")
    chunks = _chunks_by_directory(raw, base, lengths, starts)
    if chunks is None:
        chunks = _chunks_in_order(raw, base, count, notes)
    return leader, tags, chunks


def _entry_map(leader: str) -> tuple[int, int]:
    """Length-of-length and length-of-start from leader/20-21 (4 and 5 unless stated)."""
    a, b = leader[20:21], leader[21:22]
    length = int(a) if is_ascii_digits(a) and a != "0" else 4
    start = int(b) if is_ascii_digits(b) and b != "0" else 5
    return length, start


def _bad_entry(directory: bytes, entry: int, split: int) -> str:
    """Name the first directory entry whose length or start is not a number."""
    for i in range(0, len(directory) - entry + 1, entry):
        item = directory[i:i + entry]
        if not (is_ascii_digits(item[3:split]) and is_ascii_digits(item[split:])):
            return f"directory entry {i // entry + 1} is not numeric: {item!r}"
    return "directory is not numeric"


def _chunks_by_directory(raw: bytes, base: int, lengths: list[int],
                         starts: list[int]) -> list[bytes] | None:
    """Field bytes located by the directory, or None when the directory disagrees with them."""
    chunks = []
    size = len(raw)
    for length, start in zip(lengths, starts, strict=True):
        end = base + start + length
        if length <= 0 or start < 0 or end > size or raw[end - 1] != FIELD_END:
            return None
        chunks.append(raw[base + start:end - 1])
    return chunks


def _chunks_in_order(raw: bytes, base: int, count: int, notes: list[str]) -> list[bytes]:
    """Field bytes taken in order between field terminators when the directory is off."""
    body = raw[base:]
    if body.endswith(b"\x1d"):
        body = body[:-1]
    pieces = body.split(b"\x1e")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    if len(pieces) < count:
        raise _Unreadable(
            f"directory lists {count} fields but the data holds {len(pieces)}; record truncated"
        )
    notes.append("directory lengths or offsets do not match the data; fields taken in order")
    if len(pieces) > count:
        notes.append(f"{len(pieces) - count} unlisted field(s) after the last directory entry ignored")
    return pieces[:count]


def _unimarc_charset(general: str | None) -> str | None:
    """Character set code from UNIMARC 100$a positions 26-27."""
    if not general:
        return None
    start = general.find("\x1fa")
    value = general[start + 2:] if start >= 0 else general
    return value[26:28] if len(value) >= 28 else None


def _make_field(tag: str, chunk: bytes, encoding: str, notes: list[str]) -> Field:
    """Build a pymarc Field from the bytes of one field."""
    if (tag < "010" and is_ascii_digits(tag)) or (SUBFIELD_MARK not in chunk and len(chunk) >= 2):
        # Control fields; and IRBIS-style exports (leader/10-11 "00") that write data fields
        # with no indicators and no subfields: keep the content whole to write it back unchanged.
        text, problems = decode(chunk, encoding)
        if problems:
            _note(notes, tag, problems)
        return control_field(tag, text)
    if chunk[:1] == b"\x1f":
        ind = "  "
        body = chunk
    elif chunk[1:2] == b"\x1f":
        ind = chunk[:1].decode("latin-1") + " "
        body = chunk[1:]
    else:
        ind = chunk[:2].decode("latin-1").ljust(2)
        body = chunk[2:]
    # Decode the whole field at once: MARC-8 escape sequences stay in force across subfield
    # delimiters in real records; the codecs keep the delimiter and the code after it ASCII.
    text, problems = decode(body, encoding)
    if problems:
        _note(notes, tag, problems)
    subfields = [Subfield(part[0], part[1:]) for part in text.split("\x1f")[1:] if part]
    if encoding in _STATEFUL:
        for code, _value in subfields:
            if not code.isascii():
                notes.append(f"field {tag}: subfield code {code!r} is not ASCII (a stray "
                             "delimiter inside the text?); it cannot be written back as it was")
    return data_field(tag, ind[0], ind[1], subfields)


def _note(notes: list[str], tag: str, problems: list[str]) -> None:
    for problem in problems:
        notes.append(f"field {tag}: {problem}")


def read_iso2709(
    stream: BinaryIO, *, flavour: str | None = None, encoding: str | None = None
) -> Iterator[ReadResult]:
    """Read every record of an ISO 2709 stream, yielding records and errors in order."""
    for number, (offset, raw, warnings) in enumerate(split_records(stream), start=1):
        yield parse_record(raw, number, offset, flavour=flavour, encoding=encoding, warnings=warnings)
