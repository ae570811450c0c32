"""``.aios/session-state.json``: the framework's older context-detector state.

Fixed shape, times in epoch milliseconds, bounded lists (10 commands, 20 agents, 20
tasks, newest last). Unknown keys are dropped on write, as the JavaScript side does.
A state whose ``lastActivity`` is more than an hour old belongs to an earlier
session: the next update starts a new one.
"""

from __future__ import annotations

import math
import os

from synapse_cli.core.atomic import atomic_write
from synapse_cli.core.errors import CorruptFileError, InvalidInputError, StateFileAccessError
from synapse_cli.core.files import UNUSABLE_FILE_ERRNOS, read_regular
from synapse_cli.core.jsonio import dumps_js, epoch_ms, loads_text
from synapse_cli.core.locking import FileLock
from synapse_cli.core.sessions.setaside import set_aside

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any

STATE_RELATIVE_PATH = os.path.join(".aios", "session-state.json")
MAX_STATE_BYTES = 16 * 1024 * 1024
"""The state file is a few kilobytes; a bigger one is set aside, never read without bound."""
MAX_COMMANDS = 10
MAX_AGENTS = 20
MAX_TASKS = 20
SESSION_EXPIRY_MS = 60 * 60 * 1000
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_FIELDS = (
    "sessionId", "startTime", "lastActivity", "workflowActive", "workflowState",
    "lastCommands", "agentSequence", "taskHistory", "currentStory",
)


_PATCH_TYPES: dict[str, type | tuple[type, ...]] = {
    "sessionId": str, "startTime": int, "lastActivity": int, "workflowActive": str, "workflowState": str,
    "lastCommands": list, "agentSequence": list, "taskHistory": list, "currentStory": str,
}
_NULLABLE = ("workflowActive", "workflowState", "currentStory")


def state_path(project_root: str) -> str:
    return os.path.join(project_root, STATE_RELATIVE_PATH)


def new_session_id(now_ms: int | None = None) -> str:
    """``session-<epoch ms>-<9 base-36 characters>``, the JavaScript side's shape."""
    now_ms = epoch_ms() if now_ms is None else now_ms
    raw = int.from_bytes(os.urandom(8), "big")
    chars = []
    for _ in range(9):
        raw, digit = divmod(raw, 36)
        chars.append(_BASE36[digit])
    return f"session-{now_ms}-{''.join(chars)}"


def _js_falsy(value: Any) -> bool:
    """Whether JavaScript takes this JSON value as false: null, false, 0, -0, NaN or ""."""
    if value is None or value is False or value == "":
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 0 or math.isnan(value)
    return False


def _text_or_null(value: Any) -> str | None:
    """``value || null`` for a text field (a value of another type is dropped too)."""
    return value if isinstance(value, str) and value else None


def _time_or(value: Any, default: int) -> int | float:
    """``value || default`` for an epoch-ms field (a value that is not a finite number too)."""
    if _js_falsy(value) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return value if math.isfinite(value) else default


def normalise_state(data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """The fixed shape, in the fixed key order, with the caps applied.

    What the JavaScript writer (``updateSessionState``) writes: ``state.x || default``
    for every field, so ``""``, ``0`` and ``false`` become the default too. A value of
    the wrong type (which JavaScript would keep) is replaced by the default as well.
    """
    commands = [c for c in data.get("lastCommands") or [] if isinstance(c, str)] if isinstance(data.get("lastCommands"), list) else []
    agents = [a for a in data.get("agentSequence") or [] if isinstance(a, (dict, str))] if isinstance(data.get("agentSequence"), list) else []
    tasks = [t for t in data.get("taskHistory") or [] if isinstance(t, dict)] if isinstance(data.get("taskHistory"), list) else []
    session_id = data.get("sessionId")
    return {
        "sessionId": session_id if isinstance(session_id, str) and session_id else new_session_id(now_ms),
        "startTime": _time_or(data.get("startTime"), now_ms),
        "lastActivity": now_ms,
        "workflowActive": _text_or_null(data.get("workflowActive")),
        "workflowState": _text_or_null(data.get("workflowState")),
        "lastCommands": commands[-MAX_COMMANDS:],
        "agentSequence": agents[-MAX_AGENTS:],
        "taskHistory": tasks[-MAX_TASKS:],
        "currentStory": _text_or_null(data.get("currentStory")),
    }


# What completing a task says about the workflow (context-loader.js, _inferWorkflowState).
_WORKFLOW_AFTER_TASK = {
    "validate-story-draft": ("story_development", "validated"),
    "validate-next-story": ("story_development", "validated"),
    "develop": ("story_development", "in_development"),
    "develop-yolo": ("story_development", "in_development"),
    "develop-interactive": ("story_development", "in_development"),
    "review-qa": ("story_development", "qa_reviewed"),
    "apply-qa-fixes": ("story_development", "qa_reviewed"),
    "pre-push-quality-gate": ("git_workflow", "staged"),
    "create-epic": ("epic_creation", "epic_drafted"),
    "create-story": ("epic_creation", "stories_created"),
    "create-next-story": ("epic_creation", "stories_created"),
    "backlog-review": ("backlog_management", "reviewed"),
    "backlog-prioritize": ("backlog_management", "prioritized"),
    "analyze-impact": ("architecture_review", "analyzed"),
    "create-doc": ("documentation_workflow", "drafted"),
    "db-domain-modeling": ("database_workflow", "designed"),
    "db-apply-migration": ("database_workflow", "migrated"),
}


def infer_workflow(task: str) -> tuple[str, str] | None:
    """The (workflow, state) a completed task moves to, or None (lower-cased, one leading ``*`` dropped)."""
    return _WORKFLOW_AFTER_TASK.get(task.lower().removeprefix("*"))


def complete_task(state: dict[str, Any], task: str, success: bool, agent_id: str | None, story: str | None, now_ms: int) -> None:
    """Record a completed task as ``onTaskComplete`` in context-loader.js does.

    The command ``*task`` (or the task as given when it starts with ``*``) joins
    lastCommands; the history entry holds only the values given (never the current
    agent or story); a story given becomes currentStory; the task's workflow, when
    known, becomes workflowActive/workflowState.
    """
    state["lastCommands"].append(task if task.startswith("*") else "*" + task)
    state["taskHistory"].append(
        {"task": task, "completedAt": now_ms, "success": success, "agentId": agent_id or None, "storyPath": story or None}
    )
    if story:
        state["currentStory"] = story
    workflow = infer_workflow(task)
    if workflow is not None:
        state["workflowActive"], state["workflowState"] = workflow


def read_state(project_root: str) -> dict[str, Any] | None:
    """The stored state as it is on disk, or None when there is none.

    Raises ``CorruptFileError`` or ``StateFileAccessError``.
    """
    path = state_path(project_root)
    try:
        raw = read_regular(path, MAX_STATE_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        from synapse_cli.core.files import describe_read_error

        if exc.errno in UNUSABLE_FILE_ERRNOS:
            raise CorruptFileError(describe_read_error(exc), path=path) from exc
        raise StateFileAccessError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    try:
        data = loads_text(raw, js=True)  # a file JavaScript's JSON.parse refuses is corrupt, as for sessions
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"does not parse as JSON ({exc})", path=path) from exc
    if not isinstance(data, dict):
        raise CorruptFileError(f"not a JSON object but {type(data).__name__}", path=path)
    return data


def _check_patch(patch: Any) -> None:
    if not isinstance(patch, dict):
        raise InvalidInputError(f"a state patch must be a JSON object, not {type(patch).__name__}")
    unknown = [key for key in patch if key not in _FIELDS]
    if unknown:
        raise InvalidInputError(f"unknown session-state field(s) in patch: {', '.join(unknown)} (known: {', '.join(_FIELDS)})")
    for key, value in patch.items():
        expected = _PATCH_TYPES[key]
        if (value is None and key in _NULLABLE) or (isinstance(value, expected) and not isinstance(value, bool)):
            continue
        raise InvalidInputError(f"session-state field {key!r} in patch has the wrong type: {type(value).__name__}")


def update_state(
    project_root: str,
    *,
    command: str | None = None,
    agent_id: str | None = None,
    agent_name: str | None = None,
    workflow: str | None = None,
    workflow_state: str | None = None,
    story: str | None = None,
    task: str | None = None,
    task_success: bool | None = None,
    patch: dict[str, Any] | None = None,
    now_ms: int | None = None,
    fsync: bool = True,
    lock_timeout: float = 5.0,
) -> dict[str, Any]:
    """Apply one event to the state under its lock and write it atomically; return the new state.

    A corrupt file is moved aside and a fresh state started. ``patch`` sets top-level
    fields of the fixed shape (unknown keys are refused, not silently dropped). Without
    ``task``, ``agent_id`` is an activation (context-loader.js ``updateSession``: it joins
    agentSequence, and ``command`` lastCommands); with ``task``, it is a task completion
    (``onTaskComplete``): ``agent_id`` and ``story`` are the task's result, see complete_task.
    """
    if patch is not None:
        _check_patch(patch)
    if task is not None and task_success is None:
        raise InvalidInputError("a task needs an outcome: --success or --failure")
    if task is not None and agent_name is not None:
        raise InvalidInputError("an agent name goes with an activation; with a task, the agent is the one that ran it")
    now_ms = epoch_ms() if now_ms is None else now_ms
    path = state_path(project_root)
    # The lock lives with synapse's other locks, not in .aios/: nothing is created
    # there before the state file itself, and never through a link.
    lock = FileLock(os.path.join(project_root, ".synapse"), STATE_RELATIVE_PATH, lock_timeout)
    try:
        lock.acquire()
    except OSError as exc:  # e.g. a lock file that is a FIFO: a typed error, not a crash or a hang
        from synapse_cli.core.files import describe_read_error

        raise StateFileAccessError(f"cannot use the lock file {lock.path}: {describe_read_error(exc)}", path=path) from exc
    try:
        try:
            stored = read_state(project_root)
        except CorruptFileError:
            set_aside(path)
            stored = None
        if stored is not None:
            last = stored.get("lastActivity")
            if isinstance(last, (int, float)) and not isinstance(last, bool) and now_ms - last > SESSION_EXPIRY_MS:
                stored = None  # an earlier session's state: start anew, as readers do
        stored = stored or {}
        if _js_falsy(stored.get("sessionId")):
            stored = {**stored, "startTime": now_ms}  # a new session starts now, as the JS loader starts one
        state = normalise_state(stored, now_ms)
        if patch:
            state.update(patch)
        if command:  # JavaScript records a command only when there is one (``if (lastCommand)``)
            state["lastCommands"].append(command)
        if agent_id is not None and task is None:
            state["agentSequence"].append(
                {"agentId": agent_id, "agentName": agent_name, "activatedAt": now_ms, "lastCommand": command}
            )
        if workflow is not None:
            state["workflowActive"] = workflow
        if workflow_state is not None:
            state["workflowState"] = workflow_state
        if story is not None and task is None:
            state["currentStory"] = story
        if task is not None:
            complete_task(state, task, bool(task_success), agent_id, story, now_ms)
        state = normalise_state(state, now_ms)
        atomic_write(path, dumps_js(state), fsync=fsync)
    finally:
        lock.release()
    return state
