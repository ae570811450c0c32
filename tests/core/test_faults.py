"""Injected I/O faults at every stage of an atomic write: the target keeps its old content, no temp is left.

Two ways: real syscall failures injected by strace into a real interpreter running a
small writer script (Linux, needs ptrace), and the same faults by monkeypatching ``os``.
These cover process-visible outcomes; they say nothing about power loss.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from synapse_cli.core import atomic
from synapse_cli.core.atomic import atomic_write
from synapse_cli.core.errors import AtomicWriteError
from tests.support.faults import read_result, run_script_under_strace

OLD = '{"version": "old"}'
NEW = '{"version": "new", "more": "' + "y" * 3000 + '"}'
RENAME_CALLS = "?rename,?renameat,?renameat2"


def _prepare(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "state"
    folder.mkdir()
    target = folder / "target.json"
    target.write_text(OLD)
    return folder, target, tmp_path / "result.json"


def _strace_write(tmp_path: Path, strace_args: list[str]) -> tuple[dict, Path, Path]:
    folder, target, result_path = _prepare(tmp_path)
    done = run_script_under_strace(strace_args, "fault_writer.py", target, NEW, result_path)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return read_result(result_path), folder, target


def _assert_failed_cleanly(result: dict, stage: str, folder: Path, target: Path, errname: str) -> None:
    assert result["ok"] is False, result
    assert result["type"] == "AtomicWriteError" and result["synapse_error"] is True
    assert result["stage"] == stage
    assert result["path"] == str(target)
    assert result["errno"] == getattr(errno, errname)
    assert stage in result["message"] and str(target) in result["message"]
    assert target.read_text() == OLD
    assert sorted(os.listdir(folder)) == ["target.json"], "a temp file was left behind"


def test_strace_write_enospc(strace: str, tmp_path: Path) -> None:
    """write() failing with ENOSPC: error stage 'write' naming the path, old content kept, no temp left."""
    result, folder, target = _strace_write(tmp_path, ["-e", "trace=write", "-e", "inject=write:error=ENOSPC"])
    _assert_failed_cleanly(result, "write", folder, target, "ENOSPC")


def test_strace_fsync_eio(strace: str, tmp_path: Path) -> None:
    """The file's fsync failing with EIO: stage 'fsync', old content kept, no temp left."""
    result, folder, target = _strace_write(tmp_path, ["-e", "trace=fsync", "-e", "inject=fsync:error=EIO:when=1"])
    _assert_failed_cleanly(result, "fsync", folder, target, "EIO")


@pytest.mark.parametrize("errname", ["EIO", "EACCES"])
def test_strace_rename_fails(strace: str, tmp_path: Path, errname: str) -> None:
    """rename failing (EIO, EACCES): stage 'rename', old content kept, temp removed."""
    result, folder, target = _strace_write(
        tmp_path, ["-e", f"trace={RENAME_CALLS}", "-e", f"inject={RENAME_CALLS}:error={errname}"]
    )
    _assert_failed_cleanly(result, "rename", folder, target, errname)


def test_strace_folder_fsync_eio(strace: str, tmp_path: Path) -> None:
    """Only the folder's fsync failing (second fsync): stage 'fsync-dir', new content in place, reported as written."""
    result, folder, target = _strace_write(tmp_path, ["-e", "trace=fsync", "-e", "inject=fsync:error=EIO:when=2"])
    assert result["ok"] is False and result["stage"] == "fsync-dir", result
    assert result["written"] is True and result["path"] == str(target)
    assert "durability unknown" in result["message"] and str(target) in result["message"]
    assert target.read_text() == NEW
    assert sorted(os.listdir(folder)) == ["target.json"]


def test_strace_folder_fsync_eio_by_path(strace: str, tmp_path: Path) -> None:
    """The same folder-fsync fault selected by path (-P folder) rather than by call count."""
    folder, target, result_path = _prepare(tmp_path)
    done = run_script_under_strace(
        ["-P", str(folder), "-e", "trace=fsync", "-e", "inject=fsync:error=EIO"],
        "fault_writer.py", target, NEW, result_path,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    result = read_result(result_path)
    assert result["stage"] == "fsync-dir" and result["written"] is True, result
    assert target.read_text() == NEW
    assert sorted(os.listdir(folder)) == ["target.json"]


def test_strace_no_fault_control(strace: str, tmp_path: Path) -> None:
    """Control: the same writer under strace without a matching fault succeeds (so the faults above are what fail)."""
    result, folder, target = _strace_write(tmp_path, ["-e", "trace=fsync", "-e", "inject=fsync:error=EIO:when=3"])
    assert result == {"ok": True}
    assert target.read_text() == NEW
    assert sorted(os.listdir(folder)) == ["target.json"]


# -- the same faults by monkeypatching -------------------------------------------------


def _check_monkeypatched(tmp_path: Path, stage: str) -> AtomicWriteError:
    folder, target, _ = _prepare(tmp_path)
    with pytest.raises(AtomicWriteError) as info:
        atomic_write(target, NEW)
    err = info.value
    assert err.stage == stage and err.path == str(target)
    assert stage in str(err) and str(target) in str(err)
    assert sorted(os.listdir(folder)) == ["target.json"]
    return err


def test_monkeypatched_write_enospc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.write raising ENOSPC: stage 'write', old content, no temp."""
    def no_space(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "write", no_space)
    err = _check_monkeypatched(tmp_path, "write")
    assert err.errno == errno.ENOSPC and err.written is False
    assert (tmp_path / "state" / "target.json").read_text() == OLD


def test_monkeypatched_short_writes_are_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.write writing only a few bytes per call still produces the complete file (short writes are looped)."""
    real_write = os.write
    monkeypatch.setattr(atomic.os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    target = tmp_path / "t.json"
    atomic_write(target, NEW)
    assert target.read_text() == NEW


def test_monkeypatched_fsync_eio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.fsync raising EIO on the file: stage 'fsync', old content, no temp."""
    def io_error(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "fsync", io_error)
    err = _check_monkeypatched(tmp_path, "fsync")
    assert err.errno == errno.EIO
    assert (tmp_path / "state" / "target.json").read_text() == OLD


def test_monkeypatched_rename_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.replace raising: stage 'rename', old content, no temp."""
    def io_error(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", io_error)
    _check_monkeypatched(tmp_path, "rename")
    assert (tmp_path / "state" / "target.json").read_text() == OLD


def test_monkeypatched_folder_fsync_eio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the folder fsync raising EIO: stage 'fsync-dir', new content in place, err.written is True."""
    real_fsync = os.fsync

    def dir_fails(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", dir_fails)
    err = _check_monkeypatched(tmp_path, "fsync-dir")
    assert err.written is True and "durability unknown" in str(err)
    assert (tmp_path / "state" / "target.json").read_text() == NEW


def test_monkeypatched_create_temp_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temp file cannot be created: stage 'create-temp', target untouched."""
    real_open = os.open

    def refuse_temp(path, flags, mode=0o777, **kw):
        if atomic.TEMP_MARKER in os.fspath(path):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(atomic.os, "open", refuse_temp)
    _check_monkeypatched(tmp_path, "create-temp")
    assert (tmp_path / "state" / "target.json").read_text() == OLD
