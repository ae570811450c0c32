"""The lock: one of a fixed set of files, exclusive across processes, bounded wait, released by the OS when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from synapse_cli.core import errors
from synapse_cli.core.errors import LockTimeoutError, SynapseError
from synapse_cli.core.locking import LOCK_SLOTS, FileLock, lock_file_path, lock_slot
from synapse_cli.core.sessions.store import SessionStore
from tests.support.files import unwritable
from tests.support.run import child_env, script_cmd

pytestmark = pytest.mark.skipif(os.name == "nt", reason="these tests use POSIX flock semantics and SIGKILL")


def _start_holder(data: Path, hold: float, *extra: object) -> tuple[subprocess.Popen, float]:
    proc = subprocess.Popen(
        script_cmd("lock_holder.py", data, hold, *extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(),
    )
    line = proc.stdout.readline().decode()
    if not line.startswith("locked "):
        proc.kill()
        proc.wait()
        pytest.fail(f"lock holder did not start: {line!r} {proc.stderr.read().decode(errors='replace')}")
    return proc, float(line.split()[1])


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def _lock(data: Path, timeout: float) -> FileLock:
    return SessionStore(data.parent).lock_for(str(data), timeout)


def test_lock_is_one_of_a_fixed_set_of_files(tmp_path: Path) -> None:
    """The lock lives in '.synapse/cache/locks/NN.lock', chosen by the file's name; taking it neither creates nor touches the data file."""
    data = tmp_path / "sessions" / "s.json"
    data.parent.mkdir()
    lock = _lock(data, timeout=1)
    assert lock.path == str(tmp_path / "cache" / "locks" / f"{lock_slot('sessions/s.json'):02d}.lock")
    assert lock.path == lock_file_path(str(tmp_path), "sessions/s.json")
    with lock:
        assert lock.held
        assert Path(lock.path).is_file()
        assert not data.exists()
    assert not lock.held and Path(lock.path).is_file()  # never removed
    data.write_text("content")
    before = data.stat()
    with _lock(data, timeout=1):
        pass
    after = data.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert data.read_text() == "content"
    assert {lock_slot(f"sessions/{n}.json") for n in range(2000)} == set(range(LOCK_SLOTS))
    assert lock_slot("sessions/S.json") == lock_slot("sessions/s.json")  # one file on a case-insensitive disk


def test_second_process_waits_for_the_first(tmp_path: Path) -> None:
    """While another process holds the lock an acquirer waits, and gets it only after the holder released it."""
    data = tmp_path / "sessions" / "s.json"
    proc, _ = _start_holder(data, 0.6)
    try:
        with _lock(data, timeout=10):
            acquired = time.time()
        line = proc.stdout.readline().decode()
        assert line.startswith("releasing ")
        released = float(line.split()[1])
        assert acquired >= released  # it did not get in while the holder (0.6 s) still held it
        proc.wait(timeout=10)
    finally:
        _stop(proc)
    assert proc.returncode == 0


def test_holder_that_never_releases_gives_lock_timeout(tmp_path: Path) -> None:
    """A holder that never releases makes the waiter fail after the bounded wait with LockTimeoutError naming the lock path."""
    data = tmp_path / "sessions" / "s.json"
    proc, _ = _start_holder(data, -1)
    try:
        start = time.monotonic()
        with pytest.raises(LockTimeoutError) as info:
            _lock(data, timeout=0.4).acquire()
        waited = time.monotonic() - start
    finally:
        _stop(proc)
    assert 0.35 <= waited < 3
    err = info.value
    assert isinstance(err, SynapseError)
    assert err.lock_path == _lock(data, 1).path
    assert err.lock_path in str(err) and "0.4 s" in str(err)


def test_lock_timeout_alias() -> None:
    """synapse_cli.core.errors.LockTimeout is the same class as LockTimeoutError."""
    assert errors.LockTimeout is LockTimeoutError
    from synapse_cli.core.errors import LockTimeout

    assert issubclass(LockTimeout, SynapseError)


def test_sigkilled_holder_releases_the_lock(tmp_path: Path) -> None:
    """A holder killed with SIGKILL while holding the lock leaves no stuck lock."""
    data = tmp_path / "sessions" / "s.json"
    proc, _ = _start_holder(data, -1)
    with pytest.raises(LockTimeoutError):
        _lock(data, timeout=0.05).acquire()
    proc.send_signal(signal.SIGKILL)
    _stop(proc)
    assert proc.returncode == -signal.SIGKILL
    start = time.monotonic()
    with _lock(data, timeout=2) as lock:
        assert lock.held
    assert time.monotonic() - start < 5


def test_lock_exclusive_between_many_processes(tmp_path: Path) -> None:
    """Four processes taking the same lock never hold it at overlapping times."""
    data = tmp_path / "sessions" / "s.json"
    log_path = tmp_path / "holds.txt"
    procs = [
        subprocess.Popen(script_cmd("lock_holder.py", data, 0.05, 20, log_path),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
        for _ in range(4)
    ]
    for proc in procs:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
        assert proc.returncode == 0
    spans = sorted(tuple(map(float, line.split()[1:])) for line in log_path.read_text().splitlines())
    assert len(spans) == 4
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start >= end


def test_unwritable_lock_file_does_not_lock_a_session_out(sessions_dir: Path) -> None:
    """A lock file that cannot be opened for writing still serves: flock needs only a read-only descriptor.

    As root the file is made immutable (chattr +i), which refuses write access even to root.
    """
    store = SessionStore(sessions_dir)
    store.update("s2")
    lock_path = Path(store.lock_for(store.path_for("s2")).path)
    with unwritable(lock_path):
        with pytest.raises(PermissionError):
            os.open(lock_path, os.O_RDWR)  # the fault is real
        assert store.update("s2").session["prompt_count"] == 2
