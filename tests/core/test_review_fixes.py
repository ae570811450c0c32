"""Defects found in review: each test fails on the code before its fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synapse_cli.core.jsonio import dumps_js, js_number, loads_text
from synapse_cli.core.locking import FileLock
from synapse_cli.core.sessions.setaside import set_aside
from synapse_cli.core.sessions.store import SessionStore, merge_update

OLD = time.time() - 30 * 24 * 3600
OLD_STAMP = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(OLD))


def _stale_js_session(sessions: Path, session_id: str) -> Path:
    """A stale session as the JavaScript side writes it: no lock file beside it."""
    path = sessions / f"{session_id}.json"
    path.write_text(json.dumps({"uuid": session_id, "schema_version": "2.0", "last_activity": OLD_STAMP, "prompt_count": 2}))
    os.utime(path, (OLD, OLD))
    return path


def test_cleanup_removes_a_stale_sessions_lock_file_once(sessions_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Removing a stale session unlinks its lock file once: a lock file created in between by a prompt is left alone."""
    _stale_js_session(sessions_dir, "s1")
    lock_path = sessions_dir / "s1.json.lock"
    real_remove = FileLock.remove_lock_file
    recreated = []

    def remove_then_a_prompt_creates_its_lock(self: FileLock) -> None:
        real_remove(self)
        if not recreated:  # a prompt for the same session arrives right after the first removal
            lock_path.write_text("")
            recreated.append(os.stat(lock_path).st_ino)

    monkeypatch.setattr(FileLock, "remove_lock_file", remove_then_a_prompt_creates_its_lock)
    result = SessionStore(sessions_dir).clean_stale(24)
    assert result.removed == ["s1"]
    assert lock_path.exists() and os.stat(lock_path).st_ino == recreated[0]


def test_unwritable_lock_file_does_not_lock_a_session_out(sessions_dir: Path) -> None:
    """A lock file that cannot be opened for writing still serves: flock needs only a read-only descriptor.

    The file is made immutable (chattr +i), which refuses write access even to root.
    """
    store = SessionStore(sessions_dir)
    store.update("s2")
    lock_path = sessions_dir / "s2.json.lock"
    if subprocess.run(["chattr", "+i", str(lock_path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        with pytest.raises(PermissionError):
            os.open(lock_path, os.O_RDWR)  # the fault is real
        assert store.update("s2").session["prompt_count"] == 2
    finally:
        subprocess.run(["chattr", "-i", str(lock_path)], capture_output=True)


def test_deeply_nested_json_is_corrupt_not_a_crash(sessions_dir: Path) -> None:
    """A session file of 100,000 nested brackets is reported corrupt and moved aside by an update."""
    path = sessions_dir / "deep.json"
    path.write_text("[" * 100_000)
    with pytest.raises(ValueError):
        loads_text(path.read_bytes())
    result = SessionStore(sessions_dir).update("deep")
    assert result.set_aside_path and Path(result.set_aside_path).read_text() == "[" * 100_000
    assert result.session["prompt_count"] == 1


@pytest.mark.parametrize(
    ("value", "javascript"),
    [(1e-7, "1e-7"), (0.00005, "0.00005"), (2.0**53, "9007199254740992"), (1e16, "10000000000000000"),
     (1e21, "1e+21"), (-2.5e-9, "-2.5e-9"), (56.925407, "56.925407"), (1.234e20, "123400000000000000000"),
     (0.000001, "0.000001"), (5e-324, "5e-324")],
)
def test_numbers_are_written_as_javascript_writes_them(value: float, javascript: str) -> None:
    """Floats use JavaScript's Number#toString notation (checked against node's output)."""
    assert js_number(value) == javascript
    assert dumps_js({"x": value}) == '{\n  "x": ' + javascript + "\n}"


def test_lone_surrogate_from_javascript_round_trips(sessions_dir: Path) -> None:
    """A title holding half a surrogate pair (as JSON.stringify writes it) loads, updates and is written back escaped."""
    text = '{\n  "uuid": "s3",\n  "schema_version": "2.0",\n  "title": "cut \\ud83d",\n  "prompt_count": 1\n}'
    (sessions_dir / "s3.json").write_text(text)
    SessionStore(sessions_dir).update("s3")
    written = (sessions_dir / "s3.json").read_text()
    assert '"title": "cut \\ud83d"' in written
    assert json.loads(written)["title"] == "cut \ud83d"


def test_history_append_follows_javascript_includes() -> None:
    """History lists dedupe like JavaScript's includes: 1 and true differ, and parsed objects are never duplicates."""
    session = {"history": {"items": [1, {"a": 1}, "dev"]}}
    merge_update(session, {"history": {"items": [True, 1, 1.0, {"a": 1}, "dev", "qa"]}})
    assert session["history"]["items"] == [1, {"a": 1}, "dev", True, {"a": 1}, "qa"]


def test_set_aside_never_replaces_an_existing_copy(sessions_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two set-asides landing on the same name both keep their bytes: the second takes another name."""
    import synapse_cli.core.sessions.setaside as sessions

    first = sessions_dir / "x.json"
    first.write_text("first corrupt")
    fixed_name = str(first) + ".corrupt-20260101T000000.000Z"
    names = iter([fixed_name, fixed_name + "-1"])
    monkeypatch.setattr(sessions, "set_aside_name", lambda path, now=None: next(names))
    Path(fixed_name).write_text("an earlier copy")  # appeared after the name was chosen
    moved = set_aside(str(first))
    assert Path(fixed_name).read_text() == "an earlier copy"
    assert Path(moved).read_text() == "first corrupt" and not first.exists()
