"""Outside an initialised project every command but ``init`` refuses to run and creates nothing (issue 12 item 4)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.files import snapshot
from tests.support.output import one_error_line
from tests.support.paths import SID
from tests.support.run import run_synapse

COMMANDS = {
    "session list": ["session", "list"],
    "session list --json": ["session", "list", "--json"],
    "session show": ["session", "show", SID],
    "session update": ["session", "update", SID, "--agent", "dev"],
    "session delete": ["session", "delete", SID],
    "session clean": ["session", "clean"],
    "session clean --dry-run": ["session", "clean", "--dry-run"],
    "metrics persist": ["metrics", "persist", "-"],
    "state update": ["state", "update", "--agent", "dev"],
    "state show": ["state", "show"],
    "config show": ["config", "show"],
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder with no .synapse/ at or above it (a subfolder, so the search really climbs)."""
    folder = tmp_path / "nowhere" / "sub"
    folder.mkdir(parents=True)
    for parent in [folder, *folder.parents]:
        if (parent / ".synapse").exists():
            pytest.skip(f"{parent} holds a .synapse/: the test needs a folder outside every project")
    return folder


@pytest.mark.parametrize("args", list(COMMANDS.values()), ids=list(COMMANDS))
def test_outside_a_project_the_command_exits_1_and_creates_nothing(tmp_path, outside, args):
    """Run in a folder that never ran `synapse init`: one line naming the folder and `synapse init`, exit 1, no file or folder created anywhere."""
    home = Path(os.environ["HOME"])
    before = (snapshot(tmp_path, skip_cache=False), snapshot(home, skip_cache=False))
    result = run_synapse(args, cwd=outside, input=b"{}")
    assert result.returncode == 1, result
    assert result.stdout == b""
    line = one_error_line(result.stderr.decode())
    assert line == f"synapse: no .synapse/ at or above {outside}: run `synapse init`"
    assert (snapshot(tmp_path, skip_cache=False), snapshot(home, skip_cache=False)) == before


@pytest.mark.parametrize("args", [COMMANDS["session update"], COMMANDS["state update"], COMMANDS["metrics persist"]], ids=["session", "state", "metrics"])
def test_project_dir_naming_an_uninitialised_folder_is_refused_too(tmp_path, outside, args):
    """--project-dir pointing at a folder without .synapse/ is refused the same way; nothing is created there."""
    before = snapshot(tmp_path, skip_cache=False)
    result = run_synapse(["--project-dir", str(outside), *args], input=b"{}")
    assert result.returncode == 1
    assert one_error_line(result.stderr.decode()) == f"synapse: no .synapse/ at or above {outside}: run `synapse init`"
    assert snapshot(tmp_path, skip_cache=False) == before


def test_doctor_outside_a_project_reports_it_and_creates_nothing(tmp_path, outside):
    """doctor keeps its report format (CI parses --json) but names the folder and `synapse init`; exit 1; --fix creates nothing either."""
    before = snapshot(tmp_path, skip_cache=False)
    for fix in ([], ["--fix"]):
        result = run_synapse(["doctor", "--json", *fix], cwd=outside)
        assert result.returncode == 1 and result.stderr == b""
        report = json.loads(result.stdout)
        assert report["healthy"] is False
        [finding] = report["findings"]
        assert finding["check"] == "setup"
        assert finding["message"] == f"no .synapse/ at or above {outside}: run `synapse init`"
    assert snapshot(tmp_path, skip_cache=False) == before


def test_init_still_works_outside_a_project_and_then_the_commands_do(tmp_path, outside):
    """init is the one command that sets a folder up; afterwards the refused commands work."""
    assert run_synapse(["init"], cwd=outside).returncode == 0
    assert (outside / ".synapse").is_dir()
    result = run_synapse(["session", "update", SID], cwd=outside)
    assert result.returncode == 0, result.stderr
    assert (outside / ".synapse" / "sessions" / f"{SID}.json").is_file()
