"""A repository's editor folder (or settings file) committed as a symlink: `hook install`/`uninstall` refuse it.

A stranger's repository can carry `.claude -> /anywhere`; following it, `synapse hook install`
would create or change `/anywhere/settings.json`. At project and local scope, the installed
`synapse` must refuse before it creates or changes anything, anywhere: not the link's target,
not a backup in `.synapse/cache/backups/`, not the created-settings record, not
`.git/info/exclude`. Under the user's home the links are the user's own (a dotfiles manager's)
and are followed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.files import make_project, read_json, tree
from tests.support.git import git
from tests.support.output import one_error_line
from tests.support.run import run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks are POSIX")

# (agent, scope, editor folder, settings file name): every project-relative settings file.
PROJECT_FILES = [
    ("claude", "project", ".claude", "settings.json"),
    ("claude", "local", ".claude", "settings.local.json"),
    ("codex", "project", ".codex", "hooks.json"),
    ("gemini", "project", ".gemini", "settings.json"),
    ("cursor", "project", ".cursor", "hooks.json"),
]
IDS = [f"{agent}-{scope}" for agent, scope, _folder, _name in PROJECT_FILES]
USER_FOLDERS = {"claude": (".claude", "settings.json"), "codex": (".codex", "hooks.json"),
                "gemini": (".gemini", "settings.json"), "cursor": (".cursor", "hooks.json")}
OTHER = {"model": "opus"}


def git_project(tmp_path: Path) -> Path:
    """A set-up project that is a git work tree with one commit (as a cloned repository is)."""
    project = make_project(tmp_path / "project")
    git(project, "init", "-q")
    git(project, "commit", "-q", "--allow-empty", "-m", "start")
    return project


def installed_text(tmp_path: Path, agent: str, scope: str, folder: str, name: str) -> str:
    """What a real `hook install` writes into a settings file holding another key: an uninstall would change it."""
    scratch = make_project(tmp_path / f"scratch-{agent}-{scope}")
    (scratch / folder).mkdir()
    (scratch / folder / name).write_text(json.dumps(OTHER) + "\n")
    assert run_synapse(["--project-dir", str(scratch), "hook", "install", "--agent", agent, "--scope", scope]).returncode == 0
    text = (scratch / folder / name).read_text()
    assert "prompt-submit" in text
    return text


def commit_link(project: Path, link: Path, target: Path) -> None:
    link.symlink_to(target)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "editor settings")


def assert_refused(result, link: Path, target: Path, kind: str) -> None:
    """Exit 1 with one line naming the link and where it points; nothing on stdout."""
    line = one_error_line(result.stderr)
    assert result.returncode == 1, result.stderr
    assert result.stdout == b""
    assert f"{link} is a symlink to {target}" in line, line
    assert f"make it a real {kind}" in line and "nothing was changed" in line, line


def refused_everywhere(tmp_path: Path, project: Path, args: list[str], link: Path, target: Path, kind: str) -> None:
    """Run `synapse ARGS` in the project; it must refuse and leave every file under tmp_path and HOME as it was (dates too)."""
    home = Path(os.environ["HOME"])
    before = (tree(tmp_path), tree(home))
    result = run_synapse(args, cwd=project)
    assert_refused(result, link, target, kind)
    # The link's target, .synapse/cache (backups, the created record, the log), .git/info/exclude, ~/.cache.
    assert (tree(tmp_path), tree(home)) == before


# -- a linked editor folder ------------------------------------------------------------------------


@pytest.mark.parametrize(("agent", "scope", "folder", "name"), PROJECT_FILES, ids=IDS)
@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
def test_install_through_a_linked_editor_folder_is_refused(tmp_path, agent, scope, folder, name, dry_run):
    """The link's target holds a settings file install would change: refused, the target folder unchanged."""
    project = git_project(tmp_path)
    outside = tmp_path / "outside" / folder.lstrip(".")
    outside.mkdir(parents=True)
    (outside / name).write_text(json.dumps(OTHER) + "\n")
    commit_link(project, project / folder, outside)
    args = ["hook", "install", "--agent", agent, "--scope", scope] + (["--dry-run"] if dry_run else [])
    refused_everywhere(tmp_path, project, args, project / folder, outside, "folder")


@pytest.mark.parametrize(("agent", "scope", "folder", "name"), PROJECT_FILES, ids=IDS)
def test_install_creates_no_settings_file_where_a_linked_editor_folder_points(tmp_path, agent, scope, folder, name):
    """An empty target folder: install would create the settings file (and note it as created); refused."""
    project = git_project(tmp_path)
    outside = tmp_path / "outside" / folder.lstrip(".")
    outside.mkdir(parents=True)
    commit_link(project, project / folder, outside)
    refused_everywhere(tmp_path, project, ["hook", "install", "--agent", agent, "--scope", scope], project / folder, outside, "folder")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(("agent", "scope", "folder", "name"), PROJECT_FILES, ids=IDS)
@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
def test_uninstall_through_a_linked_editor_folder_is_refused(tmp_path, agent, scope, folder, name, dry_run):
    """The target holds synapse's hook: uninstall would rewrite (and back up) it; refused, the hook stays there."""
    text = installed_text(tmp_path, agent, scope, folder, name)
    project = git_project(tmp_path)
    outside = tmp_path / "outside" / folder.lstrip(".")
    outside.mkdir(parents=True)
    (outside / name).write_text(text)
    commit_link(project, project / folder, outside)
    args = ["hook", "uninstall", "--agent", agent, "--scope", scope] + (["--dry-run"] if dry_run else [])
    refused_everywhere(tmp_path, project, args, project / folder, outside, "folder")
    assert (outside / name).read_text() == text


@pytest.mark.parametrize(("agent", "scope", "folder", "name"), PROJECT_FILES, ids=IDS)
def test_install_with_init_through_a_linked_editor_folder_sets_nothing_up(tmp_path, agent, scope, folder, name):
    """`hook install --init` in a fresh clone: refused before `.synapse/` is created, and nothing written through the link."""
    project = tmp_path / "clone"
    project.mkdir()
    git(project, "init", "-q")
    outside = tmp_path / "outside" / folder.lstrip(".")
    outside.mkdir(parents=True)
    commit_link(project, project / folder, outside)
    refused_everywhere(tmp_path, project, ["hook", "install", "--init", "--agent", agent, "--scope", scope],
                       project / folder, outside, "folder")
    assert not (project / ".synapse").exists()


def test_dangling_linked_editor_folder_is_refused_and_not_created(tmp_path):
    """`.claude` a link to a folder that does not exist: nothing is created there."""
    project = git_project(tmp_path)
    target = tmp_path / "nowhere" / "claude"
    commit_link(project, project / ".claude", target)
    before = tree(tmp_path)
    result = run_synapse(["hook", "install"], cwd=project)
    assert_refused(result, project / ".claude", target, "folder")
    assert "does not exist" in result.stderr.decode()
    assert tree(tmp_path) == before and not (tmp_path / "nowhere").exists()


# -- a linked settings file in a real editor folder --------------------------------------------------


@pytest.mark.parametrize(("agent", "scope", "folder", "name"), PROJECT_FILES, ids=IDS)
@pytest.mark.parametrize("command", ["install", "uninstall", "install --dry-run"])
def test_linked_project_settings_file_is_refused(tmp_path, agent, scope, folder, name, command):
    """`.claude/settings.json` (etc.) a link to a file outside: neither changed through the link nor replaced."""
    target = tmp_path / "outside" / f"{agent}-{name}"
    target.parent.mkdir()
    target.write_text(installed_text(tmp_path, agent, scope, folder, name) if command == "uninstall" else json.dumps(OTHER) + "\n")
    project = git_project(tmp_path)
    (project / folder).mkdir()
    commit_link(project, project / folder / name, target)
    args = ["hook", *command.split(), "--agent", agent, "--scope", scope]
    refused_everywhere(tmp_path, project, args, project / folder / name, target, "file")
    assert (project / folder / name).is_symlink()


# -- what stays: links the user made ---------------------------------------------------------------


@pytest.mark.parametrize("agent", sorted(USER_FOLDERS))
def test_user_scope_follows_a_linked_editor_folder_in_home(tmp_path, agent):
    """`~/.claude` linked to a dotfiles folder (HOME is a test folder): install and uninstall change the file there."""
    folder, name = USER_FOLDERS[agent]
    home = Path(os.environ["HOME"])
    dotfiles = tmp_path / "dotfiles" / folder.lstrip(".")
    dotfiles.mkdir(parents=True)
    (dotfiles / name).write_text(json.dumps(OTHER) + "\n")
    (home / folder).symlink_to(dotfiles)
    project = git_project(tmp_path)
    installed = run_synapse(["hook", "install", "--agent", agent, "--scope", "user"], cwd=project)
    assert installed.returncode == 0, installed.stderr
    assert (home / folder).is_symlink() and "prompt-submit" in (dotfiles / name).read_text()
    assert read_json(dotfiles / name)["model"] == "opus"
    removed = run_synapse(["hook", "uninstall", "--agent", agent, "--scope", "user"], cwd=project)
    assert removed.returncode == 0, removed.stderr
    assert "prompt-submit" not in (dotfiles / name).read_text() and read_json(dotfiles / name)["model"] == "opus"
    assert (home / folder).is_symlink()


def test_project_folder_reached_through_a_link_is_the_users_choice(tmp_path):
    """Only links below the project are judged: a project opened through a linked path (macOS's /tmp) installs."""
    project = git_project(tmp_path)
    alias = tmp_path / "alias"
    alias.symlink_to(project)
    result = run_synapse(["--project-dir", str(alias), "hook", "install"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "prompt-submit" in (project / ".claude" / "settings.json").read_text()
