"""Helpers for the end-to-end tests: the installed ``synapse`` run as a real subprocess.

Faults are real: strace's syscall tampering (``-e inject=...``), read-only bind mounts
in a private mount namespace (``unshare -m``), and locks held with ``fcntl.flock``. The
tests run as root, which ignores permission bits, so chmod is never used as a fault.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CLAUDE_SESSION_ID, claude_payload, run_synapse, synapse_executable

SID = CLAUDE_SESSION_ID
PROMPT = "Add a --dry-run flag to the importer and update the tests"
FAST_CLEANUP_ENV = {"SYNAPSE_CLEANUP_GRACE_MS": "5000"}
"""Lets a test that checks what cleanup removed wait for it to finish (join returns as soon as it ends)."""


def hook(payload: bytes | None, *, cwd: Path, env: dict | None = None, args: tuple[str, ...] = (), timeout: float = 30):
    """Run ``synapse [args] hook prompt-submit`` with ``payload`` on stdin."""
    return run_synapse([*args, "hook", "prompt-submit"], input=payload, cwd=cwd, env=env, timeout=timeout)


def prompt(project: Path, *, run_in: Path | None = None, env: dict | None = None, **changes):
    """One Claude prompt for ``project`` run in ``run_in`` (payload cwd = the project unless changed); asserts the silent exit 0."""
    changes.setdefault("cwd", str(project))
    result = hook(claude_payload(**changes), cwd=run_in or project, env=env)
    assert_silent_success(result)
    return result


def assert_silent_success(result: subprocess.CompletedProcess) -> None:
    """The hook contract: exit 0, nothing on stdout, nothing on stderr (no --debug)."""
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout == b"", result.stdout
    assert result.stderr == b"", result.stderr


def log_text(project: Path) -> str:
    path = project / ".synapse" / "cache" / "synapse.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@functools.lru_cache(maxsize=None)
def _strace_problem() -> str | None:
    exe = shutil.which("strace")
    if exe is None:
        return "strace is not installed"
    probe = subprocess.run(
        [exe, "-f", "-qq", "-o", "/dev/null", "-e", "inject=getppid:retval=7", "sh", "-c", "exit 0"],
        capture_output=True,
    )
    if probe.returncode != 0:
        return f"strace cannot trace or inject here (ptrace refused?): {probe.stderr.decode(errors='replace').strip()}"
    return None


def strace_cmd(*options: str) -> list[str]:
    """``strace -f -qq -o /dev/null OPTIONS... synapse`` (skips the test when strace cannot inject here)."""
    problem = _strace_problem()
    if problem:
        pytest.skip(problem)
    return [shutil.which("strace"), "-f", "-qq", "-o", "/dev/null", *options, synapse_executable()]


@functools.lru_cache(maxsize=None)
def _ro_mount_problem(probe_dir: str) -> str | None:
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$1" "$1" && touch "$1/probe"', "sh", probe_dir],
        capture_output=True,
    )
    if b"Read-only file system" in probe.stderr:
        return None
    return f"cannot make a read-only bind mount in a private mount namespace here: {probe.stderr.decode(errors='replace').strip()}"


def read_only_cmd(read_only_dir: Path, tmp_path: Path) -> list[str]:
    """A command prefix that runs ``synapse`` with ``read_only_dir`` bind-mounted read-only (private namespace)."""
    probe_dir = tmp_path / "ro-probe"
    probe_dir.mkdir(exist_ok=True)
    problem = _ro_mount_problem(str(probe_dir))
    if problem:
        pytest.skip(problem)
    script = 'dir="$1"; shift; mount --bind -o ro "$dir" "$dir" || exit 99; exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", str(read_only_dir), synapse_executable()]


def run_cmd(cmd: list[str], *args: str, input: bytes = b"", cwd: Path | None = None, env: dict | None = None, timeout: float = 30):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([*cmd, *args], input=input, cwd=cwd, env=full_env, capture_output=True, timeout=timeout)
