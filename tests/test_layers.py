"""The package's tree is its architecture: each subpackage imports only itself and those below it
(``autograder.LAYERS``), no module imports itself back through others, and the flat names of before still
import (the same module object)."""

from __future__ import annotations

import ast
import importlib
import sys
import warnings
from pathlib import Path

import pytest

import autograder
from autograder.core.course_dir import REPO_ROOT

PACKAGE = REPO_ROOT / "autograder"
TOP = len(autograder.LAYERS)  # cli, __main__ and the package's own __init__ sit above every layer


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The grader's modules ``path`` imports, anywhere in it (a lazy import inside a function counts too)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "autograder"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                stem = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(stem + ([node.module] if node.module else []))
            if base.split(".")[0] != "autograder":
                continue
            for alias in node.names:  # ``from autograder.stages import pipeline`` imports a module
                sub = f"{base}.{alias.name}"
                found.add(sub if _path_of(sub) else base)
    return found


def _path_of(module: str) -> Path | None:
    rel = Path(*module.split("."))
    for candidate in (REPO_ROOT / rel.with_suffix(".py"), REPO_ROOT / rel / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _layer(module: str) -> int:
    parts = module.split(".")
    return autograder.LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in autograder.LAYERS else TOP


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_sits_in_a_layer_except_the_command_line():
    loose = {m for m in MODULES if _layer(m) == TOP} - {"autograder", "autograder.cli", "autograder.__main__"}
    assert not loose, f"put these in a subpackage of autograder.LAYERS: {sorted(loose)}"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(autograder.LAYERS)


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{m} imports {i}" for m, p in MODULES.items() for i in sorted(_imports(p)) if _layer(i) > _layer(m)]
    assert not upward, "\n".join(upward)


def test_there_is_no_import_cycle():
    graph = {m: {i for i in _imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}
    done: set[str] = set()

    def visit(m: str, trail: tuple[str, ...]) -> None:
        if m in trail:
            pytest.fail("import cycle: " + " -> ".join(trail[trail.index(m) :] + (m,)))
        if m in done:
            return
        for nxt in sorted(graph[m]):
            visit(nxt, trail + (m,))
        done.add(m)

    for m in sorted(graph):
        visit(m, ())


@pytest.mark.parametrize("old, new", [("pipeline", "stages.pipeline"), ("course_dir", "core.course_dir")])
def test_a_flat_name_of_before_is_the_same_module_with_a_warning(old, new):
    sys.modules.pop(f"autograder.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"autograder.{new}"):
        moved = importlib.import_module(f"autograder.{old}")
    assert moved is importlib.import_module(f"autograder.{new}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert importlib.import_module(f"autograder.{old}").__name__ == f"autograder.{new}"
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("autograder.no_such_module")
