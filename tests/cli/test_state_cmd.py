"""``synapse state update|show``: .aios/session-state.json through the Typer app."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.support.output import one_error_line

FIELDS = [
    "sessionId", "startTime", "lastActivity", "workflowActive", "workflowState",
    "lastCommands", "agentSequence", "taskHistory", "currentStory",
]


def _state(project):
    return json.loads((project / ".aios" / "session-state.json").read_text())


def test_update_command_creates_the_state_file_with_the_fixed_shape(cli, project):
    """``state update --command`` creates .aios/session-state.json with the fixed keys and epoch-ms times."""
    before_ms = int(time.time() * 1000)
    result = cli(project, "state", "update", "--command", "*develop")
    assert result.exit_code == 0, result.stderr
    state = _state(project)
    assert list(state) == FIELDS
    assert re.match(r"^session-\d+-[0-9a-z]{9}$", state["sessionId"])
    assert isinstance(state["lastActivity"], int) and state["lastActivity"] >= before_ms
    assert state["lastCommands"] == ["*develop"]
    assert "Updated" in result.stdout


def test_update_records_agent_workflow_story_and_tasks(cli, project):
    """--agent/--agent-name, --workflow, --workflow-state, --story and --task with --success/--failure land in their fields."""
    assert cli(project, "state", "update", "--agent", "dev", "--agent-name", "Dex", "--command", "*develop").exit_code == 0
    assert cli(project, "state", "update", "--workflow", "story_development", "--workflow-state", "in_development").exit_code == 0
    assert cli(project, "state", "update", "--story", "docs/stories/1.1.md").exit_code == 0
    assert cli(project, "state", "update", "--task", "develop-story", "--success").exit_code == 0
    result = cli(project, "state", "update", "--task", "run-tests", "--failure", "--json")
    assert result.exit_code == 0
    state = json.loads(result.stdout)
    assert state == _state(project)
    agent = state["agentSequence"][0]
    assert (agent["agentId"], agent["agentName"], agent["lastCommand"]) == ("dev", "Dex", "*develop")
    assert state["workflowActive"] == "story_development" and state["workflowState"] == "in_development"
    assert state["currentStory"] == "docs/stories/1.1.md"
    # As onTaskComplete: the entry holds only what was given, and the task joins lastCommands.
    assert [(t["task"], t["success"], t["agentId"], t["storyPath"]) for t in state["taskHistory"]] == [
        ("develop-story", True, None, None),
        ("run-tests", False, None, None),
    ]
    assert state["lastCommands"] == ["*develop", "*develop-story", "*run-tests"]


def test_update_keeps_only_the_last_ten_commands(cli, project):
    """lastCommands keeps the newest 10 entries, newest last."""
    for n in range(12):
        assert cli(project, "state", "update", "--command", f"c{n}").exit_code == 0
    assert _state(project)["lastCommands"] == [f"c{n}" for n in range(2, 12)]


def test_update_patch_json_and_stdin(cli, project):
    """``--patch JSON`` and ``--patch -`` set fields of the fixed shape."""
    assert cli(project, "state", "update", "--patch", '{"currentStory": "a.md"}').exit_code == 0
    assert _state(project)["currentStory"] == "a.md"
    result = cli(project, "state", "update", "--patch", "-", input='{"workflowActive": null, "currentStory": "b.md"}')
    assert result.exit_code == 0, result.stderr
    assert _state(project)["currentStory"] == "b.md"


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--task", "t"], "--success"),
        (["--success"], "--task"),
        (["--agent-name", "Dex"], "--agent"),
        (["--patch", '{"bogus": 1}'], "bogus"),
        (["--patch", '{"lastCommands": "x"}'], "lastCommands"),
        (["--patch", "{"], "--patch"),
        (["--patch", "7"], "--patch"),
    ],
)
def test_update_bad_input_exits_1_and_leaves_the_file(cli, project, args, needle):
    """Inconsistent options or a bad patch exit 1 with one line naming the problem; the state file is untouched."""
    assert cli(project, "state", "update", "--command", "first").exit_code == 0
    path = project / ".aios" / "session-state.json"
    before = path.read_bytes()
    result = cli(project, "state", "update", *args)
    assert result.exit_code == 1
    assert needle in one_error_line(result.stderr)
    assert result.stdout == ""
    assert path.read_bytes() == before


def test_update_moves_a_corrupt_state_aside(cli, project):
    """A corrupt state file is moved aside (bytes intact) and a fresh state is written."""
    (project / ".aios").mkdir()
    (project / ".aios" / "session-state.json").write_bytes(b"{oops")
    result = cli(project, "state", "update", "--command", "x")
    assert result.exit_code == 0
    aside = list((project / ".aios").glob("session-state.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"{oops"
    assert _state(project)["lastCommands"] == ["x"]


def test_show_prints_table_and_json(cli, project):
    """``state show`` prints a field table, and the file's object with ``--json``."""
    cli(project, "state", "update", "--story", "s.md")
    human = cli(project, "state", "show")
    assert human.exit_code == 0
    assert re.search(r"^currentStory\ts\.md$", human.stdout, re.M)
    as_json = cli(project, "state", "show", "--json")
    assert json.loads(as_json.stdout) == _state(project)


def test_show_without_a_state_file_exits_1(cli, project):
    """``state show`` with no state file exits 1 with one line naming the path."""
    result = cli(project, "state", "show")
    assert result.exit_code == 1
    assert "session-state.json" in one_error_line(result.stderr)
