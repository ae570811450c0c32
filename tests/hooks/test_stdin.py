"""The hook's stdin read is bounded in time and size: it never hangs on an open pipe or a huge payload."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

from tests.support.files import log_text, read_json
from tests.support.paths import SID
from tests.support.run import PROMPT, assert_silent_success, claude_payload, hook, synapse_executable
from tests.support.sessions import session_path, write_session

STDIN_BOUND = 2.0


def _start_hook(project, **kwargs):
    env = dict(os.environ)
    env.update(kwargs.pop("env", {}))
    return subprocess.Popen(
        [synapse_executable(), "hook", "prompt-submit"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=project, env=env, **kwargs,
    )


def _finish(proc, timeout):
    """Wait for the hook while its stdin stays open; return (returncode, stdout, stderr, elapsed)."""
    started = time.monotonic()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"the hook was still running after {timeout} s with stdin held open")
    elapsed = time.monotonic() - started
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdin.close()
    proc.stdout.close()
    proc.stderr.close()
    return proc.returncode, out, err, elapsed


def test_complete_payload_on_a_pipe_left_open_finishes_quickly(project):
    """A whole JSON event written to a pipe that is never closed is processed at once, well before the 2 s bound."""
    proc = _start_hook(project)
    started = time.monotonic()
    proc.stdin.write(claude_payload(cwd=str(project)))
    proc.stdin.flush()
    code, out, err, _ = _finish(proc, timeout=10)
    elapsed = time.monotonic() - started
    assert (code, out, err) == (0, b"", b"")
    assert elapsed < 1.5, f"took {elapsed:.2f} s although the event was complete"
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_nothing_written_on_a_pipe_left_open_ends_within_the_bound(project):
    """With stdin open and silent, the hook gives up after about 2 s, exits 0 silently, and records nothing."""
    proc = _start_hook(project)
    code, out, err, elapsed = _finish(proc, timeout=10)
    assert (code, out, err) == (0, b"", b"")
    assert STDIN_BOUND - 0.2 <= elapsed < STDIN_BOUND + 2.5, f"ended after {elapsed:.2f} s"
    assert not session_path(project, SID).exists()
    assert "did not close" in log_text(project)


def test_partial_payload_on_a_pipe_left_open_ends_within_the_bound(project):
    """Half an event on a pipe that stays open is abandoned after the bound; the existing session is untouched."""
    path = write_session(project, SID, prompt_count=4)
    before = path.read_bytes()
    proc = _start_hook(project)
    proc.stdin.write(claude_payload(cwd=str(project))[:40])
    proc.stdin.flush()
    code, out, err, elapsed = _finish(proc, timeout=10)
    assert (code, out, err) == (0, b"", b"")
    assert elapsed < STDIN_BOUND + 2.5
    assert path.read_bytes() == before


def test_20_mb_payload_does_not_hang_and_is_not_written(project):
    """A 20 MB event exits 0 silently and quickly, leaves the session intact, and its prompt lands in no file."""
    path = write_session(project, SID, prompt_count=2)
    big_prompt = "Z" * (20 * 1024 * 1024)
    payload = claude_payload(cwd=str(project), prompt=big_prompt)
    started = time.monotonic()
    result = hook(payload, cwd=project, timeout=30)
    elapsed = time.monotonic() - started
    assert_silent_success(result)
    assert elapsed < 10
    json.loads(path.read_text())
    assert "Z" * 1000 not in log_text(project)
    assert "larger than" in log_text(project)


def test_20_mb_payload_on_a_pipe_left_open_does_not_hang(project):
    """A writer pushing 20 MB into a pipe it never closes does not keep the hook running."""
    proc = _start_hook(project)
    payload = claude_payload(cwd=str(project), prompt="Q" * (20 * 1024 * 1024))

    def writer():
        try:
            proc.stdin.write(payload)
            proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    code, out, err, elapsed = _finish(proc, timeout=15)
    assert (code, out, err) == (0, b"", b"")
    thread.join(5)
    assert not thread.is_alive()


def test_empty_stdin_exits_0_and_records_nothing(project):
    """An empty stdin (closed at once) exits 0 silently and creates no session."""
    result = hook(b"", cwd=project)
    assert_silent_success(result)
    assert not list((project / ".synapse" / "sessions").glob("*.json"))
    assert "empty payload" in log_text(project)


def test_closed_stdin_exits_0(project):
    """A hook started with its stdin descriptor closed exits 0 silently and creates no session."""
    result = subprocess.run(
        ["sh", "-c", 'exec "$0" hook prompt-submit <&-', synapse_executable()],
        cwd=project, capture_output=True, timeout=10,
    )
    assert_silent_success(result)
    assert not list((project / ".synapse" / "sessions").glob("*.json"))


def test_devnull_stdin_exits_0(project):
    """A hook whose stdin is /dev/null exits 0 silently."""
    result = subprocess.run([synapse_executable(), "hook", "prompt-submit"], stdin=subprocess.DEVNULL, cwd=project, capture_output=True, timeout=10)
    assert_silent_success(result)
    assert PROMPT not in log_text(project)
