"""What a reader yields: a record with what was learnt about it, or an error naming its place.

Readers never raise for a bad record; they yield a ``RecordError`` instead so one bad record
never stops a batch and nothing is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pymarc

FORMATS = ("iso2709", "marcxml", "json")
FLAVOURS = ("marc21", "unimarc")
ENCODINGS = ("utf-8", "marc-8", "cp1251", "cp866", "iso-5426")


@dataclass(slots=True)
class ReadRecord:
    """A record read from input, with its position and what the reader assumed."""

    record: pymarc.Record
    number: int  # 1-based position of the record in the input
    offset: int  # byte offset of the record's first byte in the (decompressed) input
    format: str  # one of FORMATS
    flavour: str  # one of FLAVOURS
    encoding: str  # one of ENCODINGS: the encoding the bytes were in
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RecordError:
    """A record that could not be read: where it is, why, and its raw bytes."""

    number: int
    offset: int
    reason: str
    raw: bytes
    format: str

    def describe(self) -> str:
        """One line a cataloguer can act on."""
        return f"record {self.number} at byte {self.offset}: {self.reason}"


ReadResult = ReadRecord | RecordError
