"""doctor never repairs inside a folder it reached through a link above it (`.synapse/cache` or `.synapse` committed as one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synapse_cli.core.doctor import examine

pytestmark = pytest.mark.skipif(os.name == "nt", reason="FIFOs and symlinks are POSIX")


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): ("link" if p.is_symlink() else "fifo" if p.is_fifo() else "other") for p in root.rglob("*")}


def test_fix_removes_nothing_in_a_locks_folder_under_a_linked_cache(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "locks").mkdir(parents=True)
    os.mkfifo(outside / "locks" / "07.lock")
    (outside / "locks" / "08.lock").symlink_to("/etc/passwd")
    cache = project / ".synapse" / "cache"
    if cache.exists():
        cache.rmdir()
    cache.symlink_to(outside)
    before = _tree(outside)
    report = examine(str(project), ttl_hours=None, temp_max_age_seconds=600, fix=True)
    assert _tree(outside) == before
    linked = [f for f in report.findings if f.check == "symlink"]
    assert [(f.path, f.fixed) for f in linked] == [(str(cache), None)]
    assert not [f for f in report.findings if f.check == "lock-file"]


def test_linked_synapse_folder_is_reported_once_and_not_looked_into(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    outside = tmp_path / "outside"
    (outside / "sessions").mkdir(parents=True)
    (outside / "sessions" / "torn.json").write_text("{torn")
    (outside / "cache" / "locks").mkdir(parents=True)
    os.mkfifo(outside / "cache" / "locks" / "07.lock")
    (project / ".synapse").symlink_to(outside)
    before = _tree(outside)
    report = examine(str(project), ttl_hours=24, temp_max_age_seconds=600, fix=True)
    assert _tree(outside) == before
    assert (outside / "sessions" / "torn.json").read_text() == "{torn"
    linked = [f for f in report.findings if f.check == "symlink"]
    assert [f.path for f in linked] == [str(project / ".synapse")]
