"""Health checks of a project's ``.synapse/`` state, and their safe repairs.

A finding is a *problem* when a person must act (corrupt, wrong schema, orphaned temp
file, abandoned lock file, invalid config) and a *note* when it is only worth knowing
(hook not registered, files already set aside, stale sessions, which the hook's cleanup
removes on a first prompt). Repairs never
delete a file that might hold data: corrupt files are moved aside; only temp files
of interrupted writes, lock files of vanished data files and stale sessions (by the
same rules as cleanup) are removed. Nothing outside ``.synapse/`` is touched and no
symlink is followed: a session file that is a symlink is reported and, with ``fix``,
the link itself is moved aside (the file it points to is never opened); a state folder
that is itself a symlink is reported and not looked into. Temp files of interrupted
writes of ``.aios/session-state.json`` lie outside ``.synapse/``: they are reported
as notes and left for the user to delete.
"""

from __future__ import annotations

import os
import time
from typing import Any

from synapse_cli.core.atomic import is_temp_name
from synapse_cli.core.errors import (
    ConfigError,
    CorruptFileError,
    InvalidInputError,
    LockTimeoutError,
    StateFileAccessError,
    UnsupportedSchemaError,
)
from synapse_cli.core.locking import LOCK_SUFFIX, FileLock
from synapse_cli.core.project import ProjectPaths
from synapse_cli.core.sessions.store import BRIDGE_FILE_NAME, SESSION_SUFFIX, SET_ASIDE_MARKER, SessionStore

PROBLEM = "problem"
NOTE = "note"


class Finding:
    """One line of the doctor's report."""

    def __init__(self, severity: str, check: str, path: str | None, message: str):
        self.severity = severity
        self.check = check
        self.path = path
        self.message = message
        self.fixed: str | None = None  # what --fix did about it

    def as_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "check": self.check, "path": self.path, "message": self.message, "fixed": self.fixed}


class DoctorReport:
    def __init__(self, project_root: str):
        self.project_root = project_root
        self.findings: list[Finding] = []

    def add(self, severity: str, check: str, path: str | None, message: str) -> Finding:
        finding = Finding(severity, check, path, message)
        self.findings.append(finding)
        return finding

    @property
    def problems_left(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == PROBLEM and f.fixed is None]

    @property
    def healthy(self) -> bool:
        return not self.problems_left


def _entries(folder: str, report: DoctorReport) -> list[os.DirEntry[str]] | None:
    """The entries of one state folder, or None when it must not or cannot be looked into.

    A folder that is a symlink is reported (it would take doctor outside ``.synapse/``)
    and a folder that cannot be listed is reported too; neither is examined further.
    """
    if os.path.islink(folder):
        report.add(PROBLEM, "symlink", folder, f"is a symlink to {os.readlink(folder)}; doctor does not follow it (make it a real folder)")
        return None
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except FileNotFoundError:
        return []
    except OSError as exc:
        report.add(PROBLEM, "unreadable", folder, f"cannot list the folder: {exc.strerror or exc}")
        return None


def _regular_files(entries: list[os.DirEntry[str]]) -> list[os.DirEntry[str]]:
    return [e for e in entries if e.is_file(follow_symlinks=False)]


def _hook_registered(project_root: str) -> str | None:
    """The first settings file, of any editor and scope, that registers synapse's prompt hook."""
    from synapse_cli.editors.settings import AGENTS, PROMPT, SettingsFileError, is_own_command, read_settings, settings_path

    for agent, spec in AGENTS.items():
        event = spec.events[PROMPT]
        for scope in spec.scopes:
            path = settings_path(agent, scope, project_root)
            try:
                settings, _ = read_settings(path)
            except SettingsFileError:
                continue
            entries = settings.get("hooks", {}).get(event, []) if isinstance(settings.get("hooks"), dict) else []
            handlers = []
            for entry in entries if isinstance(entries, list) else []:
                if spec.flat:
                    handlers.append(entry)
                elif isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
                    handlers.extend(entry["hooks"])
            if any(isinstance(h, dict) and is_own_command(h.get("command")) for h in handlers):
                return path
    return None


def _some(names: list[str], shown: int = 10) -> str:
    """The first ``shown`` names, and how many more: a finding stays one readable line."""
    text = ", ".join(names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _remove_orphan_lock(data_path: str) -> str:
    """Remove the lock file of a data file that no longer exists: "removed", "held" (by a process), or "in use"."""
    lock = FileLock(data_path, 0)
    try:
        lock.acquire()
    except (LockTimeoutError, OSError):
        return "held"
    try:
        if os.path.lexists(data_path):
            return "in use"  # a writer created the data file meanwhile: its lock file belongs to it
        lock.remove_lock_file()
        return "removed"
    finally:
        lock.release()


def examine(
    project_root: str,
    *,
    ttl_hours: float | None,
    temp_max_age_seconds: float,
    config_error: ConfigError | None = None,
    config_path: str | None = None,
    fix: bool = False,
    fsync: bool = True,
    lock_timeout: float = 5.0,
    now: float | None = None,
) -> DoctorReport:
    """Check (and with ``fix``, repair) the project's state; never raises for what it finds."""
    now = time.time() if now is None else now
    paths = ProjectPaths(project_root)
    report = DoctorReport(paths.root)
    if not paths.is_initialised():
        report.add(PROBLEM, "setup", paths.synapse_dir, f"no .synapse/ at or above {paths.root}: run `synapse init`")
        return report
    if not os.path.lexists(paths.gitignore):
        finding = report.add(PROBLEM, "gitignore", paths.gitignore, "missing: sessions/ and cache/ would be committed")
        if fix:
            from synapse_cli.core.project import ensure_gitignore

            try:
                ensure_gitignore(paths.synapse_dir, fsync=fsync)
                finding.fixed = "written"
            except OSError as exc:
                finding.message += f" (could not write it: {exc})"
    if config_error is not None:
        report.add(PROBLEM, "config", config_error.path, f"invalid configuration: {config_error}")
    elif config_path is not None:
        from synapse_cli.core.config import unknown_keys

        try:
            for key, suggestion in unknown_keys(config_path):
                hint = f"; did you mean {suggestion}?" if suggestion else ""
                report.add(NOTE, "config-key", config_path, f"unknown key {key} is ignored{hint}")
        except ConfigError:
            pass

    store = SessionStore(paths.sessions_dir, fsync=fsync, lock_timeout=lock_timeout)
    session_entries = _entries(paths.sessions_dir, report)
    for entry in session_entries or []:
        name = entry.name
        if SET_ASIDE_MARKER in name:
            report.add(NOTE, "set-aside", entry.path, "a file set aside earlier as unusable; inspect it, then delete it")
            continue
        if not name.endswith(SESSION_SUFFIX) or name == BRIDGE_FILE_NAME:
            continue
        # Symlinks and folders named *.json are examined too: loading never follows a
        # link, and reports them as corrupt, which the hook would move aside anyway.
        try:
            store.load(name[: -len(SESSION_SUFFIX)])
        except (CorruptFileError, UnsupportedSchemaError) as exc:
            check = "schema" if isinstance(exc, UnsupportedSchemaError) else "corrupt"
            finding = report.add(PROBLEM, check, entry.path, str(exc).split(": ", 1)[-1])
            if fix:
                try:
                    # Under the session's lock, and only if still unusable: a prompt may
                    # have replaced it with a fresh session since it was read above.
                    moved = store.set_aside_if_unusable(name[: -len(SESSION_SUFFIX)])
                    finding.fixed = f"moved aside to {os.path.basename(moved)}" if moved else "replaced meanwhile; nothing to do"
                    if moved:
                        # Moving it aside took the session's lock: its lock file would
                        # otherwise be reported as abandoned once it is old enough.
                        _remove_orphan_lock(entry.path)
                except (StateFileAccessError, LockTimeoutError) as move_error:
                    finding.message += f" (could not move it aside: {move_error})"
        except InvalidInputError as exc:
            report.add(NOTE, "session-id", entry.path, f"not a session file synapse can address ({exc})")
        except StateFileAccessError as exc:
            report.add(PROBLEM, "unreadable", entry.path, str(exc))

    aios_dir = os.path.join(paths.root, ".aios")
    folders = [(paths.sessions_dir, session_entries), (paths.metrics_dir, None), (paths.cache_dir, None), (aios_dir, None)]
    for folder, entries in folders:
        if folder != paths.sessions_dir:
            entries = _entries(folder, report)
        for entry in _regular_files(entries or []):
            name = entry.name
            try:
                age = now - entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if is_temp_name(name):
                if age < temp_max_age_seconds:
                    continue
                if folder == aios_dir:
                    # Outside .synapse/: reported, never removed by doctor.
                    report.add(NOTE, "temp-file", entry.path, f"left by an interrupted write {age / 60:.0f} min ago, "
                               "outside .synapse/ (doctor does not touch it): delete it by hand")
                    continue
                finding = report.add(PROBLEM, "temp-file", entry.path, f"left by an interrupted write {age / 60:.0f} min ago")
                if fix:
                    try:
                        os.unlink(entry.path)
                        finding.fixed = "removed"
                    except OSError as exc:
                        finding.message += f" (could not remove it: {exc.strerror or exc})"
            elif name.endswith(LOCK_SUFFIX) and folder not in (paths.cache_dir, aios_dir):
                data_path = entry.path[: -len(LOCK_SUFFIX)]
                if os.path.lexists(data_path) or age < temp_max_age_seconds:
                    continue
                finding = report.add(PROBLEM, "lock-file", entry.path, "lock file of a data file that no longer exists")
                if fix:
                    outcome = _remove_orphan_lock(data_path)
                    if outcome == "removed":
                        finding.fixed = "removed"
                    elif outcome == "held":
                        finding.message += " (held by a running process right now; left alone)"

    if ttl_hours is not None and session_entries is not None:
        stale = store.clean_stale(ttl_hours, dry_run=True, now=now, temp_max_age_seconds=float("inf"))
        if stale.removed:
            # A note: stale sessions are normal, and the first prompt's cleanup removes them.
            finding = report.add(
                NOTE, "stale", paths.sessions_dir,
                f"{len(stale.removed)} stale session(s) older than {ttl_hours:g} h: {_some(sorted(stale.removed))} "
                "(removed by the hook's cleanup on a first prompt, or by --fix)",
            )
            if fix:
                done = store.clean_stale(ttl_hours, now=now, temp_max_age_seconds=float("inf"))
                finding.fixed = f"removed {len(done.removed)} stale session(s)"
                if len(done.removed) < len(stale.removed):
                    finding.message += f" ({len(stale.removed) - len(done.removed)} became active or busy meanwhile)"

    registered = _hook_registered(paths.root)
    if registered is None:
        report.add(
            NOTE, "hook", None,
            "the prompt hook is not registered for any editor (Claude Code, Codex, Gemini CLI, Cursor): "
            "run `synapse hook install` (--agent for the others)",
        )
    return report
