"""What the figures were measured on: CPU, memory, file system, Python, how synapse is installed, the commit."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from pathlib import Path

from .config import REPO
from .harness import Venv


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_kb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _filesystem(workdir: Path) -> str:
    fs = "unknown"
    try:
        best = ""
        target = str(workdir.resolve())
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            mount = parts[1] if len(parts) >= 3 else ""
            inside = target == mount or target.startswith(mount.rstrip("/") + "/")  # /work2 is not under /work
            if mount and inside and len(mount) >= len(best):
                best, fs = parts[1], f"{parts[2]} on {parts[1]} ({parts[0]})"
    except OSError:
        pass
    return fs


def _git() -> tuple[str | None, bool | None]:
    try:
        genv = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                env=genv, timeout=10).stdout.strip() or None
        status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, env=genv, timeout=10).stdout
        return commit, bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        return None, None


def machine_info(venv: Venv, workdir: Path) -> dict:
    mem_kb = _memory_kb()
    commit, dirty = _git()
    try:
        affinity: int | None = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": affinity,
        "memory_gb": round(mem_kb / 1048576, 1) if mem_kb else None,
        "kernel": platform.release(),
        "platform": platform.platform(),
        "python": venv.info.get("python_version"),
        "python_executable": venv.python,
        "venv": str(venv.root),
        "venv_built_by_bench": venv.built,
        "synapse_version": venv.info.get("synapse_version"),
        "synapse_installed_at": venv.info.get("synapse_file"),
        "editable_install": venv.info.get("editable"),
        "bytecode_present": venv.info.get("bytecode_present"),
        "child_dont_write_bytecode": venv.info.get("dont_write_bytecode"),
        "filesystem": _filesystem(workdir),
        "git_commit": commit,
        "git_dirty": dirty,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
