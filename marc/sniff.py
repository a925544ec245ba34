"""What a file that is not MARC looks like, from its first bytes (magic numbers, text, noise).

Used by format detection so an xlsx, a PDF or a text file given as MARC is one clear error
naming what it seems to be, instead of thousands of unreadable "records".
"""

from __future__ import annotations

import re

# A leader anywhere in the head: 5 digits (record length), 7 printable bytes, 5 digits (base).
_LEADER = re.compile(rb"[0-9]{5}[\x20-\x7e]{7}[0-9]{5}")
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"%PDF", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # old .xls / .doc
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"{\\rtf", "rtf"),
)
KINDS = ("empty", "xlsx", "docx", "zip", "pdf", "ole", "gzip", "bzip2", "xz", "7z", "rar",
         "image", "rtf", "utf16", "text", "binary")


def is_ascii_digits(data: bytes | str) -> bool:
    """Whether every character is 0-9: str.isdigit() also takes "¹" and "٣", which int() refuses."""
    return bool(data) and all(c in "0123456789" for c in (
        data.decode("latin-1") if isinstance(data, bytes) else data))


def looks_like(head: bytes) -> str | None:
    """The kind of non-MARC content ``head`` starts with (one of KINDS), or None when it may be MARC.

    Only what is surely not MARC is named: ISO 2709 (digits first or a leader in the head),
    XML and JSON return None and are left to their readers.
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "empty"
    for magic, kind in _MAGIC:
        if text.startswith(magic):
            return _zip_kind(head) if kind == "zip" else kind
    if text[:1] in (b"<", b"{", b"[") or is_ascii_digits(text[:5]) or _LEADER.search(head):
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:200:2].count(0) > 50:
        return "utf16"
    if _is_text(head):
        return "text"
    return "binary"


def _zip_kind(head: bytes) -> str:
    """A zip archive: an xlsx or docx names its parts in the first local headers."""
    if b"xl/" in head:
        return "xlsx"
    if b"word/" in head:
        return "docx"
    return "zip"


def _is_text(head: bytes) -> bool:
    """Text in UTF-8 or a single-byte code page: few control bytes besides line breaks."""
    controls = sum(1 for b in head if b < 0x20 and b not in b"\t\r\n\x0c\x1b")
    return controls * 50 <= len(head)
