"""The atomic writer: old or new content at every instant, never a torn file, never a stray temp."""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from pathlib import Path

import pytest

from synapse_cli.core import atomic
from synapse_cli.core.atomic import (
    atomic_create,
    atomic_write,
    is_temp_name,
    temp_path_for,
)
from synapse_cli.core.errors import AtomicWriteError, SynapseError
from tests.support.sessions import dead_writer_temp


def temps_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if atomic.TEMP_MARKER in p.name)


def test_new_file(tmp_path: Path) -> None:
    """atomic_write creates a missing file with exactly the given bytes."""
    target = tmp_path / "a.json"
    atomic_write(target, '{"a": 1}')
    assert target.read_bytes() == b'{"a": 1}'


def test_overwrite(tmp_path: Path) -> None:
    """atomic_write replaces an existing file's whole content (a shorter one leaves no tail)."""
    target = tmp_path / "a.json"
    target.write_text('{"long": "' + "x" * 500 + '"}')
    atomic_write(target, '{"b": 2}')
    assert target.read_bytes() == b'{"b": 2}'


def test_no_temp_left_on_success(tmp_path: Path) -> None:
    """After successful writes the folder holds only the target."""
    target = tmp_path / "a.json"
    for i in range(5):
        atomic_write(target, str(i))
    assert sorted(os.listdir(tmp_path)) == ["a.json"]


def test_parent_folders_created(tmp_path: Path) -> None:
    """Missing parent folders of the target are created."""
    target = tmp_path / "x" / "y" / "z" / "a.json"
    atomic_write(target, "{}")
    assert target.read_text() == "{}"


def test_empty_data(tmp_path: Path) -> None:
    """Empty data gives an empty file (and replaces a non-empty one)."""
    target = tmp_path / "a"
    target.write_text("old")
    atomic_write(target, b"")
    assert target.read_bytes() == b""
    assert temps_in(tmp_path) == []


def test_large_data(tmp_path: Path) -> None:
    """About 100 KB of data is written completely."""
    data = os.urandom(50 * 1024).hex().encode()  # 100 KiB
    target = tmp_path / "big.bin"
    atomic_write(target, data)
    assert target.read_bytes() == data


def test_bytes_and_str(tmp_path: Path) -> None:
    """str is written as UTF-8; bytes are written as is; other types are refused before touching disk."""
    target = tmp_path / "t.txt"
    atomic_write(target, "ünïcode — ok")
    assert target.read_bytes() == "ünïcode — ok".encode("utf-8")
    atomic_write(target, b"\x00\xff raw")
    assert target.read_bytes() == b"\x00\xff raw"
    with pytest.raises(TypeError):
        atomic_write(target, 42)  # type: ignore[arg-type]
    assert target.read_bytes() == b"\x00\xff raw"
    assert temps_in(tmp_path) == []


def test_rename_failure_removes_temp_and_keeps_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the rename fails the temp file is removed, the target is untouched and the error says 'rename'."""
    target = tmp_path / "a.json"
    target.write_text("old")

    def failing_replace(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(AtomicWriteError) as info:
        atomic_write(target, "new")
    assert info.value.stage == "rename"
    assert target.read_text() == "old"
    assert temps_in(tmp_path) == []


def test_leftover_temp_from_crash_leaves_target_intact_and_is_swept(tmp_path: Path) -> None:
    """A temp file left by a crash before the rename leaves the target parsable, and cleanup sweeps it once old."""
    from synapse_cli.core.sessions.store import SessionStore

    store = SessionStore(tmp_path)
    store.update("s1", {"title": "before crash"})
    target = tmp_path / "s1.json"
    # What a writer killed between writing its temp file and renaming it leaves behind.
    leftover = dead_writer_temp(target)
    leftover.write_text('{"uuid": "s1", "half written')
    assert is_temp_name(leftover.name)
    assert json.loads(target.read_text())["title"] == "before crash"
    assert store.load("s1")["title"] == "before crash"
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    result = store.clean_stale(24, temp_max_age_seconds=600)
    assert result.temp_files_removed == [leftover.name]
    assert not leftover.exists()
    assert store.load("s1")["title"] == "before crash"


def test_existing_permission_bits_kept(tmp_path: Path) -> None:
    """An existing file's mode (0640) survives a rewrite, though the temp was created 0600."""
    target = tmp_path / "a.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text() == "new"


def test_new_file_not_world_writable_even_with_umask_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new file gets the umask default but never the world-writable bit, even under umask 000."""
    monkeypatch.setattr(atomic, "_umask_cache", None)
    previous = os.umask(0)
    try:
        atomic_write(tmp_path / "a.json", "{}")
    finally:
        os.umask(previous)
        atomic._umask_cache = None
    mode = stat.S_IMODE((tmp_path / "a.json").stat().st_mode)
    assert not mode & stat.S_IWOTH
    assert mode == 0o664


def test_new_file_follows_umask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under umask 022 a new file is 0644 (not mkstemp's 0600)."""
    monkeypatch.setattr(atomic, "_umask_cache", None)
    previous = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.json", "{}")
    finally:
        os.umask(previous)
        atomic._umask_cache = None
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644


def test_temp_file_is_0600_while_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temp file is mode 0600 while its bytes are written, then gets the final mode before the rename."""
    target = tmp_path / "a.json"
    target.write_text("old")
    target.chmod(0o644)
    modes_while_writing: list[int] = []
    modes_at_rename: list[int] = []
    real_write, real_replace = os.write, os.replace

    def spy_write(fd, data):
        modes_while_writing.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    def spy_replace(src, dst):
        modes_at_rename.append(stat.S_IMODE(os.stat(src).st_mode))
        assert Path(dst).read_text() == "old"  # the target is untouched until the rename
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "write", spy_write)
    monkeypatch.setattr(atomic.os, "replace", spy_replace)
    atomic_write(target, "new")
    assert modes_while_writing and set(modes_while_writing) == {0o600}
    assert modes_at_rename == [0o644]
    assert target.read_text() == "new"


def test_symlink_target_is_replaced_by_regular_file(tmp_path: Path) -> None:
    """Writing to a symlink replaces the link with a regular file and leaves the file it pointed to untouched."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("precious")
    link = tmp_path / "state" / "a.json"
    link.parent.mkdir()
    link.symlink_to(elsewhere)
    atomic_write(link, "new")
    assert not link.is_symlink()
    assert link.is_file()
    assert link.read_text() == "new"
    assert elsewhere.read_text() == "precious"


def test_fsync_false_is_still_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fsync=False skips every fsync but still writes through a temp file and a rename."""
    target = tmp_path / "a.json"
    target.write_text("old")
    calls: list[str] = []
    real_replace = os.replace

    def no_fsync(fd):
        calls.append("fsync")

    def spy_replace(src, dst):
        calls.append("replace")
        assert is_temp_name(Path(src).name)
        assert Path(dst).read_text() == "old"
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", no_fsync)
    monkeypatch.setattr(atomic.os, "replace", spy_replace)
    atomic_write(target, "new", fsync=False)
    assert calls == ["replace"]
    assert target.read_text() == "new"
    assert temps_in(tmp_path) == []


def test_fsync_true_syncs_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With fsync the temp file is synced before the rename and the folder after it."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def spy_fsync(fd):
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def spy_replace(src, dst):
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", spy_fsync)
    monkeypatch.setattr(atomic.os, "replace", spy_replace)
    atomic_write(tmp_path / "a.json", "x")
    assert events == ["fsync-file", "rename", "fsync-dir"]


class _FlakyReplace:
    def __init__(self, failures: int):
        self.failures = failures
        self.calls = 0
        self.real = os.replace

    def __call__(self, src, dst):
        self.calls += 1
        if self.failures < 0 or self.calls <= self.failures:
            raise PermissionError(13, "Permission denied (target held open)")
        self.real(src, dst)


def test_windows_retry_succeeds_after_transient_permission_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With rename retry on (Windows), three PermissionErrors followed by success give a successful write."""
    target = tmp_path / "a.json"
    target.write_text("old")
    flaky = _FlakyReplace(3)
    sleeps: list[float] = []
    monkeypatch.setattr(atomic, "RETRY_RENAME_ON_PERMISSION_ERROR", True)
    monkeypatch.setattr(atomic.os, "replace", flaky)
    monkeypatch.setattr(atomic.time, "sleep", sleeps.append)
    atomic_write(target, "new")
    assert flaky.calls == 4
    assert len(sleeps) == 3
    assert target.read_text() == "new"
    assert temps_in(tmp_path) == []


def test_windows_retry_gives_up_with_rename_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rename that always fails with PermissionError ends, after a bounded 1-2 s backoff, in AtomicWriteError 'rename' with no temp left."""
    target = tmp_path / "a.json"
    target.write_text("old")
    flaky = _FlakyReplace(-1)
    sleeps: list[float] = []
    monkeypatch.setattr(atomic, "RETRY_RENAME_ON_PERMISSION_ERROR", True)
    monkeypatch.setattr(atomic.os, "replace", flaky)
    monkeypatch.setattr(atomic.time, "sleep", sleeps.append)
    with pytest.raises(AtomicWriteError) as info:
        atomic_write(target, "new")
    assert info.value.stage == "rename"
    assert isinstance(info.value.cause, PermissionError)
    assert flaky.calls == len(atomic.RENAME_RETRY_DELAYS) + 1
    assert 1.0 <= sum(sleeps) <= 2.0
    assert target.read_text() == "old"
    assert temps_in(tmp_path) == []


def test_posix_permission_error_on_rename_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With retry off (POSIX) a PermissionError on rename fails at once: it is a real permission problem."""
    target = tmp_path / "a.json"
    flaky = _FlakyReplace(1)
    monkeypatch.setattr(atomic, "RETRY_RENAME_ON_PERMISSION_ERROR", False)
    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(AtomicWriteError) as info:
        atomic_write(target, "new")
    assert info.value.stage == "rename" and flaky.calls == 1
    assert not target.exists()
    assert temps_in(tmp_path) == []


def test_error_names_stage_and_path_and_is_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """An AtomicWriteError names the stage and the target path, is a SynapseError and an OSError, and is logged with [atomic-write] on stderr."""
    target = tmp_path / "a.json"

    def failing_replace(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(AtomicWriteError) as info:
        atomic_write(target, "new")
    err = info.value
    assert isinstance(err, SynapseError) and isinstance(err, OSError)
    assert "rename" in str(err) and str(target) in str(err)
    assert err.path == str(target) and err.errno == errno.EIO
    captured = capfd.readouterr()
    assert captured.out == ""
    assert "[atomic-write]" in captured.err
    assert "rename failed for " + str(target) in captured.err


def test_atomic_create_never_overwrites(tmp_path: Path) -> None:
    """atomic_create writes a missing file, returns False and changes nothing when the file (or a link) exists."""
    target = tmp_path / "g"
    assert atomic_create(target, "first") is True
    assert target.read_text() == "first"
    assert atomic_create(target, "second") is False
    assert target.read_text() == "first"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    assert atomic_create(dangling, "x") is False
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()
    assert temps_in(tmp_path) == []


def test_is_temp_name_matches_only_writer_temp_names(tmp_path: Path) -> None:
    """Only names shaped like the writer's temp files count as temp files (so cleanup never sweeps others)."""
    real = Path(temp_path_for(str(tmp_path / "x.tmp.y.json"))).name
    assert is_temp_name(real)
    assert is_temp_name("abc.json.tmp.123.140234.deadbeef")
    for name in ("abc.json", "x.tmp.y.json", "x.tmp.y.json.corrupt-20261126T151638.911Z",
                 "x.tmp.y.json.lock", "notes.tmp.txt", "a.tmp.1.2.zzzzzzzz", "a.tmp.1.2.deadbeef.json"):
        assert not is_temp_name(name), name
