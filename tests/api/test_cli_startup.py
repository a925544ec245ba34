"""`komplekt --help` and `komplekt marc ...` start without the web application, pandas or the database.

A librarian's script runs `komplekt marc stats` once per file; each run used to import FastAPI,
pandas and every route (3 s of CPU, 160 MB) before reading one record.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import COMMANDS, app
from tests.shared_data import data_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fastapi", "starlette", "pandas", "openpyxl", "sqlalchemy", "api.app", "api.routes", "api.pages")
TOP_LEVEL = ("marc", "db", "users", "libraries", "programme", "shipment", "serve", "import", "export")

# Runs in a fresh interpreter: the modules a test process has already imported must not count.
PROBE = """
import json, sys
from api.cli import app

codes = {}
for name, args in (("help", ["--help"]), ("marc_help", ["marc", "--help"]),
                   ("stats", ["marc", "stats", sys.argv[1]]),
                   ("stats_json", ["marc", "stats", "--json", sys.argv[1]])):
    try:
        app(args)
    except SystemExit as exit_:
        codes[name] = exit_.code
print("\\n=====PROBE=====")
print(json.dumps({"codes": codes, "modules": sorted(sys.modules)}))
"""


def one_record_file(tmp_path: Path) -> Path:
    """The first record of a real cp1251 MARC21 file, cut by its leader's record length."""
    data = data_path("edsu__pymarc/1251.dat").read_bytes()
    record = data[: int(data[:5])]
    assert record.endswith(b"\x1d")
    path = tmp_path / "one.mrc"
    path.write_bytes(record)
    return path


def probe(tmp_path: Path) -> dict:
    """Run the probe in a fresh interpreter and return its exit codes and loaded modules."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(one_record_file(tmp_path))],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.split("=====PROBE=====")[-1])


def is_heavy(module: str) -> bool:
    return any(module == heavy or module.startswith(heavy + ".") for heavy in HEAVY)


def test_help_and_marc_stats_import_neither_the_web_app_nor_pandas_nor_the_database(tmp_path) -> None:
    result = probe(tmp_path)

    assert result["codes"] == {"help": 0, "marc_help": 0, "stats": 0, "stats_json": 0}
    assert [module for module in result["modules"] if is_heavy(module)] == []


def test_help_lists_every_top_level_command() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"})

    assert result.exit_code == 0, result.output
    listed = {line.split()[1] for line in result.output.splitlines()
              if line.startswith("│ ") and len(line.split()) > 2}
    assert set(TOP_LEVEL) <= listed
    assert set(COMMANDS) == set(TOP_LEVEL)


def test_a_command_outside_marc_still_runs_through_the_lazy_group() -> None:
    result = CliRunner().invoke(app, ["programme", "--help"], env={"COLUMNS": "120"})

    assert result.exit_code == 0, result.output
    for command in ("create", "load-titles", "allocate", "pack", "shipments", "to-fund"):
        assert command in result.output


def test_an_unknown_command_is_still_a_usage_error_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["programm"])

    assert result.exit_code == 2
    assert "programme" in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_line_in_the_registry_is_the_commands_own(name: str) -> None:
    help_line, load = COMMANDS[name]

    command = load()

    assert (command.help or "").split("\n\n")[0] == help_line
