"""Where things are: the repository, the framework's shared fixtures, the helper scripts."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"
JS_WRITTEN = FIXTURES / "js-written"
PAYLOADS = FIXTURES / "payloads"
SCRIPTS = Path(__file__).resolve().parent / "scripts"

CLAUDE_SESSION_ID = "9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91"
"""The session id in the Claude Code payload fixture (payloads/claude-user-prompt-submit.json)."""
SID = CLAUDE_SESSION_ID
