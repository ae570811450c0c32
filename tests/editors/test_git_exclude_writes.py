"""--scope local adds a pattern to the clone's info/exclude: never through a link, never into a FIFO."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.run import synapse_ok

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks and FIFOs")


def test_a_linked_exclude_file_is_not_written_through(repo, tmp_path: Path):
    outside = tmp_path / "outside.txt"
    outside.write_text("kept as it is\n")
    exclude = repo / ".git" / "info" / "exclude"
    exclude.unlink()
    exclude.symlink_to(outside)
    result = synapse_ok(repo, "hook", "install", "--scope", "local")
    assert (repo / ".claude" / "settings.local.json").is_file()
    assert "git now ignores it" not in result.stdout.decode()
    assert outside.read_text() == "kept as it is\n"
    assert exclude.is_symlink()


def test_a_linked_info_folder_gets_no_exclude_file(repo, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    info = repo / ".git" / "info"
    for child in info.iterdir():
        child.unlink()
    info.rmdir()
    info.symlink_to(elsewhere, target_is_directory=True)
    result = synapse_ok(repo, "hook", "install", "--scope", "local")
    assert "git now ignores it" not in result.stdout.decode()
    assert list(elsewhere.iterdir()) == []


def test_an_exclude_file_without_a_final_newline_gets_the_pattern_on_its_own_line(repo):
    exclude = repo / ".git" / "info" / "exclude"
    exclude.write_text("*.swp")
    synapse_ok(repo, "hook", "install", "--scope", "local")
    lines = exclude.read_text().splitlines()
    assert lines[0] == "*.swp"
    assert "/.claude/settings.local.json" in lines
