"""A project that links its editor folder on purpose can get `synapse doctor` green.

A committed `.claude -> elsewhere` link is a problem only while that editor's prompt hook is
registered nowhere synapse reads: once `hook install --scope user` (or a readable project scope)
registers it, the link is a note. While nothing readable registers any hook, the "not registered"
note says the hook may be registered behind the link, which synapse does not read, instead of
suggesting a `hook install` that the link would make fail; `synapse selftest` says the same.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.files import make_project, tree
from tests.support.run import run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks are POSIX")


def linked_project(tmp_path: Path, agent_folder: str = ".claude") -> tuple[Path, Path]:
    """A set-up project whose editor folder is a link to an (empty) folder outside it."""
    outside = tmp_path / "team-settings" / agent_folder.lstrip(".")
    outside.mkdir(parents=True)
    project = make_project(tmp_path / "project")
    (project / agent_folder).symlink_to(outside)
    return project, outside


def doctor(project: Path) -> tuple[int, dict[str, dict]]:
    result = run_synapse(["doctor", "--json"], cwd=project)
    assert result.stderr == b"", result.stderr
    findings = json.loads(result.stdout)["findings"]
    return result.returncode, {f["check"]: f for f in findings}


def synapse_ok(project: Path, *args: str) -> None:
    result = run_synapse(list(args), cwd=project)
    assert result.returncode == 0, result.stderr


def test_the_link_is_a_note_once_the_hook_is_registered_at_user_scope(tmp_path):
    """The trial: doctor exits 1 with the link, `hook install --scope user` exits 0, then doctor is green."""
    project, outside = linked_project(tmp_path)
    before = tree(outside)
    code, found = doctor(project)
    assert code == 1 and found["symlink"]["severity"] == "problem", found
    synapse_ok(project, "hook", "install", "--scope", "user")
    code, found = doctor(project)
    assert code == 0, found
    link = found["symlink"]
    assert link["severity"] == "note" and link["path"] == str(project / ".claude") and link["fixed"] is None
    user_settings = Path(os.environ["HOME"]) / ".claude" / "settings.json"
    assert link["message"] == (f"is a symlink to {outside}; synapse does not read or write through it; "
                               f"the hook is registered at user scope ({user_settings})")
    assert "hook" not in found  # registered: no "not registered" note
    assert tree(outside) == before and (project / ".claude").is_symlink()


def test_a_linked_settings_file_is_a_note_once_the_local_scope_registers_the_hook(tmp_path):
    """Only `.claude/settings.json` is a link: `--scope local` writes the real settings.local.json beside it, which doctor reads."""
    outside = tmp_path / "team-settings.json"
    outside.write_text("{}\n")
    project = make_project(tmp_path / "project")
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").symlink_to(outside)
    synapse_ok(project, "hook", "install", "--scope", "local")
    code, found = doctor(project)
    assert code == 0, found
    assert found["symlink"]["severity"] == "note"
    assert found["symlink"]["message"].endswith(f"the hook is registered at local scope ({project / '.claude' / 'settings.local.json'})")


def test_registered_for_another_editor_only_leaves_the_link_a_problem(tmp_path):
    """The link is judged per editor: Codex registered at user scope says nothing about whether Claude's hook runs."""
    project, _outside = linked_project(tmp_path)
    synapse_ok(project, "hook", "install", "--agent", "codex", "--scope", "user")
    code, found = doctor(project)
    assert code == 1 and found["symlink"]["severity"] == "problem", found
    assert "hook" not in found  # the hook is registered for an editor: Codex


def test_the_not_registered_note_says_it_may_be_behind_the_link(tmp_path):
    """Nothing readable registers the hook but `.claude` is a link: the note names the link instead of suggesting
    a project `hook install`, which the link would make fail."""
    project, _outside = linked_project(tmp_path)
    code, found = doctor(project)
    assert code == 1
    note = found["hook"]
    assert note["severity"] == "note"
    assert f"it may be registered behind {project / '.claude'} (a symlink), which synapse does not read" in note["message"]
    assert "--scope user" in note["message"]
    refused = run_synapse(["hook", "install"], cwd=project)  # what the old note told the user to run
    assert refused.returncode == 1


def test_without_a_link_the_not_registered_note_is_unchanged(tmp_path):
    project = make_project(tmp_path / "project")
    code, found = doctor(project)
    assert code == 0
    assert found["hook"]["message"].endswith("run `synapse hook install` (--agent for the others)")
    assert "behind" not in found["hook"]["message"]


def test_selftest_says_the_hook_may_be_registered_behind_the_link(tmp_path):
    """selftest, run from the project, falls back to this installation's command and says why as doctor does."""
    project, _outside = linked_project(tmp_path)
    result = run_synapse(["selftest", "--json", "--agent", "claude", "--max-hook-ratio", "10"], cwd=project, timeout=180)
    report = json.loads(result.stdout)
    source = report["environment"]["hook_commands"]["claude"]["source"]
    assert source.endswith(f"none registered where synapse reads; it may be registered behind {project / '.claude'} "
                           "(a symlink), which synapse does not read"), source


def test_doctor_help_mentions_the_symlink_check():
    result = run_synapse(["doctor", "--help"], env={"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.returncode == 0
    text = " ".join(result.stdout.decode().split())
    assert "a project's editor folder or settings file that is a symlink" in text
    assert "until that editor's prompt hook is registered where synapse reads it" in text
