"""Crash-safe file writes: readers see the old file or the new one, never a torn one.

The recipe (see docs/ and the reference on atomic writes): serialise first, write a
sibling temp file created with ``O_EXCL`` and a name unique per process and thread,
fsync it, ``os.replace`` it over the target, then fsync the folder so the rename
itself survives a power cut.

Symlinks: when the target path is a symlink, the link itself is replaced by a regular
file and the file it pointed to is left untouched. synapse's state lives in its own
folders, and writing through a link could otherwise make it write outside them; a
folder of that state (``.synapse`` or ``.aios`` and below) that is a symlink is refused
before anything is created (``folders.refuse_linked``).
"""

from __future__ import annotations

import os
import sys
import time

from synapse_cli.core import log
from synapse_cli.core.errors import AtomicWriteError
from synapse_cli.core.folders import ensure_folder, refuse_linked

TEMP_MARKER = ".tmp."
"""Temp files are ``<name>.tmp.<pid>.<thread>.<random>``; cleanup sweeps old ones."""

# On Windows a rename over a file that another process (antivirus, indexer, a reader)
# holds open fails with PermissionError for a moment; peers retry for 1-2 s. On POSIX a
# PermissionError is a real permission problem and is not retried. Tests switch it on.
RETRY_RENAME_ON_PERMISSION_ERROR = os.name == "nt"
RENAME_RETRY_DELAYS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_umask_cache: int | None = None


def _current_umask() -> int:
    """The process umask, read without changing it where the platform allows."""
    global _umask_cache
    if _umask_cache is None:
        try:
            with open("/proc/self/status", "rb") as status:
                for line in status:
                    if line.startswith(b"Umask:"):
                        _umask_cache = int(line.split()[1], 8)
                        break
        except (OSError, ValueError, IndexError):
            pass
        if _umask_cache is None:  # pragma: no cover - non-Linux fallback
            _umask_cache = os.umask(0o022)
            os.umask(_umask_cache)
    return _umask_cache


def temp_path_for(path: str) -> str:
    import _thread

    return f"{path}{TEMP_MARKER}{os.getpid()}.{_thread.get_ident()}.{os.urandom(4).hex()}"


def is_temp_name(name: str) -> bool:
    """Whether ``name`` has exactly the shape ``temp_path_for`` gives: ``<name>.tmp.<pid>.<thread>.<8 hex>``.

    A looser test (".tmp." anywhere) would let cleanup sweep files that merely contain
    it, such as the set-aside copy ``x.tmp.y.json.corrupt-<time>`` of session ``x.tmp.y``.
    """
    head, marker, tail = name.rpartition(TEMP_MARKER)
    if not marker or not head:
        return False
    parts = tail.split(".")
    return (
        len(parts) == 3
        and parts[0].isascii() and parts[0].isdigit()
        and parts[1].isascii() and parts[1].isdigit()
        and len(parts[2]) == 8
        and all(c in "0123456789abcdef" for c in parts[2])
    )


def _final_mode(path: str) -> int:
    """Mode for the new file: the existing regular file's bits, else the umask default.

    New files are never world-writable, whatever the umask.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError:
        st = None
    if st is not None and (st.st_mode & 0o170000) == 0o100000:
        return st.st_mode & 0o7777
    return 0o666 & ~_current_umask() & ~0o002


def _open_temp(tmp: str) -> int:
    # 0600 while being written: the content may be private until it has its final mode.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_BINARY | _O_NOFOLLOW
    refuse_linked(os.path.dirname(tmp))
    try:
        return os.open(tmp, flags, 0o600)
    except FileNotFoundError:
        ensure_folder(os.path.dirname(tmp))
        return os.open(tmp, flags, 0o600)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_file(fd: int) -> None:
    if sys.platform == "darwin":  # pragma: no cover - plain fsync does not reach the platter there
        import fcntl

        fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
    else:
        os.fsync(fd)


def fsync_dir(folder: str) -> None:
    """Make a rename or unlink in ``folder`` durable (no-op where folders cannot be fsynced)."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder or ".", os.O_RDONLY | _O_CLOEXEC | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(src: str, dst: str) -> None:
    if not RETRY_RENAME_ON_PERMISSION_ERROR:
        os.replace(src, dst)
        return
    # Never delete the target first to "make room": that opens a window with no file.
    for delay in RENAME_RETRY_DELAYS:
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            time.sleep(delay)
    os.replace(src, dst)


def _encode(data: bytes | str) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"atomic_write takes bytes or str, not {type(data).__name__}")


def _fail(stage: str, path: str, tmp: str | None, cause: BaseException) -> AtomicWriteError:
    err = AtomicWriteError(stage, path, tmp, cause)
    log.error(f"[atomic-write] {err}")
    return err


def _write_temp(path: str, payload: bytes, fsync: bool, mode: int) -> str:
    """Write a complete temp sibling of ``path``; on failure remove it and raise."""
    tmp = temp_path_for(path)
    stage = "create-temp"
    fd = -1
    try:
        fd = _open_temp(tmp)
        stage = "write"
        _write_all(fd, payload)
        if os.name != "nt":
            stage = "chmod"
            os.fchmod(fd, mode)
        if fsync:
            stage = "fsync"
            _fsync_file(fd)
        stage = "close"
        fd, closing = -1, fd
        os.close(closing)  # never closed twice: the number may be reused by another thread
    except BaseException as exc:
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
        if stage != "create-temp":
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, Exception):
            raise _fail(stage, path, tmp, exc) from exc
        raise
    return tmp


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, fsync: bool = True, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` so that a crash at any instant leaves the old or the new file.

    ``fsync=False`` keeps the atomicity but skips both fsyncs (for high-frequency files
    whose loss on power failure is acceptable). Missing parent folders are created.
    The existing file's permission bits are kept (``mode`` sets them instead).

    Raises ``AtomicWriteError`` naming the failed stage and the paths. Before the rename
    the temp file is always removed and the target is untouched; after it nothing is
    removed (stage ``fsync-dir``: written, durability unknown).
    """
    path = os.fspath(path)
    payload = _encode(data)
    tmp = _write_temp(path, payload, fsync, _final_mode(path) if mode is None else mode)
    try:
        _replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, Exception):
            raise _fail("rename", path, tmp, exc) from exc
        raise
    if fsync:
        _fsync_parent(path)


def _fsync_parent(path: str) -> None:
    """The last step: make the new name durable. The content is already visible."""
    try:
        fsync_dir(os.path.dirname(path))
    except OSError as exc:
        raise _fail("fsync-dir", path, None, exc) from exc


def atomic_create(path: str | os.PathLike[str], data: bytes | str, *, fsync: bool = True) -> bool:
    """Create ``path`` with ``data`` only if nothing exists there; return whether it was created.

    The complete file appears at once (a hard link of the finished temp file), so a
    crash never leaves a partial file, and an existing file is never overwritten.
    """
    path = os.fspath(path)
    if os.path.lexists(path):
        return False
    payload = _encode(data)
    tmp = _write_temp(path, payload, fsync, _final_mode(path))
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except (OSError, NotImplementedError):  # pragma: no cover - file systems without hard links
            if os.path.lexists(path):
                return False
            _replace(tmp, path)
            tmp = ""
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if fsync:
        _fsync_parent(path)
    return True
