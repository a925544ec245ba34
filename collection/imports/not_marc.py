"""A file given as MARC that is not MARC at all: one error in the cataloguer's words.

Light on purpose (no database): ``komplekt marc stats`` says the same words as the import.
"""

from __future__ import annotations

from typing import BinaryIO

from collection.errors import N_, InvalidValueError, Message
from marc.reader import not_marc_kind

# What the file looks like, for each kind marc.sniff names ("empty" is not an error).
NOT_MARC_LOOKS = {
    "xlsx": N_("таблицю xlsx (zip)"), "docx": N_("документ docx (zip)"), "zip": N_("архів zip"),
    "pdf": N_("документ PDF"), "ole": N_("документ Excel або Word старого формату (xls, doc)"),
    "gzip": N_("архів gzip"), "bzip2": N_("архів bzip2"), "xz": N_("архів xz"),
    "7z": N_("архів 7z"), "rar": N_("архів rar"), "image": N_("зображення"),
    "rtf": N_("документ RTF"), "utf16": N_("текст у кодуванні UTF-16"),
    "text": N_("звичайний текст"), "binary": N_("двійкові дані невідомого формату"),
}
NOT_MARC = N_("Це не MARC: схоже на {looks}")
EMPTY_FILE = N_("Файл порожній: записів не знайдено")
# Kinds that are never MARC whatever format the cataloguer names (text may be a forced format).
NEVER_MARC = frozenset(NOT_MARC_LOOKS) - {"text", "binary", "utf16"}


class NotMarcFileError(InvalidValueError):
    """The file is not MARC (an xlsx, a PDF, text...): one error for the whole file."""

    def __init__(self, kind: str) -> None:
        super().__init__(NOT_MARC, field="file", params={"looks": Message(NOT_MARC_LOOKS[kind])})
        self.looks_like = kind  # marc.sniff's kind ("kind" itself is the HTTP mapping's)


def is_not_marc_message(message: str) -> bool:
    """Whether a job's stored message is the not-MARC error (a re-run cannot help)."""
    return message.startswith(NOT_MARC.split("{", 1)[0])


def check_marc_stream(stream: BinaryIO, format: str | None = None) -> None:
    """NotMarcFileError when the stream is surely not MARC; an empty file passes (it is empty).

    With a ``format`` named by the cataloguer, only what can never be MARC (archives, office
    documents, images) is refused.
    """
    kind = not_marc_kind(stream)
    if kind in NOT_MARC_LOOKS and (format is None or kind in NEVER_MARC):
        raise NotMarcFileError(kind)
