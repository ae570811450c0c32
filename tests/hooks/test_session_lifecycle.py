"""``synapse hook session-start`` and ``session-end``, run as the installed console script."""

from __future__ import annotations

import calendar
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synapse_cli.core.project import init_project
from tests.support.files import age, log_text, read_json, snapshot, write_config
from tests.support.paths import PAYLOADS, SID
from tests.support.run import assert_silent_success, prompt, run_synapse, synapse_executable
from tests.support.sessions import iso, session_path, write_session

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FORBIDDEN = {"typer", "rich", "yaml", "_yaml", "pydantic", "pydantic_core", "click", "logging", "pathlib", "dataclasses", "typing"}


def lifecycle_event(kind: str, project: Path | str, **changes) -> bytes:
    """The Claude SessionStart / SessionEnd fixture with cwd set to ``project``."""
    data = json.loads((PAYLOADS / f"claude-session-{kind}.json").read_text())
    data["cwd"] = str(project)
    data.update(changes)
    return json.dumps(data).encode()


def start(project: Path, *, cwd: Path, env: dict | None = None, **changes):
    return run_synapse(["hook", "session-start"], input=lifecycle_event("start", project, **changes), cwd=cwd, env=env)


def end(project: Path, *, cwd: Path, env: dict | None = None, **changes):
    return run_synapse(["hook", "session-end"], input=lifecycle_event("end", project, **changes), cwd=cwd, env=env)


def names(project: Path) -> set[str]:
    return {p.name[:-5] for p in (project / ".synapse" / "sessions").glob("*.json")}


def _parse_iso(text: str) -> float:
    return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) + int(text[20:23]) / 1000


# -- session-start -----------------------------------------------------------------


def test_session_start_creates_the_missing_session_silently(project, elsewhere):
    """session-start from an unrelated folder creates the session with prompt_count 0, prints nothing and exits 0."""
    assert_silent_success(start(project, cwd=elsewhere))
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == 0
    assert session["uuid"] == SID and session["cwd"] == str(project) and session["label"] == "project"
    assert session["context"]["last_bracket"] == "FRESH"
    assert ISO_MS_Z.match(session["started"]) and session["started"] == session["last_activity"]
    assert not (elsewhere / ".synapse").exists()


def test_session_started_then_prompted_has_the_shape_of_a_prompt_created_session(tmp_path, elsewhere):
    """A session created by session-start then one prompt equals (but for times and paths) one created by the prompt alone."""
    a = tmp_path / "a"
    b = tmp_path / "b"
    for root in (a, b):
        root.mkdir()
        init_project(str(root))
    assert_silent_success(start(a, cwd=elsewhere))
    prompt(a, run_in=elsewhere)
    prompt(b, run_in=elsewhere)
    one, two = read_json(session_path(a, SID)), read_json(session_path(b, SID))
    assert list(one) == list(two)
    for key in ("started", "last_activity", "cwd", "label"):
        one.pop(key), two.pop(key)
    assert one == two and one["prompt_count"] == 1


def test_session_start_keeps_an_existing_session_and_only_marks_activity(project, elsewhere):
    """A resumed session's start keeps every field and its prompt_count; only last_activity moves on."""
    prompt(project, run_in=elsewhere)
    prompt(project, run_in=elsewhere)
    # Date the last activity an hour back, so "moved on" does not depend on the clock ticking.
    path = session_path(project, SID)
    before = read_json(path)
    before["last_activity"] = iso(time.time() - 3600)
    path.write_text(json.dumps(before, indent=2))
    assert_silent_success(start(project, cwd=elsewhere, source="resume"))
    after = read_json(session_path(project, SID))
    assert after["prompt_count"] == 2
    assert _parse_iso(after["last_activity"]) > _parse_iso(before["last_activity"])
    after.pop("last_activity"), before.pop("last_activity")
    assert after == before


def test_session_resumed_after_the_ttl_is_not_removed_by_its_own_start(project, elsewhere):
    """A session idle for longer than the TTL and then resumed survives the start's cleanup, with its history."""
    path = write_session(project, SID, age_hours=240, prompt_count=40, title="Login page",
                         history={"star_commands_used": [], "domains_loaded_last": [], "agents_activated": ["dev", "qa"]})
    assert_silent_success(start(project, cwd=elsewhere, source="resume", env={"SYNAPSE_START_CLEANUP_INTERVAL_SECONDS": "0"}))
    assert path.exists(), "the resumed session was removed as stale by its own session-start"
    kept = read_json(path)
    assert kept["prompt_count"] == 40 and kept["title"] == "Login page"
    assert kept["history"]["agents_activated"] == ["dev", "qa"]


def test_session_start_sets_aside_a_corrupt_file_and_starts_afresh(project, elsewhere, sessions_dir):
    """A corrupt session file in the way is moved aside (kept) and a fresh session with prompt_count 0 takes its place."""
    session_path(project, SID).write_text("{torn")
    assert_silent_success(start(project, cwd=elsewhere))
    assert read_json(session_path(project, SID))["prompt_count"] == 0
    aside = [p for p in sessions_dir.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_text() == "{torn"


def test_session_start_prints_nothing_even_with_debug_and_stale_sessions(project, elsewhere):
    """With --debug and stale sessions to clean, session-start's stdout stays empty (it would reach the model); diagnostics go to stderr."""
    write_session(project, "stale-x", age_hours=500)
    result = run_synapse(["hook", "session-start", "--debug"], input=lifecycle_event("start", project), cwd=elsewhere)
    assert result.returncode == 0 and result.stdout == b""
    assert b"cleanup of" in result.stderr
    assert "stale-x" not in names(project)


@pytest.mark.parametrize("run_event", [start, end], ids=["session-start", "session-end"])
def test_lifecycle_event_outside_a_project_creates_nothing(tmp_path, elsewhere, run_event):
    """session-start and session-end for a folder without .synapse/ exit 0 silently and create no file anywhere."""
    bare = tmp_path / "bare"
    bare.mkdir()
    before = snapshot(tmp_path, skip_cache=False)
    assert_silent_success(run_event(bare, cwd=elsewhere))
    assert snapshot(tmp_path, skip_cache=False) == before


def test_session_start_cleanup_runs_once_per_interval_across_sessions(project, elsewhere):
    """Start A removes the stale sessions; a new stale session survives start B within the default interval; with interval 0 start C removes it."""
    write_session(project, "stale-1", age_hours=200)
    write_session(project, "stale-2", age_hours=900)
    write_session(project, "fresh", age_hours=2)
    assert_silent_success(start(project, cwd=elsewhere, session_id="session-a"))
    assert names(project) == {"session-a", "fresh"}

    write_session(project, "stale-3", age_hours=300)
    assert_silent_success(start(project, cwd=elsewhere, session_id="session-b"))
    assert names(project) == {"session-a", "session-b", "fresh", "stale-3"}

    assert_silent_success(start(project, cwd=elsewhere, session_id="session-c", env={"SYNAPSE_START_CLEANUP_INTERVAL_SECONDS": "0"}))
    assert names(project) == {"session-a", "session-b", "session-c", "fresh"}


def test_many_starts_in_a_row_clean_once(project, elsewhere):
    """Five session starts in a row with stale sessions appearing between them clean only at the first start."""
    removed_log = []
    for index in range(5):
        write_session(project, f"stale-{index}", age_hours=400)
        assert_silent_success(start(project, cwd=elsewhere, session_id=f"s-{index}"))
        removed_log.append(f"stale-{index}" not in names(project))
    assert removed_log == [True, False, False, False, False]
    assert log_text(project).count("cleanup of") == 1


def test_start_cleanup_interval_from_the_config_file(project, elsewhere):
    """synapse.session.startCleanupIntervalSeconds: 0 in the project's config makes every start clean."""
    write_config(project, "synapse:\n  session:\n    startCleanupIntervalSeconds: 0\n")
    write_session(project, "stale-1", age_hours=500)
    assert_silent_success(start(project, cwd=elsewhere, session_id="a"))
    write_session(project, "stale-2", age_hours=500)
    assert_silent_success(start(project, cwd=elsewhere, session_id="b"))
    assert names(project) == {"a", "b"}


def test_start_cleanup_interval_env_overrides_the_config_file(project, elsewhere):
    """SYNAPSE_START_CLEANUP_INTERVAL_SECONDS wins over the config file: a long interval from the env stops the second cleanup."""
    write_config(project, "synapse:\n  session:\n    startCleanupIntervalSeconds: 0\n")
    env = {"SYNAPSE_START_CLEANUP_INTERVAL_SECONDS": "3600"}
    write_session(project, "stale-1", age_hours=500)
    assert_silent_success(start(project, cwd=elsewhere, session_id="a", env=env))
    write_session(project, "stale-2", age_hours=500)
    assert_silent_success(start(project, cwd=elsewhere, session_id="b", env=env))
    assert names(project) == {"a", "b", "stale-2"}


def test_start_cleanup_runs_again_after_the_interval(project, elsewhere):
    """Once the interval has passed since the last start cleanup, the next start cleans again."""
    env = {"SYNAPSE_START_CLEANUP_INTERVAL_SECONDS": "3600"}
    assert_silent_success(start(project, cwd=elsewhere, session_id="a", env=env))
    write_session(project, "stale", age_hours=500)
    assert_silent_success(start(project, cwd=elsewhere, session_id="b", env=env))
    assert "stale" in names(project)
    # The last start cleanup's time is its marker's mtime: date it an interval back instead of waiting.
    age(project / ".synapse" / "cache" / "last-start-cleanup", 3601)
    assert_silent_success(start(project, cwd=elsewhere, session_id="c", env=env))
    assert "stale" not in names(project)


def test_start_with_auto_clean_off_never_cleans(project, elsewhere):
    """With synapse.session.autoClean off, session-start creates the session and removes nothing."""
    write_session(project, "stale", age_hours=500)
    assert_silent_success(start(project, cwd=elsewhere, env={"SYNAPSE_AUTO_CLEAN": "false", "SYNAPSE_START_CLEANUP_INTERVAL_SECONDS": "0"}))
    assert names(project) == {SID, "stale"}


def test_session_start_is_safe_beside_a_concurrent_prompt(project, elsewhere):
    """Run asynchronously, session-start racing the session's first prompt never loses the prompt: every session ends with prompt_count 1."""
    exe = synapse_executable()
    env = dict(os.environ, SYNAPSE_START_CLEANUP_INTERVAL_SECONDS="0")
    for index in range(6):
        sid = f"race-{index}"
        prompt_event = json.loads((PAYLOADS / "claude-user-prompt-submit.json").read_text())
        prompt_event.update(session_id=sid, cwd=str(project))
        procs = []
        for args, payload in (
            (["hook", "session-start"], lifecycle_event("start", project, session_id=sid)),
            (["hook", "prompt-submit"], json.dumps(prompt_event).encode()),
        ):
            proc = subprocess.Popen([exe, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=elsewhere, env=env)
            procs.append((proc, payload))
        for proc, payload in procs:
            out, err = proc.communicate(payload, timeout=30)
            assert (proc.returncode, out, err) == (0, b"", b"")
        assert read_json(session_path(project, sid))["prompt_count"] == 1, sid


def test_concurrent_session_starts_all_succeed(project, elsewhere):
    """Eight session starts at once (each cleaning, interval 0) all exit 0 silently and all eight sessions exist."""
    exe = synapse_executable()
    env = dict(os.environ, SYNAPSE_START_CLEANUP_INTERVAL_SECONDS="0")
    for index in range(4):
        write_session(project, f"stale-{index}", age_hours=500)
    procs = []
    for index in range(8):
        proc = subprocess.Popen([exe, "hook", "session-start"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=elsewhere, env=env)
        procs.append((proc, lifecycle_event("start", project, session_id=f"c-{index}")))
    for proc, payload in procs:
        out, err = proc.communicate(payload, timeout=30)
        assert (proc.returncode, out, err) == (0, b"", b"")
    assert names(project) == {f"c-{index}" for index in range(8)}


# -- session-end -------------------------------------------------------------------


def test_session_end_records_when_and_why_and_keeps_every_other_key(project, elsewhere):
    """session-end adds ended_at (ISO ms Z, now) and end_reason (the event's reason) without counting a prompt; every other key, unknown ones included, stays."""
    write_session(
        project, SID, prompt_count=7,
        x_plugin={"state": [1, "two", None]}, title="Importer work",
        context={"last_bracket": "MODERATE", "last_tokens_used": 1234, "last_context_percent": 55, "x_extra": True},
        overrides={"mode": "yolo"},
    )
    before = read_json(session_path(project, SID))
    t0 = time.time()
    assert_silent_success(end(project, cwd=elsewhere))
    t1 = time.time()
    after = read_json(session_path(project, SID))
    assert after["end_reason"] == "prompt_input_exit"
    assert ISO_MS_Z.match(after["ended_at"]), after["ended_at"]
    assert t0 - 1 <= _parse_iso(after["ended_at"]) <= t1 + 1
    assert after["prompt_count"] == 7
    assert ISO_MS_Z.match(after["last_activity"])
    assert {k: v for k, v in after.items() if k not in ("ended_at", "end_reason", "last_activity")} == {
        k: v for k, v in before.items() if k != "last_activity"
    }
    assert list(after)[: len(before)] == list(before)


@pytest.mark.parametrize("reason", ["clear", "logout", "prompt_input_exit", "other", "a-future-reason"])
def test_session_end_records_each_reason_as_given(project, elsewhere, reason):
    """Whatever reason the event gives is recorded as end_reason."""
    prompt(project, run_in=elsewhere)
    assert_silent_success(end(project, cwd=elsewhere, reason=reason))
    session = read_json(session_path(project, SID))
    assert session["end_reason"] == reason and session["prompt_count"] == 1


def test_session_end_after_a_real_session(project, elsewhere):
    """start, two prompts, end: the session ends with prompt_count 2, ended_at not before started, and the end reason."""
    assert_silent_success(start(project, cwd=elsewhere))
    prompt(project, run_in=elsewhere)
    prompt(project, run_in=elsewhere)
    assert_silent_success(end(project, cwd=elsewhere))
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == 2 and session["end_reason"] == "prompt_input_exit"
    assert session["ended_at"] >= session["started"]


def test_session_end_without_a_session_file_does_nothing(project, elsewhere):
    """session-end for a session that has no file creates nothing (not even a lock file) and exits 0 silently."""
    def without_the_log(entries: dict) -> dict:
        return {name: entry for name, entry in entries.items() if name not in (".synapse/cache", ".synapse/cache/synapse.log")}

    before = without_the_log(snapshot(project, skip_cache=False))
    assert_silent_success(end(project, cwd=elsewhere))
    assert without_the_log(snapshot(project, skip_cache=False)) == before
    assert list((project / ".synapse" / "sessions").iterdir()) == []


def test_session_end_leaves_a_corrupt_file_in_place(project, elsewhere):
    """session-end finding an unusable session file leaves it byte-identical, exits 0 silently and logs the problem."""
    session_path(project, SID).write_bytes(b'{"schema_version": "2.0", "prompt_count": ')
    before = snapshot(project)
    assert_silent_success(end(project, cwd=elsewhere))
    assert snapshot(project) == before
    assert "WARNING" in log_text(project)


@pytest.mark.parametrize("payload", [b"", b"{not json", b"[]", b'{"session_id": "../../x", "cwd": "/"}'])
def test_session_end_with_a_bad_event_exits_0_and_changes_nothing(project, payload):
    """A bad SessionEnd event exits 0, prints nothing and changes no session."""
    write_session(project, SID, prompt_count=3)
    before = snapshot(project)
    result = run_synapse(["hook", "session-end"], input=payload, cwd=project)
    assert_silent_success(result)
    assert snapshot(project) == before


@pytest.mark.parametrize("hook_name,kind", [("session-end", "end"), ("session-start", "start")])
def test_lifecycle_hooks_take_the_fast_path(project, hook_name, kind):
    """Under -X importtime, session-end and session-start import no typer, click, rich, yaml or other heavy module, and still do their work."""
    write_session(project, SID, prompt_count=2)
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", synapse_executable(), "hook", hook_name],
        input=lifecycle_event(kind, project), cwd=project, env=env, capture_output=True, timeout=30,
    )
    assert result.returncode == 0 and result.stdout == b""
    modules = set()
    for line in result.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line and "imported package" not in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    assert {"synapse_cli.entry", "synapse_cli.hooks.runner", "synapse_cli.core.sessions.store"} <= modules
    assert {m for m in modules if m.split(".")[0] in FORBIDDEN} == set()
    assert not any(m == "synapse_cli.cli" or m.startswith("synapse_cli.cli.") for m in modules)
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == 2
    if kind == "end":
        assert session["end_reason"] == "prompt_input_exit"


def test_a_resumed_session_is_no_longer_marked_ended(project: Path) -> None:
    """After SessionEnd, the next prompt of the same session clears ended_at and end_reason."""
    prompt(project)
    end_event = json.dumps({"session_id": SID, "cwd": str(project), "hook_event_name": "SessionEnd", "reason": "logout"}).encode()
    assert_silent_success(run_synapse(["hook", "session-end"], input=end_event, cwd=project))
    assert read_json(session_path(project, SID))["end_reason"] == "logout"
    prompt(project)
    session = read_json(session_path(project, SID))
    assert "ended_at" not in session and "end_reason" not in session and session["prompt_count"] == 2
