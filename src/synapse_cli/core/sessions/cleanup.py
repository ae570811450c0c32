"""Stale-session cleanup: remove sessions nobody has touched for longer than the TTL.

A session is stale only when both its ``last_activity`` and its file's mtime are
older than the TTL, so a file modified recently is not even parsed. Never touched:
the bridge file, files without a parsable past ``last_activity``, corrupt files
(reported), set-aside copies, anything that is not a regular ``*.json`` file directly
in the folder; symlinks are never followed. Temp files of interrupted writes are swept
once old enough and only when the process that wrote them is gone (a write in progress
is never swept, whatever the clock or the setting says). A session busy with another
process is skipped (it is not stale). Lock files live apart and are never removed
(see ``locking``).

A pass may examine one *part* of a large folder only (``FolderPart``): a name's part
depends on the name alone, so passes over every part in turn examine every name there
was, whatever came and went between them. A pass can be cut off at any instant (the
hook's grace period): it has then removed whole files only, and the *cursor* (the part
and the name in hand, kept in a small file) lets the next pass go on from there to the
end of the part, so that a part too large for one grace period is still finished in a
few. Starting a pass, on a thread or not, and choosing its part is the caller's business
(see ``synapse_cli.hooks.cleanup``).
"""

from __future__ import annotations

import os
import time

from synapse_cli.core import log
from synapse_cli.core.atomic import is_temp_name
from synapse_cli.core.errors import LockTimeoutError, StateFileAccessError
from synapse_cli.core.files import read_regular
from synapse_cli.core.jsonio import loads_text, parse_timestamp
from synapse_cli.core.locking import locks_folder
from synapse_cli.core.sessions.store import BRIDGE_FILE_NAME, MAX_SESSION_BYTES, SESSION_SUFFIX

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from collections.abc import Callable

    from synapse_cli.core.sessions.store import SessionStore

_REGULAR_FILE = 0o100000
_FILE_TYPE_MASK = 0o170000
_CURSOR_MAX_BYTES = 512
_FOLDER_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FOLDER_FD_WORKS = hasattr(os, "O_DIRECTORY") and os.stat in os.supports_dir_fd and os.listdir in os.supports_fd
"""Whether the sessions folder can be listed and examined through one descriptor (not on Windows)."""
_NO_PID_FLOOR_SECONDS = 60.0
"""Where a temp file's writer cannot be asked whether it runs, it is at least this old before it goes."""


class CleanupProgress:
    """Where a running cleanup is: the name in hand, and whether the pass got to the end."""

    __slots__ = ("current", "finished")

    def __init__(self) -> None:
        self.current: str | None = None
        self.finished = False


class FolderPart:
    """Examine only part ``index`` of ``count`` when the folder lists more than ``whole_up_to`` names.

    A name's part comes from the name alone (``part_of``), so it never changes while other
    files come and go: passes over parts 0 to ``count - 1`` examine every name that was
    there throughout. ``claim`` is asked first, once the folder is known to be large
    enough: when it answers False the whole folder is examined instead (the caller could
    not record which part comes next).
    """

    __slots__ = ("index", "count", "whole_up_to", "claim")

    def __init__(self, index: int, count: int, whole_up_to: int, claim: Callable[[], bool] | None = None):
        if not 0 <= index < count:
            raise ValueError(f"part {index} of {count} does not exist")
        self.index = index
        self.count = count
        self.whole_up_to = whole_up_to
        self.claim = claim

    def names_in(self, names: list[str]) -> list[str]:
        index, count = self.index, self.count
        return [name for name in names if part_of(name, count) == index]


def part_of(name: str, count: int) -> int:
    """The part of a folder entry: its two characters before ``.json`` (a session id's last two), summed, modulo ``count``.

    Two characters, not one: hex ids' last characters alone fall 6:5:5 into three parts,
    two of them summed split within a percent of evenly. -1 (no part) for a name shorter
    than "x.json", which is neither a session file nor a temp file of one.
    """
    if len(name) < 6:
        return -1
    return (ord(name[-6]) + (ord(name[-7]) if len(name) > 6 else 0)) % count


class Cursor:
    """Where the next first-prompt pass starts: the part it examines, and a name to resume at."""

    __slots__ = ("part", "resume_at")

    def __init__(self, part: int = 0, resume_at: str | None = None):
        self.part = part
        self.resume_at = resume_at


class CleanupResult:
    """What a cleanup removed (or, in a dry run, would remove) and what it left."""

    def __init__(self, ttl_hours: float, dry_run: bool):
        self.ttl_hours = ttl_hours
        self.dry_run = dry_run
        self.removed: list[str] = []
        self.kept = 0
        self.corrupt: list[str] = []
        self.busy: list[str] = []
        self.temp_files_removed: list[str] = []
        self.errors: list[str] = []
        self.part: int | None = None
        """The part of the folder examined (see ``FolderPart``), or None: the whole folder."""


class _Pass:
    """The fixed facts of one cleanup pass."""

    __slots__ = ("store", "cutoff", "now", "result", "deferred", "temp_max_age", "_temp_cutoff")

    def __init__(self, store: SessionStore, cutoff: float, now: float, result: CleanupResult, temp_max_age: float = 0.0):
        self.store = store
        self.cutoff = cutoff
        self.temp_max_age = temp_max_age
        self.now = now
        self.result = result
        # Stale-looking sessions whose lock was taken when first seen: tried again at the end.
        self.deferred: list[tuple[str, str]] = []
        self._temp_cutoff: float | None = None

    def temp_cutoff(self) -> float:
        """A temp file older than this (by its mtime) may be swept.

        Temp files are aged by the file system's clock, not this machine's: on a network
        file system the two differ, and a fresh temp must never look old. Asked only when
        a temp file is found (there seldom is one), since asking writes to the lock folder.
        """
        if self._temp_cutoff is None:
            self._temp_cutoff = min(self.now, _file_system_now(self.store, self.now)) - self.temp_max_age
        return self._temp_cutoff


def clean_stale(
    store: SessionStore,
    ttl_hours: float,
    *,
    dry_run: bool = False,
    now: float | None = None,
    temp_max_age_seconds: float = 600,
    start_at: str | None = None,
    progress: CleanupProgress | None = None,
    part: FolderPart | None = None,
) -> CleanupResult:
    """Remove the sessions of ``store`` inactive for longer than ``ttl_hours``; return what was done.

    Entries (of ``part`` only, in a folder large enough for it) are handled one by one in
    name order, from ``start_at`` (where a cut-off pass stopped) to the end, and ``progress.current``
    names the entry in hand.
    """
    now = time.time() if now is None else now
    result = CleanupResult(ttl_hours=ttl_hours, dry_run=dry_run)
    listed = _names_in_order(store, start_at, part, result)
    if listed is None:
        return result
    names, folder_fd = listed
    run = _Pass(store, now - ttl_hours * 3600.0, now, result, temp_max_age_seconds)
    try:
        _scan(run, names, folder_fd, progress)
    finally:
        if folder_fd >= 0:
            os.close(folder_fd)
    _retry_deferred(run, progress)
    if progress is not None:
        progress.finished = True
    # No folder fsync for the removals: one lost to a power cut only brings back a
    # stale file that the next cleanup removes again, and the first prompt pays for it.
    examined = "" if part is None or result.part is None else f" (part {result.part} of 0-{part.count - 1})"
    log.debug(
        f"cleanup of {store.sessions_dir}{examined}: {'would remove' if dry_run else 'removed'} "
        f"{len(result.removed)} stale session(s) (ttl {ttl_hours:g} h), kept {result.kept}, "
        f"swept {len(result.temp_files_removed)} temp file(s)"
    )
    return result


def _names_in_order(
    store: SessionStore, start_at: str | None, part: FolderPart | None, result: CleanupResult
) -> tuple[list[str], int] | None:
    """The names to examine, sorted, from ``start_at`` on, and the folder open (or -1).

    The names are the folder's, or those of ``part`` when the folder has more than its
    ``whole_up_to`` (``result.part`` then says which). None when there is no folder.
    Where the platform allows, the folder is opened once (never through a link) and
    listed and examined through that descriptor: each entry's check then resolves one
    name instead of the whole path, a fifth of the pass's time.
    """
    store.refuse_linked_folders()
    folder_fd = -1
    try:
        if _FOLDER_FD_WORKS:
            folder_fd = os.open(store.sessions_dir, _FOLDER_OPEN_FLAGS)
        names = os.listdir(store.sessions_dir if folder_fd < 0 else folder_fd)
    except FileNotFoundError:
        if folder_fd >= 0:
            os.close(folder_fd)
        return None
    except OSError as exc:
        if folder_fd >= 0:
            os.close(folder_fd)
        raise StateFileAccessError(f"cannot list: {exc.strerror or exc}", path=store.sessions_dir) from exc
    if part is not None and len(names) > part.whole_up_to and (part.claim is None or part.claim()):
        names = part.names_in(names)
        result.part = part.index
    names.sort()
    # A resume point from another part (a cursor written by hand, or by 0.2.0) would skip this
    # part's names, as nothing wraps around: the part is then examined from its start.
    if start_at and (part is None or result.part is None or part_of(start_at, part.count) == part.index):
        import bisect

        # No wrapping around: the names before ``start_at`` were examined by the pass that
        # stopped there, so this one ends the part (or the folder) instead of going round it
        # again, and a part too large for one grace period is still left after a few.
        names = names[bisect.bisect_left(names, start_at):]
    return names, folder_fd


def _scan(run: _Pass, names: list[str], folder_fd: int, progress: CleanupProgress | None) -> None:
    """Each name in turn: a session file old enough is a candidate, an old temp file is swept.

    The loop every first prompt runs over every session: one ``lstat`` (never following a
    link) per session file, and nothing else unless the file is older than the TTL.
    """
    folder = run.store.sessions_dir + os.sep
    cutoff = run.cutoff
    kept = 0
    try:
        for name in names:
            if progress is not None:
                progress.current = name
            if name.endswith(SESSION_SUFFIX):
                if name == BRIDGE_FILE_NAME:
                    continue
                try:
                    if folder_fd >= 0:
                        st = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
                    else:
                        st = os.lstat(folder + name)
                except OSError:
                    continue
                if (st.st_mode & _FILE_TYPE_MASK) != _REGULAR_FILE:
                    continue  # a directory or symlink named *.json: not ours to judge
                if st.st_mtime >= cutoff:
                    kept += 1
                    continue
                _clean_candidate(run, name[: -len(SESSION_SUFFIX)], folder + name)
            elif is_temp_name(name):
                _sweep_temp(run, name, folder + name)
    finally:
        run.result.kept += kept


# A lock file is shared by every session whose name hashes to its slot, so a stale session
# can look busy only because a live one in its slot (often the very prompt that started
# this cleanup) is being written. Such candidates get one more, short try at the end.
_RETRY_WAIT_SECONDS = 0.1
_RETRY_BUDGET_SECONDS = 0.5


def _retry_deferred(run: _Pass, progress: CleanupProgress | None) -> None:
    deadline = time.monotonic() + _RETRY_BUDGET_SECONDS
    for session_id, path in run.deferred:
        if progress is not None:
            progress.current = session_id + SESSION_SUFFIX
        wait = min(_RETRY_WAIT_SECONDS, max(0.0, deadline - time.monotonic()))
        _clean_candidate(run, session_id, path, wait=wait, final=True)


def _clean_candidate(run: _Pass, session_id: str, path: str, wait: float = 0.0, final: bool = False) -> None:
    """Lock a session that looks stale (without waiting long), then remove it if it still is."""
    result = run.result
    lock = None
    if not result.dry_run:
        try:
            # A session someone is updating right now is not stale: do not wait long for it.
            lock = run.store.lock(path, timeout=wait)
        except LockTimeoutError:
            if not final:
                run.deferred.append((session_id, path))
                return
            result.busy.append(session_id)
            result.kept += 1
            return
        except StateFileAccessError as exc:
            result.errors.append(str(exc))
            result.kept += 1
            return
    try:
        _remove_if_stale(run, session_id, path)
    finally:
        if lock is not None:
            lock.release()


def _remove_if_stale(run: _Pass, session_id: str, path: str) -> bool:
    """Under the lock: check again, read ``last_activity``, and remove; whether a file went."""
    result = run.result
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        return False
    if (before.st_mode & _FILE_TYPE_MASK) != _REGULAR_FILE or before.st_mtime >= run.cutoff:
        result.kept += 1
        return False
    try:
        # Parsed as JavaScript's JSON.parse would: a file it cannot read (a byte-order mark,
        # NaN) is corrupt to the framework too, so it is reported and kept, never deleted.
        data = loads_text(read_regular(path, MAX_SESSION_BYTES), js=True)
    except FileNotFoundError:
        return False
    except (ValueError, UnicodeDecodeError):
        result.corrupt.append(session_id)
        result.kept += 1
        return False
    except OSError as exc:
        result.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
        result.kept += 1
        return False
    last = parse_timestamp(data.get("last_activity")) if isinstance(data, dict) else None
    if last is None or last > run.now or last >= run.cutoff:
        result.kept += 1
        return False
    if result.dry_run:
        result.removed.append(session_id)
        return False
    after = os.lstat(path)
    if (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns):
        result.kept += 1  # rewritten while we looked: a writer that takes no lock
        return False
    try:
        os.unlink(path)
    except OSError as exc:
        result.errors.append(f"{path}: cannot delete: {exc.strerror or exc}")
        result.kept += 1
        return False
    result.removed.append(session_id)
    return True


def _sweep_temp(run: _Pass, name: str, path: str) -> None:
    result = run.result
    try:
        st = os.lstat(path)
    except OSError:
        return
    if (st.st_mode & _FILE_TYPE_MASK) != _REGULAR_FILE or st.st_mtime >= run.temp_cutoff():
        return
    if writer_alive(name):
        return  # a write in progress (or its process still running): never swept
    if os.name == "nt" and st.st_mtime >= run.temp_cutoff() + run.temp_max_age - max(run.temp_max_age, _NO_PID_FLOOR_SECONDS):
        return  # pragma: no cover - without a liveness check, never younger than a minute
    if result.dry_run:
        return
    try:
        os.unlink(path)
        result.temp_files_removed.append(name)
    except OSError as exc:
        result.errors.append(f"{path}: cannot delete: {exc.strerror or exc}")


def writer_alive(temp_name: str) -> bool:
    """Whether the process named in a temp file's name (``<name>.tmp.<pid>.<thread>.<hex>``) runs.

    Where that cannot be known (Windows, where signalling 0 would end the process) the
    answer is False and the age rule alone decides, with a floor (``_sweep_temp``).
    """
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) terminates a process there
        return False
    try:
        pid = int(temp_name.rpartition(".tmp.")[2].split(".")[0])
    except ValueError:
        return False
    if pid <= 0:
        return False  # 0 or negative would signal a process group
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False  # no such process (a pid too large for the system names none)
    except OSError:
        return True  # PermissionError: it exists, owned by someone else
    return True


def _file_system_now(store: SessionStore, fallback: float) -> float:
    """The current time as the file system holding the state sees it (its clock stamps mtimes)."""
    from synapse_cli.core.folders import refuse_linked

    folder = locks_folder(os.path.dirname(store.sessions_dir))
    try:
        refuse_linked(folder)
        os.utime(folder, None)  # the server sets the time: a folder of lock files, nothing else there
        return os.stat(folder).st_mtime
    except OSError:
        return fallback


# -- the cursor: which part the next pass examines, and where a cut-off pass stopped ----
# The file holds the part on its first line and, after a cut-off pass, the name to resume
# at on the second. synapse 0.2.0 wrote the name alone: read as part 0, resuming there.
def read_cursor(path: str, parts: int) -> Cursor:
    """The saved cursor, or a fresh one (no cursor, or an unreadable one: it is only a hint)."""
    try:
        # surrogateescape: a file name that is not UTF-8 comes back as os.listdir gave it.
        text = read_regular(path, _CURSOR_MAX_BYTES)[:_CURSOR_MAX_BYTES].decode("utf-8", "surrogateescape")
    except OSError:
        return Cursor()
    first, _, rest = text.partition("\n")
    first, rest = first.strip(), rest.strip()
    if first.isdigit() and first.isascii():
        part = int(first)
        return Cursor(part if part < parts else 0, rest or None)
    return Cursor(0, first or None)


def save_cursor(path: str, cursor: Cursor) -> bool:
    """Remember ``cursor`` for the next pass; whether it was written (a cursor is only a hint)."""
    from synapse_cli.core.atomic import atomic_write

    text = f"{cursor.part}\n" if cursor.resume_at is None else f"{cursor.part}\n{cursor.resume_at}\n"
    try:
        atomic_write(path, text.encode("utf-8", "surrogateescape"), fsync=False)
    except (OSError, ValueError):
        return False
    return True


def clear_cursor(path: str) -> None:
    """A pass over the whole folder is done: the next one starts afresh."""
    try:
        os.unlink(path)
    except OSError:
        pass
