"""Builders for test data: ``make_library(session, **overrides)``, ``make_user(...)``."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from api.auth.models import User
from api.auth.services import create_user
from collection.audit import Actor
from distribution.libraries.models import Library
from distribution.libraries.services import create_library

TEST_ACTOR = Actor(None, "tests")
PASSWORD = "correct horse"
_numbers = itertools.count(1)


def make_library(session: Session, **overrides: Any) -> Library:
    """A valid library with a fresh code; ``overrides`` change any field."""
    n = next(_numbers)
    values = {"code": f"LG-T{n:03d}", "name": f"Тестова публічна бібліотека {n}",
              "community": "Тестова", "district": "Старобільський", "oblast": "Луганська"}
    values.update(overrides)
    library = create_library(session, actor=TEST_ACTOR, **values)
    session.commit()  # the services only flush: a builder commits, as a route would
    return library


def make_user(
    session: Session, username: str, role: str = "cataloguer", *,
    library: Library | None = None, password: str = PASSWORD, **overrides: Any,
) -> User:  # fmt: skip
    """A user with the test password (a library user when ``library`` is given)."""
    return create_user(
        session, actor=TEST_ACTOR, username=username, password=password,
        role="library" if library is not None else role,
        library_code=library.code if library is not None else None, **overrides,
    )  # fmt: skip
