"""Errors of the accounts use cases; they share the collection error shape (kind, fields)."""

from __future__ import annotations

from collection.errors import ConflictError, InvalidValueError, NotFoundError


class InvalidUserData(InvalidValueError):
    """A user's fields break the rules; ``errors`` names each bad field."""


class UserNotFound(NotFoundError):
    """No user with that username."""


class DuplicateUsername(ConflictError):
    """The username is taken."""


class LoginFailed(Exception):
    """Wrong username or password, or the account is disabled (deliberately not said which)."""
