"""`hook uninstall` keeps a settings file it has no record of creating, and says exactly that.

`hook install` records the files it creates in the .synapse/ of the project it runs in. Run before
`synapse init` (a supported order) there is nowhere to record it; with `--scope user` it is recorded
in the project it ran from. Uninstall then cannot tell the file from one the user made: it keeps it,
emptied, and says it has no record, never that install "did not create it" (it did). `--json` says
why in `kept_because`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.run import run_synapse

SETTINGS = Path(".claude") / "settings.json"


def synapse(folder: Path, *args: str) -> str:
    result = run_synapse(list(args), cwd=folder)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode()


def test_installed_before_init_the_file_stays_and_uninstall_says_it_has_no_record(tmp_path):
    project = tmp_path / "shop"
    project.mkdir()
    (project / ".git").mkdir()  # a repository's top: the folder install and init both use
    out = synapse(project, "hook", "install")
    assert f"synapse keeps no record that it created {project / SETTINGS}" in " ".join(out.split())
    synapse(project, "init")
    out = synapse(project, "hook", "uninstall")
    assert (project / SETTINGS).read_text() == "{}\n"
    assert "did not create it" not in out
    assert "stays because synapse has no record that hook install created it" in out
    assert "hook install ran before `synapse init`" in out


def test_dry_run_and_json_say_why_it_stays(tmp_path):
    project = tmp_path / "shop"
    project.mkdir()
    synapse(project, "hook", "install")
    synapse(project, "init")
    dry = json.loads(synapse(project, "hook", "uninstall", "--dry-run", "--json"))
    assert dry["removed"] is False and dry["kept_because"] == "not-recorded"
    assert dry["kept_empty"].startswith("synapse has no record that hook install created it (")
    real = json.loads(synapse(project, "hook", "uninstall", "--json"))
    assert real["removed"] is False and real["kept_because"] == "not-recorded" and real["kept_empty"] == dry["kept_empty"]


def test_user_scope_installed_from_one_project_uninstalled_from_another(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"
    for folder in (one, other):
        folder.mkdir()
        synapse(folder, "init")
    synapse(one, "hook", "install", "--scope", "user")
    user_settings = Path(os.environ["HOME"]) / SETTINGS
    out = " ".join(synapse(other, "hook", "uninstall", "--scope", "user").split())
    assert user_settings.read_text() == "{}\n"
    assert "did not create it" not in out
    assert "stays because synapse has no record that hook install created it" in out
    assert f"records a --scope user file only in the .synapse/ of the project it ran in, which may be another one than {other}" in out


def test_outside_any_project_uninstall_says_there_is_nothing_to_keep_a_record_in(tmp_path):
    folder = tmp_path / "loose"
    folder.mkdir()
    synapse(folder, "hook", "install")
    report = json.loads(synapse(folder, "hook", "uninstall", "--json"))
    assert report["kept_because"] == "not-recorded"
    assert "there is no .synapse/ here to keep one in" in report["kept_empty"]


def test_a_file_git_tracks_says_so_in_kept_because(tmp_path):
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    synapse(repo, "init")
    synapse(repo, "hook", "install")
    subprocess.run(["git", "add", str(SETTINGS)], cwd=repo, check=True)
    report = json.loads(synapse(repo, "hook", "uninstall", "--json"))
    assert report["kept_because"] == "git-tracks" and report["kept_empty"] == "git tracks it"

