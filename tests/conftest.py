"""Shared pytest configuration."""

from __future__ import annotations

import os

from tests.shared_data import SHARED_DATA


def pytest_sessionstart(session) -> None:  # noqa: ARG001 - pytest hook signature
    """Under CI the real data must be there: fail loudly instead of skipping."""
    if os.environ.get("CI") == "true" and not SHARED_DATA.is_dir():
        raise SystemExit(f"CI=true but ../shared/data is missing at {SHARED_DATA}")
