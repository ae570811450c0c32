"""A bounded-wait exclusive lock for read-modify-write of one state file.

The locks are a fixed set of files, ``.synapse/cache/locks/00.lock`` to ``63.lock``,
that are created once and never removed; a data file's lock is the one its name
(relative to the project, so every path to the project agrees) hashes to. Two files
may share a lock: they are then updated one after the other, never lost. Because a
lock file is never removed there is no race between removing it and locking it, no
pile-up of lock files beside the data (Windows cannot remove a file that is open),
and nothing in a repository's committed files decides where a lock is created: a lock
file that is a symlink, FIFO or folder is refused, never followed, never blocked on.

Waiting is bounded; past the bound the caller gets ``LockTimeoutError`` instead of a
hang. The operating system drops the lock when its holder dies, so a killed process
never leaves a stuck lock.
"""

from __future__ import annotations

import os
import sys
import time

from synapse_cli.core.errors import LockTimeoutError
from synapse_cli.core.folders import ensure_folder, refuse_linked

LOCK_SLOTS = 64
LOCKS_FOLDER = os.path.join("cache", "locks")
"""Inside ``.synapse/``."""
LEGACY_LOCK_SUFFIX = ".lock"
"""Earlier versions locked ``<data file>.lock`` beside the data; doctor notes those left over."""
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)

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


def lock_slot(key: str) -> int:
    """The slot of ``key`` (FNV-1a: the same in every process and version, no import).

    Case-folded: on a case-insensitive file system ``S.json`` and ``s.json`` are one file.
    """
    value = 0xCBF29CE484222325
    for byte in key.replace("\\", "/").lower().encode("utf-8", "surrogatepass"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value % LOCK_SLOTS


def locks_folder(synapse_dir: str) -> str:
    return os.path.join(synapse_dir, LOCKS_FOLDER)


def lock_file_path(synapse_dir: str, key: str) -> str:
    """The lock file that guards the data file ``key`` (its path relative to the project)."""
    return os.path.join(locks_folder(synapse_dir), f"{lock_slot(key):02d}.lock")


class FileLock:
    """``with FileLock(synapse_dir, "sessions/s1.json", timeout=5):`` holds that file's lock."""

    def __init__(self, synapse_dir: str | os.PathLike[str], key: str, timeout: float = 5.0):
        self.key = key
        self.path = lock_file_path(os.fspath(synapse_dir), key)
        self.timeout = timeout
        self._fd = -1

    @property
    def held(self) -> bool:
        return self._fd >= 0

    def _open(self) -> int:
        # Never through a link, never blocking on a FIFO; flock needs no write access.
        flags = (os.O_RDWR if os.name == "nt" else os.O_RDONLY) | os.O_CREAT | _O_CLOEXEC | _O_NOFOLLOW | _O_NONBLOCK | _O_BINARY
        # The open may create the lock file: ``cache/`` or ``cache/locks/`` committed as a
        # link must not get it (O_NOFOLLOW guards the last component only).
        folder = os.path.dirname(self.path)
        refuse_linked(folder)
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileNotFoundError:
            ensure_folder(folder)
            fd = os.open(self.path, flags, 0o644)
        try:
            mode = os.fstat(fd).st_mode
            if (mode & 0o170000) != 0o100000:
                from synapse_cli.core.files import not_regular_error

                raise not_regular_error(self.path, mode)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def acquire(self) -> None:
        """Take the lock, waiting at most ``timeout`` seconds; raise ``LockTimeoutError`` past that.

        ``OSError`` when the lock file cannot be opened or is not a regular file.
        """
        if self._fd >= 0:
            return
        deadline = time.monotonic() + self.timeout
        delay = 0.0005
        fd = self._open()
        try:
            while not _try_lock(fd):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LockTimeoutError(self.path, self.timeout)
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.02)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd < 0:
            return
        fd, self._fd = self._fd, -1
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
