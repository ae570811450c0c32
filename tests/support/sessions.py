"""Session files as the framework writes them: the one factory for schema-2.0 session data in the tests."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

HOUR = 3600.0
_DROP = object()
DEAD_PID = 4_194_305
"""Above Linux's largest pid (2**22): no process has it, so a temp file naming it was left by a dead writer."""


def dead_writer_temp(target: str | os.PathLike[str]) -> Path:
    """A temp file name for ``target`` as a writer that has since died would have left it (cleanup may sweep it)."""
    from synapse_cli.core.atomic import temp_path_for

    head, _, tail = temp_path_for(os.fspath(target)).rpartition(".tmp.")
    return Path(f"{head}.tmp.{DEAD_PID}.{tail.split('.', 1)[1]}")


def state_lock_path(project: Path) -> Path:
    """The lock file of ``.aios/session-state.json`` (with synapse's other locks, not in ``.aios/``)."""
    from synapse_cli.core.locking import lock_file_path
    from synapse_cli.core.state import STATE_RELATIVE_PATH

    path = Path(lock_file_path(str(project / ".synapse"), STATE_RELATIVE_PATH))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def session_lock_path(sessions_dir: Path, session_id: str) -> Path:
    """The lock file of a session (one of ``.synapse/cache/locks/NN.lock``)."""
    from synapse_cli.core.sessions.store import SessionStore

    store = SessionStore(sessions_dir)
    path = Path(store.lock_for(store.path_for(session_id)).path)
    path.parent.mkdir(parents=True, exist_ok=True)  # as the first locker creates it
    return path


def iso(epoch: float) -> str:
    """``epoch`` as the framework's timestamps: ISO 8601 UTC with milliseconds and a Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def session_data(session_id: str, *, when: float | None = None, cwd: str = "/home/dev/projects/shop", **fields) -> dict:
    """A complete schema-2.0 session as the JavaScript side writes it, last active at ``when`` (default now).

    ``fields`` replace top-level keys; a field given as ``DROP`` is left out (a file missing it).
    """
    stamp = iso(time.time() if when is None else when)
    data = {
        "uuid": session_id,
        "schema_version": "2.0",
        "started": stamp,
        "last_activity": stamp,
        "cwd": cwd,
        "label": Path(cwd).name,
        "title": None,
        "prompt_count": 1,
        "active_agent": {"id": None, "activated_at": None, "activation_quality": None},
        "active_workflow": None,
        "active_squad": None,
        "active_task": None,
        "context": {"last_bracket": "FRESH", "last_tokens_used": 0, "last_context_percent": 100},
        "overrides": {},
        "history": {"star_commands_used": [], "domains_loaded_last": [], "agents_activated": []},
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not _DROP}


DROP = _DROP
"""Pass as a field's value to ``session_data``/``write_session`` to leave that field out."""


def sessions_folder(where: Path) -> Path:
    """``where``'s ``.synapse/sessions`` when ``where`` is a project, else ``where`` itself (a bare sessions folder)."""
    inside = where / ".synapse" / "sessions"
    return inside if inside.is_dir() else where


def session_path(project: Path, session_id: str) -> Path:
    return project / ".synapse" / "sessions" / f"{session_id}.json"


def write_session(
    where: Path,
    session_id: str,
    *,
    age_hours: float = 0.0,
    mtime_age_hours: float | None = None,
    now: float | None = None,
    **fields,
) -> Path:
    """Write a schema-2.0 session file into a project (or a bare sessions folder) and date it.

    ``last_activity`` is ``age_hours`` before ``now`` and so is the file's mtime unless
    ``mtime_age_hours`` says otherwise. ``fields`` change the data as in ``session_data``;
    a project's path is its ``cwd`` unless given.
    """
    now = time.time() if now is None else now
    folder = sessions_folder(where)
    if folder != where:
        fields.setdefault("cwd", str(where))
    data = session_data(session_id, when=now - age_hours * HOUR, **fields)
    path = folder / f"{session_id}.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    mtime = now - (age_hours if mtime_age_hours is None else mtime_age_hours) * HOUR
    os.utime(path, (mtime, mtime))
    return path
