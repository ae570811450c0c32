"""Stale-session cleanup removes only what is provably stale, and sweeps leftovers of killed writes."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from synapse_cli.core import log
from synapse_cli.core.atomic import temp_path_for
from synapse_cli.core.jsonio import dumps_js, iso_timestamp
from synapse_cli.core.sessions.store import SessionStore, new_session
from tests.support.files import age
from tests.support.run import child_env, script_cmd
from tests.support.sessions import DROP, HOUR, dead_writer_temp, write_session


def put_session(folder: Path, session_id: str, *, activity_age_h: float | None, mtime_age_h: float, now: float,
                raw: str | None = None) -> Path:
    """Write a session file whose last_activity and mtime are the given ages (hours) before ``now``."""
    if raw is None:
        return write_session(folder, session_id, age_hours=activity_age_h or 0, mtime_age_hours=mtime_age_h, now=now,
                             **({"last_activity": DROP} if activity_age_h is None else {}))
    path = folder / f"{session_id}.json"
    path.write_text(raw, encoding="utf-8")
    age(path, mtime_age_h * HOUR, now)
    return path


@pytest.fixture
def folder(sessions_dir: Path) -> Path:
    return sessions_dir


def test_old_removed_recent_kept(folder: Path) -> None:
    """With TTL 24 h a session idle 25 h (activity and mtime) is removed, one idle 1 h is kept."""
    now = time.time()
    old = put_session(folder, "old", activity_age_h=25, mtime_age_h=25, now=now)
    recent = put_session(folder, "recent", activity_age_h=1, mtime_age_h=1, now=now)
    result = SessionStore(folder).clean_stale(24, now=now)
    assert result.removed == ["old"]
    assert not old.exists() and recent.exists()
    assert result.kept == 1 and result.corrupt == [] and result.errors == []


def test_just_created_session_kept(folder: Path) -> None:
    """A fresh session made by the store survives cleanup."""
    store = SessionStore(folder)
    store.update("fresh", {})
    result = store.clean_stale(24)
    assert result.removed == [] and store.load("fresh") is not None


def test_stale_activity_but_recent_mtime_kept_and_not_parsed(folder: Path) -> None:
    """A file touched recently is kept even with an old last_activity, and is not even parsed (garbage is not reported)."""
    now = time.time()
    touched = put_session(folder, "touched", activity_age_h=100, mtime_age_h=0.1, now=now)
    garbage = put_session(folder, "garbage", activity_age_h=None, mtime_age_h=0.1, now=now, raw="{definitely not json")
    result = SessionStore(folder).clean_stale(24, now=now)
    assert result.removed == [] and result.corrupt == []
    assert result.kept == 2
    assert touched.exists() and garbage.read_text() == "{definitely not json"


def test_missing_folder_gives_empty_result(tmp_path: Path) -> None:
    """Cleanup of a folder that does not exist removes nothing and does not fail (nor create it)."""
    result = SessionStore(tmp_path / "nope").clean_stale(24)
    assert (result.removed, result.kept, result.corrupt, result.errors) == ([], 0, [], [])
    assert not (tmp_path / "nope").exists()


def test_corrupt_old_file_kept_and_reported(folder: Path) -> None:
    """An old file that does not parse is kept, byte for byte, and reported in result.corrupt."""
    now = time.time()
    path = put_session(folder, "broken", activity_age_h=None, mtime_age_h=500, now=now, raw='{"last_activity": "2020-')
    result = SessionStore(folder).clean_stale(24, now=now)
    assert result.corrupt == ["broken"] and result.removed == []
    assert path.read_text() == '{"last_activity": "2020-'


def test_bridge_file_kept(folder: Path) -> None:
    """_active-agent.json is never removed, however old."""
    now = time.time()
    bridge = folder / "_active-agent.json"
    bridge.write_text(json.dumps({"id": "dev", "activated_at": iso_timestamp(now - 900 * HOUR), "activation_quality": "full", "source": "uap"}))
    age(bridge, 900 * HOUR, now)
    result = SessionStore(folder).clean_stale(24, now=now)
    assert result.removed == [] and bridge.exists()


@pytest.mark.parametrize(
    "last_activity",
    [None, "not a date", "2026-13-45T99:99:99Z", 12345, "FUTURE"],
    ids=["missing", "garbage", "impossible", "number", "future"],
)
def test_files_without_a_usable_past_activity_kept(folder: Path, last_activity: object) -> None:
    """Old files whose last_activity is missing, unparsable, not a string or in the future are kept."""
    now = time.time()
    session = new_session("s", "/x", now=now - 500 * HOUR)
    if last_activity is None:
        del session["last_activity"]
    elif last_activity == "FUTURE":
        session["last_activity"] = iso_timestamp(now + 48 * HOUR)
    else:
        session["last_activity"] = last_activity
    path = put_session(folder, "s", activity_age_h=0, mtime_age_h=500, now=now, raw=dumps_js(session))
    result = SessionStore(folder).clean_stale(24, now=now)
    assert result.removed == [] and path.exists()


def test_symlink_to_stale_session_not_followed(folder: Path, tmp_path: Path) -> None:
    """A symlink x.json to an old stale session elsewhere: neither the link nor its target is removed."""
    now = time.time()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = put_session(elsewhere, "x", activity_age_h=500, mtime_age_h=500, now=now)
    link = folder / "x.json"
    link.symlink_to(target)
    age(link, 500 * HOUR, now)
    result = SessionStore(folder).clean_stale(24, now=now)
    assert result.removed == []
    assert link.is_symlink() and target.exists()


def test_subdirectories_not_recursed(folder: Path) -> None:
    """Stale sessions inside a subfolder (and a folder named *.json) are left alone."""
    now = time.time()
    sub = folder / "archive"
    sub.mkdir()
    nested = put_session(sub, "deep", activity_age_h=500, mtime_age_h=500, now=now)
    dir_named_json = folder / "dir.json"
    dir_named_json.mkdir()
    age(dir_named_json, 500 * HOUR, now)
    result = SessionStore(folder).clean_stale(24, now=now)
    assert result.removed == []
    assert nested.exists() and dir_named_json.is_dir()


def test_old_temp_files_swept_young_kept(folder: Path) -> None:
    """Temp files of interrupted writes older than temp_max_age_seconds are swept; younger ones are kept."""
    now = time.time()
    target = str(folder / "s.json")
    old_tmp, young_tmp = dead_writer_temp(target), Path(temp_path_for(target))
    old_tmp.write_text('{"half')
    young_tmp.write_text('{"half')
    age(old_tmp, 3600, now)
    age(young_tmp, 60, now)
    result = SessionStore(folder).clean_stale(24, now=now, temp_max_age_seconds=600)
    assert result.temp_files_removed == [old_tmp.name]
    assert not old_tmp.exists() and young_tmp.exists()


def test_set_aside_copies_never_swept(folder: Path) -> None:
    """Set-aside copies of corrupt sessions survive cleanup, even for an id containing '.tmp.'."""
    store = SessionStore(folder)
    asides = []
    for session_id in ("plain", "x.tmp.y"):
        (folder / f"{session_id}.json").write_text("{garbage")
        asides.append(Path(store.update(session_id, {}).set_aside_path))
    for path in asides:
        age(path, 1000 * HOUR)
    result = store.clean_stale(24, temp_max_age_seconds=600)
    assert result.temp_files_removed == []
    assert all(p.read_text() == "{garbage" for p in asides)


def test_removed_session_loses_its_lock_file(folder: Path) -> None:
    """A removed stale session's lock file goes with it."""
    now = time.time()
    store = SessionStore(folder)
    store.update("old", {})
    put_session(folder, "old", activity_age_h=100, mtime_age_h=100, now=now)
    result = store.clean_stale(24, now=now)
    assert result.removed == ["old"]
    assert sorted(os.listdir(folder)) == []


def test_dry_run_lists_but_removes_nothing(folder: Path) -> None:
    """A dry run lists what it would remove and leaves every file (sessions, temps, locks) in place."""
    now = time.time()
    old = put_session(folder, "old", activity_age_h=100, mtime_age_h=100, now=now)
    leftover = Path(temp_path_for(str(old)))
    leftover.write_text("x")
    orphan = folder / "gone.json.lock"
    orphan.write_text("")
    for path in (leftover, orphan):
        age(path, 3600, now)
    before = sorted(os.listdir(folder))
    result = SessionStore(folder).clean_stale(24, now=now, dry_run=True)
    assert result.removed == ["old"] and result.dry_run is True
    assert sorted(os.listdir(folder)) == before


def test_busy_session_skipped(folder: Path) -> None:
    """A stale session whose lock another process holds is reported busy and not removed."""
    now = time.time()
    path = put_session(folder, "busy", activity_age_h=100, mtime_age_h=100, now=now)
    holder = subprocess.Popen(script_cmd("lock_holder.py", path, -1), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=child_env())
    try:
        assert holder.stdout.readline().startswith(b"locked ")
        result = SessionStore(folder).clean_stale(24, now=now)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        holder.stderr.close()
    assert result.busy == ["busy"] and result.removed == []
    assert path.exists()
    # Once the holder is gone the same session is removed.
    assert SessionStore(folder).clean_stale(24, now=now).removed == ["busy"]


def test_ttl_is_respected(folder: Path) -> None:
    """The TTL decides: a 30 h idle session is kept with the default 168 h and removed with 24 h."""
    now = time.time()
    put_session(folder, "s", activity_age_h=30, mtime_age_h=30, now=now)
    assert SessionStore(folder).clean_stale(168, now=now).removed == []
    assert SessionStore(folder).clean_stale(24, now=now).removed == ["s"]


def test_removed_count_logged_at_debug(folder: Path, tmp_path: Path) -> None:
    """The number of removed sessions is logged at DEBUG level to the configured log file."""
    now = time.time()
    put_session(folder, "a", activity_age_h=30, mtime_age_h=30, now=now)
    put_session(folder, "b", activity_age_h=40, mtime_age_h=40, now=now)
    log_file = tmp_path / "logs" / "synapse.log"
    log.configure(file_path=str(log_file))
    SessionStore(folder).clean_stale(24, now=now)
    lines = [line for line in log_file.read_text().splitlines() if "cleanup of" in line]
    assert len(lines) == 1
    assert " DEBUG " in lines[0] and "removed 2 stale session(s)" in lines[0] and str(folder) in lines[0]


def test_stale_session_sharing_a_busy_lock_slot_is_still_removed(folder: Path) -> None:
    """A stale session whose lock slot a live session holds for a moment is removed in the same pass, not skipped."""
    import threading

    from synapse_cli.core.locking import FileLock, lock_slot
    from synapse_cli.core.sessions.cleanup import clean_stale

    now = time.time()
    live = "live-session"
    stale = next(f"stale-{n}" for n in range(10_000)
                 if lock_slot(f"sessions/stale-{n}.json") == lock_slot(f"sessions/{live}.json"))
    put_session(folder, stale, activity_age_h=900, mtime_age_h=900, now=now)
    store = SessionStore(str(folder))
    # The live session's writer holds the shared slot while the cleanup reaches the stale one.
    held = FileLock(os.path.dirname(str(folder)), f"sessions/{live}.json", timeout=1)
    held.acquire()
    timer = threading.Timer(0.03, held.release)
    timer.start()
    try:
        result = clean_stale(store, 24)
    finally:
        timer.join()
        held.release()
    assert result.removed == [stale]
    assert result.busy == []
    assert not (folder / f"{stale}.json").exists()
