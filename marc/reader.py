"""One entry point for reading MARC: the format is found from the content, or given.

    >>> for result in read_path("records.mrc"):
    ...     if isinstance(result, RecordError):
    ...         print(result.describe())
    ...     else:
    ...         print(result.flavour, result.encoding, result.record["245"])
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from marc.errors import NotMarcError, UnknownFormatError
from marc.iso2709 import read_iso2709
from marc.marcjson import read_marcjson
from marc.marcxml import read_marcxml
from marc.model import FLAVOURS, FORMATS, ReadResult, RecordError
from marc.sniff import is_ascii_digits, looks_like

_GZIP_MAGIC = b"\x1f\x8b"


def sniff_format(head: bytes) -> str:
    """Name the format of a file from its first bytes.

    NotMarcError (with ``kind``: "xlsx", "pdf", "text", "binary", "empty"...) when it is surely
    something else; UnknownFormatError when it is not MARC for another reason.
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    kind = looks_like(head)
    if kind is not None:
        sample = readable_sample(text[:40])
        raise NotMarcError(kind, f"not ISO 2709, MARCXML or MARC-in-JSON: looks like {kind}"
                                 + (f" (starts with {sample!r})" if sample else ""))
    if text[:1] == b"<":
        return "marcxml"
    if text[:1] in (b"{", b"["):
        return "json"
    if is_ascii_digits(text[:5]) or b"\x1d" in head or b"\x1e" in head:
        return "iso2709"
    sample = readable_sample(text[:40])
    raise UnknownFormatError(f"not ISO 2709, MARCXML or MARC-in-JSON (starts with {sample!r})")


def readable_sample(data: bytes) -> str:
    """The start of a file as a person reads it: UTF-8, else cp1251 (Ukrainian text files)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:  # a character cut at the end of the sample
            return data[:err.start].decode("utf-8")
    return data.decode("cp1251", "replace")


def not_marc_kind(stream: BinaryIO) -> str | None:
    """What a peekable stream looks like when it is not MARC (gzip looked into), else None.

    Only the head is looked at (the stream is not moved); a gzip whose content is not MARC is
    named by its content, e.g. "text".
    """
    head = _peek(stream)
    if head.startswith(_GZIP_MAGIC):
        try:  # a head cut inside the compressed data still decompresses as far as it goes
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4096)
        except zlib.error:
            head = b""
        if not head:
            return None  # damaged gzip: the reader reports it
    try:
        sniff_format(head)
    except NotMarcError as err:
        return err.kind
    except UnknownFormatError:
        return "text"
    return None


def _peek(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(4096)[:4096])
    position = stream.tell()
    head = stream.read(4096)
    stream.seek(position)
    return head


def read_stream(
    stream: BinaryIO,
    *,
    format: str | None = None,
    flavour: str | None = None,
    encoding: str | None = None,
) -> Iterator[ReadResult]:
    """Read a binary stream of MARC records; gzip-compressed input is opened transparently.

    ``format``, ``flavour`` and ``encoding`` override detection. A file that is not MARC at
    all yields one RecordError at offset 0 naming why.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    if flavour is not None and flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; expected one of {', '.join(FLAVOURS)}")
    # BufferedReader needs only readinto() from the raw stream, which every binary stream has;
    # typeshed asks for a RawIOBase, hence the cast.
    buffered = (stream if isinstance(stream, io.BufferedReader)
                else io.BufferedReader(cast(io.RawIOBase, stream)))
    head = buffered.peek(4096)[:4096]
    if head.startswith(_GZIP_MAGIC):
        yield from _read_gzip(buffered, format=format, flavour=flavour, encoding=encoding)
        return
    if format is None:
        try:
            format = sniff_format(head)
        except UnknownFormatError as err:
            if head.strip():
                yield RecordError(1, 0, str(err), buffered.read(), "unknown")
            return
    if format == "iso2709":
        yield from read_iso2709(buffered, flavour=flavour, encoding=encoding)
    elif format == "marcxml":
        yield from read_marcxml(buffered, flavour=flavour)
    else:
        yield from read_marcjson(buffered, flavour=flavour)


def _read_gzip(stream: BinaryIO, **options: str | None) -> Iterator[ReadResult]:
    """Read a gzip-compressed stream; damage in the compressed data ends it with an error."""
    number = 0
    try:
        inner = io.BufferedReader(gzip.GzipFile(fileobj=stream))
        for result in read_stream(inner, **options):
            number = result.number
            yield result
    except (OSError, EOFError, zlib.error) as err:
        yield RecordError(number + 1, -1, f"compressed (gzip) data is damaged: {err}", b"", "gzip")


def read_path(path: str | Path, **options: str | None) -> Iterator[ReadResult]:
    """Read a MARC file by path (see read_stream for the options)."""
    with open(path, "rb") as stream:
        yield from read_stream(stream, **options)


def read_bytes(data: bytes, **options: str | None) -> Iterator[ReadResult]:
    """Read MARC records held in memory (see read_stream for the options)."""
    yield from read_stream(io.BytesIO(data), **options)
