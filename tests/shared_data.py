"""Where the real MARC files live, and the rule for when they are missing.

Tests that read ``../shared/data`` skip when it is absent on a developer's machine, but under
``CI=true`` its absence is a failure, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


def data_path(relative: str) -> Path:
    """Path of one real file, skipping (or failing under CI) when the folder is absent."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"../shared/data is missing ({SHARED_DATA}); CI must not skip real-data tests")
        pytest.skip(f"../shared/data not found at {SHARED_DATA}")
    path = SHARED_DATA / relative
    assert path.is_file(), f"expected real data file {relative} in {SHARED_DATA}"
    return path


def all_data_files() -> list[str]:
    """Every MARC file in the shared folder, as paths relative to it (empty when absent)."""
    if not SHARED_DATA.is_dir():
        return []
    return sorted(
        str(p.relative_to(SHARED_DATA))
        for p in SHARED_DATA.rglob("*")
        if p.is_file() and p.suffix.lower() != ".md"
    )
