"""What synapse leaves for git to see (issue 12 item 15): backups, personal settings and locks stay out of commits."""

from __future__ import annotations

import json
import os

from tests.support.git import git, untracked_and_changed
from tests.support.run import synapse_ok


def test_install_and_uninstall_keep_their_backups_out_of_the_repository(repo):
    """The only change git sees after install is the settings file itself; no .bak beside it, after uninstall either."""
    synapse_ok(repo, "hook", "install")
    assert untracked_and_changed(repo) == {".claude/settings.json"}
    backup = repo / ".synapse" / "cache" / "backups" / ".claude_settings.json.bak"
    assert json.loads(backup.read_text()) == {"permissions": {"allow": ["Bash(ls)"]}}
    synapse_ok(repo, "hook", "uninstall")
    assert untracked_and_changed(repo) == set()  # the file is back to its committed bytes
    assert not list((repo / ".claude").glob("*.bak"))


def test_a_local_scope_file_is_git_ignored(repo):
    """--scope local writes a personal file: git ignores it (the clone's info/exclude, not a committed .gitignore)."""
    result = synapse_ok(repo, "hook", "install", "--scope", "local")
    assert (repo / ".claude" / "settings.local.json").is_file()
    assert untracked_and_changed(repo) == set()
    assert "git now ignores it" in result.stdout.decode()
    assert "/.claude/settings.local.json" in (repo / ".git" / "info" / "exclude").read_text()
    # A second install finds it ignored already and adds nothing.
    exclude = (repo / ".git" / "info" / "exclude").read_text()
    synapse_ok(repo, "hook", "install", "--scope", "local", "--with-session-end")
    assert (repo / ".git" / "info" / "exclude").read_text() == exclude


def test_a_local_scope_file_already_ignored_is_left_to_the_repository(repo):
    (repo / ".gitignore").write_text(".claude/settings.local.json\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-qm", "ignore")
    result = synapse_ok(repo, "hook", "install", "--scope", "local")
    assert "git now ignores it" not in result.stdout.decode()
    assert "settings.local.json" not in (repo / ".git" / "info" / "exclude").read_text()
    assert untracked_and_changed(repo) == set()


def test_state_update_leaves_no_lock_file_in_aios(repo):
    """.aios/ belongs to the framework and may be committed: the state's lock is in synapse's cache."""
    synapse_ok(repo, "state", "update", "--agent", "dev")
    assert sorted(os.listdir(repo / ".aios")) == ["session-state.json"]
    assert untracked_and_changed(repo) == {".aios/session-state.json"}


def test_uninstall_removes_a_settings_file_it_created(repo):
    """A settings file hook install created is removed by hook uninstall when nothing else is left in it."""
    gemini = repo / ".gemini" / "settings.json"
    synapse_ok(repo, "hook", "install", "--agent", "gemini")
    assert gemini.is_file()
    result = synapse_ok(repo, "hook", "uninstall", "--agent", "gemini")
    assert "the file was removed" in result.stdout.decode()
    assert not gemini.exists() and not gemini.parent.exists()
    assert untracked_and_changed(repo) == set()
