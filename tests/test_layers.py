"""Layers point one way: marc ← collection ← distribution ← api. Nothing imports upwards.

Inside api/ the three ways in (REST routes, pages, CLI) stand side by side on shared modules
and never import one another; bench/ builds its own data and never imports tests/.
"""

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


# --- Inside api/: routes, pages and the CLI side by side, on shared modules below them. --------

ENTRY_POINTS = ["api.routes", "api.pages", "api.cli"]
SHARED = [
    "api.presenters",
    "api.access",
    "api.auth",
    "api.i18n",
    "api.errors",
    "api.settings",
    "api.deps",
    "api.rendering",
]


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Dotted names ``path`` imports, relative imports resolved; ``from a import b`` gives a and a.b."""
    package = list(path.relative_to(root).parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def within(module: str, packages: list[str]) -> bool:
    """Whether ``module`` is one of ``packages`` or inside one (``api.routesx`` is not in ``api.routes``)."""
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def module_name(path: Path) -> str:
    """The dotted name of a source file under the repository root."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources(name: str) -> list[Path]:
    """The files of a dotted package or module name."""
    path = ROOT / name.replace(".", "/")
    return modules_of(name.replace(".", "/")) if path.is_dir() else [path.with_suffix(".py")]


def forbidden_imports(importers: list[str], forbidden: list[str]) -> list[str]:
    """``module imports name`` for every import from ``importers`` into ``forbidden``."""
    paths = [path for name in importers for path in sources(name)]
    offenders = []
    for path in paths:
        found = {name for name in imported_modules(path) if within(name, forbidden)}
        # ``from a.b import c`` names a.b and a.b.c: report the module once.
        offenders += [f"{module_name(path)} imports {name}" for name in found if not within(
            name.rpartition(".")[0], sorted(found))]  # fmt: skip
    return sorted(offenders)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_routes_pages_and_the_cli_never_import_one_another(entry):
    others = [other for other in ENTRY_POINTS if other != entry]
    assert forbidden_imports([entry], others) == []


def test_shared_api_modules_never_import_routes_pages_the_cli_or_the_app():
    assert forbidden_imports(SHARED, [*ENTRY_POINTS, "api.app"]) == []


def test_bench_never_imports_tests():
    assert forbidden_imports(["bench"], ["tests"]) == []


def test_the_checker_sees_a_sideways_import_inside_api(tmp_path):
    pages = tmp_path / "api" / "pages"
    pages.mkdir(parents=True)
    module = pages / "m.py"
    module.write_text(
        "from api.routes.shipments import shipment_json\n"
        "from api import cli\n"
        "from ..routes import fund\n"
        "from .rendering import render\n"
        "def later():\n    import api.routes.documents\n"
    )  # fmt: skip
    names = imported_modules(module, root=tmp_path)
    assert {"api.routes.shipments", "api.cli", "api.routes.fund", "api.pages.rendering",
            "api.routes.documents"} <= names  # fmt: skip
    assert within("api.routes.fund", ["api.routes"]) and not within("api.routesx", ["api.routes"])
