"""When the hooks clean stale sessions, and how without keeping the prompt waiting.

A session's first prompt starts the cleanup on a thread of its own and waits for it
at most ``cleanupGraceMs``. In a folder of more than ``WHOLE_FOLDER_UP_TO`` names it
examines one of ``FIRST_PROMPT_PARTS`` parts, the next one each time, so that the stale
sessions of any folder are gone within that many first prompts while each pays only its
share; a smaller folder is examined whole. A pass cut off by the grace period leaves a
cursor so the next first prompt resumes where it stopped. A session start (an
asynchronous hook) runs the whole cleanup, at most once per
``startCleanupIntervalSeconds`` across sessions. The cleanup itself is
``synapse_cli.core.sessions.cleanup``.
"""

from __future__ import annotations

import os
import time

from synapse_cli.core import log

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from synapse_cli.core.config import Config
    from synapse_cli.core.project import ProjectPaths
    from synapse_cli.core.sessions.cleanup import CleanupProgress, Cursor
    from synapse_cli.core.sessions.store import SessionStore, UpdateResult

CLEANUP_CURSOR = "cleanup-cursor"
"""In ``.synapse/cache/``: the part the next first prompt examines, and where a cut-off one stopped."""
FIRST_PROMPT_PARTS = 3
"""A large folder's stale sessions are gone within this many first prompts, each examining one part."""
WHOLE_FOLDER_UP_TO = 512
"""A folder of at most this many names is examined whole by every first prompt (about 1.5 ms):
its stale sessions are gone when the prompt returns, as people who list sessions expect."""
LAST_START_CLEANUP = "last-start-cleanup"
"""In ``.synapse/cache/``: its mtime is the time of the last session start's cleanup."""
HOOK_MAX_GRACE_SECONDS = 2.0
"""The hook's longest wait for its cleanup, whatever ``cleanupGraceMs`` says: with the stdin
wait (2 s) and the lock wait (3 s) the hook ends well inside the 10 s an editor gives it."""
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _report_corrupt(names: list[str]) -> None:
    for name in names:
        log.warning(f"stale session file {name}.json does not parse; kept for inspection")


class BackgroundCleanup:
    """One stale-session cleanup on a thread of its own, resuming at the saved cursor.

    The cursor is written under ``cursor_lock`` by both threads: the cleanup claims its
    part (records the next one) before examining it, and ``wait`` records where a cut-off
    pass stopped, unless the pass already finished (``progress.finished``). Under the lock
    the hook never exits halfway through a cursor write (which would leave a temp file in
    ``.synapse/cache``), and the thread clears no cursor ``wait`` has just written.
    """

    def __init__(self, store: SessionStore, config: Config, cache_dir: str):
        # The bare _thread module: threading costs over a millisecond to import, and the
        # first prompt of every session pays it. A lock held until the work ends stands
        # in for join(timeout).
        import _thread

        self.cursor_path = os.path.join(cache_dir, CLEANUP_CURSOR)
        # Made by the thread, which imports the cleanup itself: the prompt's update starts
        # meanwhile instead of after that import. The cursor is read before progress is set.
        self.cursor: Cursor | None = None
        self.progress: CleanupProgress | None = None
        self.cursor_lock = _thread.allocate_lock()
        self.closing = False  # the hook is exiting: the thread writes no more cursors (under cursor_lock)
        self.claimed = False  # the next part is on record (under cursor_lock)
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self._store = store
        self._config = config
        # Like a daemon thread: the hook never waits for it beyond the grace period, and
        # a cleanup cut off at exit has only ever removed whole files (or nothing).
        _thread.start_new_thread(self._run, ())

    def _claim_part(self, cursor: Cursor) -> bool:
        """Record the part after ``cursor``'s before examining it; False (examine the whole folder) if that fails.

        A part is examined only once the next one is on record: were the cursor never
        written (a read-only cache, a directory in its place), the same part would be
        examined forever and the other parts' stale sessions never removed.
        """
        from synapse_cli.core.sessions.cleanup import Cursor, save_cursor

        with self.cursor_lock:
            if self.closing:
                return False
            self.claimed = save_cursor(self.cursor_path, Cursor((cursor.part + 1) % FIRST_PROMPT_PARTS))
            return self.claimed

    def _run(self) -> None:
        try:
            from synapse_cli.core.sessions.cleanup import CleanupProgress, FolderPart, clean_stale, clear_cursor, read_cursor

            self.cursor = cursor = read_cursor(self.cursor_path, FIRST_PROMPT_PARTS)
            self.progress = progress = CleanupProgress()
            # clean_stale logs the removed count at DEBUG itself.
            result = clean_stale(
                self._store,
                self._config.stale_ttl_hours,
                temp_max_age_seconds=self._config.temp_max_age_seconds,
                start_at=cursor.resume_at,
                progress=progress,
                part=FolderPart(cursor.part, FIRST_PROMPT_PARTS, WHOLE_FOLDER_UP_TO, claim=lambda: self._claim_part(cursor)),
            )
            with self.cursor_lock:
                if result.part is None and (cursor.part or cursor.resume_at is not None) and not self.closing:
                    clear_cursor(self.cursor_path)  # the whole folder was examined: start afresh
            _report_corrupt(result.corrupt)
        except Exception as exc:  # a cleanup problem must never reach the prompt
            log.warning(f"stale-session cleanup failed: {exc}")
        finally:
            self.done.release()

    def wait(self, grace_seconds: float) -> None:
        """Wait at most ``grace_seconds``; if the cleanup is still going, note where it is."""
        if self.done.acquire(timeout=grace_seconds):
            return
        # A cursor write in progress is short: let it end rather than cut it (a temp file would
        # be left in .synapse/cache), within what is left of the hook's longest wait.
        if not self.cursor_lock.acquire(timeout=max(0.0, HOOK_MAX_GRACE_SECONDS - grace_seconds)):
            return
        try:
            self.closing = True
            progress, cursor = self.progress, self.cursor
            if progress is None or progress.finished or cursor is None:
                return
            if progress.current is None and not self.claimed:
                return  # nothing examined and nothing recorded: the cursor read still stands
            from synapse_cli.core.sessions.cleanup import Cursor, save_cursor

            # Not one name in hand yet: resume where this pass was to start, in its own part.
            resume_at = cursor.resume_at if progress.current is None else progress.current
            save_cursor(self.cursor_path, Cursor(cursor.part, resume_at))
        finally:
            self.cursor_lock.release()
        where = f"at {resume_at}" if resume_at else "from its start"
        log.debug(f"stale-session cleanup still running at exit; the next first prompt resumes part {cursor.part} {where}")


class FirstPromptCleanup:
    """The policy of a prompt: clean in the background on the first prompt of a session.

    A session without a file is on its first prompt: ``before_update`` starts the
    cleanup before the update takes the lock, so that the two overlap. A file with
    ``prompt_count`` 0 (made by session-start) or one set aside is seen in the update's
    result, and ``after_update`` starts the cleanup then. ``wait`` gives it its grace.
    """

    def __init__(self, store: SessionStore, config: Config, cache_dir: str):
        self._store = store
        self._config = config
        self._cache_dir = cache_dir
        self._running: BackgroundCleanup | None = None
        self._failed = False

    def _start(self) -> None:
        if not self._config.auto_clean or self._running is not None or self._failed:
            return
        try:
            self._running = BackgroundCleanup(self._store, self._config, self._cache_dir)
        except Exception as exc:  # no thread to be had (a pids cgroup at its limit): record the prompt anyway
            self._failed = True
            log.warning(f"stale-session cleanup not started ({exc}); the prompt is recorded without it")

    def before_update(self, session_path: str) -> None:
        if not os.path.lexists(session_path):
            self._start()

    def after_update(self, result: UpdateResult) -> None:
        if result.previous_prompt_count == 0:
            self._start()

    def wait(self) -> None:
        if self._running is not None:
            self._running.wait(min(self._config.cleanup_grace_seconds, HOOK_MAX_GRACE_SECONDS))


def claim_start_cleanup(paths: ProjectPaths, interval: float) -> bool:
    """Whether this session start should clean: at most once per ``interval`` across sessions.

    The marker's mtime is the time of the last claim. Two starts racing may both clean,
    which is harmless: cleanup is safe to run concurrently. A marker dated in the future
    (a clock set back, or a file made so) is no claim: it would switch cleanup off until then.
    """
    marker = os.path.join(paths.cache_dir, LAST_START_CLEANUP)
    try:
        if 0 <= time.time() - os.stat(marker).st_mtime < interval:
            return False
    except FileNotFoundError:
        pass
    try:
        from synapse_cli.core.folders import ensure_folder

        ensure_folder(paths.cache_dir)
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | _O_NOFOLLOW | _O_NONBLOCK, 0o644)
        try:
            os.utime(fd, None)
        finally:
            os.close(fd)
    except OSError as exc:
        log.debug(f"cannot record the session-start cleanup time in {marker}: {exc}")
    return True


def clean_at_session_start(store: SessionStore, config: Config, paths: ProjectPaths) -> None:
    """Registered as an asynchronous hook, a session start can afford the whole cleanup."""
    if not (config.auto_clean and claim_start_cleanup(paths, config.start_cleanup_interval_seconds)):
        return
    from synapse_cli.core.sessions.cleanup import clean_stale

    _report_corrupt(clean_stale(store, config.stale_ttl_hours, temp_max_age_seconds=config.temp_max_age_seconds).corrupt)
