"""A hook command whose program is a relative path (``venv/bin/synapse-hook``) breaks as soon as the agent
changes folder: editors run hooks in the session's current folder. doctor reports it, hook install replaces it;
bare names found on PATH and ``"$CLAUDE_PROJECT_DIR"/...`` paths stay as they are."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.hook_commands import as_editor, payload_for, registered
from tests.support.run import LAUNCHER, run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX shells and minimal PATH")

RELATIVE = "venv/bin/synapse-hook prompt-submit"


def register(project, command: str) -> None:
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir(exist_ok=True)
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": command}]}]}}))


@pytest.fixture
def venv_in_project(project):
    """``project/venv/bin/synapse-hook``: this installation's launcher, reachable by a path relative to the project."""
    folder = project / "venv" / "bin"
    folder.mkdir(parents=True)
    (folder / "synapse-hook").symlink_to(LAUNCHER)
    (project / "src").mkdir()
    return project


def hook_findings(project) -> tuple[int, list[dict]]:
    result = run_synapse(["--project-dir", str(project), "doctor", "--json"])
    findings = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "hook-command"]
    return result.returncode, findings


def test_a_relative_command_runs_from_the_project_folder_only(venv_in_project, tmp_path):
    """Why it matters: from the project folder it records the prompt; once the agent is in src/ it is 127 on every prompt."""
    payload, _ = payload_for("claude", venv_in_project)
    assert as_editor(RELATIVE, payload, cwd=venv_in_project, home=tmp_path).returncode == 0
    assert as_editor(RELATIVE, payload, cwd=venv_in_project / "src", home=tmp_path).returncode == 127


def test_doctor_reports_a_relative_command_naming_it_and_why(venv_in_project):
    register(venv_in_project, RELATIVE)
    code, findings = hook_findings(venv_in_project)
    assert code == 1
    (finding,) = findings
    assert finding["severity"] == "problem" and finding["path"] == str(venv_in_project / ".claude" / "settings.json")
    assert f"`{RELATIVE}`" in finding["message"]
    assert "venv/bin/synapse-hook is a relative path" in finding["message"]
    assert "depends on the current folder" in finding["message"]
    assert "synapse hook install --agent claude --scope project" in finding["message"]
    assert "./venv/bin/synapse-hook" not in finding["message"]


def test_doctor_reports_a_dot_slash_command_too(venv_in_project):
    register(venv_in_project, "./venv/bin/synapse-hook prompt-submit")
    code, findings = hook_findings(venv_in_project)
    assert code == 1 and "./venv/bin/synapse-hook is a relative path" in findings[0]["message"]


def test_hook_install_replaces_a_relative_command_with_one_that_runs_from_any_folder(venv_in_project, tmp_path):
    register(venv_in_project, RELATIVE)
    result = run_synapse(["--project-dir", str(venv_in_project), "hook", "install"])
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert f"Replaced the registered command {RELATIVE} (venv/bin/synapse-hook is a relative path" in out
    assert "Kept the registered command" not in out
    command = registered(venv_in_project, "claude")
    assert command == f"'{LAUNCHER}' prompt-submit"
    payload, session_id = payload_for("claude", venv_in_project)
    ran = as_editor(command, payload, cwd=venv_in_project / "src", home=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert (venv_in_project / ".synapse" / "sessions" / f"{session_id}.json").is_file()
    assert hook_findings(venv_in_project) == (0, [])


@pytest.mark.parametrize("command", ['"$CLAUDE_PROJECT_DIR"/venv/bin/synapse-hook prompt-submit',
                                     "${CLAUDE_PROJECT_DIR}/venv/bin/synapse-hook prompt-submit"])
def test_a_project_variable_path_stays_healthy_and_is_kept(venv_in_project, tmp_path, command):
    """The path Claude Code documents for project hooks does not depend on the current folder."""
    register(venv_in_project, command)
    assert hook_findings(venv_in_project) == (0, [])
    result = run_synapse(["--project-dir", str(venv_in_project), "hook", "install"])
    assert f"Kept the registered command {command}" in result.stdout.decode()
    assert registered(venv_in_project, "claude") == command
    payload, _ = payload_for("claude", venv_in_project)
    ran = as_editor(f"export CLAUDE_PROJECT_DIR='{venv_in_project}'; {command}", payload, cwd=venv_in_project / "src", home=tmp_path)
    assert ran.returncode == 0, ran.stderr
