"""The session store: CRUD, the JS schema, merge rules, unusable files set aside, ids that cannot escape."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from synapse_cli.core.errors import (
    AtomicWriteError,
    CorruptFileError,
    InvalidInputError,
    InvalidSessionIdError,
    StateFileAccessError,
    SynapseError,
    UnsupportedSchemaError,
)
from synapse_cli.core.jsonio import dumps_js, loads_text
from synapse_cli.core.sessions.setaside import set_aside
from synapse_cli.core.sessions.store import SessionStore, bracket_for, context_percent, merge_update
from tests.support.faults import read_result, run_script_under_strace
from tests.support.files import IS_ROOT, snapshot, unwritable
from tests.support.paths import JS_WRITTEN, SID

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SET_ASIDE = re.compile(r"\.json\.corrupt-\d{8}T\d{6}\.\d{3}Z(-\d+)?$")


@pytest.fixture
def store(sessions_dir: Path) -> SessionStore:
    return SessionStore(sessions_dir)


def session_file(sessions_dir: Path, session_id: str = SID) -> Path:
    return sessions_dir / f"{session_id}.json"


def set_aside_files(sessions_dir: Path) -> list[Path]:
    return sorted(p for p in sessions_dir.iterdir() if ".corrupt-" in p.name)


# -- CRUD -------------------------------------------------------------------------------


def test_crud_round_trip(store: SessionStore, sessions_dir: Path) -> None:
    """create, load, update, list and delete work on real files."""
    assert store.load(SID) is None
    created = store.create(SID, cwd="/home/dev/projects/shop")
    assert created.created is True and created.session["prompt_count"] == 0
    assert store.load(SID) == created.session
    again = store.create(SID)
    assert again.created is False and again.session == created.session

    result = store.update(SID, {"title": "first"})
    assert result.created is False and result.previous_prompt_count == 0
    assert result.session["prompt_count"] == 1 and result.set_aside_path is None
    assert store.load(SID)["title"] == "first"

    store.update("other-session", {})
    listed = store.list()
    assert {s.session_id for s in listed} == {SID, "other-session"}
    assert all(s.status == "ok" for s in listed)

    assert store.delete(SID) is True
    assert not (sessions_dir / f"{SID}.json").exists()
    assert not (sessions_dir / f"{SID}.json.lock").exists()  # the lock of a deleted session goes too
    assert store.load(SID) is None
    assert store.delete(SID) is False
    assert [s.session_id for s in store.list()] == ["other-session"]


def test_update_creates_missing_session(store: SessionStore) -> None:
    """update on a session without a file creates it and counts the prompt."""
    result = store.update(SID, {"title": "x"}, cwd="/tmp/some/project")
    assert result.created is True and result.previous_prompt_count == 0
    assert result.session["prompt_count"] == 1
    assert result.session["cwd"] == "/tmp/some/project" and result.session["label"] == "project"


def test_list_reports_unusable_files_and_skips_bridge(store: SessionStore, sessions_dir: Path) -> None:
    """list shows corrupt and old-schema files with their status, newest first, and never the bridge file."""
    store.update("a", {})
    (sessions_dir / "b.json").write_text("{nope")
    (sessions_dir / "c.json").write_text(json.dumps({"schema_version": "1.0"}))
    (sessions_dir / "_active-agent.json").write_text(json.dumps({"id": "dev"}))
    for age, name in ((300, "a.json"), (200, "b.json"), (100, "c.json")):
        t = time.time() - age
        os.utime(sessions_dir / name, (t, t))
    listed = store.list()
    assert [(s.session_id, s.status) for s in listed] == [("c", "unsupported-schema"), ("b", "corrupt"), ("a", "ok")]
    assert all(s.problem for s in listed[:2])


def test_defaults_match_js_created_fixture(store: SessionStore) -> None:
    """A new session has the JS side's keys in the same order, nested too, and the same default values."""
    fixture_text = (JS_WRITTEN / "session-created.json").read_text(encoding="utf-8")
    fixture = json.loads(fixture_text)
    session = store.create(fixture["uuid"], cwd=fixture["cwd"]).session

    def key_paths(value, prefix=""):
        if isinstance(value, dict):
            out = []
            for key, inner in value.items():
                out.append(prefix + key)
                out.extend(key_paths(inner, prefix + key + "."))
            return out
        return []

    assert key_paths(session) == key_paths(fixture)
    comparable = {**session, "started": fixture["started"], "last_activity": fixture["last_activity"]}
    assert dumps_js(comparable) == fixture_text  # every other value equal, byte for byte
    assert session["label"] == "shop"


def test_timestamps_are_iso_with_milliseconds_and_z(store: SessionStore) -> None:
    """started and last_activity are ISO-8601 UTC with milliseconds and a literal Z."""
    session = store.update(SID, {}).session
    for key in ("started", "last_activity"):
        assert ISO_MS_Z.match(session[key]), session[key]
    raw = json.loads(session_file(Path(store.sessions_dir)).read_text())
    assert ISO_MS_Z.match(raw["last_activity"]) and raw["last_activity"] == session["last_activity"]


# -- schema and corrupt files -------------------------------------------------------------


def test_schema_1_refused_on_load_and_set_aside_on_update(store: SessionStore, sessions_dir: Path) -> None:
    """A schema 1.0 file is refused by load (left in place) and moved aside, not deleted, when an update replaces it."""
    original = json.dumps({"uuid": SID, "schema_version": "1.0", "prompt_count": 7}).encode()
    path = session_file(sessions_dir)
    path.write_bytes(original)
    with pytest.raises(UnsupportedSchemaError) as info:
        store.load(SID)
    assert str(path) in str(info.value)
    assert path.read_bytes() == original
    result = store.update(SID, {"title": "new"})
    assert result.created is True and result.session["prompt_count"] == 1
    assert result.set_aside_path and SET_ASIDE.search(result.set_aside_path)
    assert Path(result.set_aside_path).read_bytes() == original
    assert "1.0" in result.set_aside_reason
    assert json.loads(path.read_text())["schema_version"] == "2.0"


def test_corrupt_json_load_raises_and_update_sets_aside(store: SessionStore, sessions_dir: Path) -> None:
    """Unparsable JSON: load raises CorruptFileError; update moves it to <id>.json.corrupt-<time> with its bytes intact."""
    original = b'{"uuid": "' + SID.encode() + b'", "prompt_count": 3, "tit'
    path = session_file(sessions_dir)
    path.write_bytes(original)
    with pytest.raises(CorruptFileError) as info:
        store.load(SID)
    assert str(path) in str(info.value)
    assert path.read_bytes() == original  # load never moves anything
    result = store.update(SID, {})
    aside = Path(result.set_aside_path)
    assert aside.parent == sessions_dir and aside.name.startswith(f"{SID}.json.corrupt-")
    assert SET_ASIDE.search(aside.name)
    assert aside.read_bytes() == original
    assert result.session["prompt_count"] == 1
    assert store.load(SID)["prompt_count"] == 1


def test_two_corrupt_files_in_a_row_are_both_kept(store: SessionStore, sessions_dir: Path) -> None:
    """Setting aside twice within one millisecond keeps both copies (a numbered suffix), never overwriting one."""
    path = session_file(sessions_dir)
    path.write_bytes(b"first garbage")
    first = store.update(SID, {}).set_aside_path
    path.write_bytes(b"second garbage")
    second = store.update(SID, {}).set_aside_path
    assert first != second
    assert {Path(p).read_bytes() for p in (first, second)} == {b"first garbage", b"second garbage"}


@pytest.mark.parametrize(
    "patch",
    [{"prompt_count": "abc"}, {"context": ["a", "b"]}, {"prompt_count": -1}, {"history": "x"}, {"uuid": 5}],
    ids=["prompt_count-str", "context-list", "prompt_count-negative", "history-str", "uuid-int"],
)
def test_wrong_field_types_are_corrupt(store: SessionStore, sessions_dir: Path, patch: dict) -> None:
    """A parsable file with a field of the wrong type is corrupt: refused by load, set aside by update."""
    data = json.loads((JS_WRITTEN / "session-updated.json").read_text(encoding="utf-8"))
    data.update(patch)
    path = session_file(sessions_dir)
    original = dumps_js(data).encode()
    path.write_bytes(original)
    with pytest.raises(CorruptFileError):
        store.load(SID)
    result = store.update(SID, {})
    assert Path(result.set_aside_path).read_bytes() == original
    assert result.session["prompt_count"] == 1


def test_non_object_json_is_corrupt(store: SessionStore, sessions_dir: Path) -> None:
    """A JSON array or string in a session file is corrupt."""
    session_file(sessions_dir).write_text("[1, 2]")
    with pytest.raises(CorruptFileError):
        store.load(SID)


def test_symlinked_session_file_not_followed(store: SessionStore, sessions_dir: Path, tmp_path: Path) -> None:
    """A session file that is a symlink is refused (not followed) and the file it points to is never changed."""
    outside = tmp_path / "outside.json"
    outside_text = (JS_WRITTEN / "session-updated.json").read_text(encoding="utf-8")
    outside.write_text(outside_text, encoding="utf-8")
    link = session_file(sessions_dir)
    link.symlink_to(outside)
    with pytest.raises(CorruptFileError):
        store.load(SID)
    result = store.update(SID, {})
    assert Path(result.set_aside_path).is_symlink()  # the link itself was moved aside
    assert outside.read_text(encoding="utf-8") == outside_text
    assert not link.is_symlink() and store.load(SID)["prompt_count"] == 1


def test_fifo_or_folder_named_like_a_session_does_not_hang(store: SessionStore, sessions_dir: Path) -> None:
    """A FIFO or a folder named <id>.json is reported as corrupt at once (reading it never blocks)."""
    fifo = session_file(sessions_dir, "fifo")
    os.mkfifo(fifo)
    (sessions_dir / "folder.json").mkdir()
    start = time.monotonic()
    with pytest.raises(CorruptFileError):
        store.load("fifo")
    with pytest.raises(CorruptFileError):
        store.load("folder")
    statuses = {s.session_id: s.status for s in store.list()}
    assert statuses == {"fifo": "corrupt", "folder": "corrupt"}
    assert time.monotonic() - start < 5


# -- merge rules ----------------------------------------------------------------------------


def test_history_lists_append_unique(store: SessionStore) -> None:
    """history lists gain only new items, order kept: ['dev'] + ['qa', 'dev'] gives ['dev', 'qa']."""
    store.update(SID, {"history": {"agents_activated": ["dev"]}})
    session = store.update(SID, {"history": {"agents_activated": ["qa", "dev"], "domains_loaded_last": ["x"]}}).session
    assert session["history"]["agents_activated"] == ["dev", "qa"]
    assert session["history"]["domains_loaded_last"] == ["x"]
    assert session["history"]["star_commands_used"] == []  # untouched sub-key kept


def test_history_non_list_values_replace(store: SessionStore) -> None:
    """A history sub-key whose old or new value is not a list is replaced."""
    store.update(SID, {"history": {"custom": "a"}})
    session = store.update(SID, {"history": {"custom": ["b"]}}).session
    assert session["history"]["custom"] == ["b"]


def test_overrides_and_context_shallow_merge(store: SessionStore) -> None:
    """overrides and context are merged one level deep; other keys in them survive."""
    store.update(SID, {"overrides": {"A": 1, "nested": {"x": 1}}, "context": {"last_tokens_used": 10}})
    session = store.update(SID, {"overrides": {"B": 2, "nested": {"y": 2}}, "context": {"last_context_percent": 50}}).session
    assert session["overrides"] == {"A": 1, "nested": {"y": 2}, "B": 2}
    assert session["context"] == {"last_bracket": "FRESH", "last_tokens_used": 10, "last_context_percent": 50}


def test_active_agent_replaced_whole_and_title_overwritten(store: SessionStore) -> None:
    """active_agent is replaced as a whole object and title is overwritten."""
    store.update(SID, {"active_agent": {"id": "dev", "activated_at": "2026-11-26T15:13:50.324Z", "activation_quality": "full"}, "title": "one"})
    session = store.update(SID, {"active_agent": {"id": "qa"}, "title": "two"}).session
    assert session["active_agent"] == {"id": "qa"}
    assert session["title"] == "two"
    assert session["prompt_count"] == 2


def test_update_refuses_identity_and_invalid_changes(store: SessionStore, sessions_dir: Path) -> None:
    """An update changing uuid/schema_version or making a field the wrong type is refused and the file unchanged."""
    store.update(SID, {})
    before = session_file(sessions_dir).read_bytes()
    for patch in ({"uuid": "other"}, {"schema_version": "3.0"}, {"context": [1]}, {"prompt_count": "many"}):
        with pytest.raises(InvalidInputError):
            store.update(SID, patch)
    with pytest.raises(InvalidInputError):
        store.update(SID, ["not", "a", "dict"])  # type: ignore[arg-type]
    assert session_file(sessions_dir).read_bytes() == before


# -- brackets -----------------------------------------------------------------------------------


def test_ten_updates_with_bracket_tracking(store: SessionStore) -> None:
    """Ten sequential updates with track_bracket give prompt_count 10 and last_bracket FRESH."""
    for _ in range(10):
        result = store.update(SID, {}, track_bracket=True)
    assert result.session["prompt_count"] == 10
    assert store.load(SID)["context"]["last_bracket"] == "FRESH"


@pytest.mark.parametrize(
    "count, bracket",
    [(44, "FRESH"), (45, "MODERATE"), (66, "MODERATE"), (67, "DEPLETED"), (83, "DEPLETED"), (84, "CRITICAL")],
)
def test_bracket_thresholds(store: SessionStore, sessions_dir: Path, count: int, bracket: str) -> None:
    """The update of a session loaded with prompt_count N records N's bracket (the formula in state-files.md)."""
    percent = max(0.0, min(100.0, 100 - count * 1500 * 1.2 / 200000 * 100))
    assert context_percent(count) == pytest.approx(percent)
    assert bracket_for(count) == bracket
    data = json.loads((JS_WRITTEN / "session-created.json").read_text(encoding="utf-8"))
    data["prompt_count"] = count
    session_file(sessions_dir).write_text(dumps_js(data), encoding="utf-8")
    session = store.update(SID, {}, track_bracket=True).session
    assert session["prompt_count"] == count + 1
    assert session["context"]["last_bracket"] == bracket
    assert store.load(SID)["context"]["last_bracket"] == bracket


def test_without_track_bracket_the_bracket_is_left_alone(store: SessionStore) -> None:
    """Without track_bracket, update does not touch context.last_bracket."""
    store.update(SID, {"context": {"last_bracket": "CRITICAL"}})
    assert store.update(SID, {}).session["context"]["last_bracket"] == "CRITICAL"


# -- ids ------------------------------------------------------------------------------------------

BAD_IDS = ["../x", "a/b", "a\\b", "..", "a\x00b", "", "x" * 300, None, 42, "_active-agent", "/etc/passwd", ".hidden", "a..b"]


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=lambda v: repr(v)[:20])
def test_bad_ids_refused_and_nothing_written(tmp_path: Path, bad_id: object) -> None:
    """Unsafe or reserved session ids raise InvalidSessionIdError for every operation and write nothing anywhere."""
    sessions_dir = tmp_path / "p" / ".synapse" / "sessions"
    sessions_dir.mkdir(parents=True)
    store = SessionStore(sessions_dir)
    before = snapshot(tmp_path, skip_cache=False)
    for call in (store.path_for, store.load, store.create, store.update, store.delete):
        with pytest.raises(InvalidSessionIdError):
            call(bad_id)
    assert snapshot(tmp_path, skip_cache=False) == before


def test_unusual_but_safe_ids_work(store: SessionStore, sessions_dir: Path) -> None:
    """Ids that are not UUIDs but are safe (dots, @, +, 200 characters) name files directly in the folder."""
    for session_id in ("gemini-session.2026", "user@host+1", "x" * 200, "a.tmp.b"):
        store.update(session_id, {})
        assert (sessions_dir / f"{session_id}.json").is_file()
        assert store.load(session_id)["uuid"] == session_id


# -- permission and I/O errors --------------------------------------------------------------------


def test_read_permission_error_is_a_synapse_error(store: SessionStore, sessions_dir: Path, tmp_path: Path) -> None:
    """A session file that cannot be opened (EACCES) gives StateFileAccessError from load and update, never a crash."""
    store.update(SID, {})
    path = session_file(sessions_dir)
    if not IS_ROOT:
        path.chmod(0o000)
        try:
            for call in (store.load, store.update):
                with pytest.raises(StateFileAccessError) as info:
                    call(SID)
                assert str(path) in str(info.value)
            assert [(s.session_id, s.status) for s in store.list()] == [(SID, "unreadable")]
        finally:
            path.chmod(0o644)
        return
    # Root reads any file whatever its mode: inject the real EACCES into openat with strace.
    from tests.support.faults import strace_problem

    problem = strace_problem()
    if problem:
        pytest.skip(f"running as root (permission bits are ignored) and strace cannot inject EACCES: {problem}")
    for operation in ("load", "update"):
        result_path = tmp_path / f"{operation}.json"
        done = run_script_under_strace(
            ["-P", str(path), "-e", "trace=openat,open", "-e", "inject=openat,open:error=EACCES"],
            "session_op.py", sessions_dir, operation, SID, result_path,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        result = read_result(result_path)
        assert result["ok"] is False and result["type"] == "StateFileAccessError", result
        assert result["synapse_error"] is True and str(path) in result["message"]
        assert "Permission denied" in result["message"]
    result_path = tmp_path / "list.json"
    done = run_script_under_strace(
        ["-P", str(path), "-e", "trace=openat,open", "-e", "inject=openat,open:error=EACCES"],
        "session_op.py", sessions_dir, "list", SID, result_path,
    )
    listed = read_result(result_path)
    assert listed["ok"] is True and [entry[:2] for entry in listed["list"]] == [[SID, "unreadable"]], listed
    assert store.load(SID)["prompt_count"] == 1  # nothing was set aside or rewritten
    assert set_aside_files(sessions_dir) == []


def test_write_permission_error_is_a_synapse_error(store: SessionStore, sessions_dir: Path) -> None:
    """A sessions folder that refuses new files makes update fail with a SynapseError naming the path, the old file intact."""
    store.update(SID, {"title": "kept"})
    before = session_file(sessions_dir).read_bytes()
    with unwritable(sessions_dir):
        with pytest.raises(AtomicWriteError) as info:
            store.update(SID, {"title": "lost"})
        assert isinstance(info.value, SynapseError)
        assert str(session_file(sessions_dir)) in str(info.value)
        # A new session gets its lock (kept apart, in .synapse/cache/locks/) but not its file.
        with pytest.raises(AtomicWriteError):
            store.update("brand-new", {})
    assert session_file(sessions_dir).read_bytes() == before
    assert sorted(p.name for p in sessions_dir.iterdir()) == [f"{SID}.json"]


def test_delete_permission_error_is_a_synapse_error(store: SessionStore, sessions_dir: Path) -> None:
    """A session file that cannot be removed makes delete fail with StateFileAccessError, the file still there."""
    store.update(SID, {})
    with unwritable(sessions_dir):
        with pytest.raises(StateFileAccessError) as info:
            store.delete(SID)
        assert "cannot delete" in str(info.value) and str(session_file(sessions_dir)) in str(info.value)
    assert store.load(SID)["prompt_count"] == 1


def test_unreadable_sessions_folder_in_list(tmp_path: Path) -> None:
    """list on a sessions path that is a file (not a folder) raises StateFileAccessError instead of crashing."""
    not_a_folder = tmp_path / "sessions"
    not_a_folder.write_text("")
    with pytest.raises(StateFileAccessError):
        SessionStore(not_a_folder).list()
    assert SessionStore(tmp_path / "missing").list() == []


def test_delete_of_missing_session_leaves_no_lock_file(sessions_dir: Path) -> None:
    """Deleting a session that has no file reports False and leaves no lock file behind."""
    from synapse_cli.core.sessions.store import SessionStore

    store = SessionStore(sessions_dir)
    assert store.delete("never-existed") is False
    assert sorted(p.name for p in sessions_dir.iterdir()) == []


def test_init_over_a_file_is_a_synapse_error(tmp_path: Path) -> None:
    """Setting up a project where .synapse is a plain file raises a SynapseError naming it."""
    from synapse_cli.core.errors import SynapseError
    from synapse_cli.core.project import init_project

    (tmp_path / ".synapse").write_text("not a folder")
    with pytest.raises(SynapseError, match=r"\.synapse"):
        init_project(str(tmp_path))
    assert (tmp_path / ".synapse").read_text() == "not a folder"


def test_deeply_nested_json_is_corrupt_not_a_crash(sessions_dir: Path) -> None:
    """A session file of 100,000 nested brackets is reported corrupt and moved aside by an update."""
    path = sessions_dir / "deep.json"
    path.write_text("[" * 100_000)
    with pytest.raises(ValueError):
        loads_text(path.read_bytes())
    result = SessionStore(sessions_dir).update("deep")
    assert result.set_aside_path and Path(result.set_aside_path).read_text() == "[" * 100_000
    assert result.session["prompt_count"] == 1


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
