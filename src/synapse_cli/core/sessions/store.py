"""The session store: one JSON file per editor session in ``.synapse/sessions/``.

Files are byte-compatible with the framework's JavaScript side (schema "2.0"; see
``jsonio`` for the serialisation). Every read-modify-write holds the session's
lock (``locking``: one of a fixed set in ``.synapse/cache/locks/``) and every write
is atomic, so concurrent prompts never lose an update
and a crash never leaves a torn file. A file that cannot be loaded is moved aside
(``<id>.json.corrupt-<time>``, see ``setaside``), never silently replaced.

Storage only: load, create, update, list, delete. Removing stale sessions is
``cleanup``; the store never starts a thread or calls back into its caller.
"""

from __future__ import annotations

import os
import time

from synapse_cli.core.atomic import atomic_write, fsync_dir
from synapse_cli.core.errors import (
    CorruptFileError,
    InvalidInputError,
    InvalidSessionIdError,
    LockTimeoutError,
    StateFileAccessError,
    UnsupportedSchemaError,
)
from synapse_cli.core.files import UNUSABLE_FILE_ERRNOS, read_regular
from synapse_cli.core.jsonio import dumps_js, iso_timestamp, loads_text
from synapse_cli.core.locking import FileLock
from synapse_cli.core.sessions.setaside import set_aside

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any

    from synapse_cli.core.sessions.cleanup import CleanupResult

SCHEMA_VERSION = "2.0"
SESSION_SUFFIX = ".json"
BRIDGE_FILE_NAME = "_active-agent.json"
ACTIVATION_QUALITIES = ("full", "partial", "fallback")
BRACKETS = ("FRESH", "MODERATE", "DEPLETED", "CRITICAL")
MAX_SESSION_ID_LENGTH = 200
MAX_SESSION_BYTES = 16 * 1024 * 1024
"""A session file is a few kilobytes; a bigger one is set aside, never read without bound."""
# Ids are normally UUIDs; other agents send other shapes, so allow the characters that
# are safe in a file name on every platform and nothing that can form a path.
_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+=@")
# Fields a patch may not change: they are the file's identity.
_IMMUTABLE_FIELDS = ("uuid", "schema_version")


def validate_session_id(session_id: Any) -> str:
    """Return ``session_id`` if it can only ever name a file directly in the sessions folder.

    Raises ``InvalidSessionIdError`` saying what is wrong.
    """
    if not isinstance(session_id, str):
        raise InvalidSessionIdError(f"session id must be a string, not {type(session_id).__name__}")
    if not session_id:
        raise InvalidSessionIdError("session id is empty")
    if len(session_id) > MAX_SESSION_ID_LENGTH:
        raise InvalidSessionIdError(f"session id is {len(session_id)} characters long (at most {MAX_SESSION_ID_LENGTH})")
    if "\x00" in session_id:
        raise InvalidSessionIdError("session id contains a NUL character")
    if "/" in session_id or "\\" in session_id:
        raise InvalidSessionIdError(f"session id {session_id!r} contains a path separator")
    if ".." in session_id:
        raise InvalidSessionIdError(f"session id {session_id!r} contains '..'")
    if session_id.startswith("."):
        raise InvalidSessionIdError(f"session id {session_id!r} starts with '.'")
    bad = sorted(set(session_id) - _ID_CHARACTERS)
    if bad:
        raise InvalidSessionIdError(f"session id {session_id!r} contains characters not allowed in an id: {''.join(bad)!r}")
    if session_id + SESSION_SUFFIX == BRIDGE_FILE_NAME:
        raise InvalidSessionIdError(f"session id {session_id!r} is reserved for the active-agent bridge file")
    return session_id


def session_id_of(name: str) -> str | None:
    """The id of the session whose file in the sessions folder is ``name``, or None when ``name`` is no session's.

    The one rule for which names are sessions, used by ``SessionStore.list`` and the
    command line's id lookup alike: ``<id>.json``, but the active-agent bridge file. A
    set-aside copy (``<id>.json.corrupt-<time>``) and a temp file (``<id>.json.tmp.<pid>...``)
    never end in ``.json``, so a session whose id merely contains such a marker still
    counts. Only the name is judged: a folder, a link or an id ``validate_session_id``
    refuses is still a session file here (``list`` flags it as unusable).
    """
    if not name.endswith(SESSION_SUFFIX) or name == BRIDGE_FILE_NAME:
        return None
    return name[: -len(SESSION_SUFFIX)]


def context_percent(prompt_count: int) -> float:
    """Estimated context left after ``prompt_count`` prompts (the framework's formula)."""
    percent = 100 - prompt_count * 1500 * 1.2 / 200000 * 100
    return max(0.0, min(100.0, percent))


def bracket_for(prompt_count: int) -> str:
    percent = context_percent(prompt_count)
    if percent >= 60:
        return "FRESH"
    if percent >= 40:
        return "MODERATE"
    if percent >= 25:
        return "DEPLETED"
    return "CRITICAL"


def new_session(session_id: str, cwd: str, now: float | None = None) -> dict[str, Any]:
    """A fresh schema-2.0 session, field for field as the JavaScript side creates it."""
    stamp = iso_timestamp(now)
    return {
        "uuid": session_id,
        "schema_version": SCHEMA_VERSION,
        "started": stamp,
        "last_activity": stamp,
        "cwd": cwd,
        "label": os.path.basename(os.path.normpath(cwd)) if cwd else "",
        "title": None,
        "prompt_count": 0,
        "active_agent": {"id": None, "activated_at": None, "activation_quality": None},
        "active_workflow": None,
        "active_squad": None,
        "active_task": None,
        "context": {"last_bracket": "FRESH", "last_tokens_used": 0, "last_context_percent": 100},
        "overrides": {},
        "history": {"star_commands_used": [], "domains_loaded_last": [], "agents_activated": []},
    }


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


MAX_SAFE_COUNT = 2**53 - 1
"""JavaScript's largest exact integer: a larger prompt_count is no count the framework can keep."""
MAX_NESTING = 100
"""Deeper values load but cannot be written back (the writer recurses); sessions nest 3 levels."""


def _nesting_beyond(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects or arrays more than ``limit`` levels deep (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def check_session(data: Any, path: str) -> dict[str, Any]:
    """Return ``data`` if it is a usable schema-2.0 session; raise why it is not.

    Usable means synapse can also write it back: what loads but could never be written
    (a count beyond JavaScript's integers, values nested beyond ``MAX_NESTING``) is
    corrupt too, and an update sets it aside instead of failing on every prompt.
    """
    if not isinstance(data, dict):
        raise CorruptFileError(f"not a JSON object but {type(data).__name__}", path=path)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise UnsupportedSchemaError(f"schema_version {version!r} is not {SCHEMA_VERSION!r}", path=path)
    count = data.get("prompt_count", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise CorruptFileError(f"prompt_count should be a non-negative integer, got {_describe(count)}", path=path)
    if count > MAX_SAFE_COUNT:
        raise CorruptFileError(f"prompt_count is a {count.bit_length()}-bit number, more than JavaScript can count", path=path)
    if _nesting_beyond(data, MAX_NESTING):
        raise CorruptFileError(f"values are nested more than {MAX_NESTING} levels deep", path=path)
    for name in ("context", "overrides", "history", "active_agent"):
        value = data.get(name)
        if value is not None and not isinstance(value, dict):
            raise CorruptFileError(f"{name} should be an object, got {_describe(value)}", path=path)
    history = data.get("history")
    if isinstance(history, dict):
        for name in ("star_commands_used", "domains_loaded_last", "agents_activated"):
            value = history.get(name)
            if value is not None and not isinstance(value, list):
                raise CorruptFileError(f"history.{name} should be a list, got {_describe(value)}", path=path)
    for name in ("uuid", "started", "last_activity", "cwd", "label"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise CorruptFileError(f"{name} should be a string, got {_describe(value)}", path=path)
    return data


def _js_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _js_includes(items: list[Any], item: Any) -> bool:
    """JavaScript's ``items.includes(item)`` for values parsed from JSON.

    Primitives compare by type and value (``1`` is not ``true``); objects and arrays
    parsed from JSON are distinct objects, so the framework never treats them as present.
    """
    if isinstance(item, (dict, list)):
        return False
    kind = _js_kind(item)
    return any(_js_kind(other) == kind and other == item for other in items if not isinstance(other, (dict, list)))


def merge_update(session: dict[str, Any], updates: dict[str, Any]) -> None:
    """Apply ``updates`` to ``session`` in place with the framework's merge rules.

    ``history``: lists are appended to (new items only, order kept), other values
    replace. ``overrides`` and ``context``: shallow merge. Anything else: overwritten
    (``active_agent`` is replaced whole).
    """
    for key, value in updates.items():
        if key == "history" and isinstance(value, dict):
            history = dict(session["history"]) if isinstance(session.get("history"), dict) else {}
            for sub_key, new in value.items():
                old = history.get(sub_key)
                if isinstance(old, list) and isinstance(new, list):
                    merged = list(old)
                    for item in new:
                        if not _js_includes(merged, item):
                            merged.append(item)
                    history[sub_key] = merged
                else:
                    history[sub_key] = new
            session["history"] = history
        elif key in ("overrides", "context") and isinstance(value, dict):
            current = session.get(key)
            session[key] = {**(current if isinstance(current, dict) else {}), **value}
        else:
            session[key] = value


class UpdateResult:
    """What an update did: the session as written, and whether a file was created or set aside."""

    __slots__ = ("session", "created", "previous_prompt_count", "set_aside_path", "set_aside_reason")

    def __init__(
        self,
        session: dict[str, Any],
        created: bool = False,
        previous_prompt_count: int = 0,
        set_aside_path: str | None = None,
        set_aside_reason: str | None = None,
    ):
        self.session = session
        self.created = created
        self.previous_prompt_count = previous_prompt_count
        self.set_aside_path = set_aside_path
        self.set_aside_reason = set_aside_reason


class SessionSummary:
    """One file of the sessions folder as ``list`` found it."""

    __slots__ = ("session_id", "path", "status", "session", "problem", "mtime")

    def __init__(self, session_id: str, path: str, status: str, *, mtime: float = 0.0):
        self.session_id = session_id
        self.path = path
        self.status = status  # "ok", "corrupt", "unsupported-schema" or "unreadable"
        self.session: dict[str, Any] | None = None
        self.problem: str | None = None
        self.mtime = mtime


class SessionStore:
    """Sessions of one project, in ``sessions_dir`` (normally ``<project>/.synapse/sessions``)."""

    def __init__(self, sessions_dir: str | os.PathLike[str], *, fsync: bool = True, lock_timeout: float = 5.0):
        self.sessions_dir = os.path.abspath(os.fspath(sessions_dir))
        self.fsync = fsync
        self.lock_timeout = lock_timeout

    @property
    def project_root(self) -> str:
        return os.path.dirname(os.path.dirname(self.sessions_dir))

    def path_for(self, session_id: Any) -> str:
        """The file of ``session_id``; raises ``InvalidSessionIdError`` for an unsafe id."""
        validate_session_id(session_id)
        path = os.path.join(self.sessions_dir, session_id + SESSION_SUFFIX)
        if os.path.dirname(os.path.normpath(path)) != self.sessions_dir:  # belt and braces
            raise InvalidSessionIdError(f"session id {session_id!r} does not name a file in {self.sessions_dir}")
        return path

    def refuse_linked_folders(self) -> None:
        """The sessions folder and ``.synapse`` must be real folders: through a symlink,
        writes and cleanup would happen somewhere synapse does not own."""
        for folder in (self.sessions_dir, os.path.dirname(self.sessions_dir)):
            try:
                linked = os.path.islink(folder)
            except OSError:
                continue
            if linked:
                raise StateFileAccessError("is a symlink; synapse does not follow links out of its state folder", path=folder)

    def lock_for(self, path: str, timeout: float | None = None) -> FileLock:
        """The lock of the session file ``path`` (in ``.synapse/cache/locks/``), not taken yet."""
        key = "sessions/" + os.path.basename(path)
        return FileLock(os.path.dirname(self.sessions_dir), key, self.lock_timeout if timeout is None else timeout)

    def lock(self, path: str, timeout: float | None = None) -> FileLock:
        """Take the lock of ``path`` (the store's timeout unless given); the caller releases it."""
        lock = self.lock_for(path, timeout)
        try:
            lock.acquire()
        except LockTimeoutError:
            raise
        except OSError as exc:
            from synapse_cli.core.files import describe_read_error

            raise StateFileAccessError(f"cannot use the lock file {lock.path}: {describe_read_error(exc)}", path=path) from exc
        return lock

    # -- reading -----------------------------------------------------------------
    def _read(self, path: str) -> dict[str, Any] | None:
        try:
            raw = read_regular(path, MAX_SESSION_BYTES)
        except FileNotFoundError:
            return None
        except OSError as exc:
            import errno

            if exc.errno in UNUSABLE_FILE_ERRNOS:
                kind = {errno.ELOOP: "is a symlink", errno.EFBIG: f"is larger than {MAX_SESSION_BYTES} bytes"}.get(exc.errno, "is not a regular file")
                raise CorruptFileError(f"{kind}; session files must be regular files of bounded size", path=path) from exc
            raise StateFileAccessError(f"cannot read: {exc.strerror or exc}", path=path) from exc
        try:
            # As strictly as JavaScript's JSON.parse: a file it refuses (a byte-order mark,
            # NaN, Infinity) is no session to the framework, so it is corrupt here too, for
            # the hook, doctor, list and cleanup alike (set aside, never deleted).
            data = loads_text(raw, js=True)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CorruptFileError(f"does not parse as JSON ({exc})", path=path) from exc
        return check_session(data, path)

    def load(self, session_id: str) -> dict[str, Any] | None:
        """The session, or None when it has no file.

        Raises ``CorruptFileError``/``UnsupportedSchemaError`` for a file that exists but
        cannot be used (it is left in place), ``StateFileAccessError`` when it cannot be read.
        """
        path = self.path_for(session_id)
        self.refuse_linked_folders()
        return self._read(path)

    def set_aside_if_unusable(self, session_id: str) -> str | None:
        """Under the session's lock, move its file aside if it still cannot be loaded.

        Returns where it went, or None when the file is gone or loads after all (a
        prompt may have replaced it meanwhile).
        """
        path = self.path_for(session_id)
        self.refuse_linked_folders()
        lock = self.lock(path)
        try:
            return self._load_or_set_aside(path)[1]
        finally:
            lock.release()

    # -- writing -----------------------------------------------------------------
    def _write(self, path: str, session: dict[str, Any]) -> None:
        atomic_write(path, dumps_js(session), fsync=self.fsync)

    def _load_or_set_aside(self, path: str) -> tuple[dict[str, Any] | None, str | None, str | None]:
        try:
            return self._read(path), None, None
        except (CorruptFileError, UnsupportedSchemaError) as exc:
            return None, set_aside(path), str(exc)

    def create(self, session_id: str, cwd: str | None = None) -> UpdateResult:
        """Create the session if it has no file yet; an existing usable session is returned as is.

        An unusable file in the way is moved aside first (reported in the result).
        """
        path = self.path_for(session_id)
        self.refuse_linked_folders()
        lock = self.lock(path)
        try:
            session, aside, reason = self._load_or_set_aside(path)
            if session is not None:
                return UpdateResult(session, previous_prompt_count=session.get("prompt_count", 0))
            session = new_session(session_id, cwd or self.project_root)
            self._write(path, session)
            return UpdateResult(session, created=True, set_aside_path=aside, set_aside_reason=reason)
        finally:
            lock.release()

    def update(
        self,
        session_id: str,
        updates: dict[str, Any] | None = None,
        *,
        cwd: str | None = None,
        track_bracket: bool = False,
        count_prompt: bool = True,
        create_missing: bool = True,
        remove: tuple[str, ...] = (),
    ) -> UpdateResult | None:
        """Merge ``updates`` into the session (creating it if missing), then count one prompt.

        Under the session's lock: load (an unusable file is moved aside and a fresh
        session takes its place), merge,
        ``prompt_count += 1``, ``last_activity = now`` and, with ``track_bracket``,
        ``context.last_bracket`` for the count loaded (before this prompt); then write atomically.
        ``count_prompt=False`` records the update without counting a prompt (session
        end); ``create_missing=False`` returns None, writing nothing, when there is no
        session file (an unusable one is then left in place too). ``remove`` names
        top-level keys to drop after the merge (the merge rules can only add or replace).
        Raises ``InvalidInputError`` for an update that would make the file invalid,
        ``LockTimeoutError``, ``StateFileAccessError`` or ``AtomicWriteError``.
        """
        updates = updates or {}
        if not isinstance(updates, dict):
            raise InvalidInputError(f"a session update must be a JSON object, not {type(updates).__name__}")
        for name in _IMMUTABLE_FIELDS:
            if name in updates:
                raise InvalidInputError(f"a session update may not change {name!r}")
        path = self.path_for(session_id)
        self.refuse_linked_folders()
        lock = self.lock(path)
        try:
            if create_missing:
                session, aside, reason = self._load_or_set_aside(path)
            else:
                session, aside, reason = self._read(path), None, None
                if session is None:
                    return None
            created = session is None
            now = time.time()  # one clock reading: a new session starts when its first activity is
            if session is None:
                session = new_session(session_id, cwd or self.project_root, now)
            previous = session.get("prompt_count", 0)
            merge_update(session, updates)
            for name in remove:
                session.pop(name, None)
            try:
                check_session(session, path)
            except (CorruptFileError, UnsupportedSchemaError) as exc:
                raise InvalidInputError(f"the update would make the session invalid: {str(exc).split(': ', 1)[-1]}") from exc
            if count_prompt:
                session["prompt_count"] = session.get("prompt_count", 0) + 1
            session["last_activity"] = iso_timestamp(now)
            if track_bracket:
                context = session.get("context")
                # As the framework's hook: the bracket of the count loaded, before this prompt is counted.
                session["context"] = {**(context if isinstance(context, dict) else {}), "last_bracket": bracket_for(previous)}
            self._write(path, session)
            return UpdateResult(session, created, previous, aside, reason)
        finally:
            lock.release()

    def delete(self, session_id: str) -> bool:
        """Remove the session's file; return False when there was none."""
        path = self.path_for(session_id)
        self.refuse_linked_folders()
        lock = self.lock(path)
        try:
            try:
                os.unlink(path)
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise StateFileAccessError(f"cannot delete: {exc.strerror or exc}", path=path) from exc
            if self.fsync:
                try:
                    fsync_dir(self.sessions_dir)
                except OSError:
                    pass
            return True
        finally:
            lock.release()

    # -- listing -----------------------------------------------------------------
    def list(self) -> list[SessionSummary]:
        """Every session file in the folder (not the bridge file), usable or not, newest first."""
        summaries: list[SessionSummary] = []
        self.refuse_linked_folders()
        try:
            entries = list(os.scandir(self.sessions_dir))
        except FileNotFoundError:
            return summaries
        except OSError as exc:
            raise StateFileAccessError(f"cannot list: {exc.strerror or exc}", path=self.sessions_dir) from exc
        for entry in entries:
            session_id = session_id_of(entry.name)
            if session_id is None:
                continue
            try:
                mtime = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                mtime = 0.0
            summary = SessionSummary(session_id, entry.path, "ok", mtime=mtime)
            try:
                summary.session = self._read(entry.path)
            except UnsupportedSchemaError as exc:
                summary.status, summary.problem = "unsupported-schema", str(exc)
            except CorruptFileError as exc:
                summary.status, summary.problem = "corrupt", str(exc)
            except StateFileAccessError as exc:
                summary.status, summary.problem = "unreadable", str(exc)
            if summary.session is not None or summary.status != "ok":
                summaries.append(summary)
        summaries.sort(key=lambda s: (s.mtime, s.session_id), reverse=True)
        return summaries

    def clean_stale(self, ttl_hours: float, **options: Any) -> CleanupResult:
        """Remove this store's stale sessions (see ``synapse_cli.core.sessions.cleanup.clean_stale``)."""
        from synapse_cli.core.sessions.cleanup import clean_stale

        return clean_stale(self, ttl_hours, **options)
