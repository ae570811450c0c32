"""`hook uninstall --scope local` takes back the .git/info/exclude line install added, and only that line.

Only when the settings file itself goes (while it stays, git must keep ignoring it), never a
line the user wrote, and never through a link or into a FIFO.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.git import untracked_and_changed
from tests.support.run import synapse_ok

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks and FIFOs")

PATTERN = "/.claude/settings.local.json"


def _exclude(repo: Path) -> Path:
    return repo / ".git" / "info" / "exclude"


def _uninstall(repo: Path, *extra: str) -> dict:
    return json.loads(synapse_ok(repo, "hook", "uninstall", "--scope", "local", "--json", *extra).stdout)


def test_the_line_goes_when_the_settings_file_goes(repo):
    before = _exclude(repo).read_bytes()
    synapse_ok(repo, "hook", "install", "--scope", "local")
    assert _exclude(repo).read_bytes() != before
    report = _uninstall(repo)
    assert report["removed"] is True
    assert not (repo / ".claude" / "settings.local.json").exists()
    assert report["git_exclude_removed"] == {"file": str(_exclude(repo)), "line": PATTERN}
    assert _exclude(repo).read_bytes() == before
    assert untracked_and_changed(repo) == set()


def test_dry_run_says_it_would_remove_the_line_and_removes_nothing(repo):
    synapse_ok(repo, "hook", "install", "--scope", "local")
    installed = _exclude(repo).read_bytes()
    result = synapse_ok(repo, "hook", "uninstall", "--scope", "local", "--dry-run")
    assert f"Would remove the line {PATTERN}" in result.stderr.decode()
    assert _uninstall(repo, "--dry-run")["git_exclude_removed"] == {"file": str(_exclude(repo)), "line": PATTERN}
    assert _exclude(repo).read_bytes() == installed
    assert (repo / ".claude" / "settings.local.json").is_file()


def test_the_line_stays_when_the_settings_file_stays(repo):
    synapse_ok(repo, "hook", "install", "--scope", "local")
    settings = repo / ".claude" / "settings.local.json"
    data = json.loads(settings.read_text())
    data["permissions"] = {"allow": ["Bash(ls)"]}  # the user's own key: the file is kept
    settings.write_text(json.dumps(data))
    installed = _exclude(repo).read_bytes()
    report = _uninstall(repo)
    assert report["removed"] is False and settings.is_file()
    assert report["git_exclude_removed"] is None
    assert _exclude(repo).read_bytes() == installed
    assert untracked_and_changed(repo) == set()  # still ignored


def test_a_users_own_identical_line_written_before_install_stays(repo):
    mine = _exclude(repo).read_bytes() + f"{PATTERN}\n".encode()
    _exclude(repo).write_bytes(mine)
    synapse_ok(repo, "hook", "install", "--scope", "local")
    assert _exclude(repo).read_bytes() == mine  # already ignored: install added nothing
    report = _uninstall(repo)
    assert report["removed"] is True
    assert report["git_exclude_removed"] is None
    assert _exclude(repo).read_bytes() == mine


def test_other_lines_and_a_missing_final_newline_are_kept_byte_for_byte(repo):
    original = b"# mine\r\n*.swp\n\n  build/ \n\xff\xfe odd bytes\nno-newline-at-end"
    _exclude(repo).write_bytes(original)
    synapse_ok(repo, "hook", "install", "--scope", "local")
    assert _exclude(repo).read_bytes() != original
    assert _uninstall(repo)["git_exclude_removed"] is not None
    assert _exclude(repo).read_bytes() == original


def test_lines_the_user_added_after_install_are_kept(repo):
    original = b"*.swp\n"
    _exclude(repo).write_bytes(original)
    synapse_ok(repo, "hook", "install", "--scope", "local")
    installed = _exclude(repo).read_bytes()
    _exclude(repo).write_bytes(installed + b"later/\nno-newline")
    assert _uninstall(repo)["git_exclude_removed"] is not None
    assert _exclude(repo).read_bytes() == original + b"later/\nno-newline"


def test_a_symlinked_exclude_file_is_left_alone(repo, tmp_path: Path):
    synapse_ok(repo, "hook", "install", "--scope", "local")
    outside = tmp_path / "outside-exclude"
    outside.write_bytes(_exclude(repo).read_bytes())
    installed = outside.read_bytes()
    _exclude(repo).unlink()
    _exclude(repo).symlink_to(outside)
    report = _uninstall(repo)
    assert report["removed"] is True
    assert report["git_exclude_removed"] is None
    assert _exclude(repo).is_symlink()
    assert outside.read_bytes() == installed


def test_a_fifo_exclude_file_is_left_alone_without_hanging(repo):
    synapse_ok(repo, "hook", "install", "--scope", "local")
    _exclude(repo).unlink()
    os.mkfifo(_exclude(repo))
    report = _uninstall(repo)  # a blocking open would wait for a writer past the run's timeout
    assert report["removed"] is True
    assert report["git_exclude_removed"] is None
    assert _exclude(repo).is_fifo()
