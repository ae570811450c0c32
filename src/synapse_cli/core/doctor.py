"""Health checks of a project's ``.synapse/`` state, and their safe repairs.

A finding is a *problem* when a person must act (corrupt, wrong schema, orphaned temp
file, a lock file that is not a regular file, invalid config) and a *note* when it is
only worth knowing (hook not registered, files already set aside, stale sessions, which
the hook's cleanup removes on sessions' first prompts, ``*.lock`` files left by an
earlier version). Repairs never delete a file that might hold data: corrupt files are moved
aside; only temp files of interrupted writes whose writer is gone, stale sessions (by
the same rules as cleanup) and, in ``.synapse/cache/locks/``, entries that are not
regular files (a FIFO or link put there) are removed. Nothing outside ``.synapse/`` is touched and no
symlink is followed: a session file that is a symlink is reported and, with ``fix``,
the link itself is moved aside (the file it points to is never opened); a state folder
that is itself a symlink is reported and not looked into. Temp files of interrupted
writes of ``.aios/session-state.json`` lie outside ``.synapse/``: they are reported
as notes and left for the user to delete.

Whether an editor runs the hook is the editors' business: ``synapse doctor`` adds those
findings (hook not registered, linked editor settings, commands that cannot start) with
``synapse_cli.editors.checks.check_registered_commands``.
"""

from __future__ import annotations

import os
import time

from synapse_cli.core.atomic import is_temp_name
from synapse_cli.core.errors import (
    ConfigError,
    CorruptFileError,
    InvalidInputError,
    LockTimeoutError,
    StateFileAccessError,
    UnsupportedSchemaError,
)
from synapse_cli.core.folders import LinkedFolderError, refuse_linked
from synapse_cli.core.locking import LEGACY_LOCK_SUFFIX, locks_folder
from synapse_cli.core.project import ProjectPaths
from synapse_cli.core.sessions.setaside import SET_ASIDE_MARKER
from synapse_cli.core.sessions.store import SESSION_SUFFIX, SessionStore, session_id_of

TYPE_CHECKING = False  # the core keeps typing off the per-prompt path
if TYPE_CHECKING:
    from typing import Any

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

    A folder reached through a symlink (itself, or ``.synapse``/``cache`` above it) is
    reported once (it would take doctor outside ``.synapse/``) and a folder that cannot
    be listed is reported too; neither is examined further.
    """
    try:
        refuse_linked(folder)
    except LinkedFolderError as exc:
        linked = str(exc.filename)
        if not any(f.check == "symlink" and f.path == linked for f in report.findings):
            report.add(PROBLEM, "symlink", linked, f"is a symlink to {os.readlink(linked)}; doctor does not follow it (make it a real folder)")
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


def _some(names: list[str], shown: int = 10) -> str:
    """The first ``shown`` names, and how many more: a finding stays one readable line."""
    text = ", ".join(names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


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
    _check_gitignore(report, paths, fix, fsync)
    _check_config(report, config_error, config_path)
    store = SessionStore(paths.sessions_dir, fsync=fsync, lock_timeout=lock_timeout)
    session_entries = _entries(paths.sessions_dir, report)
    _check_sessions(report, store, session_entries or [], fix)
    aios_dir = os.path.join(paths.root, ".aios")
    folders = [(paths.sessions_dir, session_entries), (paths.metrics_dir, None), (paths.cache_dir, None), (aios_dir, None)]
    for folder, entries in folders:
        if folder != paths.sessions_dir:
            entries = _entries(folder, report)
        leftovers = _Leftovers(report, now, temp_max_age_seconds, fix, outside=folder == aios_dir)
        for entry in _regular_files(entries or []):
            leftovers.check(entry, locks_here=folder not in (paths.cache_dir, aios_dir))
    _check_lock_files(report, paths, fix)
    if ttl_hours is not None and session_entries is not None:
        _check_stale(report, store, paths.sessions_dir, ttl_hours, now, fix)
    return report


def _check_gitignore(report: DoctorReport, paths: ProjectPaths, fix: bool, fsync: bool) -> None:
    if os.path.lexists(paths.gitignore):
        return
    finding = report.add(PROBLEM, "gitignore", paths.gitignore, "missing: sessions/ and cache/ would be committed")
    if fix:
        from synapse_cli.core.project import ensure_gitignore

        try:
            ensure_gitignore(paths.synapse_dir, fsync=fsync)
            finding.fixed = "written"
        except OSError as exc:
            finding.message += f" (could not write it: {exc})"


def _check_config(report: DoctorReport, config_error: ConfigError | None, config_path: str | None) -> None:
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


def _check_sessions(report: DoctorReport, store: SessionStore, entries: list[os.DirEntry[str]], fix: bool) -> None:
    for entry in entries:
        # Sessions first, by the store's own rule: an id may contain the set-aside marker
        # (``notes.corrupt-fix.json`` is a live session), a set-aside copy never ends in .json.
        session_id = session_id_of(entry.name)
        if session_id is None:
            if SET_ASIDE_MARKER in entry.name:
                report.add(NOTE, "set-aside", entry.path, "a file set aside earlier as unusable; inspect it, then delete it")
            continue
        # Symlinks and folders named *.json are examined too: loading never follows a
        # link, and reports them as corrupt, which the hook would move aside anyway.
        try:
            store.load(session_id)
        except (CorruptFileError, UnsupportedSchemaError) as exc:
            check = "schema" if isinstance(exc, UnsupportedSchemaError) else "corrupt"
            finding = report.add(PROBLEM, check, entry.path, str(exc).split(": ", 1)[-1])
            if fix:
                _move_aside(finding, store, entry)
        except InvalidInputError as exc:
            report.add(NOTE, "session-id", entry.path, f"not a session file synapse can address ({exc})")
        except StateFileAccessError as exc:
            report.add(PROBLEM, "unreadable", entry.path, str(exc))


def _move_aside(finding: Finding, store: SessionStore, entry: os.DirEntry[str]) -> None:
    try:
        # Under the session's lock, and only if still unusable: a prompt may
        # have replaced it with a fresh session since it was read.
        moved = store.set_aside_if_unusable(entry.name[: -len(SESSION_SUFFIX)])
        finding.fixed = f"moved aside to {os.path.basename(moved)}" if moved else "replaced meanwhile; nothing to do"
    except (StateFileAccessError, LockTimeoutError) as move_error:
        finding.message += f" (could not move it aside: {move_error})"


class _Leftovers:
    """Temp files of interrupted writes, and lock files an earlier version left beside the data, in one folder."""

    def __init__(self, report: DoctorReport, now: float, max_age: float, fix: bool, *, outside: bool):
        self.report = report
        self.now = now
        self.max_age = max_age
        self.fix = fix
        self.outside = outside  # outside .synapse/: reported, never removed by doctor

    def check(self, entry: os.DirEntry[str], *, locks_here: bool) -> None:
        try:
            age = self.now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            return
        if is_temp_name(entry.name):
            self._temp_file(entry, age)
        elif entry.name.endswith(LEGACY_LOCK_SUFFIX) and locks_here:
            self.report.add(NOTE, "lock-file", entry.path, "a lock file of an earlier synapse version (locks now live in "
                            ".synapse/cache/locks/); it holds no data and may be deleted")

    def _temp_file(self, entry: os.DirEntry[str], age: float) -> None:
        from synapse_cli.core.sessions.cleanup import writer_alive

        if age < self.max_age or writer_alive(entry.name):
            return  # a write may still be in progress
        if self.outside:
            self.report.add(NOTE, "temp-file", entry.path, f"left by an interrupted write {age / 60:.0f} min ago, "
                            "outside .synapse/ (doctor does not touch it): delete it by hand")
            return
        finding = self.report.add(PROBLEM, "temp-file", entry.path, f"left by an interrupted write {age / 60:.0f} min ago")
        if self.fix:
            try:
                os.unlink(entry.path)
                finding.fixed = "removed"
            except OSError as exc:
                finding.message += f" (could not remove it: {exc.strerror or exc})"



def _check_lock_files(report: DoctorReport, paths: ProjectPaths, fix: bool) -> None:
    """Every entry of ``.synapse/cache/locks/`` must be a regular file: anything else blocks its locks."""
    folder = locks_folder(paths.synapse_dir)
    entries = _entries(folder, report)
    for entry in entries or []:
        if entry.is_file(follow_symlinks=False):
            continue
        finding = report.add(PROBLEM, "lock-file", entry.path, "not a regular file: the sessions whose lock it is cannot be updated")
        if fix:
            try:
                if entry.is_dir(follow_symlinks=False):
                    os.rmdir(entry.path)
                else:
                    os.unlink(entry.path)  # a FIFO, socket or link: no data in it
                finding.fixed = "removed"
            except OSError as exc:
                finding.message += f" (could not remove it: {exc.strerror or exc})"


def _check_stale(report: DoctorReport, store: SessionStore, folder: str, ttl_hours: float, now: float, fix: bool) -> None:
    from synapse_cli.core.sessions.cleanup import clean_stale

    stale = clean_stale(store, ttl_hours, dry_run=True, now=now, temp_max_age_seconds=float("inf"))
    if not stale.removed:
        return
    # A note: stale sessions are normal, and first prompts' cleanup removes them.
    finding = report.add(
        NOTE, "stale", folder,
        f"{len(stale.removed)} stale session(s) older than {ttl_hours:g} h: {_some(sorted(stale.removed))} "
        "(removed by the hook's cleanup on sessions' first prompts, or by --fix)",
    )
    if fix:
        done = clean_stale(store, ttl_hours, now=now, temp_max_age_seconds=float("inf"))
        finding.fixed = f"removed {len(done.removed)} stale session(s)"
        if len(done.removed) < len(stale.removed):
            finding.message += f" ({len(stale.removed) - len(done.removed)} became active or busy meanwhile)"
