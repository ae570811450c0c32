"""A first-prompt cleanup cut off by its grace period is resumed, not restarted, by the next one."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.run import prompt
from tests.support.sessions import write_session


def _make_sessions(sessions: Path, prefix: str, count: int, *, stale: bool) -> list[Path]:
    now = time.time()
    age_hours = 30 * 24 if stale else 0
    return [write_session(sessions, f"{prefix}{index:05d}", age_hours=age_hours, now=now) for index in range(count)]


def test_cut_off_cleanup_resumes_where_it_stopped(project: Path) -> None:
    """With a grace period far too short for the folder, successive first prompts still remove every stale session.

    The stale sessions sort after 3,000 fresh ones, so a cleanup that restarted from the
    beginning each time would never reach them; the cursor left in .synapse/cache makes
    each first prompt continue where the last one was cut off.
    """
    sessions = project / ".synapse" / "sessions"
    _make_sessions(sessions, "a-fresh-", 3000, stale=False)
    stale = _make_sessions(sessions, "z-stale-", 40, stale=True)
    cursor = project / ".synapse" / "cache" / "cleanup-cursor"
    # Without fsync the update is quick, so the cleanup started before it is still running when
    # the grace period starts: on a busy disk a slow fsync could let a whole pass finish first.
    env = {"SYNAPSE_CLEANUP_GRACE_MS": "3", "SYNAPSE_FSYNC": "0"}
    left_after = []
    saw_cursor = False
    for attempt in range(150):  # a few on a quiet machine; more when other work shares the cores
        prompt(project, session_id=f"first-prompt-{attempt}", env=env)
        # Only a cut-off pass records a name to resume at (line 2); a pass over a part always records the part.
        saw_cursor = saw_cursor or (cursor.exists() and len(cursor.read_text().splitlines()) > 1)
        left_after.append(sum(1 for p in stale if p.exists()))
        if left_after[-1] == 0:
            break
    assert left_after[-1] == 0, f"stale sessions left after each first prompt: {left_after}"
    assert saw_cursor, "no cleanup was cut off: the grace period did not bind, so this test proves nothing"
    assert len(list(sessions.glob("a-fresh-*.json"))) == 3000
