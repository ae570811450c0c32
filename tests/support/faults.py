"""Real faults for real processes: strace's syscall tampering and read-only bind mounts.

The tests run as root, which ignores permission bits, so chmod is never the fault here
(see ``files.unwritable`` for the one place that falls back to it for ordinary users).
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.run import child_env, script_cmd


@functools.lru_cache(maxsize=None)
def strace_problem() -> str | None:
    """None when strace can trace and inject faults here, else the reason it cannot (probed once per run)."""
    if not sys.platform.startswith("linux"):
        return "strace fault injection needs Linux"
    exe = shutil.which("strace")
    if exe is None:
        return "strace is not installed"
    try:
        probe = subprocess.run(
            [exe, "-f", "-qq", "-o", "/dev/null", "-e", "trace=getpid", "-e", "inject=getpid:retval=42",
             sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"strace could not run: {exc}"
    if probe.returncode != 0:
        return "ptrace is not permitted here: " + probe.stderr.decode(errors="replace").strip()[:200]
    if probe.stdout.strip() != b"42":
        return "this strace cannot inject syscall faults (-e inject)"
    return None


def require_strace() -> str:
    """The strace executable; skips the test (with the reason) where ptrace or injection is unavailable."""
    problem = strace_problem()
    if problem:
        pytest.skip(problem)
    return shutil.which("strace")  # type: ignore[return-value]


def strace_prefix(*options: str) -> list[str]:
    """``strace -f -qq -o /dev/null OPTIONS...``, to put before a command (skips the test where strace cannot inject)."""
    return [require_strace(), "-f", "-qq", "-o", "/dev/null", *options]


def run_script_under_strace(strace_args: list[str], script: str, *args: object, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one of tests/support/scripts/ under strace with ``strace_args``."""
    cmd = [*strace_prefix(*strace_args), *script_cmd(script, *args)]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, env=child_env())


def read_result(path: Path) -> dict:
    """The JSON result a helper script left (written with pwrite, which injected write faults miss)."""
    text = path.read_bytes().rstrip(b"\0").decode()
    assert text, f"the helper wrote no result to {path}"
    return json.loads(text)


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


def read_only_prefix(read_only_dir: Path, tmp_path: Path) -> list[str]:
    """A prefix that runs a command with ``read_only_dir`` bind-mounted read-only (in a private mount namespace)."""
    probe_dir = tmp_path / "ro-probe"
    probe_dir.mkdir(exist_ok=True)
    problem = _ro_mount_problem(str(probe_dir))
    if problem:
        pytest.skip(problem)
    script = 'dir="$1"; shift; mount --bind -o ro "$dir" "$dir" || exit 99; exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", str(read_only_dir)]
