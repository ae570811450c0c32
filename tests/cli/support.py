"""Helpers shared by the command-line and end-to-end tests."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


def session_path(project: Path, session_id: str) -> Path:
    return project / ".synapse" / "sessions" / f"{session_id}.json"


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + ".000Z"


def write_session(project: Path, session_id: str, *, age_hours: float = 0.0, prompt_count: int = 1, **extra) -> Path:
    """A schema-2.0 session file whose last_activity and mtime are ``age_hours`` old."""
    when = time.time() - age_hours * 3600
    data = {
        "uuid": session_id,
        "schema_version": "2.0",
        "started": iso(when),
        "last_activity": iso(when),
        "cwd": str(project),
        "label": project.name,
        "title": None,
        "prompt_count": prompt_count,
        "active_agent": {"id": None, "activated_at": None, "activation_quality": None},
        "active_workflow": None,
        "active_squad": None,
        "active_task": None,
        "context": {"last_bracket": "FRESH", "last_tokens_used": 0, "last_context_percent": 100},
        "overrides": {},
        "history": {"star_commands_used": [], "domains_loaded_last": [], "agents_activated": []},
        **extra,
    }
    path = session_path(project, session_id)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.utime(path, (when, when))
    return path


def one_error_line(stderr: str) -> str:
    """Assert stderr is exactly one ``synapse: ...`` line and return it."""
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {stderr!r}"
    assert lines[0].startswith("synapse: "), lines[0]
    assert stderr.endswith("\n")
    return lines[0]


def snapshot(root: Path, *, skip_cache: bool = True) -> dict[str, bytes]:
    """Every regular file under ``root`` with its bytes.

    With ``skip_cache`` the log/cache folder and the empty ``*.lock`` sidecars (which
    carry no data; any locker may create one) are left out.
    """
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if skip_cache and (".synapse/cache" in f"/{rel}" or (rel.endswith(".json.lock") and path.stat().st_size == 0)):
            continue
        if path.is_file() and not path.is_symlink():
            files[rel] = path.read_bytes()
    return files
