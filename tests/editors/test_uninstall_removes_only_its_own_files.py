"""`hook uninstall` removes a settings file it left empty only when `hook install` created it (noted in
.synapse/cache/created-settings.json) and git does not track it. A file the user made, or one in git, stays."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.git import git, untracked_and_changed
from tests.support.run import run_synapse, synapse_executable

RECORD = Path(".synapse") / "cache" / "created-settings.json"
FILES = {"claude": ".claude/settings.json", "codex": ".codex/hooks.json", "gemini": ".gemini/settings.json", "cursor": ".cursor/hooks.json"}


def synapse(project: Path, *args: str) -> str:
    result = run_synapse(["--project-dir", str(project), *args])
    assert result.returncode == 0, result.stderr
    return result.stdout.decode()


def record(project: Path) -> list[str]:
    path = project / RECORD
    return json.loads(path.read_text()) if path.exists() else []


@pytest.mark.parametrize("agent,text", [("claude", "{}\n"), ("cursor", '{\n  "version": 1\n}\n'), ("gemini", "{}")])
def test_a_settings_file_the_user_created_stays(project, agent, text):
    path = project / FILES[agent]
    path.parent.mkdir()
    path.write_text(text)
    synapse(project, "hook", "install", "--agent", agent)
    assert record(project) == []
    out = synapse(project, "hook", "uninstall", "--agent", agent)
    assert path.is_file(), out
    assert json.loads(path.read_text()) == json.loads(text)
    assert "stays because synapse has no record that hook install created it" in out and "removed" not in out
    report = json.loads(run_synapse(["--project-dir", str(project), "hook", "uninstall", "--agent", agent, "--json"]).stdout)
    assert report["removed"] is False


def test_a_file_install_created_is_removed_and_forgotten(project):
    path = project / FILES["claude"]
    synapse(project, "hook", "install")
    assert record(project) == [str(path)]
    out = synapse(project, "hook", "uninstall")
    assert "the file was removed" in out
    assert not path.exists() and not path.parent.exists()
    assert record(project) == []


def test_a_file_install_created_but_git_tracks_stays(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    synapse(repo, "init")
    synapse(repo, "hook", "install", "--agent", "gemini")
    path = repo / FILES["gemini"]
    assert record(repo) == [str(path)]
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "share the hook")
    out = synapse(repo, "hook", "uninstall", "--agent", "gemini")
    assert "stays because git tracks it" in out
    assert path.is_file() and json.loads(path.read_text()) == {}
    assert untracked_and_changed(repo) == {FILES["gemini"]}  # a change to commit, never a deletion
    assert " D " not in git(repo, "status", "--porcelain")


def test_a_staged_file_counts_as_tracked(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    synapse(repo, "init")
    synapse(repo, "hook", "install")
    git(repo, "add", FILES["claude"])
    assert "stays because git tracks it" in synapse(repo, "hook", "uninstall")
    assert (repo / FILES["claude"]).is_file()


def test_without_synapse_set_up_nothing_is_recorded_and_nothing_removed(tmp_path):
    """A project that never ran `synapse init` has no record: install creates the file, uninstall only empties it."""
    bare = tmp_path / "bare"
    bare.mkdir()
    synapse(bare, "hook", "install")
    assert not (bare / ".synapse").exists()
    out = synapse(bare, "hook", "uninstall")
    assert (bare / FILES["claude"]).read_text() == "{}\n"
    assert "stays because synapse has no record that hook install created it" in out
    assert not (bare / ".synapse").exists()


def test_installs_at_once_all_note_the_files_they_created(project):
    """The record is changed under a lock: four installs at once leave four entries."""
    procs = [subprocess.Popen([synapse_executable(), "--project-dir", str(project), "hook", "install", "--agent", agent],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for agent in FILES]
    for proc in procs:
        assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else b""
        if proc.stderr:
            proc.stderr.close()
    assert sorted(record(project)) == sorted(str(project / f) for f in FILES.values())
    for agent in FILES:
        assert "the file was removed" in synapse(project, "hook", "uninstall", "--agent", agent)
    assert record(project) == []
    assert not any((project / f).exists() for f in FILES.values())
