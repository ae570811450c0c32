"""`hook uninstall --dry-run` says what the real uninstall would do with a settings file it leaves empty:
remove it (hook install created it, git does not track it) or keep it (and why), never `{}` as its content."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.git import git
from tests.support.run import run_synapse

SETTINGS = Path(".claude") / "settings.json"
RECORD = Path(".synapse") / "cache" / "created-settings.json"


def synapse(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    result = run_synapse(["--project-dir", str(project), *args])
    assert result.returncode == 0, result.stderr
    return result


def uninstall_json(project: Path, *args: str) -> dict:
    return json.loads(synapse(project, "hook", "uninstall", "--json", *args).stdout)


def test_the_dry_run_says_the_file_install_created_would_be_removed(project):
    """Human output: a 'Would remove' line and a diff deleting the file (to /dev/null), with nothing written."""
    synapse(project, "hook", "install")
    before, record = (project / SETTINGS).read_bytes(), (project / RECORD).read_bytes()
    result = synapse(project, "hook", "uninstall", "--dry-run")
    out, err = result.stdout.decode(), result.stderr.decode()
    assert f"Would remove {project / SETTINGS}: nothing else would be left in it, hook install created it and git does not track it." in err
    assert f"--- {project / SETTINGS} (before)\n+++ /dev/null\n" in out
    assert "+{}" not in out and not any(line.startswith("+") and not line.startswith("+++") for line in out.splitlines())
    assert (project / SETTINGS).read_bytes() == before and (project / RECORD).read_bytes() == record
    assert "the file was removed" in synapse(project, "hook", "uninstall").stdout.decode()  # and so the real run does
    assert not (project / SETTINGS).exists()


def test_the_dry_run_json_matches_the_real_run(project):
    """--json: removed is true and content null in the dry run, as in the real run's report."""
    synapse(project, "hook", "install")
    dry = uninstall_json(project, "--dry-run")
    assert (project / SETTINGS).is_file()
    real = uninstall_json(project)
    assert not (project / SETTINGS).exists()
    assert dry["dry_run"] is True and real["dry_run"] is False
    assert dry["removed"] is True and dry["content"] is None
    for key in ("settings_file", "changed", "removed", "content", "kept_empty"):
        assert dry[key] == real[key], key


def test_the_dry_runs_diff_applied_by_patch_removes_the_file(project):
    """The diff on stdout does what the real run does: `patch` given it removes the file."""
    if shutil.which("patch") is None:
        pytest.skip("patch is not installed")
    synapse(project, "hook", "install")
    diff = synapse(project, "hook", "uninstall", "--dry-run").stdout
    applied = subprocess.run(["patch", str(project / SETTINGS)], input=diff, capture_output=True)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert not (project / SETTINGS).exists()


@pytest.mark.parametrize("made_by", ["user", "git"])
def test_the_dry_run_says_why_a_file_left_empty_would_stay(tmp_path, made_by):
    """A file the user made, or one git tracks, stays emptied: the dry run says so and why, as the real run does."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    synapse(repo, "init")
    if made_by == "user":
        (repo / SETTINGS).parent.mkdir()
        (repo / SETTINGS).write_text("{}\n")
    synapse(repo, "hook", "install")
    if made_by == "git":
        git(repo, "add", str(SETTINGS))
    why = {"user": "synapse has no record that hook install created it (you may have made it, or hook install ran before "
                   "`synapse init`, when there was no .synapse/ to record it in)", "git": "git tracks it"}[made_by]
    result = synapse(repo, "hook", "uninstall", "--dry-run")
    assert f"{repo / SETTINGS} would be left with nothing in it, but would stay because {why}." in result.stderr.decode()
    assert "Would remove" not in result.stderr.decode() and result.stdout.decode().endswith("+{}\n")
    dry = uninstall_json(repo, "--dry-run")
    assert dry["removed"] is False and dry["content"] == "{}\n" and dry["kept_empty"] == why
    real = uninstall_json(repo)
    assert real["removed"] is False and real["kept_empty"] == why and (repo / SETTINGS).read_text() == "{}\n"
