"""Large sessions folders as the first prompt's cleanup splits them into three parts.

The part rule is spelled out here on its own, from the README's words (the sum of the
codes of a session id's last two characters, modulo 3), so the tests check synapse's
code against it rather than against itself.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from tests.support.sessions import write_session

PARTS = 3
CURSOR = Path(".synapse") / "cache" / "cleanup-cursor"
"""The cursor, relative to a project."""


def folder_part(session_id: str) -> int:
    return sum(map(ord, session_id[-2:])) % PARTS


def hex_sessions(where: Path, fresh: int, stale: int, seed: int) -> tuple[list[str], list[str]]:
    """``fresh`` sessions active an hour ago and ``stale`` ones 30 days ago, with random 32-hex-digit ids.

    ``where`` is a project (its cache folder is made too) or a bare sessions folder.
    """
    rng = random.Random(seed)
    now = time.time()
    fresh_ids = [f"{rng.getrandbits(128):032x}" for _ in range(fresh)]
    stale_ids = [f"{rng.getrandbits(128):032x}" for _ in range(stale)]
    for sid in fresh_ids:
        write_session(where, sid, age_hours=1, now=now)
    for sid in stale_ids:
        write_session(where, sid, age_hours=30 * 24, now=now)
    if (where / ".synapse").is_dir():
        (where / CURSOR.parent).mkdir(parents=True, exist_ok=True)
    return fresh_ids, stale_ids


def left_of(sessions_dir: Path, ids: list[str]) -> list[str]:
    """Those of ``ids`` whose session file is still there."""
    return [sid for sid in ids if (sessions_dir / f"{sid}.json").exists()]


class CleanupSettings:
    """The two settings a background cleanup reads, for tests that run one in process."""

    stale_ttl_hours = 168.0
    temp_max_age_seconds = 600.0
