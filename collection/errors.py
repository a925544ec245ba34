"""Exceptions raised by the collection package (and the shapes other packages' errors share).

Every error carries a translatable message (a Ukrainian msgid, marked with ``N_``), optional
``params`` for its placeholders and, for validation problems, the fields it is about. The api
layer maps the ``kind`` of an error to an HTTP status and a page message in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, don't translate"
    """Mark a message for extraction into the UI catalogues without translating it here."""
    return message


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable message with its own parameters, given as another message's parameter.

    The UI translates it (and its parameters) in the reader's language; anywhere else it reads
    as the Ukrainian text with its parameters filled in.
    """

    text: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text.format(**self.params)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Messages(tuple[Message, ...]):
    """Several messages as one parameter, read one after another ("; " between them)."""

    __slots__ = ()

    def __str__(self) -> str:
        return "; ".join(str(message) for message in self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class CollectionError(Exception):
    """Base class for every error the collection package raises."""

    kind = "invalid"  # one of: invalid, not_found, conflict, forbidden

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        params: dict[str, object] | None = None,
        errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message.format(**(params or {})))
        self.message = message
        self.params = params or {}
        # field -> message; a single-field error is the one-entry case
        self.errors: dict[str, str] = dict(errors or ({field: message} if field else {}))
        self.field = field or next(iter(self.errors), None)


class NotFoundError(CollectionError):
    """The object asked for does not exist (or must not be revealed to the asker)."""

    kind = "not_found"


class InvalidValueError(CollectionError):
    """One or more fields hold values the rules do not allow."""

    kind = "invalid"


class ConflictError(CollectionError):
    """The change clashes with existing data (e.g. a unique code already taken)."""

    kind = "conflict"
