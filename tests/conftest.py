"""Shared fixtures. No test writes outside its tmp_path, and none touches the real home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"
JS_WRITTEN = FIXTURES / "js-written"
PAYLOADS = FIXTURES / "payloads"
CLAUDE_SESSION_ID = "9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91"


def synapse_executable() -> str:
    """The ``synapse`` console script installed beside the interpreter running the tests."""
    candidate = Path(sys.executable).parent / ("synapse.exe" if os.name == "nt" else "synapse")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("synapse")
    if not found:
        pytest.fail("the synapse console script is not installed in this environment: pip install '.[dev]'")
    return found


def pytest_configure(config: pytest.Config) -> None:
    if not (FIXTURES / "payloads").is_dir():
        raise pytest.UsageError(
            f"the tests read the framework's fixtures from {FIXTURES}: put the project's shared/ folder "
            "beside this checkout (as CI does) before running them"
        )


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point HOME and the cache at a temp folder and drop variables that change synapse's behaviour."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for name in list(os.environ):
        if name.startswith("SYNAPSE_") or name in ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "NO_COLOR"):
            monkeypatch.delenv(name, raising=False)


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
def synapse_exe() -> str:
    return synapse_executable()


def claude_payload(**changes: object) -> bytes:
    """The real-shaped Claude Code UserPromptSubmit event, with fields changed or added."""
    event = json.loads((PAYLOADS / "claude-user-prompt-submit.json").read_text())
    event.update(changes)
    return json.dumps(event).encode()


def run_synapse(
    args: list[str],
    *,
    input: bytes | None = b"",
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[bytes]:
    """Run the installed ``synapse`` as a real subprocess."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [synapse_executable(), *args],
        input=input,
        cwd=str(cwd) if cwd else None,
        env=full_env,
        capture_output=True,
        timeout=timeout,
    )
