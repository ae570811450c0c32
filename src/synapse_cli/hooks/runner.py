"""The hooks editors run: every prompt, and a session's start and end.

Their contract with the user comes first: the prompt always goes through. Whatever
happens, a hook returns exit code 0 and writes nothing on stdout but the agent's own
"go on" answer (Cursor's ``{"continue": true}``): a hook's stdout is injected into the
model's context, and exit 2 would erase the prompt. Problems go to
``.synapse/cache/synapse.log`` and, with ``--debug``/``SYNAPSE_DEBUG=1``, to stderr.

``run_hook`` reads the event (``events``), recognises the agent (``agents``), finds
the project and its configuration, and hands over to one of three handlers; the
first prompt's background cleanup is ``cleanup``.

Every import here is paid on every prompt: this module and what it imports use only
the standard library's cheapest modules (no Typer, rich, yaml, logging, pathlib,
dataclasses or typing, nor threading: the first prompt's cleanup uses ``_thread``).
"""

from __future__ import annotations

import os
import time

from synapse_cli.core import log
from synapse_cli.core.project import ProjectPaths, resolve_project_root
from synapse_cli.hooks.agents import AGENTS, PROJECT_ENV_VARS, detect_agent, event_session_and_cwd, go_on_answer
from synapse_cli.hooks.events import read_event

HOOK_MAX_LOCK_WAIT_SECONDS = 3.0
"""The hook's longest wait for a session lock, whatever ``lock.timeoutSeconds`` says."""
_TRUTHY = ("1", "true", "yes", "on")

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from synapse_cli.core.config import Config
    from synapse_cli.core.sessions.store import SessionStore, UpdateResult

    Prepared = tuple[str, dict[str, Any], Config, SessionStore, ProjectPaths]


def is_truthy(value: str | None) -> bool:
    """Whether an environment value such as ``SYNAPSE_DEBUG`` means yes."""
    return (value or "").strip().lower() in _TRUTHY


class HookCall:
    """One hook run: the event, the agent, the project and its configuration."""

    def __init__(self, name: str, agent: str | None, project_dir: str | None, config_path: str | None,
                 environ: Mapping[str, str], stdin_fd: int, debug: bool, problems: tuple[str, ...] = ()):
        self.name = name
        self.forced_agent = agent
        self.agent = agent or "claude"
        self.project_dir = project_dir
        self.config_path = config_path
        self.environ = environ
        self.stdin_fd = stdin_fd
        self.debug = debug
        self.problems = problems  # a command line the hook cannot follow: logged, nothing done
        self.started = time.perf_counter()
        self.unknown_agent: str | None = None  # an --agent value not in AGENTS, logged once the log file is known

    def _report_problems(self) -> None:
        for problem in self.problems:
            log.warning(f"synapse hook: {problem}")

    def prepare(self) -> Prepared | None:
        """Read the event and find the project; None when there is nothing to do."""
        received = read_event(self.stdin_fd)
        event = received.event or {}
        if self.forced_agent is None and received.event is not None:
            self.agent = detect_agent(event)
        session_id, payload_cwd = event_session_and_cwd(self.agent, event)
        root = resolve_project_root(
            self.project_dir, for_hook=True, payload_cwd=payload_cwd, environ=self.environ,
            project_env_vars=PROJECT_ENV_VARS.get(self.agent, ()),
        )
        paths = ProjectPaths(root)
        if not paths.is_initialised():
            self._report_problems()
            log.debug(f"no {paths.synapse_dir} folder: this project has not opted in; nothing to do")
            return None
        if os.path.islink(paths.synapse_dir) or os.path.islink(paths.cache_dir):
            # Writing the log or cache there would write wherever the link points.
            self._report_problems()
            log.debug(f"{paths.synapse_dir} (or its cache/) is a symlink; synapse does not follow it: nothing done")
            return None
        config = self._configure(root, paths)
        if self.problems:
            self._report_problems()
            return None
        if received.problem:
            log.warning(f"hook {self.name}: {received.problem}")
            return None
        from synapse_cli.core.errors import SynapseError
        from synapse_cli.core.sessions.store import SessionStore, validate_session_id

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

    def _configure(self, root: str, paths: ProjectPaths) -> Config:
        """Load the configuration and point the log at the project's log file."""
        from synapse_cli.core.config import load_config

        # The configuration first (cached: cheap), so that every line logged after,
        # warnings about the event included, respects log.maxBytes.
        config = load_config(root, explicit_path=self.config_path, environ=self.environ, strict=False, cache_dir=paths.cache_dir)
        log.configure(file_path=paths.log_file, debug=self.debug, max_bytes=config.log_max_bytes)
        for problem in config.problems:
            log.warning(problem)
        if self.unknown_agent is not None:
            log.warning(f"hook {self.name}: unknown --agent {self.unknown_agent!r} (known: {', '.join(AGENTS)}); recognising it from the event")
        return config


def run_hook(
    name: str,
    *,
    agent: str | None = None,
    project_dir: str | None = None,
    debug: bool = False,
    config_path: str | None = None,
    environ: Mapping[str, str] | None = None,
    stdin_fd: int = 0,
    problems: tuple[str, ...] = (),
) -> tuple[int, str]:
    """Handle one editor event; return ``(exit code, stdout text)``. The exit code is always 0.

    ``problems`` are what was wrong with the command line (an unknown option, a
    missing value): the event is still read, to find the project whose log they go
    to and the agent that needs its answer, and nothing else is done.
    """
    environ = os.environ if environ is None else environ
    debug = debug or is_truthy(environ.get("SYNAPSE_DEBUG"))
    log.configure(debug=debug)
    call = HookCall(name, agent if agent in AGENTS else None, project_dir, config_path, environ, stdin_fd, debug, problems)
    if agent is not None and agent not in AGENTS:
        call.unknown_agent = agent
    try:
        _HANDLERS.get(name, _nothing)(call)
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
    return 0, go_on_answer(call.agent)


# A session that goes on after a SessionEnd (resumed) is no longer ended.
_END_FIELDS = ("ended_at", "end_reason")


def _note_set_aside(session_id: str, result: UpdateResult) -> None:
    if result.set_aside_path:
        log.warning(f"session {session_id}: {result.set_aside_reason}; moved to {result.set_aside_path} and started afresh")


def _nothing(call: HookCall) -> None:
    call.prepare()  # an event this hook does not know: only the log and the agent's answer


def _prompt_submit(call: HookCall) -> None:
    prepared = call.prepare()
    if prepared is None:
        return
    session_id, _event, config, store, paths = prepared
    from synapse_cli.hooks.cleanup import FirstPromptCleanup

    cleanup = FirstPromptCleanup(store, config, paths.cache_dir)
    cleanup.before_update(store.path_for(session_id))
    try:
        result = store.update(session_id, cwd=paths.root, track_bracket=True, remove=_END_FIELDS)
        assert result is not None  # create_missing: always a session
        cleanup.after_update(result)
        _note_set_aside(session_id, result)
        if call.debug:
            elapsed = (time.perf_counter() - call.started) * 1000
            log.debug(f"session {session_id} ({call.agent}): prompt {result.session['prompt_count']} recorded in {elapsed:.1f} ms")
    finally:
        cleanup.wait()


def _session_start(call: HookCall) -> None:
    prepared = call.prepare()
    if prepared is None:
        return
    session_id, _event, config, store, paths = prepared
    # Record the start as activity (without counting a prompt): a session resumed after
    # longer than the TTL is then fresh again, and the cleanup below cannot take it.
    result = store.update(session_id, cwd=paths.root, count_prompt=False, remove=_END_FIELDS)
    if result is not None:
        _note_set_aside(session_id, result)
    from synapse_cli.hooks.cleanup import clean_at_session_start

    clean_at_session_start(store, config, paths)


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


_HANDLERS: dict[str, Callable[[HookCall], None]] = {
    "prompt-submit": _prompt_submit,
    "session-start": _session_start,
    "session-end": _session_end,
}
