"""Hook commands as editors run them: where each agent's settings register one, its prompt event,
and ``sh -c`` with nothing but a minimal PATH (an editor started from the desktop)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.paths import PAYLOADS

MINIMAL_PATH = "/usr/bin:/bin"
"""The PATH an editor started from the desktop gives its hooks."""
SETTINGS = {
    ("claude", "project"): ".claude/settings.json", ("claude", "local"): ".claude/settings.local.json",
    ("codex", "project"): ".codex/hooks.json", ("gemini", "project"): ".gemini/settings.json", ("cursor", "project"): ".cursor/hooks.json",
}
EVENT = {"claude": "UserPromptSubmit", "codex": "UserPromptSubmit", "gemini": "BeforeAgent", "cursor": "beforeSubmitPrompt"}
PAYLOAD = {"claude": "claude-user-prompt-submit.json", "codex": "codex-user-prompt-submit.json", "gemini": "gemini-before-agent.json", "cursor": "cursor-before-submit-prompt.json"}


def as_editor(command: str, payload: bytes, *, cwd: Path, home: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``command`` as an editor started from the desktop would: ``sh -c`` with nothing but a minimal PATH and HOME."""
    return subprocess.run(
        ["/usr/bin/env", "-i", f"PATH={MINIMAL_PATH}", f"HOME={home}", "/bin/sh", "-c", command],
        input=payload, cwd=cwd, capture_output=True, check=False, timeout=30,
    )


def registered(project: Path, agent: str, scope: str = "project") -> str:
    """The one hook command registered for ``agent``'s prompt event in its ``scope`` settings file."""
    settings = json.loads((project / SETTINGS[agent, scope]).read_text())
    entries = settings["hooks"][EVENT[agent]]
    handlers = entries if agent == "cursor" else [h for group in entries for h in group["hooks"]]
    (handler,) = handlers
    return handler["command"]


def payload_for(agent: str, project: Path) -> tuple[bytes, str]:
    """``agent``'s real-shaped prompt event for ``project``, and the session id synapse files it under."""
    event = json.loads((PAYLOADS / PAYLOAD[agent]).read_text())
    if agent == "cursor":
        event["workspace_roots"] = [str(project)]
        return json.dumps(event).encode(), event["conversation_id"]
    event["cwd"] = str(project)
    return json.dumps(event).encode(), event["session_id"]
