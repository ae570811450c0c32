"""Stale-session cleanup started by the installed hook on a session's first prompt."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from tests.support.files import log_text, read_json, write_config
from tests.support.paths import SID
from tests.support.run import FAST_CLEANUP_ENV, assert_silent_success, claude_payload, hook, prompt
from tests.support.sessions import iso, session_data, session_path, write_session


def _bridge(project: Path) -> Path:
    path = project / ".synapse" / "sessions" / "_active-agent.json"
    path.write_text(json.dumps({"id": "dev", "activated_at": "2020-01-01T00:00:00.000Z", "activation_quality": "full", "source": "uap"}))
    old = time.time() - 2000 * 3600
    os.utime(path, (old, old))
    return path


def _names(project: Path) -> set[str]:
    return {p.name for p in (project / ".synapse" / "sessions").glob("*.json")}


def test_first_prompt_removes_stale_sessions_and_keeps_the_rest(project, sessions_dir):
    """The first prompt removes sessions whose last_activity and mtime are past 168 h, and keeps everything else."""
    write_session(project, "stale-1", age_hours=200)
    write_session(project, "stale-2", age_hours=24 * 30)
    write_session(project, "fresh", age_hours=1)
    write_session(project, "almost", age_hours=160)
    touched = write_session(project, "old-but-touched", age_hours=500)
    os.utime(touched, None)  # mtime now: some writer touched it recently
    future = write_session(project, "future-date", age_hours=500, last_activity=iso(time.time() + 3600 * 24))
    bad_date = write_session(project, "bad-date", age_hours=500, last_activity="not a date")
    no_date = write_session(project, "no-date", age_hours=500)
    data = read_json(no_date)
    del data["last_activity"]
    no_date.write_text(json.dumps(data))
    corrupt = sessions_dir / "corrupt.json"
    corrupt.write_bytes(b"{torn")
    for path in (no_date, corrupt, future, bad_date):
        os.utime(path, (time.time() - 500 * 3600,) * 2)
    bridge = _bridge(project)
    bridge_bytes = bridge.read_bytes()

    prompt(project, env=FAST_CLEANUP_ENV)

    assert _names(project) == {
        f"{SID}.json", "fresh.json", "almost.json", "old-but-touched.json", "future-date.json",
        "bad-date.json", "no-date.json", "corrupt.json", "_active-agent.json",
    }
    assert bridge.read_bytes() == bridge_bytes
    assert corrupt.read_bytes() == b"{torn"
    assert re.search(r"DEBUG cleanup of .*: removed 2 stale session\(s\) \(ttl 168 h\)", log_text(project))


def test_cleanup_never_follows_symlinks_or_recurses(project, sessions_dir, tmp_path):
    """A stale-looking symlink, a sub-folder named *.json and files inside sub-folders are left alone."""
    outside = write_session(project, "outside-target", age_hours=900)
    target = tmp_path / "target.json"
    os.replace(outside, target)
    (sessions_dir / "link.json").symlink_to(target)
    nested = sessions_dir / "nested"
    nested.mkdir()
    inner = write_session(project, "inner", age_hours=900)
    os.replace(inner, nested / "inner.json")
    (sessions_dir / "folder.json").mkdir()
    prompt(project, env=FAST_CLEANUP_ENV)
    assert target.exists() and (sessions_dir / "link.json").is_symlink()
    assert (nested / "inner.json").exists() and (sessions_dir / "folder.json").is_dir()


def test_second_prompt_does_not_clean(project, sessions_dir):
    """Cleanup runs only on a session's first prompt: a stale file created after it survives the second prompt."""
    prompt(project, env=FAST_CLEANUP_ENV)
    write_session(project, "stale-later", age_hours=900)
    prompt(project, env=FAST_CLEANUP_ENV)
    assert (sessions_dir / "stale-later.json").exists()
    assert read_json(session_path(project, SID))["prompt_count"] == 2
    # and a new session's first prompt does clean it
    prompt(project, env=FAST_CLEANUP_ENV, session_id="another-session")
    assert not (sessions_dir / "stale-later.json").exists()


def test_first_prompt_of_a_session_created_elsewhere_with_count_zero_cleans(project, sessions_dir):
    """A session file that exists with prompt_count 0 (created, never prompted) still gets its first-prompt cleanup."""
    write_session(project, SID, prompt_count=0)
    write_session(project, "stale", age_hours=900)
    prompt(project, env=FAST_CLEANUP_ENV)
    assert not (sessions_dir / "stale.json").exists()
    assert read_json(session_path(project, SID))["prompt_count"] == 1


@pytest.mark.parametrize("with_config,removed", [(True, True), (False, False)], ids=["ttl-24-from-config", "default-168"])
def test_ttl_from_project_config_is_honoured(project, sessions_dir, with_config, removed):
    """``synapse.session.staleTTLHours: 24`` in .aios-core/core-config.yaml makes a 30 h old session stale."""
    if with_config:
        write_config(project, "synapse:\n  session:\n    staleTTLHours: 24\n")
    write_session(project, "thirty-hours", age_hours=30)
    write_session(project, "ten-hours", age_hours=10)
    prompt(project, env=FAST_CLEANUP_ENV)
    assert (sessions_dir / "thirty-hours.json").exists() is not removed
    assert (sessions_dir / "ten-hours.json").exists()
    assert f"(ttl {24 if with_config else 168} h)" in log_text(project)


def test_ttl_from_the_environment_is_honoured(project, sessions_dir):
    """``SYNAPSE_STALE_TTL_HOURS`` sets the TTL for the hook's cleanup."""
    write_session(project, "five-hours", age_hours=5)
    prompt(project, env={**FAST_CLEANUP_ENV, "SYNAPSE_STALE_TTL_HOURS": "2"})
    assert not (sessions_dir / "five-hours.json").exists()


@pytest.mark.parametrize("how", ["config", "env"])
def test_auto_clean_false_turns_cleanup_off(project, sessions_dir, how):
    """``synapse.session.autoClean: false`` (or SYNAPSE_AUTO_CLEAN=false) leaves stale sessions on the first prompt."""
    env = dict(FAST_CLEANUP_ENV)
    if how == "config":
        write_config(project, "synapse:\n  session:\n    autoClean: false\n")
    else:
        env["SYNAPSE_AUTO_CLEAN"] = "false"
    write_session(project, "stale", age_hours=900)
    prompt(project, env=env)
    assert (sessions_dir / "stale.json").exists()
    assert "cleanup of" not in log_text(project)


def test_a_config_edit_takes_effect_on_the_next_run(project, sessions_dir):
    """Editing the cached config file (same size, same inode) changes the TTL of the very next hook run despite the config cache."""
    config = write_config(project, "synapse:\n  session:\n    staleTTLHours: 48\n")
    settled = time.time() - 60  # old enough for the hook to cache the parsed file
    os.utime(config, (settled, settled))
    write_session(project, "thirty-hours", age_hours=30)
    prompt(project, env=FAST_CLEANUP_ENV, session_id="first")
    assert (sessions_dir / "thirty-hours.json").exists()
    assert (project / ".synapse" / "cache" / "config-cache.json").exists()
    config.write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    prompt(project, env=FAST_CLEANUP_ENV, session_id="second")
    assert not (sessions_dir / "thirty-hours.json").exists()
    config.write_text("synapse:\n  session:\n    autoClean: false\n")
    write_session(project, "stale", age_hours=900)
    prompt(project, env=FAST_CLEANUP_ENV, session_id="third")
    assert (sessions_dir / "stale.json").exists()


def test_cleanup_waits_at_most_the_grace_period(project, sessions_dir):
    """With thousands of stale files the hook returns after a 10 ms grace, leaving the rest for a later first prompt.

    The grace is shorter than the default 50 ms because a first prompt examines a third of
    a large folder: 833 removals may fit in 50 ms, but not in 10.
    """
    old = time.time() - 900 * 3600
    body = json.dumps(session_data("x", when=old))
    count = 2500
    for n in range(count):
        path = sessions_dir / f"stale-{n:05}.json"
        path.write_text(body)
        os.utime(path, (old, old))
    started = time.monotonic()
    # fsync off: on a busy disk the update's fsyncs could outlast the whole cleanup it overlaps.
    result = hook(claude_payload(cwd=str(project)), cwd=project, env={"SYNAPSE_FSYNC": "0", "SYNAPSE_CLEANUP_GRACE_MS": "10"})
    elapsed = time.monotonic() - started
    assert_silent_success(result)
    left = len(list(sessions_dir.glob("stale-*.json")))
    assert 0 < left < count + 1
    assert "still running at exit" in log_text(project)
    assert elapsed < 2.0, f"the hook took {elapsed:.2f} s"
    assert read_json(session_path(project, SID))["prompt_count"] == 1
    # later first prompts finish the job, each resuming where the last one stopped (the hook
    # waits at most 2 s for its cleanup, whatever cleanupGraceMs says)
    for n in range(10):
        prompt(project, env=FAST_CLEANUP_ENV, session_id=f"later-{n}")
        if not list(sessions_dir.glob("stale-*.json")):
            break
    assert list(sessions_dir.glob("stale-*.json")) == []


def test_cleanup_sweeps_old_temp_files_but_not_recent_ones(project, sessions_dir):
    """Temp files of interrupted writes older than tempMaxAgeSeconds are swept; a recent one (a write in progress) is kept."""
    old_tmp = sessions_dir / f"{SID}.json.tmp.4194305.5678.deadbeef"
    new_tmp = sessions_dir / "other.json.tmp.4194305.5678.cafef00d"
    old_tmp.write_text("{partial")
    new_tmp.write_text("{partial")
    os.utime(old_tmp, (time.time() - 3600,) * 2)
    prompt(project, env=FAST_CLEANUP_ENV)
    assert not old_tmp.exists()
    assert new_tmp.exists()


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_invalid_ttl_in_config_means_the_default(project, sessions_dir, value):
    """A staleTTLHours <= 0 or not a number falls back to 168 h in the hook (and the problem is logged)."""
    write_config(project, f"synapse:\n  session:\n    staleTTLHours: {value}\n")
    write_session(project, "two-hundred-hours", age_hours=200)
    write_session(project, "thirty-hours", age_hours=30)
    prompt(project, env=FAST_CLEANUP_ENV)
    assert not (sessions_dir / "two-hundred-hours.json").exists()
    assert (sessions_dir / "thirty-hours.json").exists()
    assert "staleTTLHours" in log_text(project) and "(ttl 168 h)" in log_text(project)


def test_a_rapid_same_size_edit_is_not_hidden_by_the_cache(project, sessions_dir):
    """Two same-size versions of the config written back to back (one timestamp tick) are each honoured by the next run."""
    config = write_config(project, "synapse:\n  session:\n    staleTTLHours: 48\n")
    write_session(project, "thirty-hours", age_hours=30)
    prompt(project, env=FAST_CLEANUP_ENV, session_id="first")
    assert (sessions_dir / "thirty-hours.json").exists()
    config.write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    prompt(project, env=FAST_CLEANUP_ENV, session_id="second")
    assert not (sessions_dir / "thirty-hours.json").exists()
