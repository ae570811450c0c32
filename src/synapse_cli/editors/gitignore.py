"""Keeping personal settings files out of git: ``--scope local`` files are ignored by the clone.

A local-scope settings file (Claude Code's ``.claude/settings.local.json``) is personal:
committing it would hand one person's hook paths to everyone. When git does not
already ignore it, a pattern is added to the clone's own ``info/exclude``, which is
never committed and changes nothing for anyone else.
"""

from __future__ import annotations

import os
import subprocess

_GIT_SECONDS = 10


def _git(folder: str, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", folder, *args], capture_output=True, text=True, timeout=_GIT_SECONDS, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git here: nothing can be committed by it either


def ensure_git_ignored(path: str) -> str | None:
    """Make git ignore ``path`` in its work tree; return the exclude file written to, or None.

    None when the file is already ignored, when it is not in a git work tree, or when git
    is not installed. Never edits a committed ``.gitignore``.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return None
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0 or not top.stdout.strip():
        return None
    top_dir = top.stdout.strip()
    checked = _git(top_dir, "check-ignore", "-q", "--no-index", "--", os.path.abspath(path))
    if checked is None or checked.returncode == 0 or checked.returncode != 1:
        return None  # ignored already (0), or git could not tell (128): leave it
    exclude = _git(top_dir, "rev-parse", "--git-path", "info/exclude")
    if exclude is None or exclude.returncode != 0 or not exclude.stdout.strip():
        return None
    exclude_path = os.path.join(top_dir, exclude.stdout.strip())
    pattern = "/" + os.path.relpath(os.path.realpath(path), os.path.realpath(top_dir)).replace(os.sep, "/")
    try:
        os.makedirs(os.path.dirname(exclude_path), exist_ok=True)
        existing = ""
        if os.path.exists(exclude_path):
            with open(exclude_path, encoding="utf-8", errors="replace") as handle:
                existing = handle.read()
        with open(exclude_path, "a", encoding="utf-8") as handle:
            prefix = "" if not existing or existing.endswith("\n") else "\n"
            handle.write(f"{prefix}# personal editor settings (synapse hook install --scope local)\n{pattern}\n")
    except OSError:
        return None
    return exclude_path


def git_tracks(path: str) -> bool:
    """Whether git tracks ``path`` (committed or staged); False outside a work tree or without git.

    Runs git only when asked: ``hook uninstall`` asks just before removing a file.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return False
    listed = _git(folder, "ls-files", "--error-unmatch", "--", os.path.basename(path))
    return listed is not None and listed.returncode == 0
