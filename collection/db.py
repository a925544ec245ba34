"""The declarative base, shared column types, engines and sessions for every komplekt table.

SQLite (the default, one file) and PostgreSQL (psycopg 3) are both first-class: ``make_engine``
sets SQLite up for concurrent web use (WAL, foreign keys, busy timeout) and spells PostgreSQL
URLs with the psycopg driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, Numeric, String, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

# Every module that defines tables, imported by name (importlib) wherever the whole schema is
# needed: Alembic's env.py and the schema test. Naming modules of upper layers here is the one
# deliberate exception to "nothing imports upwards": it is a list of strings, resolved only at
# migration time, so collection never imports them at import time.
MODEL_MODULES: tuple[str, ...] = (
    "collection.audit",
    "collection.catalogue.models",
    "collection.fund.models",
    "collection.fund.inventory_numbers",
    "collection.fund.stocktaking",
    "collection.imports.models",
    "distribution.libraries.models",
    "distribution.programmes.models",
    "distribution.allocation.models",
    "distribution.shipping.models",
    "distribution.exchange.models",
    "distribution.programmes.own_fund",
    "api.auth.models",
)

SQLITE_BUSY_TIMEOUT_MS = 5000


def now_utc() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC (SQLite returns naive values; UTC is re-added)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Shared column types: one spelling of each kind of column across all packages.
intpk = Annotated[int, mapped_column(primary_key=True)]
str_32 = Annotated[str, mapped_column(String(32))]
str_64 = Annotated[str, mapped_column(String(64))]
str_255 = Annotated[str, mapped_column(String(255))]
utcnow = Annotated[datetime, mapped_column(UTCDateTime(), default=now_utc)]
MONEY = Numeric(14, 2)  # hryvnias and kopecks: never float
WEIGHT = Numeric(8, 3)  # kilograms, to the gram


def in_check(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``values`` (for ``CheckConstraint``)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


json_dict = Annotated[dict[str, Any], mapped_column(JSON)]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every komplekt model; constraint names are deterministic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), str: String(255)}


def normalise_url(url: str) -> str:
    """Spell PostgreSQL URLs with the psycopg 3 driver; leave everything else alone."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds ASCII only; Ukrainian names need ILIKE to fold Cyrillic too.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``: SQLite with WAL and foreign keys on, PostgreSQL via psycopg."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit (for rendering)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One use case's transaction: commit when the block ends, roll back if it raises.

    >>> with unit_of_work(factory) as session:   # doctest: +SKIP
    ...     create_library(session, actor=actor, code="LG-STB-01", name="...")
    """
    session = session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def savepoint(session: Session) -> Iterator[Session]:
    """A SAVEPOINT inside the caller's transaction: a service undoes only its own writes on failure.

    pysqlite opens its transaction lazily, at the first INSERT/UPDATE/DELETE; a SAVEPOINT issued
    before that would itself start the transaction and its RELEASE would commit the caller's work,
    so on SQLite the transaction is opened first.
    """
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN")
    with session.begin_nested():
        yield session
