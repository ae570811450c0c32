"""The hooks editors run: every prompt, and a session's start and end.

Their contract with the user comes first: the prompt always goes through. Whatever
happens, a hook returns exit code 0 and writes nothing on stdout but the agent's own
"go on" answer (Cursor's ``{"continue": true}``): a hook's stdout is injected into the
model's context, and exit 2 would erase the prompt. Problems go to
``.synapse/cache/synapse.log`` and, with ``--debug``/``SYNAPSE_DEBUG=1``, to stderr.

One event shape per agent: Claude Code and Codex (``session_id``, ``cwd``), Gemini
CLI's BeforeAgent (project from ``$GEMINI_PROJECT_DIR``), Cursor's beforeSubmitPrompt
(``conversation_id``, the first of ``workspace_roots``). Each writes the same state.

Every import here is paid on every prompt: this module and what it imports use only
the standard library's cheapest modules (no Typer, rich, yaml, logging, pathlib,
dataclasses or typing, nor threading: the first prompt's cleanup uses ``_thread``).
"""

from __future__ import annotations

import os
import sys
import time

from synapse_cli.core import log
from synapse_cli.core.project import ProjectPaths, resolve_project_root

MAX_PAYLOAD_BYTES = 8 * 1024 * 1024
"""A prompt may carry a large paste; anything beyond this is not an editor's event."""
STDIN_TIMEOUT_SECONDS = 2.0
HOOK_MAX_LOCK_WAIT_SECONDS = 3.0
"""The hook's longest wait for a session lock, whatever ``lock.timeoutSeconds`` says."""
"""Editors write the event and close stdin at once; never wait longer for a missing EOF."""
_TRUTHY = ("1", "true", "yes", "on")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

    from synapse_cli.core.config import Config
    from synapse_cli.core.sessions.store import SessionStore


class HookInput:
    """What the hook took from stdin: the event, or why there is none."""

    __slots__ = ("event", "problem")

    def __init__(self, event: dict[str, Any] | None, problem: str | None):
        self.event = event
        self.problem = problem


def _parse_event(data: bytes) -> HookInput:
    import json

    if not data.strip():
        return HookInput(None, "empty payload on stdin")
    try:
        event = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return HookInput(None, f"payload is not UTF-8 (byte {exc.start})")
    except ValueError as exc:
        return HookInput(None, f"payload is not valid JSON ({exc})")
    except RecursionError:
        return HookInput(None, "payload is JSON nested too deeply")
    if not isinstance(event, dict):
        return HookInput(None, f"payload is a JSON {type(event).__name__}, not an object")
    return HookInput(event, None)


def _complete_json(chunks: list[bytes]) -> bool:
    """Whether what arrived so far is already one whole JSON object (stdin left open)."""
    data = b"".join(chunks).rstrip()
    if not data.endswith(b"}"):
        return False
    return _parse_event(data).event is not None


def read_event(fd: int = 0, *, limit: int = MAX_PAYLOAD_BYTES, timeout: float = STDIN_TIMEOUT_SECONDS) -> HookInput:
    """Read one JSON event from ``fd`` without ever hanging or reading without bound."""
    try:
        if os.isatty(fd):
            return HookInput(None, "stdin is a terminal, not an editor's event")
    except OSError:
        return HookInput(None, "no stdin")
    if os.name == "nt":  # pragma: no cover - pipes cannot be polled there
        return _read_event_with_thread(fd, limit, timeout)
    chunks: list[bytes] = []
    total = 0
    deadline = time.monotonic() + timeout
    try:
        was_blocking = os.get_blocking(fd)
        os.set_blocking(fd, False)
    except OSError:
        return HookInput(None, "stdin cannot be read")
    try:
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                if chunks and _complete_json(chunks):
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return HookInput(None, f"stdin sent no complete event within {timeout:g} s and did not close")
                import select

                select.select([fd], [], [], min(remaining, 0.1))
                continue
            except OSError as exc:
                return HookInput(None, f"stdin cannot be read ({exc.strerror or exc})")
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                return HookInput(None, f"payload is larger than {limit} bytes; ignored")
            chunks.append(chunk)
    finally:
        try:
            os.set_blocking(fd, was_blocking)
        except OSError:
            pass
    return _parse_event(b"".join(chunks))


def _read_event_with_thread(fd: int, limit: int, timeout: float) -> HookInput:  # pragma: no cover - Windows
    import threading

    box: list[bytes | None] = [None]

    def reader() -> None:
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        box[0] = b"".join(chunks)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive() or box[0] is None:
        return HookInput(None, f"stdin sent nothing within {timeout:g} s")
    if len(box[0]) > limit:
        return HookInput(None, f"payload is larger than {limit} bytes; ignored")
    return _parse_event(box[0])


_CLEANUP_CURSOR = "cleanup-cursor"


class _Cleanup:
    """The first prompt's stale-session cleanup, on a thread of its own.

    It resumes where a previous cleanup was cut off by the grace period (the name in
    ``.synapse/cache/cleanup-cursor``), so a folder too large to scan within one grace
    period is still covered within a few first prompts instead of rescanning its start.
    """

    def __init__(self, store: SessionStore, config: Config, cache_dir: str):
        # The bare _thread module: threading costs over a millisecond to import, and the
        # first prompt of every session pays it. A lock held until the work ends stands
        # in for join(timeout).
        import _thread

        from synapse_cli.core.sessions.store import CleanupProgress

        self.cursor_path = os.path.join(cache_dir, _CLEANUP_CURSOR)
        self.progress = CleanupProgress()
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self._store = store
        self._config = config
        # Like a daemon thread: the hook never waits for it beyond the grace period, and
        # a cleanup cut off at exit has only ever removed whole files (or nothing).
        _thread.start_new_thread(self._run, ())

    def _run(self) -> None:
        try:
            from synapse_cli.core.jsonio import read_bytes_nofollow

            start_at = None
            try:
                start_at = read_bytes_nofollow(self.cursor_path)[:512].decode("utf-8").strip() or None
            except (OSError, ValueError):
                pass
            # clean_stale logs the removed count at DEBUG itself.
            result = self._store.clean_stale(
                self._config.stale_ttl_hours,
                temp_max_age_seconds=self._config.temp_max_age_seconds,
                start_at=start_at,
                progress=self.progress,
            )
            if start_at is not None:
                try:
                    os.unlink(self.cursor_path)  # a whole pass is done: the next one starts afresh
                except OSError:
                    pass
            for name in result.corrupt:
                log.warning(f"stale session file {name}.json does not parse; kept for inspection")
        except Exception as exc:  # a cleanup problem must never reach the prompt
            log.warning(f"stale-session cleanup failed: {exc}")
        finally:
            self.done.release()

    def wait(self, grace_seconds: float) -> None:
        """Wait at most ``grace_seconds``; if the cleanup is still going, note where it is."""
        if self.done.acquire(timeout=grace_seconds):
            return
        current = self.progress.current
        if current is None or self.progress.finished:
            return
        from synapse_cli.core.atomic import atomic_write

        try:
            atomic_write(self.cursor_path, current, fsync=False)
        except OSError:
            pass
        log.debug(f"stale-session cleanup still running at exit; the next first prompt resumes it at {current}")


AGENTS = ("claude", "codex", "gemini", "cursor")
_PROJECT_ENV_VARS = {
    "claude": ("CLAUDE_PROJECT_DIR",),
    "codex": ("CLAUDE_PROJECT_DIR",),
    "gemini": ("GEMINI_PROJECT_DIR", "CLAUDE_PROJECT_DIR"),
    "cursor": (),
}
# What each agent needs on stdout to go on; never a blocking answer.
_GO_ON = {"cursor": '{"continue": true}\n'}


def detect_agent(event: dict[str, Any]) -> str:
    """Which agent sent ``event``, from the fields only that agent sends."""
    name = event.get("hook_event_name")
    if name == "beforeSubmitPrompt" or "conversation_id" in event or "workspace_roots" in event:
        return "cursor"
    if name == "BeforeAgent" or name == "AfterAgent":
        return "gemini"
    if "turn_id" in event:
        return "codex"
    return "claude"


def event_session_and_cwd(agent: str, event: dict[str, Any]) -> tuple[Any, str | None]:
    """The session id and the folder the agent works in, as that agent names them."""
    if agent == "cursor":
        roots = event.get("workspace_roots")
        first = roots[0] if isinstance(roots, list) and roots else None
        return event.get("conversation_id"), first if isinstance(first, str) else None
    cwd = event.get("cwd")
    return event.get("session_id"), cwd if isinstance(cwd, str) else None


def _is_truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUTHY


class HookCall:
    """One hook run: the event, the agent, the project and its configuration."""

    def __init__(self, name: str, agent: str | None, project_dir: str | None, config_path: str | None,
                 environ: Mapping[str, str], stdin_fd: int, debug: bool):
        self.name = name
        self.forced_agent = agent
        self.agent = agent or "claude"
        self.project_dir = project_dir
        self.config_path = config_path
        self.environ = environ
        self.stdin_fd = stdin_fd
        self.debug = debug
        self.started = time.perf_counter()
        self.unknown_agent = None  # an --agent value not in AGENTS, logged once the log file is known

    def prepare(self):  # -> tuple[str, dict, Config, SessionStore, ProjectPaths] | None
        """Read the event and find the project; None when there is nothing to do."""
        received = read_event(self.stdin_fd)
        event = received.event or {}
        if self.forced_agent is None and received.event is not None:
            self.agent = detect_agent(event)
        session_id, payload_cwd = event_session_and_cwd(self.agent, event)
        root = resolve_project_root(
            self.project_dir, for_hook=True, payload_cwd=payload_cwd, environ=self.environ,
            project_env_vars=_PROJECT_ENV_VARS.get(self.agent, ()),
        )
        paths = ProjectPaths(root)
        if not paths.is_initialised():
            log.debug(f"no {paths.synapse_dir} folder: this project has not opted in; nothing to do")
            return None
        if os.path.islink(paths.synapse_dir) or os.path.islink(paths.cache_dir):
            # Writing the log or cache there would write wherever the link points.
            log.debug(f"{paths.synapse_dir} (or its cache/) is a symlink; synapse does not follow it: nothing done")
            return None
        from synapse_cli.core.config import load_config
        from synapse_cli.core.errors import SynapseError
        from synapse_cli.core.sessions.store import SessionStore, validate_session_id

        # The configuration first (cached: cheap), so that every line logged below,
        # warnings about the event included, respects log.maxBytes.
        config = load_config(root, explicit_path=self.config_path, environ=self.environ, strict=False, cache_dir=paths.cache_dir)
        log.configure(file_path=paths.log_file, debug=self.debug, max_bytes=config.log_max_bytes)
        for problem in config.problems:
            log.warning(problem)
        if self.unknown_agent is not None:
            log.warning(f"hook {self.name}: unknown --agent {self.unknown_agent!r} (known: {', '.join(AGENTS)}); recognising it from the event")
        if received.problem:
            log.warning(f"hook {self.name}: {received.problem}")
            return None
        try:
            validate_session_id(session_id)
        except SynapseError as exc:
            log.warning(f"hook {self.name} ({self.agent}): {exc}; nothing recorded")
            return None
        # Never wait for a lock anywhere near the editor's hook timeout (10 s as installed):
        # a prompt that waited would be dropped by the editor anyway.
        lock_wait = min(config.lock_timeout, HOOK_MAX_LOCK_WAIT_SECONDS)
        store = SessionStore(paths.sessions_dir, fsync=config.fsync, lock_timeout=lock_wait)
        return session_id, event, config, store, paths


def run_hook(
    name: str,
    *,
    agent: str | None = None,
    project_dir: str | None = None,
    debug: bool = False,
    config_path: str | None = None,
    environ: Mapping[str, str] | None = None,
    stdin_fd: int = 0,
) -> tuple[int, str]:
    """Handle one editor event; return ``(exit code, stdout text)``. The exit code is always 0."""
    environ = os.environ if environ is None else environ
    debug = debug or _is_truthy(environ.get("SYNAPSE_DEBUG"))
    log.configure(debug=debug)
    call = HookCall(name, agent if agent in AGENTS else None, project_dir, config_path, environ, stdin_fd, debug)
    if agent is not None and agent not in AGENTS:
        call.unknown_agent = agent
    try:
        _HANDLERS[name](call)
    except Exception as exc:
        try:
            from synapse_cli.core.errors import SynapseError

            if isinstance(exc, SynapseError):
                log.warning(f"hook {name} ({call.agent}): session not updated: {exc}")
            else:
                import traceback

                log.error(f"hook {name} failed unexpectedly: {exc!r}\n{traceback.format_exc()}")
        except Exception:
            pass
    return 0, _GO_ON.get(call.agent, "")


# A session that goes on after a SessionEnd (resumed) is no longer ended.
_END_FIELDS = ("ended_at", "end_reason")


def _prompt_submit(call: HookCall) -> None:
    prepared = call.prepare()
    if prepared is None:
        return
    session_id, _event, config, store, paths = prepared
    cleaner = []

    def start_cleanup_on_first_prompt(session: dict[str, Any] | None) -> None:
        if config.auto_clean and not cleaner and (session is None or session.get("prompt_count", 0) == 0):
            cleaner.append(_Cleanup(store, config, paths.cache_dir))

    # A session without a file is on its first prompt: start cleaning before taking the
    # lock, so that the cleanup overlaps the whole update. (A file with prompt_count 0,
    # made by session-start, is caught once it is loaded.)
    if not os.path.lexists(store.path_for(session_id)):
        start_cleanup_on_first_prompt(None)
    try:
        result = store.update(
            session_id, cwd=paths.root, track_bracket=True, on_load=start_cleanup_on_first_prompt, remove=_END_FIELDS
        )
        if result.set_aside_path:
            log.warning(f"session {session_id}: {result.set_aside_reason}; moved to {result.set_aside_path} and started afresh")
        if call.debug:
            elapsed = (time.perf_counter() - call.started) * 1000
            log.debug(f"session {session_id} ({call.agent}): prompt {result.session['prompt_count']} recorded in {elapsed:.1f} ms")
    finally:
        for cleanup in cleaner:
            cleanup.wait(config.cleanup_grace_seconds)


_LAST_START_CLEANUP = "last-start-cleanup"


def _claim_start_cleanup(paths: ProjectPaths, interval: float) -> bool:
    """Whether this session start should clean: at most once per ``interval`` across sessions.

    The marker's mtime is the time of the last claim. Two starts racing may both clean,
    which is harmless: cleanup is safe to run concurrently.
    """
    marker = os.path.join(paths.cache_dir, _LAST_START_CLEANUP)
    try:
        if time.time() - os.stat(marker).st_mtime < interval:
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


def _session_start(call: HookCall) -> None:
    prepared = call.prepare()
    if prepared is None:
        return
    session_id, _event, config, store, paths = prepared
    # Record the start as activity (without counting a prompt): a session resumed after
    # longer than the TTL is then fresh again, and the cleanup below cannot take it.
    result = store.update(session_id, cwd=paths.root, count_prompt=False, remove=_END_FIELDS)
    if result.set_aside_path:
        log.warning(f"session {session_id}: {result.set_aside_reason}; moved to {result.set_aside_path} and started afresh")
    if config.auto_clean and _claim_start_cleanup(paths, config.start_cleanup_interval_seconds):
        # Registered as an asynchronous hook, a session start can afford the whole cleanup.
        cleaned = store.clean_stale(config.stale_ttl_hours, temp_max_age_seconds=config.temp_max_age_seconds)
        for name in cleaned.corrupt:
            log.warning(f"stale session file {name}.json does not parse; kept for inspection")


def _session_end(call: HookCall) -> None:
    prepared = call.prepare()
    if prepared is None:
        return
    session_id, event, _config, store, _paths = prepared
    if not os.path.lexists(store.path_for(session_id)):
        # Checked before taking the lock, which would leave a lock file behind.
        log.debug(f"session-end for {session_id}: no session file; nothing to record")
        return
    from synapse_cli.core.jsonio import iso_timestamp

    reason = event.get("reason")
    fields = {"ended_at": iso_timestamp(), "end_reason": reason if isinstance(reason, str) else None}
    if store.update(session_id, fields, count_prompt=False, create_missing=False) is None:
        log.debug(f"session-end for {session_id}: no session file; nothing to record")


_HANDLERS = {"prompt-submit": _prompt_submit, "session-start": _session_start, "session-end": _session_end}
HOOK_NAMES = tuple(_HANDLERS)
