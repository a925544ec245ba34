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

# Runs in a fresh interpreter (the test process has imported everything already): each argv[1:]
# is a JSON list of arguments for one command; prints the exit codes, then every loaded module.
PROBE = """
import json, sys
from api.cli import app

codes = []
for args in sys.argv[1:]:
    try:
        app(json.loads(args))
    except SystemExit as exit_:
        codes.append(exit_.code)
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


def probe(*commands: list[str]) -> dict:
    """Run the commands in one fresh interpreter; return their exit codes and the loaded modules."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *(json.dumps(command) for command in commands)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.split("=====PROBE=====")[-1])


def is_heavy(module: str) -> bool:
    return any(module == heavy or module.startswith(heavy + ".") for heavy in HEAVY)


def test_help_and_marc_commands_import_neither_the_web_app_nor_pandas_nor_the_database(tmp_path) -> None:
    record = str(one_record_file(tmp_path))

    result = probe(
        ["--help"], ["marc", "--help"], ["marc", "stats", record], ["marc", "stats", "--json", record],
        ["marc", "show", record], ["marc", "convert", record, str(tmp_path / "one.xml"), "--to", "marcxml"],
        ["marc", "sample", str(tmp_path / "sample.mrc"), "--count", "2"],
    )

    assert result["codes"] == [0] * 7
    assert [module for module in result["modules"] if is_heavy(module)] == []


def test_marc_stats_json_does_not_even_load_rich(tmp_path) -> None:
    result = probe(["marc", "stats", "--json", str(one_record_file(tmp_path))])

    assert result["codes"] == [0]
    assert [module for module in result["modules"] if module.split(".")[0] == "rich"] == []


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
