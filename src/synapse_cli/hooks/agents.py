"""What the hook knows about each agent: how to recognise its event, where its session
id and project are, and what it needs on stdout to let the prompt through.

Claude Code and Codex send ``session_id`` and ``cwd`` (Codex adds ``turn_id``); Gemini
CLI's BeforeAgent names the project in ``$GEMINI_PROJECT_DIR``; Cursor's
beforeSubmitPrompt sends ``conversation_id`` and ``workspace_roots`` and expects
``{"continue": true}`` on stdout.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any

AGENTS = ("claude", "codex", "gemini", "cursor")
PROJECT_ENV_VARS = {
    "claude": ("CLAUDE_PROJECT_DIR",),
    "codex": ("CLAUDE_PROJECT_DIR",),
    "gemini": ("GEMINI_PROJECT_DIR", "CLAUDE_PROJECT_DIR"),
    "cursor": (),
}
"""The environment variables naming the project, per agent, in order of preference."""
GO_ON_ANSWERS = {"cursor": '{"continue": true}\n'}
"""What each agent needs on stdout to go on; never a blocking answer. Others: nothing."""


def go_on_answer(agent: str | None) -> str:
    """The stdout text that lets ``agent``'s prompt through (empty for most agents)."""
    return GO_ON_ANSWERS.get(agent or "", "")


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
