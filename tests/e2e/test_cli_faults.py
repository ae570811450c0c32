"""Non-hook commands under real faults: exit 1, exactly one ``synapse:`` line on stderr, nothing damaged."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from tests.support.faults import read_only_prefix, strace_prefix
from tests.support.files import snapshot
from tests.support.output import one_error_line
from tests.support.paths import JS_WRITTEN
from tests.support.run import run_synapse
from tests.support.sessions import session_lock_path, write_session


def _no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if ".tmp." in p.name]


def test_session_update_on_a_read_only_folder(project, tmp_path):
    """``session update`` with .synapse/sessions read-only exits 1 with one line naming the problem; nothing changes."""
    write_session(project, "s1")
    before = snapshot(project)
    cmd = read_only_prefix(project / ".synapse" / "sessions", tmp_path)
    result = run_synapse(["session", "update", "s1"], prefix=cmd, cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Read-only file system" in one_error_line(result.stderr)
    assert result.stdout == b""
    assert snapshot(project) == before


def test_session_update_when_the_disk_is_full_at_fsync(project):
    """fsync failing with ENOSPC: exit 1, one line, the session keeps its bytes and no temp file is left."""
    path = write_session(project, "s1", prompt_count=3)
    before = path.read_bytes()
    cmd = strace_prefix("-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC")
    result = run_synapse(["session", "update", "s1", "--json"], prefix=cmd, cwd=project)
    assert result.returncode == 1
    assert "No space left on device" in one_error_line(result.stderr)
    assert result.stdout == b""
    assert path.read_bytes() == before
    assert _no_temp_files(path.parent)


def test_metrics_persist_when_the_disk_is_full_keeps_the_old_file(project):
    """``metrics persist`` with every file write failing (ENOSPC on the temp file) exits 1 and the old metrics file keeps its bytes."""
    assert run_synapse(["metrics", "persist", str(JS_WRITTEN / "uap-metrics.json")], cwd=project).returncode == 0
    target = project / ".synapse" / "metrics" / "uap-metrics.json"
    before = target.read_bytes()
    cmd = strace_prefix("-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC")
    result = run_synapse(["metrics", "persist", "-"], prefix=cmd, input=json.dumps({"agentId": "qa"}).encode(), cwd=project)
    assert result.returncode == 1
    one_error_line(result.stderr)
    assert target.read_bytes() == before
    assert _no_temp_files(target.parent)


def test_session_update_with_the_lock_held_by_another_process(project):
    """A lock held by another process makes ``session update`` exit 1 after the configured wait, with one line."""
    path = write_session(project, "s1")
    before = path.read_bytes()
    fd = os.open(session_lock_path(project / ".synapse" / "sessions", "s1"), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = run_synapse(["session", "update", "s1"], cwd=project, env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "0.3"})
    finally:
        os.close(fd)
    assert result.returncode == 1
    assert "timed out" in one_error_line(result.stderr)
    assert path.read_bytes() == before


def test_state_update_on_a_read_only_folder(project, tmp_path):
    """``state update`` with .aios/ read-only exits 1 with one line; the state file keeps its bytes."""
    assert run_synapse(["state", "update", "--command", "a"], cwd=project).returncode == 0
    state = project / ".aios" / "session-state.json"
    before = state.read_bytes()
    cmd = read_only_prefix(project / ".aios", tmp_path)
    result = run_synapse(["state", "update", "--command", "b"], prefix=cmd, cwd=project)
    assert result.returncode == 1
    one_error_line(result.stderr)
    assert state.read_bytes() == before


def test_debug_adds_diagnostics_but_keeps_the_exit_code(project):
    """With ``--debug`` the core's diagnostics may precede the final ``synapse:`` line; the exit code stays 1."""
    write_session(project, "s1")
    cmd = strace_prefix("-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC")
    result = run_synapse(["--debug", "session", "update", "s1"], prefix=cmd, cwd=project)
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert lines[-1].startswith("synapse: ")
    assert any("[atomic-write]" in line for line in lines[:-1])
