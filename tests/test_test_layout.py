"""The tests' own layout: a test module imports helpers from ``tests.support`` (and fixtures come from conftest.py),
never from another test module.

Importing a test module couples two test files (moving or renaming one breaks the other), runs its module-level
code a second time, and can make pytest collect the imported tests twice. Shared helpers live in tests/support/.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.imports import imported_names

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
IMPORT_FUNCTIONS = {"import_module", "__import__"}


def _python_files() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def _package(path: Path) -> str:
    """The dotted package a file under tests/ belongs to (what its relative imports start from)."""
    return ".".join(path.relative_to(ROOT).parent.parts)


def _named(node: ast.AST, package: str) -> list[str]:
    """The absolute names an import statement (or ``importlib.import_module("...")`` call) may load as modules:
    ``from a.b import c`` names a.b and a.b.c, ``from . import x`` in package p names p and p.x."""
    names = imported_names(node, package)
    if names:
        return names
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in IMPORT_FUNCTIONS and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def _test_module_file(name: str) -> Path | None:
    """The file of ``name`` if it is a module under tests/ that is neither tests.support nor a conftest, else None.
    Packages (``__init__.py``) are not test modules: ``from tests import support`` names the package ``tests``."""
    parts = name.split(".")
    if parts[0] != "tests" or parts[1:2] == ["support"] or parts[-1] == "conftest":
        return None
    path = ROOT.joinpath(*parts).with_suffix(".py")
    return path if path.is_file() else None


def _imports_of_test_modules(path: Path, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        for name in _named(node, _package(path)):
            if _test_module_file(name) is not None:
                found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno} imports {name}")  # type: ignore[attr-defined]
    return found


def test_the_test_tree_is_found() -> None:
    """Control: the check reads the real tree (test modules in the folders, the support package, conftest.py)."""
    names = {p.relative_to(TESTS).as_posix() for p in _python_files()}
    assert {"conftest.py", "support/run.py", "e2e/test_hook_command.py", "editors/test_git_files.py"} <= names


def test_no_test_module_imports_another_test_module() -> None:
    """Every file under tests/ imports only tests.support and conftest from tests/ (shared helpers live in support)."""
    found = []
    for path in _python_files():
        found.extend(_imports_of_test_modules(path, path.read_text(encoding="utf-8")))
    assert found == []


def test_the_check_sees_each_form_of_a_test_module_import() -> None:
    """Control: absolute, from-package, relative and importlib imports of a test module are each flagged;
    tests.support, conftest and packages are not."""
    here = TESTS / "e2e" / "test_relative_hook_command.py"
    flagged = {
        "from tests.e2e.test_hook_command import as_editor\n",
        "import tests.e2e.test_hook_command\n",
        "from tests.e2e import test_hook_command\n",
        "from .test_hook_command import registered\n",
        "from ..editors.test_git_files import untracked_and_changed\n",
        "import importlib\nimportlib.import_module('tests.e2e.test_hook_command')\n",
    }
    allowed = {
        "from tests.support.run import run_synapse\n",
        "from tests.support import hook_commands\n",
        "from tests.conftest import project\n",
        "import tests\nfrom tests import e2e\n",
        "from . import conftest\n",
    }
    for source in flagged:
        assert _imports_of_test_modules(here, source), source
    for source in allowed:
        assert _imports_of_test_modules(here, source) == [], source
