"""`synapse doctor` and a project's editor folder or settings file committed as a symlink.

Doctor reads every agent's settings to check synapse's registered commands. A project's
settings reached through a link are not read (the link can point anywhere) and the link is a
problem, reported once, and left alone even by `--fix`. Links under the user's home are followed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.support.files import make_project, tree
from tests.support.run import run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks are POSIX")

FOLDERS = {"claude": (".claude", "settings.json"), "codex": (".codex", "hooks.json"),
           "gemini": (".gemini", "settings.json"), "cursor": (".cursor", "hooks.json")}


def registered_folder(tmp_path: Path, agent: str) -> Path:
    """An editor folder outside any project, holding settings in which a real `hook install` registered synapse."""
    folder, _name = FOLDERS[agent]
    scratch = make_project(tmp_path / f"scratch-{agent}")
    assert run_synapse(["--project-dir", str(scratch), "hook", "install", "--agent", agent]).returncode == 0
    outside = tmp_path / "outside" / folder.lstrip(".")
    outside.parent.mkdir(exist_ok=True)
    shutil.move(str(scratch / folder), str(outside))
    shutil.rmtree(scratch)
    return outside


def doctor(project: Path, *args: str) -> tuple[int, list[dict]]:
    result = run_synapse(["doctor", "--json", *args], cwd=project)
    assert result.stderr == b"", result.stderr
    return result.returncode, json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("agent", sorted(FOLDERS))
@pytest.mark.parametrize("fix", [False, True], ids=["check", "fix"])
def test_linked_editor_folder_is_a_problem_and_left_alone(tmp_path, agent, fix):
    """`.claude` (etc.) a link to a folder registering a working hook: exit 1, one `symlink` finding, nothing touched."""
    outside = registered_folder(tmp_path, agent)
    project = make_project(tmp_path / "project")
    link = project / FOLDERS[agent][0]
    link.symlink_to(outside)
    before = tree(outside)
    code, found = doctor(project, *(["--fix"] if fix else []))
    assert code == 1, found
    linked = [f for f in found if f["check"] == "symlink"]
    assert len(linked) == 1, found  # Claude's project and local scopes share the folder: one finding
    assert linked[0]["path"] == str(link) and linked[0]["severity"] == "problem" and linked[0]["fixed"] is None
    assert f"is a symlink to {outside}" in linked[0]["message"] and "make it a real folder" in linked[0]["message"]
    assert tree(outside) == before and link.is_symlink()


def test_linked_project_settings_file_is_a_problem(tmp_path):
    """`.claude/settings.json` a link to a registering file outside: a problem naming the file, the file untouched."""
    outside = registered_folder(tmp_path, "claude")
    project = make_project(tmp_path / "project")
    (project / ".claude").mkdir()
    link = project / ".claude" / "settings.json"
    link.symlink_to(outside / "settings.json")
    before = tree(outside)
    code, found = doctor(project)
    assert code == 1
    linked = [f for f in found if f["check"] == "symlink"]
    assert [f["path"] for f in linked] == [str(link)] and "make it a real file" in linked[0]["message"]
    assert tree(outside) == before


def test_linked_editor_folder_in_home_is_followed(tmp_path):
    """`~/.claude` a link to a dotfiles folder registering the hook: read through, no problem, the project is healthy."""
    outside = registered_folder(tmp_path, "claude")
    (Path(os.environ["HOME"]) / ".claude").symlink_to(outside)
    project = make_project(tmp_path / "project")
    code, found = doctor(project)
    assert code == 0 and found == [], found
