"""Projects and sessions folders as the bench needs them: many session files, 1 % of them stale."""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from pathlib import Path

STALE_AGE_S = 30 * 86400  # stale fixtures: last_activity and mtime 30 days back (TTL is 7 days)
FRESH_AGE_S = 86400  # live fixtures: last activity a day ago
STALE_EVERY = 100  # 1 % of the fixture sessions are stale

SESSION_TEMPLATE = {
    "uuid": "@@ID@@",
    "schema_version": "2.0",
    "started": "@@STARTED@@",
    "last_activity": "@@LAST@@",
    "cwd": "/home/dev/projects/shop",
    "label": "shop",
    "title": "Add login page — ünïcode",
    "prompt_count": 3,
    "active_agent": {"id": "dev", "activated_at": "@@STARTED@@", "activation_quality": "full"},
    "active_workflow": None,
    "active_squad": None,
    "active_task": None,
    "context": {"last_bracket": "MODERATE", "last_tokens_used": 10000, "last_context_percent": 100},
    "overrides": {"DOMAIN_1": True},
    "history": {"star_commands_used": ["*develop"], "domains_loaded_last": [], "agents_activated": ["dev", "qa"]},
}


def iso(epoch: float) -> str:
    ms = int(epoch * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def _write(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


class SessionFolder:
    """A sessions folder holding ``n`` schema-2.0 session files, every 100th one stale.

    Stale files have both ``last_activity`` and mtime 30 days back; live ones were
    active a day ago (their mtime is their creation time, which is just as "recent"
    to cleanup). ``refresh()`` restores the stale ones a cleanup removed.
    """

    def __init__(self, sessions_dir: Path, n: int, *, base_time: float, lock_sidecars: bool = False, prefix: str = "",
                 settle_s: float = 0.1):
        self.sessions_dir = Path(sessions_dir)
        self.n = n
        self.lock_sidecars = lock_sidecars
        self.settle_s = settle_s
        self.stale_time = base_time - STALE_AGE_S
        template = json.dumps(SESSION_TEMPLATE, indent=2, ensure_ascii=False)
        fresh = base_time - FRESH_AGE_S
        self._fresh_tpl = template.replace("@@STARTED@@", iso(fresh - 3600)).replace("@@LAST@@", iso(fresh)).encode()
        self._stale_tpl = (template.replace("@@STARTED@@", iso(self.stale_time - 3600))
                           .replace("@@LAST@@", iso(self.stale_time)).encode())
        rng = random.Random(f"{prefix}{n}")
        self.ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
        self.stale_ids = [sid for i, sid in enumerate(self.ids) if i % STALE_EVERY == 0]
        self.stale_paths = [str(self.sessions_dir / f"{sid}.json") for sid in self.stale_ids]

    def populate(self) -> float:
        started = time.perf_counter()
        self.sessions_dir.mkdir(parents=True, exist_ok=True)
        base = str(self.sessions_dir)
        stale = set(self.stale_ids)
        for sid in self.ids:
            path = f"{base}/{sid}.json"
            tpl = self._stale_tpl if sid in stale else self._fresh_tpl
            _write(path, tpl.replace(b"@@ID@@", sid.encode()))
            if self.lock_sidecars:
                _write(path + ".lock", b"")
        self.refresh()
        return time.perf_counter() - started

    def refresh(self) -> int:
        """Re-create removed stale files and reset their mtime; return how many were re-created."""
        made = 0
        for sid, path in zip(self.stale_ids, self.stale_paths):
            if not os.path.exists(path):
                _write(path, self._stale_tpl.replace(b"@@ID@@", sid.encode()))
                made += 1
            if self.lock_sidecars and not os.path.exists(path + ".lock"):
                _write(path + ".lock", b"")
                os.utime(path + ".lock", (self.stale_time, self.stale_time))
            os.utime(path, (self.stale_time, self.stale_time))
        return made

    def stale_left(self) -> int:
        return sum(1 for p in self.stale_paths if os.path.exists(p))

    def settle(self, ids: list[str] | None = None) -> tuple[int, int, float | None]:
        """(stale left at once, stale left after waiting up to settle_s for them to go, ms until gone or None).

        Only the stale sessions ``ids`` count when given (those a prompt's cleanup examined).
        """
        paths = self.stale_paths if ids is None else [str(self.sessions_dir / f"{sid}.json") for sid in ids]

        def left_of() -> int:
            return sum(1 for p in paths if os.path.exists(p))

        started = time.perf_counter()
        first = left = left_of()
        while left and time.perf_counter() - started < self.settle_s:
            time.sleep(0.002)
            left = left_of()
        return first, left, None if left else (time.perf_counter() - started) * 1000

    def forget(self, session_id: str) -> None:
        """Remove a session a timed run created (and its lock), so the next run is a first prompt again."""
        for path in (self.sessions_dir / f"{session_id}.json", self.sessions_dir / f"{session_id}.json.lock"):
            try:
                path.unlink()
            except FileNotFoundError:
                pass

    def manifest(self) -> dict:
        return {"sessions_dir": str(self.sessions_dir), "stale_ids": self.stale_ids, "stale_time": self.stale_time,
                "stale_tpl": self._stale_tpl.decode(), "lock_sidecars": self.lock_sidecars}


def refresh_from_manifest(m: dict) -> None:
    """``SessionFolder.refresh`` for a worker process, from the folder's ``manifest()``."""
    tpl = m["stale_tpl"].encode()
    base = m["sessions_dir"]
    for sid in m["stale_ids"]:
        path = f"{base}/{sid}.json"
        if not os.path.exists(path):
            _write(path, tpl.replace(b"@@ID@@", sid.encode()))
        os.utime(path, (m["stale_time"], m["stale_time"]))
        if m.get("lock_sidecars") and not os.path.exists(path + ".lock"):
            os.close(os.open(path + ".lock", os.O_WRONLY | os.O_CREAT, 0o644))
            os.utime(path + ".lock", (m["stale_time"], m["stale_time"]))


def init_project(root: Path) -> Path:
    """``.synapse/`` as ``synapse init`` lays it out (done by hand: the CLI is timed elsewhere)."""
    synapse = root / ".synapse"
    for sub in ("sessions", "metrics", "cache"):
        (synapse / sub).mkdir(parents=True, exist_ok=True)
    (synapse / ".gitignore").write_text("# SYNAPSE runtime data (auto-generated)\nsessions/\ncache/\n")
    return synapse / "sessions"
