"""A corrupt state file behind a committed `.aios` link: setting it aside writes nothing where the link points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.run import run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks are POSIX")


def test_corrupt_state_behind_a_linked_aios_is_not_moved(project: Path, tmp_path: Path) -> None:
    """`state update` reads the corrupt file through the link, but neither renames nor links it there."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "session-state.json").write_text("{ not json")
    (project / ".aios").symlink_to(outside)
    result = run_synapse(["state", "update", "--command", "x"], cwd=project, timeout=20)
    assert result.returncode == 1 and b"symlink" in result.stderr, result.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["session-state.json"]
    assert (outside / "session-state.json").read_text() == "{ not json"
