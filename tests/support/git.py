"""Real git repositories in a test's folder, with no user or system git configuration."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.support.run import synapse_ok


def git(repo: Path, *args: str) -> str:
    """Run ``git -C repo ARGS`` with a fixed identity and no global/system config; return stdout (fails on error)."""
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull)
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def untracked_and_changed(repo: Path) -> set[str]:
    """What `git status` would offer to commit: every path, untracked files listed one by one."""
    lines = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    return {line[3:] for line in lines}


def repository_with_synapse(root: Path) -> Path:
    """Make ``root`` a git repository with a committed .claude/settings.json and synapse set up (its .gitignore
    committed): nothing left for git to see, so whatever a test's commands leave behind shows."""
    root.mkdir()
    git(root, "init", "-q")
    (root / ".claude").mkdir()
    (root / ".claude" / "settings.json").write_text(json.dumps({"permissions": {"allow": ["Bash(ls)"]}}, indent=2) + "\n")
    synapse_ok(root, "init")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    assert untracked_and_changed(root) == set()
    return root
