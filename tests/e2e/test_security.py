"""Security properties: ids never address a path outside the sessions folder, cleanup and doctor never follow
symlinks out of ``.synapse/``, file modes never widen, and the prompt text is never written anywhere."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from synapse_cli.core.errors import InvalidSessionIdError
from synapse_cli.core.sessions.store import SessionStore, validate_session_id
from tests.support.faults import strace_prefix
from tests.support.files import log_text, read_json, tree
from tests.support.run import (
    FAST_CLEANUP_ENV,
    assert_silent_success,
    claude_payload,
    hook,
    run_synapse,
    synapse_executable,
)
from tests.support.sessions import HOUR, session_path, write_session

# -- helpers -------------------------------------------------------------------------------------


def run_every_cleaner(project: Path) -> None:
    """``session clean`` (temp max age 0), a first prompt of a new session (its cleanup waited for), and ``doctor --fix``."""
    env = {"SYNAPSE_TEMP_MAX_AGE_SECONDS": "0", **FAST_CLEANUP_ENV}
    clean = run_synapse(["session", "clean"], cwd=project, env=env)
    assert clean.returncode == 0, clean.stderr
    assert_silent_success(hook(claude_payload(cwd=str(project), session_id=f"first-{uuid.uuid4().hex[:8]}"), cwd=project, env=env))
    assert run_synapse(["doctor", "--fix"], cwd=project, env=env).returncode in (0, 1)


# -- session ids ---------------------------------------------------------------------------------

NASTY_IDS = [
    "../x", "..", ".", "a/b", "a\\b", "/etc/passwd", "..\\..\\evil", "a\x00b", "\x00", "", " ", "a" * 201,
    "....", "..a", "a..", ".hidden", "~", "~root", "%2e%2e%2fx", "a／b", "a∕b", "a⁄b", "ａ", "é", "\u202e", "a\nb",
    "C:\\x", "C:x", "con", "_active-agent", "-", "x.json", "x.json.lock", "x.json.tmp.1.2.abcdef01", "sessions/../x",
]
ALPHABET = list("abcXYZ019-_.~+=@") + ["/", "\\", "..", ".", "\x00", "é", "ü", "𝔘", "／", "∕", "\u202e", "\u200b", " ", ":", "%", "\n", "*", "?"]


def fuzz_ids(count: int, seed: int = 20261126) -> list:
    rng = random.Random(seed)
    ids: list = list(NASTY_IDS)
    while len(ids) < count:
        ids.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))))
    return ids + [None, 7, 1.5, ["a"], {"id": "a"}, True]


FUZZ = fuzz_ids(400)


def test_fuzzed_ids_never_address_a_path_outside_the_sessions_folder(tmp_path):
    """Hundreds of random ids with separators, dots, NULs and unicode: each is refused, or names ``<id>.json`` directly in the sessions folder."""
    sessions = tmp_path / "project" / ".synapse" / "sessions"
    store = SessionStore(sessions)
    accepted = refused = 0
    for value in FUZZ:
        try:
            checked = validate_session_id(value)
        except InvalidSessionIdError:
            with pytest.raises(InvalidSessionIdError):
                store.path_for(value)
            refused += 1
            continue
        path = store.path_for(checked)
        assert os.path.dirname(path) == str(sessions), value
        assert os.path.basename(path) == checked + ".json", value
        assert os.path.realpath(path) == os.path.join(os.path.realpath(sessions), checked + ".json"), value
        assert not set(checked) & {"/", "\\", "\x00"} and ".." not in checked and not checked.startswith(".")
        accepted += 1
    assert accepted >= 20 and refused >= 200, (accepted, refused)


def test_fuzzed_ids_through_the_hook_create_nothing_outside_the_sessions_folder(tmp_path, monkeypatch):
    """The hook fed every fuzzed id (a sample through the installed script, all in process) creates files only in sessions/ and cache/."""
    from synapse_cli.core.project import init_project
    from synapse_cli.hooks.runner import run_hook

    deep = tmp_path / "a" / "b"
    project = deep / "project"
    project.mkdir(parents=True)
    init_project(str(project))
    (tmp_path / "a" / "keep.txt").write_text("keep")
    before = tree(tmp_path)
    monkeypatch.setenv("SYNAPSE_AUTO_CLEAN", "false")

    # A sample through the real console script...
    for value in FUZZ[:: len(FUZZ) // 40]:
        result = hook(json.dumps({"session_id": value, "cwd": str(project), "prompt": "p"}).encode(), cwd=project)
        assert_silent_success(result)
    # ...and every id through the same code in process (a subprocess per id would take a minute;
    # the log it configures is put back by the autouse fixture).
    spool = tmp_path / "spool"
    try:
        for value in FUZZ:
            spool.write_bytes(json.dumps({"session_id": value, "cwd": str(project), "prompt": "p"}).encode())
            with open(spool, "rb") as handle:
                assert run_hook("prompt-submit", project_dir=str(project), stdin_fd=handle.fileno()) == (0, "")
    finally:
        spool.unlink()

    sessions = project / ".synapse" / "sessions"
    created = sorted(set(tree(tmp_path)) - set(before))
    expected_ids = set()
    for value in FUZZ:
        try:
            expected_ids.add(validate_session_id(value))
        except InvalidSessionIdError:
            pass
    for name in created:
        path = Path(name)
        if project / ".synapse" / "cache" in (path, *path.parents):
            continue  # the log, and the fixed set of lock files
        assert path.parent == sessions, f"created outside the sessions folder: {name}"
        base = path.name.removesuffix(".lock")
        assert base.endswith(".json") and base[: -len(".json")] in expected_ids, name
    assert {k: v for k, v in tree(tmp_path).items() if k in before and "/.synapse/" not in k} == {
        k: v for k, v in before.items() if "/.synapse/" not in k
    }
    assert len([n for n in created if n.endswith(".json")]) == len(expected_ids)


# -- symlinks: cleanup and doctor stay inside .synapse/ ---------------------------------------------------


def test_symlinked_session_file_to_a_stale_session_elsewhere_is_never_deleted(project, sessions_dir, tmp_path):
    """A session file that is a symlink to a stale session outside survives ``session clean``, a first prompt's cleanup and ``doctor --fix``."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = write_session(outside, "victim", age_hours=400, prompt_count=2)
    (sessions_dir / "victim.json").symlink_to(target)
    write_session(project, "really-stale", age_hours=400)
    before = tree(outside)
    run_every_cleaner(project)
    assert tree(outside) == before
    assert not session_path(project, "really-stale").exists()  # the cleaners did run
    assert [p for p in sessions_dir.iterdir() if p.is_symlink()] != []  # the link itself is kept or moved aside, never followed


def test_symlinked_entries_in_the_sessions_folder_are_never_followed(project, sessions_dir, tmp_path):
    """Symlinks in sessions/ to a folder of stale sessions, to old temp files and to lock files outside: nothing outside is deleted or written."""
    outside = tmp_path / "elsewhere"
    (outside / "dir").mkdir(parents=True)
    write_session(outside / "dir", "old", age_hours=400, prompt_count=2)
    write_session(outside, "other", age_hours=400, prompt_count=2)
    for name in ("t.tmp", "l.lock"):
        (outside / name).write_text("precious")
        os.utime(outside / name, (time.time() - 400 * HOUR,) * 2)
    (sessions_dir / "nested.json").symlink_to(outside / "dir", target_is_directory=True)
    (sessions_dir / "subfolder").symlink_to(outside / "dir", target_is_directory=True)
    (sessions_dir / "s9.json.tmp.4242.139872.abcdef01").symlink_to(outside / "t.tmp")
    (sessions_dir / "gone.json.lock").symlink_to(outside / "l.lock")
    (sessions_dir / "other.json").symlink_to(outside / "other.json")
    before = tree(outside)
    run_every_cleaner(project)
    assert tree(outside) == before


@pytest.fixture
def linked_sessions_folder(project, tmp_path):
    """``.synapse/sessions`` replaced by a symlink to a folder outside holding a stale session, an old temp file and a torn file."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    sessions = project / ".synapse" / "sessions"
    sessions.rmdir()
    sessions.symlink_to(outside, target_is_directory=True)
    write_session(outside, "stale", age_hours=400, prompt_count=2)
    (outside / "torn.json").write_text("{torn")
    temp = outside / "x.json.tmp.4242.139872.abcdef01"
    temp.write_text("{")
    os.utime(temp, (time.time() - 400 * HOUR,) * 2)
    return outside


def test_doctor_does_not_look_into_a_symlinked_sessions_folder(project, linked_sessions_folder):
    """``doctor --fix`` reports a symlinked .synapse/sessions and deletes, moves or writes nothing in the folder it points to."""
    before = tree(linked_sessions_folder)
    result = run_synapse(["doctor", "--fix", "--json"], cwd=project, env={"SYNAPSE_TEMP_MAX_AGE_SECONDS": "0"})
    assert result.returncode == 1
    checks = [f["check"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "problem"]
    assert checks == ["symlink"]
    assert tree(linked_sessions_folder) == before


def test_session_clean_deletes_nothing_through_a_symlinked_sessions_folder(project, linked_sessions_folder):
    """``session clean`` with .synapse/sessions a symlink to a folder elsewhere deletes nothing there."""
    before = tree(linked_sessions_folder)
    result = run_synapse(["session", "clean"], cwd=project, env={"SYNAPSE_TEMP_MAX_AGE_SECONDS": "0"})
    assert result.returncode == 1
    assert b"is a symlink" in result.stderr
    assert tree(linked_sessions_folder) == before


def test_first_prompt_cleanup_deletes_nothing_through_a_symlinked_sessions_folder(project, linked_sessions_folder):
    """A first prompt with .synapse/sessions a symlink elsewhere deletes or writes nothing in that folder."""
    before = tree(linked_sessions_folder)
    assert_silent_success(hook(claude_payload(cwd=str(project), session_id="new-one"), cwd=project, env=FAST_CLEANUP_ENV))
    after = tree(linked_sessions_folder)
    assert {k: after.get(k) for k in before} == before, "deleted or changed in the folder the link points to"
    assert after == before, "written in the folder the link points to"


# -- file modes ------------------------------------------------------------------------------------


def _with_umask(mask: int):
    return lambda: os.umask(mask)


def run_with_umask(mask: int, args: list[str], *, input: bytes = b"", cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([synapse_executable(), *args], input=input, cwd=cwd, capture_output=True, timeout=30,
                          preexec_fn=_with_umask(mask))


def test_rewritten_files_keep_their_existing_mode(project, sessions_dir):
    """A session file at 0640 and a metrics file at 0600 keep exactly those modes after synapse rewrites them."""
    path = write_session(project, "s1")
    os.chmod(path, 0o640)
    metrics = project / ".synapse" / "metrics" / "uap-metrics.json"
    metrics.write_text("{}")
    os.chmod(metrics, 0o600)
    assert_silent_success(hook(claude_payload(cwd=str(project), session_id="s1"), cwd=project))
    assert run_synapse(["session", "update", "s1"], cwd=project).returncode == 0
    assert run_synapse(["metrics", "persist", "-"], input=b'{"agentId": "qa"}', cwd=project).returncode == 0
    assert read_json(path)["prompt_count"] == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(metrics.stat().st_mode) == 0o600


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)],
                         ids=["umask-022", "umask-027", "umask-077", "umask-002"])
def test_new_files_get_the_umask_default(project, sessions_dir, mask, mode):
    """A session, the bridge and a metrics file created under umask ``mask`` get ``0666 & ~mask``."""
    assert run_with_umask(mask, ["session", "update", "s1", "--agent", "dev"], cwd=project).returncode == 0
    assert run_with_umask(mask, ["metrics", "persist", "-"], input=b'{"agentId": "qa"}', cwd=project).returncode == 0
    for path in (session_path(project, "s1"), sessions_dir / "_active-agent.json", project / ".synapse" / "metrics" / "uap-metrics.json"):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_temp_file_is_private_while_written_and_gets_its_final_mode_only_when_complete(tmp_path, monkeypatch):
    """In process: every write() to the temp file sees mode 0600; at the rename it has the final mode (the existing file's 0644)."""
    import synapse_cli.core.atomic as atomic

    target = tmp_path / "state.json"
    target.write_text("{}")
    os.chmod(target, 0o644)
    seen_at_write: list[int] = []
    seen_at_rename: list[int] = []
    real_write, real_replace = os.write, os.replace

    def spy_write(fd, data):
        seen_at_write.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    def spy_replace(src, dst):
        seen_at_rename.append(stat.S_IMODE(os.stat(src).st_mode))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "write", spy_write)
    monkeypatch.setattr(atomic.os, "replace", spy_replace)
    atomic.atomic_write(str(target), b'{"a": 1}' * 10_000)
    assert seen_at_write and set(seen_at_write) == {0o600}
    assert seen_at_rename == [0o644]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_temp_file_of_the_installed_synapse_is_0600_until_complete(project, sessions_dir):
    """Killing ``session update`` (strace) just before it gives the temp file its final mode leaves a complete temp file at 0600."""
    path = write_session(project, "s1")
    os.chmod(path, 0o644)
    cmd = strace_prefix("-e", "trace=fchmod", "-e", "inject=fchmod:signal=SIGKILL")
    result = run_synapse(["session", "update", "s1"], prefix=cmd, cwd=project)
    assert result.returncode != 0  # killed
    [temp] = [p for p in sessions_dir.iterdir() if ".tmp." in p.name]
    assert stat.S_IMODE(temp.stat().st_mode) == 0o600
    assert json.loads(temp.read_bytes())["prompt_count"] == 2  # the whole content was in it, still private
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def _umask_000_run(tmp_path: Path) -> Path:
    """Everything synapse creates, created by the installed script under umask 000."""
    project = tmp_path / "p"
    project.mkdir()
    steps = [
        (["--project-dir", str(project), "init"], b""),
        (["hook", "prompt-submit"], json.dumps({"session_id": "s1", "cwd": str(project), "prompt": "p"}).encode()),
        (["--project-dir", str(project), "session", "update", "s2", "--agent", "dev"], b""),
        (["--project-dir", str(project), "metrics", "persist", "--kind", "hook", "-"], b'{"totalDuration": 3}'),
        (["--project-dir", str(project), "state", "update", "--command", "*develop"], b""),
    ]
    for args, data in steps:
        result = run_with_umask(0, args, input=data, cwd=project)
        assert result.returncode == 0, (args, result.stderr)
    return project


def test_umask_000_creates_no_world_writable_file(tmp_path):
    """Under umask 000 no file synapse creates (sessions, bridge, metrics, state, lock, log, .gitignore) is writable by others."""
    project = _umask_000_run(tmp_path)
    files = [p for p in project.rglob("*") if p.is_file()]
    assert len(files) >= 9
    assert [str(p) for p in files if p.stat().st_mode & stat.S_IWOTH] == []


def test_umask_000_creates_no_world_writable_folder(tmp_path):
    """Under umask 000 no folder synapse creates is writable by others."""
    project = _umask_000_run(tmp_path)
    folders = [p for p in project.rglob("*") if p.is_dir()]
    assert len(folders) >= 5
    assert [str(p) for p in folders if p.stat().st_mode & stat.S_IWOTH] == []


# -- the prompt text ---------------------------------------------------------------------------------


def _files_holding(needle: bytes, roots: list[Path], *, newer_than: float | None = None) -> list[str]:
    found = []
    for root in roots:
        for folder, dirs, names in os.walk(root, followlinks=False):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    st = os.lstat(path)
                    if not stat.S_ISREG(st.st_mode) or st.st_size > 64 * 1024 * 1024:
                        continue
                    if newer_than is not None and max(st.st_mtime, st.st_ctime) < newer_than:
                        continue
                    with open(path, "rb") as handle:
                        if needle in handle.read():
                            found.append(path)
                except OSError:
                    continue
    return found


def test_prompt_text_is_never_written_anywhere(project, sessions_dir, tmp_path, monkeypatch):
    """With --debug, a corrupt session, a bad config, bad ids and bad JSON, no file in the project, HOME, the temp folders or the user log holds the prompt."""
    secret = f"prompt-secret-{uuid.uuid4().hex}"
    started = time.time() - 1
    private_tmp = tmp_path / "tmpdir"
    private_tmp.mkdir()
    env = {"TMPDIR": str(private_tmp), "SYNAPSE_CLEANUP_GRACE_MS": "2000"}
    write_session(project, "stale-one", age_hours=400)
    session_path(project, "corrupt-one").write_text("{nope")

    def event(**changes) -> bytes:
        return claude_payload(cwd=str(project), prompt=secret, **changes)

    runs = [
        (event(session_id="first"), ("--debug",)),
        (event(session_id="first"), ()),
        (event(session_id="corrupt-one"), ("--debug",)),
        (event(session_id="../escape"), ("--debug",)),
        (event(session_id=12), ("--debug",)),
        (event(session_id="with space"), ()),
        (event()[:-5], ("--debug",)),
        (event().replace(b'"prompt"', b'"prompt\xff"'), ("--debug",)),
        (b"x" * 10 + event(), ("--debug",)),
    ]
    for payload, args in runs:
        result = hook(payload, cwd=project, args=args, env=env)
        assert result.returncode == 0 and result.stdout == b""
        assert secret.encode() not in result.stderr
    # A bad config and an unknown option (the Typer path, logged as a usage error) too.
    (project / ".aios-core").mkdir()
    (project / ".aios-core" / "core-config.yaml").write_text("synapse: [unclosed\n")
    for args in (("--debug",), ("--debug", "--bogus")):
        result = run_synapse(["hook", "prompt-submit", *args], input=event(session_id="after-bad-config"), cwd=project, env=env)
        assert result.returncode == 0 and result.stdout == b"" and secret.encode() not in result.stderr
    # The in-process command path (in-memory stdin) once spooled the event to a temp file; it now uses a pipe.
    # The temp folder stays pointed at the private one, so a regression would leave the prompt where it is searched.
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    from typer.testing import CliRunner

    from synapse_cli.cli.app import app

    result = CliRunner().invoke(app, ["--debug", "hook", "prompt-submit"], input=event(session_id="in-process"))
    assert result.exit_code == 0 and secret not in result.stdout + result.stderr

    assert "moved" in log_text(project) and "core-config.yaml" in log_text(project)
    assert read_json(session_path(project, "first"))["prompt_count"] == 2
    assert not session_path(project, "stale-one").exists()
    home = Path(os.environ["HOME"])
    roots = [tmp_path, home, Path(os.environ.get("XDG_CACHE_HOME", home / ".cache")), private_tmp]
    assert _files_holding(secret.encode(), roots) == []
    # Anything else written anywhere under the system temp folder while this test ran.
    assert _files_holding(secret.encode(), [Path("/tmp")], newer_than=started) == []
