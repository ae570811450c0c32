"""Behaviours a first user found missing: each test fails on the code before its fix."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from tests.cli.support import read_json, session_path
from tests.conftest import claude_payload, run_synapse

from .support import SID, assert_silent_success, hook, log_text, prompt


def test_hook_never_waits_for_a_lock_near_the_editors_timeout(project: Path) -> None:
    """With lock.timeoutSeconds 30 and the session's lock held, the hook still gives up within a few seconds."""
    prompt(project)
    lock_path = session_path(project, SID).with_name(f"{SID}.json.lock")
    with open(lock_path, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        result = hook(claude_payload(cwd=str(project)), cwd=project, env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "30"})
        elapsed = time.monotonic() - started
    assert_silent_success(result)
    assert elapsed < 6, f"the hook waited {elapsed:.1f} s for a lock"
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_editor_project_folder_below_the_project_is_searched_upward(project: Path, tmp_path: Path) -> None:
    """CLAUDE_PROJECT_DIR naming a subfolder of the project records the prompt in the project."""
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    result = hook(claude_payload(cwd=str(sub)), cwd=tmp_path, env={"CLAUDE_PROJECT_DIR": str(sub)})
    assert_silent_success(result)
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_editor_project_folder_not_opted_in_falls_back_to_the_event_cwd(project: Path, tmp_path: Path) -> None:
    """A CLAUDE_PROJECT_DIR without .synapse/ does not hide the opted-in project the agent works in."""
    other = tmp_path / "other"
    other.mkdir()
    result = hook(claude_payload(cwd=str(project)), cwd=tmp_path, env={"CLAUDE_PROJECT_DIR": str(other)})
    assert_silent_success(result)
    assert read_json(session_path(project, SID))["prompt_count"] == 1
    assert list(other.iterdir()) == []


def test_usage_error_under_hook_is_logged_in_the_events_project(project: Path, tmp_path: Path) -> None:
    """A mistyped option in an installed hook command is logged to the project's log, found from the event's cwd."""
    result = run_synapse(["hook", "prompt-submit", "--agnet", "codex"], input=claude_payload(cwd=str(project)), cwd=tmp_path)
    assert_silent_success(result)
    assert "No such option: --agnet" in log_text(project)


def test_cursor_gets_its_answer_even_on_a_usage_error(project: Path, tmp_path: Path) -> None:
    """``--agent cursor`` with a bad option still answers {"continue": true} and exits 0."""
    event = {"conversation_id": "c1", "workspace_roots": [str(project)], "hook_event_name": "beforeSubmitPrompt"}
    result = run_synapse(["hook", "prompt-submit", "--agent", "cursor", "--bogus"], input=json.dumps(event).encode(), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == b""
    assert json.loads(result.stdout) == {"continue": True}


def test_a_resumed_session_is_no_longer_marked_ended(project: Path) -> None:
    """After SessionEnd, the next prompt of the same session clears ended_at and end_reason."""
    prompt(project)
    end_event = json.dumps({"session_id": SID, "cwd": str(project), "hook_event_name": "SessionEnd", "reason": "logout"}).encode()
    assert_silent_success(run_synapse(["hook", "session-end"], input=end_event, cwd=project))
    assert read_json(session_path(project, SID))["end_reason"] == "logout"
    prompt(project)
    session = read_json(session_path(project, SID))
    assert "ended_at" not in session and "end_reason" not in session and session["prompt_count"] == 2


def test_patch_with_a_history_value_of_the_wrong_type_is_refused(project: Path) -> None:
    """``--patch '{"history": {"agents_activated": "dev"}}'`` exits 1 and writes nothing."""
    result = run_synapse(["--project-dir", str(project), "session", "update", "s1", "--patch", '{"history": {"agents_activated": "dev"}}'])
    assert result.returncode == 1
    assert b"history.agents_activated should be a list" in result.stderr
    assert not session_path(project, "s1").exists()


def test_a_project_dir_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    """``--project-dir`` naming no folder exits 1 with one line and creates nothing."""
    missing = tmp_path / "nope"
    for args in (["init"], ["session", "list"]):
        result = run_synapse(["--project-dir", str(missing), *args])
        assert result.returncode == 1
        assert result.stderr.decode().strip() == f"synapse: --project-dir {missing}: no such folder"
    assert not missing.exists()


def test_warnings_about_bad_events_respect_the_log_size_limit(project: Path) -> None:
    """Warnings logged for bad events rotate at log.maxBytes like every other line."""
    env = {"SYNAPSE_LOG_MAX_BYTES": "1024"}
    for _ in range(30):
        assert_silent_success(hook(claude_payload(cwd=str(project), session_id="../x"), cwd=project, env=env))
    log_file = project / ".synapse" / "cache" / "synapse.log"
    assert log_file.stat().st_size <= 1024 + 400  # at most one line past the limit before rotating
    assert (project / ".synapse" / "cache" / "synapse.log.1").exists()
