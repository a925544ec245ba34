"""Exceptions raised by the marc package."""

from __future__ import annotations


class MarcError(Exception):
    """Base class for every error the marc package raises."""


class UnknownFormatError(MarcError):
    """The input is not ISO 2709, MARCXML or MARC-in-JSON."""


class NotMarcError(UnknownFormatError):
    """The input is surely something else; ``kind`` names what it looks like (see marc.sniff)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class EncodingError(MarcError):
    """Text cannot be represented in the requested character encoding."""


class WriteError(MarcError):
    """A record cannot be written in the requested format."""
