"""The installed hook command runs where editors run it: ``sh -c`` with ``PATH=/usr/bin:/bin``; doctor checks every registered one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.hook_commands import EVENT, MINIMAL_PATH, SETTINGS, as_editor, payload_for, registered
from tests.support.run import LAUNCHER, run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX shells and minimal PATH")


@pytest.mark.parametrize("agent", list(EVENT))
def test_default_command_records_a_prompt_with_only_a_minimal_path(project, tmp_path, agent):
    """``hook install`` (no options) writes a command that, run by ``sh -c`` with PATH=/usr/bin:/bin, exits 0 and records the prompt."""
    result = run_synapse(["--project-dir", str(project), "hook", "install", "--agent", agent])
    assert result.returncode == 0, result.stderr
    command = registered(project, agent)
    payload, session_id = payload_for(agent, project)
    ran = as_editor(command, payload, cwd=project, home=tmp_path)
    assert ran.returncode == 0, (command, ran.returncode, ran.stderr)
    assert ran.stderr == b""
    assert ran.stdout == (b'{"continue": true}\n' if agent == "cursor" else b"")
    session = json.loads((project / ".synapse" / "sessions" / f"{session_id}.json").read_text())
    assert session["prompt_count"] == 1


def test_install_says_which_form_it_wrote_and_why(project):
    """The output names the command and says absolute path (and why); --json carries command, command_form and command_reason."""
    result = run_synapse(["--project-dir", str(project), "hook", "install"])
    out = result.stdout.decode()
    assert f"Hook command: '{LAUNCHER}' prompt-submit  (absolute path: synapse-hook is not on the minimal PATH {MINIMAL_PATH}" in out
    report = json.loads(run_synapse(["--project-dir", str(project), "hook", "install", "--json"]).stdout)
    assert report["command"] == f"'{LAUNCHER}' prompt-submit"
    assert report["command_form"] == "absolute" and "minimal PATH" in report["command_reason"]


def test_a_registered_command_that_cannot_start_is_replaced_and_one_that_runs_is_kept(project, tmp_path):
    """Re-installing over the old bare ``synapse hook prompt-submit`` (127 under a minimal PATH) replaces it and says so; a working hand-edited command stays."""
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "synapse hook prompt-submit", "timeout": 30}]}]}}))
    payload, _ = payload_for("claude", project)
    assert as_editor("synapse hook prompt-submit", payload, cwd=project, home=tmp_path).returncode == 127
    result = run_synapse(["--project-dir", str(project), "hook", "install"])
    assert "Replaced the registered command synapse hook prompt-submit (synapse is not found on PATH=/usr/bin:/bin)" in result.stdout.decode()
    handler = json.loads(settings.read_text())["hooks"]["UserPromptSubmit"][0]["hooks"][0]
    assert handler == {"type": "command", "command": f"'{LAUNCHER}' prompt-submit", "timeout": 30}
    mine = f"'{LAUNCHER}' prompt-submit --debug"
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": mine}]}]}}))
    result = run_synapse(["--project-dir", str(project), "hook", "install"])
    assert f"Kept the registered command {mine}" in result.stdout.decode()
    assert registered(project, "claude") == mine


def test_doctor_names_each_registered_command_that_cannot_start(project):
    """Every agent's and scope's synapse commands are checked: each that does not resolve with a minimal PATH is a problem naming it and why (exit 1)."""
    broken = {
        ("claude", "local"): "synapse hook prompt-submit",
        ("codex", "project"): "'/gone/venv/bin/synapse-hook' prompt-submit --agent codex",
    }
    for (agent, scope), command in broken.items():
        path = project / SETTINGS[agent, scope]
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"hooks": {EVENT[agent]: [{"hooks": [{"type": "command", "command": command}]}]}}))
    result = run_synapse(["--project-dir", str(project), "doctor", "--json"])
    assert result.returncode == 1
    findings = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "hook-command"]
    assert {f["path"] for f in findings} == {str(project / SETTINGS[k]) for k in broken}
    by_path = {f["path"]: f for f in findings}
    claude = by_path[str(project / ".claude/settings.local.json")]
    assert claude["severity"] == "problem" and "`synapse hook prompt-submit`" in claude["message"] and "synapse is not found on PATH=/usr/bin:/bin" in claude["message"]
    assert "/gone/venv/bin/synapse-hook: no such file" in by_path[str(project / ".codex/hooks.json")]["message"]
    # hook install for each fixes it: doctor is green again.
    for agent, scope in broken:
        assert run_synapse(["--project-dir", str(project), "hook", "install", "--agent", agent, "--scope", scope]).returncode == 0
    result = run_synapse(["--project-dir", str(project), "doctor", "--json"])
    assert result.returncode == 0, result.stdout
    assert not [f for f in json.loads(result.stdout)["findings"] if f["check"] == "hook-command"]


def test_doctor_checks_the_users_own_settings_too(project, tmp_path):
    """A broken synapse command in ~/.gemini/settings.json (user scope) is a problem too."""
    user = Path(os.environ["HOME"]) / ".gemini" / "settings.json"
    user.parent.mkdir(parents=True)
    user.write_text(json.dumps({"hooks": {"BeforeAgent": [{"hooks": [{"type": "command", "command": "synapse hook prompt-submit --agent gemini"}]}]}}))
    result = run_synapse(["--project-dir", str(project), "doctor"])
    assert result.returncode == 1
    assert "gemini BeforeAgent runs `synapse hook prompt-submit --agent gemini`" in result.stdout.decode()
