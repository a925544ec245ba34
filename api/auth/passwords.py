"""Password hashing with Argon2id (argon2-cffi), and the rule for acceptable new passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from collection.errors import N_

MIN_LENGTH = 8

# Module-level so tests can swap in cheap parameters (see tests/conftest.py); production uses
# argon2-cffi's recommended defaults.
hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted, parameters embedded)."""
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; never raises for a wrong password."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    return hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable as a new password, or None if it is."""
    if len(password) < MIN_LENGTH:
        return N_("Пароль має містити щонайменше 8 символів")
    if password.strip() != password:
        return N_("Пароль не може починатися чи закінчуватися пробілом")
    return None
