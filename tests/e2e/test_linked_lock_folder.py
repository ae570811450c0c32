"""A lock folder reached through a committed link: taking a lock creates nothing where the link points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.run import assert_silent_success, claude_payload, hook, run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks are POSIX")


def _files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("linked", ["cache", "cache/locks"])
def test_linked_lock_folder_gets_no_lock_file(project: Path, tmp_path: Path, linked: str) -> None:
    """`.synapse/cache` or `.synapse/cache/locks` committed as a link to an existing folder: the hook and
    `session update` take no lock there (the lock file's own O_NOFOLLOW does not cover its folders)."""
    outside = tmp_path / "outside"
    (outside / "locks").mkdir(parents=True)
    target = outside if linked == "cache" else outside / "locks"
    link = project / ".synapse" / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    assert_silent_success(hook(claude_payload(cwd=str(project)), cwd=project, timeout=60))
    result = run_synapse(["session", "update", "s1"], cwd=project, timeout=20)
    assert result.returncode == 1 and b"symlink" in result.stderr, result.stderr
    assert f"{link} is a symlink".encode() in result.stderr, result.stderr  # the linked folder is named
    assert _files_under(outside) == {"locks"}
