"""A bounded-wait exclusive lock for read-modify-write of one state file.

The lock is a sidecar file (``<data file>.lock``), never the data file itself: the
atomic writer's rename swaps the data file's inode, so a lock on it would be a lock
on a file later writers no longer open. Waiting is bounded; past the bound the
caller gets ``LockTimeoutError`` instead of a hang. The operating system drops the
lock when its holder dies, so a killed process never leaves a stuck lock.
"""

from __future__ import annotations

import os
import sys
import time

from synapse_cli.core.errors import LockTimeoutError
from synapse_cli.core.folders import ensure_folder

LOCK_SUFFIX = ".lock"
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path_for(data_path: str) -> str:
    return data_path + LOCK_SUFFIX


class FileLock:
    """``with FileLock(path_of_data_file, timeout=5):`` holds the sidecar lock of that file."""

    def __init__(self, data_path: str | os.PathLike[str], timeout: float = 5.0):
        self.path = lock_path_for(os.fspath(data_path))
        self.timeout = timeout
        self._fd = -1

    @property
    def held(self) -> bool:
        return self._fd >= 0

    def _open(self) -> int:
        # flock needs no write access: a read-only lock file (or one that is a hard link
        # of a read-only data file) must not lock its session out.
        flags = (os.O_RDWR if os.name == "nt" else os.O_RDONLY) | os.O_CREAT | _O_CLOEXEC
        try:
            return os.open(self.path, flags, 0o644)
        except FileNotFoundError:
            ensure_folder(os.path.dirname(self.path))
            return os.open(self.path, flags, 0o644)

    def acquire(self) -> None:
        """Take the lock, waiting at most ``timeout`` seconds; raise ``LockTimeoutError`` past that."""
        deadline = time.monotonic() + self.timeout
        delay = 0.0005
        while True:
            fd = self._open()
            if _try_lock(fd):
                if self._still_current(fd):
                    self._fd = fd
                    return
                # The lock file was removed (cleanup of its session) while we waited:
                # the lock we hold is on an orphan inode. Start over on the new file.
                _unlock(fd)
                os.close(fd)
                continue
            os.close(fd)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LockTimeoutError(self.path, self.timeout)
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.02)

    def _still_current(self, fd: int) -> bool:
        if os.name == "nt":  # pragma: no cover - lock files are not removed there
            return True
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_ino, on_disk.st_dev) == (mine.st_ino, mine.st_dev)

    def release(self) -> None:
        if self._fd < 0:
            return
        fd, self._fd = self._fd, -1
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def remove_lock_file(self) -> None:
        """Delete the lock file while holding it (when its data file is gone for good).

        Safe because every acquirer re-checks, after locking, that the file it locked is
        still the one at the path.
        """
        if self._fd < 0 or os.name == "nt":
            return
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
