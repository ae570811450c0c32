"""A part whose scan has ended (``progress.finished``) but whose thread has not yet taken the cursor lock
is finished: the exit path must not record it as cut off, or the same part is examined again next time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.parts import PARTS, CleanupSettings
from tests.support.sessions import write_session


class _SlowDebugLog:
    """clean_stale's last act, after it sets progress.finished, is a DEBUG line (a file write when logging)."""

    def __init__(self, real):
        self._real = real

    def debug(self, message: str) -> None:
        if message.startswith("cleanup of "):
            time.sleep(0.3)
        self._real.debug(message)

    def __getattr__(self, name):
        return getattr(self._real, name)


def _six_hundred_fresh_sessions(tmp_path: Path) -> tuple[Path, Path]:
    """A sessions folder of 600 fresh sessions (so a first prompt examines one part of it) and a cache folder."""
    sessions, cache = tmp_path / "sessions", tmp_path / "cache"
    sessions.mkdir()
    cache.mkdir()
    now = time.time()
    for n in range(600):
        write_session(sessions, f"fresh-{n:04d}", age_hours=1, now=now)
    return sessions, cache


def test_a_scan_finished_before_the_thread_takes_the_lock_keeps_its_claim(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from synapse_cli.core.sessions import cleanup as core
    from synapse_cli.core.sessions.store import SessionStore
    from synapse_cli.hooks.cleanup import BackgroundCleanup

    sessions, cache = _six_hundred_fresh_sessions(tmp_path)
    monkeypatch.setattr(core, "log", _SlowDebugLog(core.log))
    running = BackgroundCleanup(SessionStore(str(sessions)), CleanupSettings(), str(cache))  # type: ignore[arg-type]
    time.sleep(0.15)  # the scan of 200 names is over; the thread is in the DEBUG line
    assert running.progress is not None and running.progress.finished
    running.wait(0.0)
    assert running.done.acquire(timeout=5)
    saved = core.read_cursor(str(cache / "cleanup-cursor"), PARTS)
    assert (saved.part, saved.resume_at) == (1, None)


def test_a_part_claimed_but_not_yet_begun_when_the_grace_ends_is_examined_next_time(tmp_path: Path,
                                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim recorded the next part, then the grace ends before the first name of this part is in hand (a long
    folder listing sorted and rotated under load): the hook exits having examined nothing of this part, so the
    cursor must still name this part, or its stale sessions wait three more first prompts."""
    from synapse_cli.core.sessions import cleanup as core
    from synapse_cli.core.sessions.store import SessionStore
    from synapse_cli.hooks.cleanup import BackgroundCleanup

    sessions, cache = _six_hundred_fresh_sessions(tmp_path)
    real_names_in = core.FolderPart.names_in

    def slow_names_in(self, names):  # type: ignore[no-untyped-def]
        time.sleep(0.3)  # after the claim, before the scan: what sorting a large part costs on a busy machine
        return real_names_in(self, names)

    monkeypatch.setattr(core.FolderPart, "names_in", slow_names_in)
    running = BackgroundCleanup(SessionStore(str(sessions)), CleanupSettings(), str(cache))  # type: ignore[arg-type]
    running.wait(0.1)
    at_exit = core.read_cursor(str(cache / "cleanup-cursor"), PARTS)
    assert running.done.acquire(timeout=5)
    assert at_exit.part == 0, "part 0 was claimed but never examined before the hook exited"
