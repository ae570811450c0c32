"""Whatever goes wrong, the installed hook exits 0, prints nothing on stdout, and damages nothing."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

import pytest

from tests.support.faults import read_only_prefix, strace_prefix
from tests.support.files import file_contents, log_text, read_json, snapshot
from tests.support.paths import SID
from tests.support.run import PROMPT, assert_silent_success, claude_payload, hook, prompt, run_synapse
from tests.support.sessions import session_data, session_lock_path, session_path, write_session


@pytest.fixture
def populated(project: Path) -> Path:
    """A project holding the Claude session (prompt 3), another session and the bridge file."""
    write_session(project, SID, prompt_count=3)
    write_session(project, "other-session", prompt_count=9)
    (project / ".synapse" / "sessions" / "_active-agent.json").write_text(
        '{\n  "id": "dev",\n  "activated_at": "2026-11-26T15:16:42.939Z",\n  "activation_quality": "full",\n  "source": "uap"\n}'
    )
    return project


BAD_PAYLOADS = {
    "not-json": b"this is not json",
    "truncated-json": claude_payload()[:-10],
    "empty": b"",
    "whitespace": b"  \n\t ",
    "json-array": b"[1, 2, 3]",
    "json-string": b'"session"',
    "json-null": b"null",
    "not-utf8": b'{"session_id": "\xff\xfe", "prompt": "x"}',
    "no-session-id": json.dumps({"cwd": "X", "prompt": PROMPT}).encode(),
    "session-id-null": claude_payload(session_id=None),
    "session-id-number": claude_payload(session_id=12345),
    "session-id-object": claude_payload(session_id={"id": "x"}),
    "session-id-empty": claude_payload(session_id=""),
    "traversal-dotdot": claude_payload(session_id="../../../etc/passwd"),
    "traversal-parent": claude_payload(session_id=".."),
    "traversal-sessions-sibling": claude_payload(session_id="../victim"),
    "slash": claude_payload(session_id="a/b"),
    "backslash": claude_payload(session_id="..\\..\\evil"),
    "nul": claude_payload(session_id="abc\x00def"),
    "absolute": claude_payload(session_id="/tmp/evil"),
    "hidden": claude_payload(session_id=".hidden"),
    "bridge-name": claude_payload(session_id="_active-agent"),
    "too-long": claude_payload(session_id="a" * 5000),
}


@pytest.mark.parametrize("payload", list(BAD_PAYLOADS.values()), ids=list(BAD_PAYLOADS))
def test_bad_input_exits_0_silently_and_damages_nothing(populated, tmp_path, payload):
    """Bad JSON, no or unsafe session ids: exit 0, empty stdout and stderr, no file changed or created, a log line."""
    payload = payload.replace(b'"cwd": "X"', f'"cwd": "{populated}"'.encode()).replace(b"/home/dev/projects/shop", str(populated).encode())
    before = snapshot(tmp_path)
    result = hook(payload, cwd=populated)
    assert_silent_success(result)
    assert snapshot(tmp_path) == before
    assert "WARNING" in log_text(populated)
    assert PROMPT not in log_text(populated)


def test_bad_input_with_debug_reports_on_stderr_only(populated):
    """With ``--debug`` (or SYNAPSE_DEBUG=1) the problem is printed on stderr; stdout stays empty and the exit code 0."""
    for args, env in [(("--debug",), None), ((), {"SYNAPSE_DEBUG": "1"})]:
        result = hook(b"{broken", cwd=populated, args=args, env=env)
        assert result.returncode == 0
        assert result.stdout == b""
        assert b"not valid JSON" in result.stderr


def test_usage_error_exits_0_silently(populated):
    """``synapse hook prompt-submit --bogus`` (the real console script) exits 0 with empty stdout and stderr."""
    before = snapshot(populated)
    for args in (["hook", "prompt-submit", "--bogus"], ["hook"], ["hook", "nope"], ["--nope", "hook", "prompt-submit"]):
        result = run_synapse(args, input=claude_payload(cwd=str(populated)), cwd=populated)
        assert_silent_success(result)
    assert snapshot(populated) == before
    assert "No such option: --bogus" in log_text(populated)


def test_help_still_works_through_typer(project):
    """``synapse hook prompt-submit --help`` exits 0 and shows the command's help."""
    result = run_synapse(["hook", "prompt-submit", "--help"], cwd=project)
    assert result.returncode == 0
    assert b"Usage" in result.stdout and b"prompt-submit" in result.stdout


CORRUPT_CONTENTS = {
    "torn": b'{"uuid": "9f1c2e7a", "schema_versi',
    "empty-file": b"",
    "binary": b"\x00\x01\x02\xff",
    "json-array": b"[]",
    "old-schema": json.dumps(session_data(SID, schema_version="1.0", prompt_count=5)).encode(),
    "bad-prompt-count": json.dumps(session_data(SID, prompt_count="seven")).encode(),
    "bad-context": json.dumps(session_data(SID, context=[])).encode(),
}


@pytest.mark.parametrize("content", list(CORRUPT_CONTENTS.values()), ids=list(CORRUPT_CONTENTS))
def test_corrupt_session_is_moved_aside_and_a_fresh_one_created(populated, content):
    """An unusable session file goes to ``<id>.json.corrupt-*`` with its bytes intact; a fresh session counts the prompt."""
    sessions = populated / ".synapse" / "sessions"
    session_path(populated, SID).write_bytes(content)
    others = {p.name: p.read_bytes() for p in sessions.iterdir() if p.name != f"{SID}.json"}
    result = hook(claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    aside = list(sessions.glob(f"{SID}.json.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == content
    fresh = read_json(session_path(populated, SID))
    assert fresh["prompt_count"] == 1 and fresh["schema_version"] == "2.0"
    for name, data in others.items():
        assert (sessions / name).read_bytes() == data
    assert "moved" in log_text(populated)


def test_symlinked_session_file_is_not_followed(populated, tmp_path):
    """A session path that is a symlink to an outside file is moved aside; the outside file is never written."""
    outside = tmp_path / "outside.json"
    outside.write_text('{"precious": true}')
    path = session_path(populated, SID)
    path.unlink()
    path.symlink_to(outside)
    result = hook(claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    assert outside.read_text() == '{"precious": true}'
    assert not path.is_symlink() and read_json(path)["prompt_count"] == 1


def test_lock_held_by_another_process_times_out_silently(populated):
    """With the session's lock held elsewhere, the hook gives up after SYNAPSE_LOCK_TIMEOUT_SECONDS, exits 0 silently, changes nothing."""
    before = snapshot(populated)
    fd = os.open(session_lock_path(populated / ".synapse" / "sessions", SID), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        result = hook(claude_payload(cwd=str(populated)), cwd=populated, env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "0.3"})
        elapsed = time.monotonic() - started
    finally:
        os.close(fd)
    assert_silent_success(result)
    assert 0.3 <= elapsed < 3
    assert snapshot(populated) == before
    assert "timed out" in log_text(populated)
    # once the lock is free the next prompt is counted again
    assert_silent_success(hook(claude_payload(cwd=str(populated)), cwd=populated))
    assert read_json(session_path(populated, SID))["prompt_count"] == 4


@pytest.mark.parametrize("errno_name", ["EROFS", "EACCES"])
def test_lock_file_that_cannot_be_opened_is_survived(populated, errno_name):
    """openat of the session's lock file failing (EROFS/EACCES via strace) still exits 0 silently; the session is untouched."""
    lock = str(session_lock_path(populated / ".synapse" / "sessions", SID))
    cmd = strace_prefix("-P", lock, "-e", f"inject=openat:error={errno_name}")
    before = snapshot(populated)
    result = run_synapse(["hook", "prompt-submit"], prefix=cmd, input=claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    assert snapshot(populated) == before
    assert "lock" in log_text(populated) and "not updated" in log_text(populated)


def test_session_file_that_cannot_be_read_is_survived(populated):
    """openat of the session file failing with EACCES exits 0 silently and neither replaces nor moves the file."""
    path = str(session_path(populated, SID))
    cmd = strace_prefix("-P", path, "-e", "inject=openat:error=EACCES")
    before = snapshot(populated)
    result = run_synapse(["hook", "prompt-submit"], prefix=cmd, input=claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    assert snapshot(populated) == before
    assert not list((populated / ".synapse" / "sessions").glob("*.corrupt-*"))


def test_read_only_sessions_folder_is_survived(populated, tmp_path):
    """With .synapse/sessions on a read-only bind mount, the hook exits 0 silently and logs the failure."""
    sessions = populated / ".synapse" / "sessions"
    before = snapshot(populated)
    cmd = read_only_prefix(sessions, tmp_path)
    result = run_synapse(["hook", "prompt-submit"], prefix=cmd, input=claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    assert snapshot(populated) == before
    assert "Read-only file system" in log_text(populated)


def test_read_only_synapse_folder_including_the_log_is_survived(populated, tmp_path):
    """With all of .synapse/ read-only (the log cannot be written either) the hook still exits 0 silently."""
    before = snapshot(populated, skip_cache=False)
    cmd = read_only_prefix(populated / ".synapse", tmp_path)
    result = run_synapse(["hook", "prompt-submit"], prefix=cmd, input=claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    assert snapshot(populated, skip_cache=False) == before


def test_disk_full_on_every_write_is_survived(populated):
    """Every write() failing with ENOSPC (strace): exit 0, nothing on stdout, the session keeps its bytes, no temp file left."""
    before = snapshot(populated)
    cmd = strace_prefix("-e", "trace=write", "-e", "inject=write:error=ENOSPC")
    result = run_synapse(["hook", "prompt-submit"], prefix=cmd, input=claude_payload(cwd=str(populated)), cwd=populated)
    assert result.returncode == 0
    assert result.stdout == b""
    assert snapshot(populated) == before
    assert not [p for p in (populated / ".synapse" / "sessions").iterdir() if ".tmp." in p.name]


def test_disk_full_at_fsync_is_survived_and_logged(populated):
    """fsync failing with ENOSPC (strace): exit 0 silently, the session keeps its bytes, no temp file, the failure logged."""
    before = snapshot(populated)
    cmd = strace_prefix("-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC")
    result = run_synapse(["hook", "prompt-submit"], prefix=cmd, input=claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    assert snapshot(populated) == before
    assert not [p for p in (populated / ".synapse" / "sessions").iterdir() if ".tmp." in p.name]
    assert "No space left on device" in log_text(populated)


def test_invalid_config_file_falls_back_to_defaults(populated):
    """Invalid YAML in the project config does not stop the hook: the prompt is counted, the problem logged, stderr empty."""
    (populated / ".aios-core").mkdir()
    (populated / ".aios-core" / "core-config.yaml").write_text("synapse: [unclosed\n")
    result = hook(claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(result)
    assert read_json(session_path(populated, SID))["prompt_count"] == 4
    assert "core-config.yaml" in log_text(populated)


def test_invalid_environment_value_falls_back_to_defaults(populated):
    """A bad SYNAPSE_* value is ignored by the hook (logged), and the prompt is still counted."""
    result = hook(claude_payload(cwd=str(populated)), cwd=populated, env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "soon"})
    assert_silent_success(result)
    assert read_json(session_path(populated, SID))["prompt_count"] == 4
    assert "SYNAPSE_LOCK_TIMEOUT_SECONDS" in log_text(populated)


def test_diagnostics_go_to_the_log_and_to_stderr_only_when_debugging(populated):
    """A normal prompt is silent; with --debug its diagnostics appear on stderr and, always, in the log."""
    quiet = hook(claude_payload(cwd=str(populated)), cwd=populated)
    assert_silent_success(quiet)
    loud = hook(claude_payload(cwd=str(populated)), cwd=populated, args=("--debug",))
    assert loud.returncode == 0 and loud.stdout == b""
    assert b"prompt 5 recorded" in loud.stderr
    assert "prompt 5 recorded" in log_text(populated)


def test_log_file_is_size_bounded(populated):
    """The log rotates at synapse.log.maxBytes, keeping one old generation, so it never grows without bound."""
    (populated / ".aios-core").mkdir()
    (populated / ".aios-core" / "core-config.yaml").write_text("synapse:\n  log:\n    maxBytes: 2048\n")
    for _ in range(40):
        result = hook(claude_payload(cwd=str(populated)), cwd=populated, args=("--debug",))
        assert result.returncode == 0 and result.stdout == b""
    cache = populated / ".synapse" / "cache"
    assert (cache / "synapse.log.1").exists()
    assert (cache / "synapse.log").stat().st_size <= 2048 + 512
    assert (cache / "synapse.log.1").stat().st_size <= 2048 + 512
    assert not list(cache.glob("synapse.log.2"))


def test_prompt_text_is_never_written_anywhere(populated, tmp_path):
    """After prompts of every kind (debug, corrupt file, bad id, bad JSON, first prompt cleanup) no file holds the prompt."""
    session_path(populated, "corrupt-one").write_text("{nope")
    runs = [
        (claude_payload(cwd=str(populated)), ("--debug",)),
        (claude_payload(cwd=str(populated), session_id="corrupt-one"), ("--debug",)),
        (claude_payload(cwd=str(populated), session_id="brand-new"), ()),
        (claude_payload(cwd=str(populated), session_id="../x"), ("--debug",)),
        (claude_payload(cwd=str(populated))[:-3], ("--debug",)),
        (claude_payload(cwd=str(populated), session_id="bad id with spaces"), ("--debug",)),
    ]
    for payload, args in runs:
        result = hook(payload, cwd=populated, args=args)
        assert result.returncode == 0 and result.stdout == b""
        assert PROMPT.encode() not in result.stderr
    files = file_contents(tmp_path)
    assert any(name.endswith("synapse.log") for name in files)
    offenders = [name for name, data in files.items() if PROMPT.encode() in data]
    assert offenders == []


def test_hook_never_waits_for_a_lock_near_the_editors_timeout(project: Path) -> None:
    """With lock.timeoutSeconds 30 and the session's lock held, the hook still gives up within a few seconds."""
    prompt(project)
    lock_path = session_lock_path(project / ".synapse" / "sessions", SID)
    with open(lock_path, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        result = hook(claude_payload(cwd=str(project)), cwd=project, env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "30"})
        elapsed = time.monotonic() - started
    assert_silent_success(result)
    assert elapsed < 6, f"the hook waited {elapsed:.1f} s for a lock"
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_usage_error_under_hook_is_logged_in_the_events_project(project: Path, tmp_path: Path) -> None:
    """A mistyped option in an installed hook command is logged to the project's log, found from the event's cwd."""
    result = run_synapse(["hook", "prompt-submit", "--agnet", "codex"], input=claude_payload(cwd=str(project)), cwd=tmp_path)
    assert_silent_success(result)
    assert "No such option: --agnet" in log_text(project)


def test_warnings_about_bad_events_respect_the_log_size_limit(project: Path) -> None:
    """Warnings logged for bad events rotate at log.maxBytes like every other line."""
    env = {"SYNAPSE_LOG_MAX_BYTES": "1024"}
    for _ in range(30):
        assert_silent_success(hook(claude_payload(cwd=str(project), session_id="../x"), cwd=project, env=env))
    log_file = project / ".synapse" / "cache" / "synapse.log"
    assert log_file.stat().st_size <= 1024 + 400  # at most one line past the limit before rotating
    assert (project / ".synapse" / "cache" / "synapse.log.1").exists()
