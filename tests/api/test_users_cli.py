"""`komplekt users ...` and `komplekt db upgrade` through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.auth.passwords import verify_password
from api.auth.services import get_user
from api.cli import app
from collection.audit import entries_for_object
from collection.migrate import is_up_to_date
from tests.builders import make_library

runner = CliRunner()


@pytest.fixture
def env(monkeypatch, db_url):
    monkeypatch.setenv("KOMPLEKT_DATABASE_URL", db_url)
    monkeypatch.setenv("KOMPLEKT_SECRET_KEY", "cli-test")
    return db_url


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def create_admin(username: str):
    return invoke("users", "create", username, "--role", "admin", "--password-stdin",
                  stdin="long password\n")


def test_users_create_with_password_on_stdin_then_list_as_json(env, session):
    result = invoke("users", "create", "olena", "--role", "acquisitions",
                    "--full-name", "Олена Коваль", "--password-stdin", stdin="long password\n")
    assert result.exit_code == 0, result.output
    listed = json.loads(invoke("users", "list", "--json").stdout)
    assert listed == [{"username": "olena", "full_name": "Олена Коваль", "role": "acquisitions",
                       "library": None, "active": True}]
    assert entries_for_object(session, "user", "olena")[0].username.startswith("cli:")


def test_users_create_prompts_for_the_password_twice(env, session):
    twice = "long password\nlong password\n"
    result = invoke("users", "create", "petro", "--role", "admin", stdin=twice)
    assert result.exit_code == 0, result.output
    assert verify_password(get_user(session, "petro").password_hash, "long password")


def test_library_user_needs_an_existing_library(env, session):
    make_library(session, code="LG-STB-01")
    missing = invoke("users", "create", "lib", "--role", "library", "--password-stdin",
                     stdin="long password\n")
    assert missing.exit_code == 1
    assert "library" in missing.stderr
    wrong = invoke("users", "create", "lib", "--role", "library", "--library", "LG-NONE",
                   "--password-stdin", stdin="long password\n")
    assert wrong.exit_code == 1
    ok = invoke("users", "create", "lib", "--role", "library", "--library", "lg-stb-01",
                "--password-stdin", stdin="long password\n")
    assert ok.exit_code == 0, ok.output


def test_input_errors_exit_1_with_one_line_and_no_traceback(env):
    result = invoke("users", "create", "olena", "--role", "admin", "--password-stdin",
                    stdin="short\n")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.output
    create_admin("olena")
    duplicate = invoke("users", "create", "olena", "--role", "admin", "--password-stdin",
                       stdin="long password\n")
    assert duplicate.exit_code == 1


def test_usage_errors_exit_2(env):
    result = invoke("users", "create", "olena", "--role", "wizard", "--password-stdin", stdin="x\n")
    assert result.exit_code == 2
    assert invoke("users", "frobnicate").exit_code == 2


def test_set_password_and_disable(env, session):
    create_admin("olena")
    result = invoke(
        "users", "set-password", "olena", "--password-stdin", stdin="another password\n"
    )
    assert result.exit_code == 0, result.output
    assert invoke("users", "disable", "olena").exit_code == 0
    session.expire_all()
    user = get_user(session, "olena")
    assert verify_password(user.password_hash, "another password")
    assert user.active is False
    assert "[disabled]" in invoke("users", "list").stdout
    assert invoke("users", "disable", "nobody").exit_code == 1


def test_commands_refuse_an_unmigrated_database(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("KOMPLEKT_DATABASE_URL", url)
    result = invoke("users", "list")
    assert result.exit_code == 1
    assert "komplekt db upgrade" in result.stderr
    upgraded = invoke("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert is_up_to_date(url)
    assert (tmp_path / "new.db.secret").is_file()  # the session key is made beside the database
    assert invoke("users", "list").exit_code == 0


def test_postgresql_without_a_secret_key_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("KOMPLEKT_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.delenv("KOMPLEKT_SECRET_KEY", raising=False)
    result = invoke("db", "upgrade")
    assert result.exit_code == 2
    assert "KOMPLEKT_SECRET_KEY" in result.stderr
