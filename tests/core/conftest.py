"""Fixtures and helpers shared by the core-library tests (tests/core only)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parent / "helpers"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def helper_cmd(name: str, *args: object) -> list[str]:
    """The command line that runs one of the helper scripts with this interpreter."""
    return [sys.executable, str(HELPERS / name), *(str(a) for a in args)]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _reset_log_sinks():
    """Every test starts with synapse_cli.core.log unconfigured (warnings to stderr) and leaves it so."""
    from synapse_cli.core import log

    saved = log.current_settings()
    log.reset()
    yield
    log.restore_settings(saved)


_STRACE_STATUS: list[str | None] = []


def strace_problem() -> str | None:
    """None when strace can trace and inject here, else the reason it cannot."""
    if not _STRACE_STATUS:
        problem = None
        if not sys.platform.startswith("linux"):
            problem = "strace fault injection needs Linux"
        elif shutil.which("strace") is None:
            problem = "strace is not installed"
        else:
            try:
                probe = subprocess.run(
                    ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=getpid",
                     "-e", "inject=getpid:retval=42", sys.executable, "-c", "import os; print(os.getpid())"],
                    capture_output=True, timeout=30,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                problem = f"strace could not run: {exc}"
            else:
                if probe.returncode != 0:
                    problem = "ptrace is not permitted here: " + probe.stderr.decode(errors="replace").strip()[:200]
                elif probe.stdout.strip() != b"42":
                    problem = "this strace cannot inject syscall faults (-e inject)"
        _STRACE_STATUS.append(problem)
    return _STRACE_STATUS[0]


@pytest.fixture
def strace() -> str:
    """The strace executable; skips the test (with the reason) where ptrace or injection is unavailable."""
    problem = strace_problem()
    if problem:
        pytest.skip(problem)
    return shutil.which("strace")  # type: ignore[return-value]


def run_under_strace(strace_args: list[str], script: str, *args: object, timeout: float = 60) -> subprocess.CompletedProcess:
    cmd = ["strace", "-f", "-qq", "-o", "/dev/null", *strace_args, *helper_cmd(script, *args)]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, env=child_env())


def read_result(path: Path) -> dict:
    """The JSON result a helper script left (written with pwrite, which injected write faults miss)."""
    text = path.read_bytes().rstrip(b"\0").decode()
    assert text, f"the helper wrote no result to {path}"
    return json.loads(text)


@contextlib.contextmanager
def unwritable(path: Path):
    """Make ``path`` refuse modification for real: chmod for ordinary users, ``chattr +i`` for root.

    Root ignores permission bits, so as root the immutable attribute is the real fault.
    Skips (with the reason) when neither works here.
    """
    if IS_ROOT:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True) if shutil.which("chattr") else None
        if done is None or done.returncode != 0:
            reason = "chattr is not installed" if done is None else done.stderr.decode(errors="replace").strip()
            pytest.skip(f"running as root, where permission bits are ignored, and chattr +i is unavailable: {reason}")
        try:
            yield "chattr +i"
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode & 0o7777
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield "chmod"
        finally:
            path.chmod(mode)


def tree_snapshot(root: Path) -> set[str]:
    """Every path under ``root`` (relative), to prove nothing appeared outside a folder."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}
