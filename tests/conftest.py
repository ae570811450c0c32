"""Shared fixtures. No test writes outside its tmp_path, and none touches the real home.

Helpers live in tests/support/; fixtures live here (and in the folders' conftest.py files).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.logs import clean_log
from tests.support.paths import FIXTURES
from tests.support.run import synapse_executable


def pytest_configure(config: pytest.Config) -> None:
    if not (FIXTURES / "payloads").is_dir():
        raise pytest.UsageError(
            f"the tests read the framework's fixtures from {FIXTURES}: put the project's shared/ folder "
            "beside this checkout (as CI does) before running them"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the script smoke tests, then the other slow tests, first.

    With several workers (pytest-xdist) a long test started last would run alone at the end;
    started first, it runs beside the many short ones. The order is the same on every worker.
    """

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("slow") is None:
            return 2
        return 0 if "/tests/scripts/" in item.path.as_posix() else 1

    items.sort(key=rank)  # stable: the rest keeps its order


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point HOME and the cache at a temp folder and drop variables that change synapse's behaviour."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for name in list(os.environ):
        if name.startswith("SYNAPSE_") or name in ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "NO_COLOR"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _clean_log():
    """Every test starts with synapse's in-process log unconfigured and leaves it as it found it."""
    with clean_log():
        yield


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with .synapse/ set up as ``synapse init`` does."""
    from synapse_cli.core.project import init_project

    root = tmp_path / "project"
    root.mkdir()
    init_project(str(root))
    return root


@pytest.fixture
def sessions_dir(project: Path) -> Path:
    return project / ".synapse" / "sessions"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A current folder outside any project."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


@pytest.fixture
def synapse_exe() -> str:
    return synapse_executable()


@pytest.fixture
def cli():
    """``cli(project, *args, input=None, env=None)`` invokes the app in process with ``--project-dir project``."""
    from typer.testing import CliRunner

    from synapse_cli.cli.app import app

    runner = CliRunner()

    def invoke(project: Path | None, *args: str, input: str | bytes | None = None, env: dict | None = None):
        argv = (["--project-dir", str(project)] if project is not None else []) + list(args)
        return runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)

    return invoke
