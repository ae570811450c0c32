"""`--scope user` follows the user's own links even when the home folder is the project (or inside it).

The rule is "links below the project are refused at project and local scope"; user scope is
never judged. Working in the home folder itself (no git, no .synapse: the project is the current
folder, which is HOME) is where the two meet: `~/.claude` is then also "below the project".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.files import read_json
from tests.support.run import run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks are POSIX")


def test_user_scope_follows_a_dotfiles_link_when_home_is_the_project(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    dotfiles = tmp_path / "dotfiles" / "claude"
    dotfiles.mkdir(parents=True)
    (dotfiles / "settings.json").write_text(json.dumps({"model": "opus"}) + "\n")
    (home / ".claude").symlink_to(dotfiles)
    result = run_synapse(["hook", "install", "--scope", "user"], cwd=home)
    assert result.returncode == 0, result.stderr
    assert (home / ".claude").is_symlink()
    assert read_json(dotfiles / "settings.json")["model"] == "opus"
    assert "prompt-submit" in (dotfiles / "settings.json").read_text()


def test_doctor_in_a_home_folder_project_does_not_flag_the_users_own_dotfiles_link(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """synapse set up in the home folder (editors opened there): `~/.claude` is the user's dotfiles link, through
    which `--scope user` registered the hook; doctor must not call it a problem the user has to act on, nor advise
    `--scope user`, which is exactly how it is registered."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    dotfiles = tmp_path / "dotfiles" / "claude"
    dotfiles.mkdir(parents=True)
    (dotfiles / "settings.json").write_text("{}\n")
    (home / ".claude").symlink_to(dotfiles)
    assert run_synapse(["init"], cwd=home).returncode == 0
    assert run_synapse(["hook", "install", "--scope", "user"], cwd=home).returncode == 0
    result = run_synapse(["doctor", "--json"], cwd=home)
    findings = json.loads(result.stdout)["findings"]
    assert [f for f in findings if f["check"] == "symlink"] == [], findings
    assert result.returncode == 0, findings
