"""What a library's fields may hold: codes, e-mail, phone, lengths, statuses and formats."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from collection.errors import N_
from distribution.errors import InvalidLibraryData
from distribution.libraries.models import (
    ENCODINGS,
    FLAVOURS,
    STATUSES,
)

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,32}$")
MAX_LENGTHS = {
    "name": 255,
    "community": 255,
    "district": 255,
    "oblast": 255,
    "address": 500,
    "carrier": 32,
    "carrier_branch": 32,
    "contact_person": 255,
    "phone": 32,
    "email": 255,
}
CHOICES = {"status": STATUSES, "preferred_flavour": FLAVOURS, "preferred_encoding": ENCODINGS}


def validate_library_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned values (stripped strings), or ``InvalidLibraryData`` naming every bad field."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, raw in values.items():
        value = (raw or "").strip() if isinstance(raw, str | None) else raw
        clean[name] = value
        if name == "code":
            clean[name] = value = value.upper()
            if not CODE_RE.match(value):
                errors[name] = N_("Код: 2–32 латинські літери, цифри або дефіси")
        elif name == "name" and not value:
            errors[name] = N_("Назва обов'язкова")
        elif name in CHOICES and value not in CHOICES[name]:
            errors[name] = N_("Недопустиме значення")
        elif name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            errors[name] = N_("Занадто довге значення")
        elif name == "email" and value and not EMAIL_RE.match(value):
            errors[name] = N_("Некоректна адреса електронної пошти")
        elif name == "phone" and value and not PHONE_RE.match(value):
            errors[name] = N_("Телефон: цифри, пробіли, дужки, дефіси, можливо + на початку")
    if errors:
        raise InvalidLibraryData(N_("Перевірте виділені поля"), errors=errors)
    return clean
