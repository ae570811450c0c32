"""Running things as real processes: the installed ``synapse``, its hook, and the helper scripts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.paths import PAYLOADS, SCRIPTS

PROMPT = "Add a --dry-run flag to the importer and update the tests"
"""The prompt text of the Claude payload fixture: it must never be written anywhere."""
LAUNCHER = Path(sys.executable).parent / "synapse-hook"
"""The launcher ``hook install`` registers: installed beside the interpreter running the tests."""
FAST_CLEANUP_ENV = {"SYNAPSE_CLEANUP_GRACE_MS": "5000"}
"""Lets a test that checks what cleanup removed wait for it to finish (join returns as soon as it ends)."""


def synapse_executable() -> str:
    """The ``synapse`` console script installed beside the interpreter running the tests."""
    candidate = Path(sys.executable).parent / ("synapse.exe" if os.name == "nt" else "synapse")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("synapse")
    if not found:
        pytest.fail("the synapse console script is not installed in this environment: pip install '.[dev]'")
    return found


def run(
    cmd: Sequence[str],
    *,
    input: bytes | None = b"",
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` with the test's environment plus ``env``, capturing stdout and stderr."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        list(cmd), input=input, cwd=str(cwd) if cwd else None, env=full_env, capture_output=True, timeout=timeout
    )


def run_synapse(
    args: Sequence[str],
    *,
    prefix: Sequence[str] = (),
    input: bytes | None = b"",
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[bytes]:
    """Run the installed ``synapse ARGS`` as a real subprocess, under ``prefix`` (strace, a read-only mount) if given."""
    return run([*prefix, synapse_executable(), *args], input=input, cwd=cwd, env=env, timeout=timeout)


def claude_payload(**changes: object) -> bytes:
    """The real-shaped Claude Code UserPromptSubmit event, with fields changed or added."""
    event = json.loads((PAYLOADS / "claude-user-prompt-submit.json").read_text())
    event.update(changes)
    return json.dumps(event).encode()


def hook(
    payload: bytes | None,
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    prefix: Sequence[str] = (),
    timeout: float = 30,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``synapse [args] hook prompt-submit`` with ``payload`` on stdin."""
    return run_synapse([*args, "hook", "prompt-submit"], prefix=prefix, input=payload, cwd=cwd, env=env, timeout=timeout)


def assert_silent_success(result: subprocess.CompletedProcess[bytes]) -> None:
    """The hook contract: exit 0, nothing on stdout, nothing on stderr (no --debug)."""
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout == b"", result.stdout
    assert result.stderr == b"", result.stderr


def prompt(project: Path, *, run_in: Path | None = None, env: dict[str, str] | None = None, **changes: object):
    """One Claude prompt for ``project`` run in ``run_in`` (payload cwd = the project unless changed); asserts the silent exit 0."""
    changes.setdefault("cwd", str(project))
    result = hook(claude_payload(**changes), cwd=run_in or project, env=env)
    assert_silent_success(result)
    return result


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a helper script: the test's, without bytecode files, plus ``extra``."""
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def script_cmd(name: str, *args: object) -> list[str]:
    """The command line that runs one of tests/support/scripts/ with this interpreter."""
    return [sys.executable, str(SCRIPTS / name), *(str(a) for a in args)]


def run_in_project(project: Path, *args: str, input: bytes | None = b"", env: dict[str, str] | None = None):
    """Run the installed ``synapse --project-dir PROJECT ARGS`` as a real subprocess."""
    return run_synapse(["--project-dir", str(project), *args], input=input, env=env)


def synapse_ok(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the installed ``synapse --project-dir PROJECT ARGS`` and assert it exits 0 (stderr shown if not)."""
    result = run_in_project(project, *args)
    assert result.returncode == 0, result.stderr
    return result
