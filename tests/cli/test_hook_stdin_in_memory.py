"""The hook reads its event without a temp file: straight from a real stdin, and through a pipe when stdin is
an in-memory stream (Typer's CliRunner, an embedding caller), so the prompt text never touches the disk."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.faults import require_strace
from tests.support.files import read_json
from tests.support.run import PROMPT, child_env, claude_payload, synapse_executable
from tests.support.sessions import session_path

# Runs the hook in process as a test would, with the event the script itself got on its stdin.
IN_MEMORY = """
import sys
from typer.testing import CliRunner
from synapse_cli.cli.app import app
event = sys.stdin.buffer.read()
result = CliRunner().invoke(app, ["--project-dir", sys.argv[1], "hook", "prompt-submit"], input=event)
sys.exit(3 if result.exit_code or result.stdout else 0)
"""
_OPEN = re.compile(r'^\d+\s+(?:open|openat|creat)\((?:[^,]+, )?"(?P<path>[^"]*)", (?P<flags>[A-Z_|]+)', re.M)


def traced(cmd: list[str], event: bytes, tmp_path: Path) -> tuple[subprocess.CompletedProcess[bytes], str, Path]:
    """Run ``cmd`` with ``event`` on a pipe stdin under strace (every file open and creation); TMPDIR is a fresh folder."""
    log, tmpdir = tmp_path / "opens.strace", tmp_path / "tmpdir"
    tmpdir.mkdir()
    strace = [require_strace(), "-f", "-qq", "-e", "trace=open,openat,creat,memfd_create", "-o", str(log)]
    result = subprocess.run([*strace, *cmd], input=event, capture_output=True, timeout=60, env=child_env(TMPDIR=str(tmpdir)))
    return result, log.read_text(), tmpdir


def assert_no_temp_file(trace: str, project: Path, tmpdir: Path) -> None:
    """No O_TMPFILE open, nothing created in TMPDIR, and every file created is synapse's own, inside .synapse/."""
    assert "O_TMPFILE" not in trace
    assert list(tmpdir.iterdir()) == []
    assert str(tmpdir) not in trace
    created = [m["path"] for m in _OPEN.finditer(trace) if "O_CREAT" in m["flags"] or m.group(0).startswith("creat")]
    assert created, "the trace shows no file creation at all: it did not record the opens"
    outside = [p for p in created if not p.startswith(str(project / ".synapse") + "/")]
    assert outside == []


def test_the_installed_hook_run_normally_creates_no_temp_file(project, tmp_path):
    """`synapse hook prompt-submit` with the event on a pipe reads it from the pipe: no temp file anywhere."""
    event = claude_payload(cwd=str(project), session_id="normal-run")
    result, trace, tmpdir = traced([synapse_executable(), "--project-dir", str(project), "hook", "prompt-submit"], event, tmp_path)
    assert result.returncode == 0 and result.stdout == b"", result.stderr
    assert read_json(session_path(project, "normal-run"))["prompt_count"] == 1
    assert_no_temp_file(trace, project, tmpdir)


def test_the_in_memory_stdin_goes_through_a_pipe_not_a_temp_file(project, tmp_path):
    """The Typer command with CliRunner's in-memory stdin records the prompt, with no temp file (it used O_TMPFILE)."""
    event = claude_payload(cwd=str(project), session_id="in-memory")
    result, trace, tmpdir = traced([sys.executable, "-c", IN_MEMORY, str(project)], event, tmp_path)
    assert result.returncode == 0, result.stderr
    assert read_json(session_path(project, "in-memory"))["prompt_count"] == 1
    assert_no_temp_file(trace, project, tmpdir)


def test_an_in_memory_event_larger_than_a_pipe_is_recorded(cli, project):
    """A 2 MiB prompt is far more than a pipe holds: the feeding thread writes it while the hook reads."""
    event = claude_payload(cwd=str(project), session_id="big-paste", prompt=PROMPT + " " + "x" * (2 * 1024 * 1024))
    before = threading.active_count()
    result = cli(project, "hook", "prompt-submit", input=event)
    assert result.exit_code == 0 and result.stdout == ""
    assert read_json(session_path(project, "big-paste"))["prompt_count"] == 1
    assert threading.active_count() == before  # the feeding thread ended


def test_an_in_memory_event_over_the_limit_is_ignored_at_once(cli, project):
    """Over 8 MiB the reader stops early: the hook still exits 0 promptly, records nothing, and leaves no thread."""
    from synapse_cli.hooks.events import MAX_PAYLOAD_BYTES

    event = claude_payload(cwd=str(project), session_id="too-big", prompt="x" * (MAX_PAYLOAD_BYTES + 1024))
    before = threading.active_count()
    started = time.monotonic()
    result = cli(project, "hook", "prompt-submit", input=event)
    assert result.exit_code == 0 and result.stdout == ""
    assert time.monotonic() - started < 10
    assert not session_path(project, "too-big").exists()
    assert threading.active_count() == before
