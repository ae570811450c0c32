"""``init`` and ``hook install`` set up the project the hook will find: nearest .synapse/, else the git top, else here."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.run import run_synapse


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    return root


def test_init_from_a_subfolder_of_a_git_work_tree_sets_up_its_top(tmp_path):
    """Run in repo/src/deep before any init: .synapse/ goes to the repository's top, and the output names that folder and why."""
    root = repo(tmp_path)
    result = run_synapse(["init"], cwd=root / "src" / "deep")
    assert result.returncode == 0, result.stderr
    assert (root / ".synapse" / "sessions").is_dir()
    assert not (root / "src" / ".synapse").exists() and not (root / "src" / "deep" / ".synapse").exists()
    assert f"Project: {root} (the top of the git work tree)" in result.stdout.decode()


def test_hook_install_from_a_subfolder_writes_the_settings_at_the_top(tmp_path):
    """``hook install`` in repo/src writes repo/.claude/settings.json, where Claude Code looks, and says which project it used."""
    root = repo(tmp_path)
    result = run_synapse(["hook", "install", "--json"], cwd=root / "src")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["project"], report["project_found_by"], report["initialised"]) == (str(root), "git", False)
    assert (root / ".claude" / "settings.json").is_file() and not (root / "src" / ".claude").exists()
    text = run_synapse(["hook", "install"], cwd=root / "src").stdout.decode()
    assert f"Project: {root} (the top of the git work tree)" in text
    assert "has no .synapse/ yet" in text and "--init" in text


def test_hook_install_init_sets_up_the_project_too(tmp_path):
    """``hook install --init`` also creates .synapse/ at the same folder."""
    root = repo(tmp_path)
    result = run_synapse(["hook", "install", "--init"], cwd=root / "src")
    assert result.returncode == 0, result.stderr
    assert (root / ".synapse" / ".gitignore").is_file()
    assert "has no .synapse/ yet" not in result.stdout.decode()


def test_a_nearer_synapse_folder_wins_over_the_git_top(tmp_path):
    """A project already set up in repo/src (a monorepo package) is the one used from repo/src/deep."""
    root = repo(tmp_path)
    (root / "src" / ".synapse").mkdir()
    result = run_synapse(["hook", "install", "--json"], cwd=root / "src" / "deep")
    assert json.loads(result.stdout)["project"] == str(root / "src")
    assert (root / "src" / ".claude" / "settings.json").is_file()


def test_outside_any_git_work_tree_the_current_folder_is_used(tmp_path):
    """With no .synapse/ above and no git work tree, init sets up the current folder and says so."""
    here = tmp_path / "plain"
    here.mkdir()
    result = run_synapse(["init", "--json"], cwd=here)
    report = json.loads(result.stdout)
    assert (report["project"], report["found_by"]) == (str(here), "current folder")
    assert (here / ".synapse").is_dir()


def test_a_git_file_marks_a_worktree_top(tmp_path):
    """A linked worktree or submodule has a .git file, not a folder: its top is still found."""
    root = tmp_path / "wt"
    (root / "pkg").mkdir(parents=True)
    (root / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
    run_synapse(["init"], cwd=root / "pkg")
    assert (root / ".synapse").is_dir()
