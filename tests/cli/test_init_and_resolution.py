"""``synapse init`` and how the command layer finds the project folder."""

from __future__ import annotations

import json
from pathlib import Path

from synapse_cli.core.project import GITIGNORE_TEXT
from tests.support.files import read_json
from tests.support.paths import JS_WRITTEN
from tests.support.run import run_synapse
from tests.support.sessions import session_path

FIXTURE_GITIGNORE = JS_WRITTEN / "synapse-gitignore.txt"


def test_init_creates_the_synapse_folder_layout(cli, tmp_path):
    """``init`` creates .synapse/ with sessions/, metrics/ and the three-line .gitignore."""
    root = tmp_path / "repo"
    root.mkdir()
    result = cli(root, "init")
    assert result.exit_code == 0, result.stderr
    assert (root / ".synapse" / "sessions").is_dir()
    assert (root / ".synapse" / "metrics").is_dir()
    assert (root / ".synapse" / ".gitignore").read_text() == GITIGNORE_TEXT
    assert "Set up" in result.stdout


def test_init_gitignore_matches_the_javascript_side(cli, tmp_path):
    """The .gitignore written by ``init`` is the one the JavaScript side writes."""
    root = tmp_path / "repo"
    root.mkdir()
    assert cli(root, "init").exit_code == 0
    expected = FIXTURE_GITIGNORE.read_text()
    assert (root / ".synapse" / ".gitignore").read_text().splitlines() == expected.splitlines()


def test_init_is_idempotent_and_keeps_an_existing_gitignore(cli, tmp_path):
    """A second ``init`` creates nothing, reports so, and never overwrites a user's .gitignore or sessions."""
    root = tmp_path / "repo"
    root.mkdir()
    assert cli(root, "init").exit_code == 0
    (root / ".synapse" / ".gitignore").write_text("# mine\n*\n")
    (root / ".synapse" / "sessions" / "keep.json").write_text("{}")
    again = cli(root, "init", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["created"] == []
    assert (root / ".synapse" / ".gitignore").read_text() == "# mine\n*\n"
    assert (root / ".synapse" / "sessions" / "keep.json").read_text() == "{}"
    human = cli(root, "init")
    assert "already set up" in human.stdout


def test_init_completes_a_partial_layout(cli, tmp_path):
    """``init`` on a .synapse/ missing pieces adds only the missing ones."""
    root = tmp_path / "repo"
    (root / ".synapse").mkdir(parents=True)
    result = cli(root, "init", "--json")
    created = {Path(p).relative_to(root).as_posix() for p in json.loads(result.stdout)["created"]}
    assert created == {".synapse/sessions", ".synapse/metrics", ".synapse/.gitignore"}


def test_commands_use_the_nearest_project_above_the_current_folder(cli, project, monkeypatch):
    """Without --project-dir a command acts on the nearest folder at or above the current one holding .synapse/."""
    deep = project / "src" / "app" / "deep"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    result = cli(None, "session", "update", "s1", "--json")
    assert result.exit_code == 0, result.stderr
    assert read_json(session_path(project, "s1"))["cwd"] == str(project)
    assert not (deep / ".synapse").exists()


def test_commands_fall_back_to_the_current_folder(cli, tmp_path, monkeypatch):
    """With no .synapse/ at or above the current folder, the current folder is the project (``init`` sets it up there)."""
    bare = tmp_path / "bare" / "sub"
    bare.mkdir(parents=True)
    monkeypatch.chdir(bare)
    result = cli(None, "init")
    assert result.exit_code == 0
    assert (bare / ".synapse" / "sessions").is_dir()
    assert not (tmp_path / "bare" / ".synapse").exists()


def test_claude_project_dir_is_ignored_outside_hooks(cli, project, tmp_path, monkeypatch):
    """``CLAUDE_PROJECT_DIR`` only steers hook commands; other commands resolve from the current folder."""
    other = tmp_path / "other"
    (other / ".synapse" / "sessions").mkdir(parents=True)
    monkeypatch.chdir(project)
    result = cli(None, "session", "update", "s1", env={"CLAUDE_PROJECT_DIR": str(other)})
    assert result.exit_code == 0
    assert session_path(project, "s1").exists()
    assert not (other / ".synapse" / "sessions" / "s1.json").exists()


def test_writing_commands_restore_a_missing_gitignore(cli, project):
    """A writing command (``session update``) in a project whose .synapse/.gitignore was deleted writes it again.

    (A folder without .synapse/ is refused instead: see test_project_required.py.)
    """
    (project / ".synapse" / ".gitignore").unlink()
    result = cli(project, "session", "update", "s1")
    assert result.exit_code == 0
    assert (project / ".synapse" / ".gitignore").read_text() == GITIGNORE_TEXT
    assert session_path(project, "s1").exists()


def test_a_project_dir_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    """``--project-dir`` naming no folder exits 1 with one line and creates nothing."""
    missing = tmp_path / "nope"
    for args in (["init"], ["session", "list"]):
        result = run_synapse(["--project-dir", str(missing), *args])
        assert result.returncode == 1
        assert result.stderr.decode().strip() == f"synapse: --project-dir {missing}: no such folder"
    assert not missing.exists()
