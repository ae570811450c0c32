"""The layout's rules, read from the source with ``ast``: small rooms, and layers that only look down.

- No class over 250 lines, no function over 90 lines anywhere in ``src/``.
- ``core/`` imports nothing from ``hooks/``, ``editors/`` or ``cli/``, and no typer, rich,
  yaml, pydantic or click at module level (yaml only lazily, inside ``core/config.py``).
- ``hooks/`` imports nothing from ``cli/`` or ``editors/``, and nothing heavy at module level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.imports import imported_names

SRC = Path(__file__).resolve().parents[1] / "src" / "synapse_cli"
MAX_CLASS_LINES = 250
MAX_FUNCTION_LINES = 90
HEAVY = {"typer", "rich", "yaml", "pydantic", "click"}


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _rel(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _package(path: Path) -> str:
    """The dotted package a module under src/synapse_cli belongs to (what its relative imports start from)."""
    return ".".join(["synapse_cli", *path.relative_to(SRC).parent.parts])


def _all_imports(tree: ast.Module, package: str = "") -> list[tuple[int, str]]:
    return [(node.lineno, name) for node in ast.walk(tree) for name in imported_names(node, package)]


def _module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Imports executed when the module is imported: top level and under plain ``if``/``try``,
    but not under ``if TYPE_CHECKING:`` (never run) nor inside functions (lazy)."""
    found: list[tuple[int, str]] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.extend((node.lineno, name) for name in imported_names(node))
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return found


def _length(node: ast.AST) -> int:
    end = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])  # type: ignore[attr-defined]
    return end - start + 1


def test_the_source_tree_is_found() -> None:
    """Control: the rules below read the real package (the four folders and the entry)."""
    names = {_rel(p) for p in _modules()}
    assert {"entry.py", "core/sessions/store.py", "hooks/runner.py", "editors/settings.py", "cli/app.py"} <= names


def test_no_class_over_250_lines_and_no_function_over_90() -> None:
    """Every class in src/ fits in 250 lines and every function (methods included) in 90."""
    too_long = []
    for path in _modules():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef) and _length(node) > MAX_CLASS_LINES:
                too_long.append(f"{_rel(path)}:{node.lineno} class {node.name}: {_length(node)} lines")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _length(node) > MAX_FUNCTION_LINES:
                too_long.append(f"{_rel(path)}:{node.lineno} def {node.name}: {_length(node)} lines")
    assert too_long == []


def _layer_violations(folder: str, banned_packages: tuple[str, ...]) -> list[str]:
    found = []
    for path in _modules():
        if not _rel(path).startswith(folder + "/"):
            continue
        for line, name in _all_imports(_tree(path), _package(path)):
            if any(name == banned or name.startswith(banned + ".") for banned in banned_packages):
                found.append(f"{_rel(path)}:{line} imports {name}")
    return found


def test_core_imports_nothing_from_the_layers_above() -> None:
    """core/ imports nothing from hooks/, editors/ or cli/, not even lazily."""
    assert _layer_violations("core", ("synapse_cli.hooks", "synapse_cli.editors", "synapse_cli.cli")) == []


def test_hooks_import_nothing_from_cli_or_editors() -> None:
    """hooks/ imports nothing from cli/ or editors/, not even lazily."""
    assert _layer_violations("hooks", ("synapse_cli.editors", "synapse_cli.cli")) == []


@pytest.mark.parametrize("folder", ["core", "hooks"])
def test_no_heavy_package_at_module_level(folder: str) -> None:
    """core/ and hooks/ (and entry.py) import no typer, rich, yaml, pydantic or click when they are imported."""
    found = []
    for path in _modules():
        rel = _rel(path)
        if not (rel.startswith(folder + "/") or (folder == "hooks" and rel == "entry.py")):
            continue
        for line, name in _module_level_imports(_tree(path)):
            if name.split(".")[0] in HEAVY:
                found.append(f"{rel}:{line} imports {name}")
    assert found == []


def test_yaml_is_imported_only_lazily_inside_config() -> None:
    """The YAML parser is imported in core/config.py only, inside a function; nowhere else in core/ or hooks/."""
    places = []
    for path in _modules():
        rel = _rel(path)
        if rel.split("/")[0] not in ("core", "hooks") and rel != "entry.py":
            continue
        for line, name in _all_imports(_tree(path)):
            if name.split(".")[0] == "yaml":
                places.append((rel, line))
    assert places and {rel for rel, _ in places} == {"core/config.py"}
    config = _tree(SRC / "core" / "config.py")
    assert [name for _, name in _module_level_imports(config) if name.split(".")[0] == "yaml"] == []


def test_the_checks_see_a_violation() -> None:
    """Control: the same readers flag a module-level typer import, a lazy cli import and a long function."""
    source = "import typer\nTYPE_CHECKING = False\nif TYPE_CHECKING:\n    import rich\ndef f():\n    from synapse_cli.cli import app\n" + "    x = 1\n" * 95
    tree = ast.parse(source)
    assert [name for _, name in _module_level_imports(tree)] == ["typer"]
    assert "synapse_cli.cli" in [name for _, name in _all_imports(tree)]
    relative = ast.parse("def g():\n    from ..cli import app\n    from .. import editors\n")
    names = [name for _, name in _all_imports(relative, "synapse_cli.hooks")]
    assert "synapse_cli.cli" in names and "synapse_cli.editors" in names
    function = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    assert _length(function) > MAX_FUNCTION_LINES
