"""Shared pytest configuration."""

from __future__ import annotations

import ast
import importlib
import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url

from collection.db import MODEL_MODULES, Base, make_engine, make_session_factory
from collection.migrate import upgrade
from tests.shared_data import SHARED_DATA

# CI runs the property tests on a fixed seed, so a landing never depends on which random examples
# a run drew; developers' runs stay random and keep finding new cases (seen in the .hypothesis db).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def pytest_sessionstart(session) -> None:  # noqa: ARG001 - pytest hook signature
    """Under CI the real data must be there: fail loudly instead of skipping."""
    if os.environ.get("CI") == "true" and not SHARED_DATA.is_dir():
        raise SystemExit(f"CI=true but ../shared/data is missing at {SHARED_DATA}")


# --- The fast lane: `python -m pytest -m "not slow"`; the full run (CI) still runs everything. ---

# Single tests that take over a second on their own (measured with --durations on SQLite):
# CLI runs, demo data and whole flows. A renamed test here is warned about.
SLOW_TESTS = frozenset({
    "tests/api/test_catalogue_api.py::test_the_counts_page_saves_a_plan_and_exports_xlsx",
    "tests/api/test_demo.py::test_demo_has_a_state_programme_with_a_shipment_waiting_and_one_answered",
    "tests/api/test_demo.py::test_demo_has_an_admin_users_of_every_role_and_luhansk_libraries",
    "tests/api/test_demo.py::test_demo_has_an_exchange_round_with_gifts_and_fund_duplicates_on_offer",
    "tests/api/test_demo.py::test_demo_is_reused_not_duplicated",
    "tests/api/test_demo.py::test_demo_passwords_work",
    "tests/api/test_document_pages.py::test_a_library_sees_only_its_own_sent_documents_and_summary",
    "tests/api/test_document_pages.py::test_packing_list_labels_register_and_summary_pages_render_their_numbers",
    "tests/api/test_document_pages.py::test_the_acceptance_act_appears_once_the_library_answers",
    "tests/api/test_document_pages.py::test_the_transfer_act_page_prints_the_lines_totals_and_sum_in_words",
    "tests/api/test_exchange_api.py::test_staff_upload_offers_and_draw_fund_duplicates_with_the_forms",
    "tests/api/test_fund_api.py::test_pages_show_the_fund_to_staff_and_hide_it_from_libraries",
    "tests/api/test_health.py::test_health_reports_an_unreachable_database_with_503",
    "tests/api/test_i18n.py::test_every_ui_message_has_an_english_translation",
    "tests/api/test_own_fund_cli.py::test_to_fund_takes_what_is_asked_or_refuses_and_changes_nothing",
    "tests/api/test_programme_cli.py::test_adjust_beyond_the_limits_is_refused_and_changes_nothing",
    "tests/api/test_programme_cli.py::test_allocating_again_keeps_a_hand_adjustment_unless_reset",
    "tests/api/test_programme_cli.py::test_load_offers_refuses_a_state_programme",
    "tests/api/test_programme_cli.py::test_the_whole_programme_flow_from_libraries_to_report",
    "tests/api/test_programme_pages.py::test_a_delivery_is_registered_from_typed_lines_or_a_file",
    "tests/api/test_programme_pages.py::test_allocation_shares_out_the_delivery_and_refuses_adjustments_beyond_the_limits",
    "tests/api/test_shipment_cli.py::test_a_confirmation_naming_a_title_badly_changes_nothing",
    "tests/api/test_shipment_cli.py::test_a_dispatch_file_with_a_bad_row_names_it_and_dispatches_nothing",
    "tests/api/test_shipment_cli.py::test_the_whole_path_from_the_list_to_a_reported_shortage",
    "tests/api/test_shipment_pages.py::test_a_library_downloads_the_marc_records_of_its_shipment",
    "tests/api/test_shipment_pages.py::test_a_library_sees_only_its_own_shipments_and_only_once_they_have_left",
    "tests/api/test_shipment_pages.py::test_staff_issue_a_correction_that_links_both_ways",
    "tests/api/test_shipment_pages.py::test_staff_take_a_shipment_from_planned_through_packed_and_dispatched_to_delivered",
    "tests/api/test_shipment_pages.py::test_staff_write_off_copies_lost_in_transit_and_they_are_not_sent_again",
    "tests/api/test_users_cli.py::test_commands_refuse_an_unmigrated_database",
    "tests/api/test_users_cli.py::test_set_password_and_disable",
    "tests/collection/test_importing.py::test_worker_processes_give_the_same_result_as_one_process",
    "tests/collection/test_migrations.py::test_migrated_schema_matches_the_models_exactly",
    "tests/collection/test_migrations.py::test_upgrade_brings_an_empty_database_to_head",
    "tests/distribution/test_dispatch.py::test_a_carrier_other_than_own_transport_needs_a_tracking_number",
    "tests/distribution/test_programmes.py::test_two_staff_adjusting_at_once_can_never_over_allocate",
})
# Names whose use means a test reads ../shared/data, or starts or kills another process.
SHARED_DATA_NAMES = frozenset({"data_path", "all_data_files", "SHARED_DATA"})
PROCESS_NAMES = frozenset({"subprocess", "Popen", "multiprocessing", "ProcessPoolExecutor", "kill"})


@cache
def names_reaching(path: Path, targets: frozenset[str]) -> frozenset[str]:
    """Functions (tests, fixtures, helpers) of a test module that use ``targets``, directly or
    through another function of the same module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    uses: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            used = uses.setdefault(node.name, set())
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name):
                    used.add(inner.id)
                elif isinstance(inner, ast.Attribute):
                    used.add(inner.attr)
    reaching = {name for name, used in uses.items() if used & targets}
    while grown := {name for name, used in uses.items() if used & reaching} - reaching:
        reaching |= grown
    return frozenset(reaching)


def uses_any(item: pytest.Item, targets: frozenset[str]) -> bool:
    """Whether the test, or a fixture or helper of its own module, uses one of ``targets``."""
    if item.path.suffix != ".py":
        return False
    reaching = names_reaching(item.path, targets)
    return getattr(item, "originalname", item.name) in reaching or bool(reaching & set(item.fixturenames))


def slowness(item: pytest.Item) -> str | None:
    """Why a test belongs outside the fast lane, or None."""
    if item.get_closest_marker("postgres"):
        return "PostgreSQL"
    if "e2e" in item.path.parts:
        return "browser"
    if item.get_closest_marker("shared_data"):
        return "real files"
    if uses_any(item, PROCESS_NAMES):
        return "another process"
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        return "property (hundreds of examples)"
    if item.nodeid.split("[")[0] in SLOW_TESTS:
        return "over a second"
    return None


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items) -> None:
    """Mark what the fast lane leaves out as ``slow`` (and real-data tests ``shared_data``).

    Tests marked ``postgresql_only`` (behaviour SQLite cannot show, e.g. two writers at the
    same moment) are not generated for SQLite at all: deselected, never skipped."""
    for item in items:
        if not item.get_closest_marker("shared_data") and uses_any(item, SHARED_DATA_NAMES):
            item.add_marker(pytest.mark.shared_data)
        if slowness(item):
            item.add_marker(pytest.mark.slow)
    warn_of_stale_slow_tests(config, items)
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        sqlite = "sqlite" in (params.get("_migrated_db_url"), params.get("empty_db_url"))
        (drop if sqlite and item.get_closest_marker("postgresql_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def warn_of_stale_slow_tests(config, items) -> None:
    """A renamed or moved test would silently rejoin the fast lane: say so."""
    collected = {item.nodeid.split("[")[0] for item in items}
    files = {nodeid.split("::")[0] for nodeid in collected}
    stale = sorted(
        name for name in SLOW_TESTS
        if not (config.rootpath / name.split("::")[0]).is_file()
        or (name.split("::")[0] in files and name not in collected)
    )  # fmt: skip
    if stale:
        warnings.warn(f"SLOW_TESTS in tests/conftest.py names tests that do not exist: {stale}", stacklevel=1)


# --- Databases: every database test runs on SQLite and, when reachable, on PostgreSQL. ---------

for _module in MODEL_MODULES:
    importlib.import_module(_module)

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_postgres_problem: list[str] = []


def postgres_url() -> str:
    """The PostgreSQL test server, or skip (fail under CI=true) when it cannot be reached."""
    url = os.environ.get("KOMPLEKT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if not _postgres_problem:
        engine = make_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect():
                _postgres_problem.append("")
        except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
            _postgres_problem.append(f"PostgreSQL not reachable at {url}: {error}".splitlines()[0])
        finally:
            engine.dispose()
    problem = _postgres_problem[0]
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the PostgreSQL pass cannot run: {problem}")
        pytest.skip(problem)
    return url


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new schema on the PostgreSQL test server."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'komplekt-{uuid.uuid4().hex[:8]}.db'}"
        return
    base = postgres_url()
    schema = f"komplekt_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield make_url(base).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        ).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, unmigrated database per test (for migration tests)."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def _migrated_db_url(request, tmp_path_factory) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@pytest.fixture
def db_url(_migrated_db_url: str) -> Iterator[str]:
    """A migrated database (one per backend per session), emptied after each test."""
    yield _migrated_db_url
    engine = make_engine(_migrated_db_url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def engine(db_url: str):
    """An engine on the test database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session on the test database (services commit through it)."""
    with make_session_factory(engine)() as session:
        yield session


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 with minimal cost in tests (the real parameters are tested by argon2-cffi)."""
    from argon2 import PasswordHasher

    from api.auth import passwords

    original = passwords.hasher
    passwords.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords.hasher = original
