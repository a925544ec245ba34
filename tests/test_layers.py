"""Layers point one way: marc ← collection ← distribution ← api. Nothing imports upwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["marc", "collection", "distribution", "api"]


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (absolute imports; relative stay home)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", LAYERS)
def test_no_module_imports_a_higher_layer(package):
    rank = LAYERS.index(package)
    higher = set(LAYERS[rank + 1 :])
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(imported_packages(path) & higher)}"
        for path in modules_of(package)
        if imported_packages(path) & higher
    ]
    assert offenders == []


def test_the_checker_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from api.app import create_app\nimport distribution.libraries.services\n")
    assert imported_packages(module) >= {"api", "distribution"}
