"""The code's shape, checked: three floors with no cycles, small modules, short functions.

transforms/ (pure cleaning) imports neither flows/ nor warehouse/, nor Prefect, DuckDB or
pyarrow; warehouse/ imports transforms' records but not flows/ or Prefect; flows/ composes both.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("transforms", "warehouse", "flows")
FORBIDDEN = {
    "transforms": {"docclean.flows", "docclean.warehouse", "prefect", "prefect_dask", "duckdb", "pyarrow"},
    "warehouse": {"docclean.flows", "prefect", "prefect_dask"},
    "flows": set(),
}
MAX_MODULE_LINES = 370  # "about 350"
MAX_FUNCTION_BODY_LINES = 60


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return "docclean." + ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_floor_imports_only_the_floors_below(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in sorted(_imports(path))
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[package])
    ]
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    graph = {
        _module_name(path): {name for name in _imports(path) if name.startswith("docclean.")}
        for package in PACKAGES
        for path in _modules(package)
    }
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(module) :], module]))
        if module in done or module not in graph:
            return
        for name in sorted(graph[module]):
            visit(name, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_modules_stay_small_and_functions_short() -> None:
    too_long = []
    for package in PACKAGES:
        for path in _modules(package):
            source = path.read_text(encoding="utf-8")
            where = path.relative_to(ROOT)
            if len(source.splitlines()) > MAX_MODULE_LINES:
                too_long.append(f"{where}: {len(source.splitlines())} lines")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    # The body only: a CLI command's declarative option list is its signature.
                    body = node.end_lineno - node.body[0].lineno + 1
                    if body > MAX_FUNCTION_BODY_LINES:
                        too_long.append(f"{where}:{node.lineno} {node.name}() body {body} lines")
    assert too_long == []
