"""Files in a test's folder: before/after snapshots, reading what synapse wrote, real faults on files."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.run import LAUNCHER

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _skipped(rel: str, path: Path) -> bool:
    """The log/cache folder, and the empty ``*.lock`` sidecars, which carry no data (any locker may create one)."""
    if "/.synapse/cache" in f"/{rel}":
        return True
    return rel.endswith(".lock") and path.is_file() and not path.is_symlink() and path.stat().st_size == 0


def snapshot(root: Path, *, skip_cache: bool = True) -> dict[str, tuple]:
    """Every entry under ``root`` by relative path: files with their bytes, symlinks with their targets, folders.

    With ``skip_cache`` the log/cache folder and empty lock sidecars are left out, so a
    before/after comparison says "no data changed, nothing appeared, nothing went away".
    """
    entries: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if skip_cache and _skipped(rel, path):
            continue
        if path.is_symlink():
            entries[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            entries[rel] = ("dir",)
        elif path.is_file():
            entries[rel] = ("file", path.read_bytes())
    return entries


def file_contents(root: Path) -> dict[str, bytes]:
    """The bytes of every regular file under ``root`` (logs included), to prove some text was written nowhere."""
    return {rel: entry[1] for rel, entry in snapshot(root, skip_cache=False).items() if entry[0] == "file"}


def tree(root: Path) -> dict[str, tuple]:
    """Every entry under ``root`` without following symlinks: kind, bytes or link target, mode and mtime.

    Stricter than ``snapshot``: for code that must not touch anything at all, not even a date.
    """
    entries: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            entries[str(path)] = ("link", os.readlink(path), st.st_mtime_ns)
        elif stat.S_ISDIR(st.st_mode):
            entries[str(path)] = ("dir", stat.S_IMODE(st.st_mode))
        else:
            entries[str(path)] = ("file", path.read_bytes(), stat.S_IMODE(st.st_mode), st.st_mtime_ns)
    return entries


def age(path: Path, seconds: float, now: float | None = None) -> Path:
    """Date ``path`` (not a symlink's target) ``seconds`` before ``now``: an explicit clock instead of a sleep."""
    when = (time.time() if now is None else now) - seconds
    os.utime(path, (when, when), follow_symlinks=False)
    return path


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def log_text(project: Path) -> str:
    """The project's synapse log, or "" when nothing was logged."""
    path = project / ".synapse" / "cache" / "synapse.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def write_config(root: Path, body: str, folder: str = ".aios-core", *, age_seconds: float = 0) -> Path:
    """Write ``root/folder/core-config.yaml``, dated ``age_seconds`` ago (a file edited moments ago is never cached)."""
    path = root / folder / "core-config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    if age_seconds:
        age(path, age_seconds)
    return path


def make_project(path: Path) -> Path:
    """A project folder at ``path`` set up as ``synapse init`` does."""
    from synapse_cli.core.project import init_project

    path.mkdir(parents=True, exist_ok=True)
    init_project(str(path))
    return path


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[str]:
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


def installed_hook_command(agent: str | None = None) -> str:
    """The prompt command ``hook install`` writes here: this environment's launcher by its quoted path (it runs with a minimal PATH)."""
    command = f"'{LAUNCHER}' prompt-submit"
    return f"{command} --agent {agent}" if agent else command


def register_hook(project: Path, name: str = "settings.json") -> Path:
    """Write a Claude Code settings file whose UserPromptSubmit runs the installed hook command."""
    settings = project / ".claude" / name
    settings.parent.mkdir(exist_ok=True)
    handler = {"type": "command", "command": installed_hook_command(), "timeout": 10}
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [handler]}]}}, indent=2))
    return settings
