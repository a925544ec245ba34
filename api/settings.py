"""komplekt's configuration: the only module that reads the environment (``KOMPLEKT_*``).

``Settings.from_env()`` reads it once; ``create_app(settings)`` and the CLI take the result, and
tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import make_url

from distribution.shipping.recipient_marc import DEFAULT_AGENCY

DEFAULT_DATABASE_FILE = "komplekt.db"
DEMO_DATABASE_FILE = "komplekt-demo.db"
LANGUAGES = ("uk", "en")

DEFAULT_INSTITUTION_NAME = "Луганська обласна універсальна наукова бібліотека"


class SettingsError(Exception):
    """The environment asks for something komplekt cannot do; the message says what to set."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, with the defaults a single-office install needs."""

    database_url: str
    secret_key: str
    language: str = "uk"
    timezone: str = "Europe/Kyiv"
    login_attempts: int = 5  # failed logins allowed per username+IP ...
    login_window_seconds: int = 300  # ... within this many seconds
    demo: bool = False
    # MARC import: an incoming record replaces a stored one when its quality score is at least
    # the stored score minus this (0: "not lower"); uploads are kept under data_dir.
    import_quality_tolerance: int = 0
    data_dir: str = ""
    # The regional library itself: the sender on transfer acts, packing lists and labels.
    institution_name: str = DEFAULT_INSTITUTION_NAME
    # Its MARC organisation code (ISIL, e.g. "UA-…"): 003/801 and the 001 prefix of the
    # records sent to receiving libraries.
    marc_agency: str = DEFAULT_AGENCY

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, demo: bool = False
    ) -> Settings:
        """Settings from ``KOMPLEKT_*`` variables; ``demo`` switches the default database."""
        env = os.environ if environ is None else environ
        default_file = DEMO_DATABASE_FILE if demo else DEFAULT_DATABASE_FILE
        url = env.get("KOMPLEKT_DATABASE_URL") or f"sqlite:///{Path.cwd() / default_file}"
        language = env.get("KOMPLEKT_LANGUAGE", "uk")
        if language not in LANGUAGES:
            raise SettingsError(f"KOMPLEKT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        secret = env.get("KOMPLEKT_SECRET_KEY") or secret_next_to_database(url)
        return cls(
            database_url=url,
            secret_key=secret,
            language=language,
            timezone=env.get("KOMPLEKT_TIMEZONE", "Europe/Kyiv"),
            demo=demo,
            import_quality_tolerance=_int(env, "KOMPLEKT_IMPORT_QUALITY_TOLERANCE", 0),
            data_dir=env.get("KOMPLEKT_DATA_DIR") or default_data_dir(url),
            institution_name=env.get("KOMPLEKT_INSTITUTION_NAME", "").strip() or DEFAULT_INSTITUTION_NAME,
            marc_agency=env.get("KOMPLEKT_MARC_AGENCY", "").strip() or DEFAULT_AGENCY,
        )

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (handy in tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def secret_next_to_database(url: str) -> str:
    """A session-signing key kept in ``<database>.secret`` beside a SQLite file, made once.

    Other databases have no natural place for it, so there ``KOMPLEKT_SECRET_KEY`` is required.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise SettingsError("KOMPLEKT_SECRET_KEY must be set when the database is not SQLite")
    if not parsed.database or parsed.database == ":memory:":
        return secrets.token_urlsafe(32)  # throw-away database, throw-away key
    path = Path(parsed.database + ".secret")
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from error


def default_data_dir(url: str) -> str:
    """Where uploaded files go: beside a SQLite file (``<database>.files``), else ./komplekt-data."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return parsed.database + ".files"
    return str(Path.cwd() / "komplekt-data")
