"""Settings come from KOMPLEKT_* variables only, with safe defaults."""

from __future__ import annotations

import pytest

from api.settings import Settings, SettingsError


def test_defaults_are_a_sqlite_file_in_the_working_directory_and_ukrainian(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{tmp_path / 'komplekt.db'}"
    assert settings.language == "uk"
    assert Settings.from_env({}, demo=True).database_url.endswith("komplekt-demo.db")


def test_the_secret_key_is_generated_once_and_kept_beside_the_sqlite_file(tmp_path):
    env = {"KOMPLEKT_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}"}
    first = Settings.from_env(env).secret_key
    assert len(first) >= 32
    assert Settings.from_env(env).secret_key == first
    assert (tmp_path / "k.db.secret").stat().st_mode & 0o777 == 0o600


def test_an_explicit_secret_key_and_language_win(tmp_path):
    env = {"KOMPLEKT_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
           "KOMPLEKT_SECRET_KEY": "given", "KOMPLEKT_LANGUAGE": "en"}
    settings = Settings.from_env(env)
    assert (settings.secret_key, settings.language) == ("given", "en")
    assert not (tmp_path / "k.db.secret").exists()


def test_postgresql_needs_an_explicit_secret_key_and_languages_are_checked():
    with pytest.raises(SettingsError, match="KOMPLEKT_SECRET_KEY"):
        Settings.from_env({"KOMPLEKT_DATABASE_URL": "postgresql://h/db"})
    with pytest.raises(SettingsError, match="KOMPLEKT_LANGUAGE"):
        Settings.from_env({"KOMPLEKT_DATABASE_URL": "sqlite://", "KOMPLEKT_LANGUAGE": "de"})
