"""Which project the installed hook acts on: --project-dir > $CLAUDE_PROJECT_DIR > payload cwd > current folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.files import make_project, read_json, snapshot
from tests.support.paths import PAYLOADS, SID
from tests.support.run import assert_silent_success, claude_payload, hook, prompt
from tests.support.sessions import session_path


def test_claude_fixture_payload_with_project_cwd_records_a_prompt(project, elsewhere):
    """The fixture's Claude event, with cwd set to the project, creates the session there with prompt_count 1."""
    prompt(project, run_in=elsewhere)
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == 1
    assert session["uuid"] == SID and session["cwd"] == str(project) and session["label"] == "project"
    assert session["context"]["last_bracket"] == "FRESH"
    assert not (elsewhere / ".synapse").exists()


def test_payload_cwd_in_a_deep_subfolder_finds_the_project(project, elsewhere):
    """A payload cwd several folders below the project root resolves to that root."""
    deep = project / "src" / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    prompt(project, run_in=elsewhere, cwd=str(deep))
    assert read_json(session_path(project, SID))["cwd"] == str(project)
    assert not (deep / ".synapse").exists()


def test_nested_projects_use_the_nearest_one(project, elsewhere):
    """With a project inside a project, a cwd within the inner one records in the inner one."""
    inner = make_project(project / "packages" / "inner")
    (inner / "lib").mkdir()
    prompt(project, run_in=elsewhere, cwd=str(inner / "lib"))
    assert session_path(inner, SID).exists()
    assert not session_path(project, SID).exists()


def test_claude_project_dir_wins_over_the_payload_cwd(project, tmp_path, elsewhere):
    """$CLAUDE_PROJECT_DIR is used before the payload's cwd."""
    other = make_project(tmp_path / "other")
    prompt(project, run_in=elsewhere, env={"CLAUDE_PROJECT_DIR": str(other)})
    assert read_json(session_path(other, SID))["prompt_count"] == 1
    assert not session_path(project, SID).exists()


def test_claude_project_dir_resolves_without_a_usable_payload_cwd(project, elsewhere):
    """With $CLAUDE_PROJECT_DIR set, the fixture's original (non-existent) cwd does not matter."""
    prompt(project, run_in=elsewhere, env={"CLAUDE_PROJECT_DIR": str(project)}, cwd="/home/dev/projects/shop")
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_empty_claude_project_dir_is_ignored(project, tmp_path, elsewhere):
    """An empty $CLAUDE_PROJECT_DIR (subagents) falls through to the payload cwd."""
    prompt(project, run_in=elsewhere, env={"CLAUDE_PROJECT_DIR": ""})
    assert session_path(project, SID).exists()


def test_project_dir_option_wins_over_claude_project_dir(project, tmp_path, elsewhere):
    """``--project-dir`` beats $CLAUDE_PROJECT_DIR and the payload cwd."""
    other = make_project(tmp_path / "other")
    third = make_project(tmp_path / "third")
    result = hook(claude_payload(cwd=str(project)), cwd=elsewhere, env={"CLAUDE_PROJECT_DIR": str(other)}, args=("--project-dir", str(third)))
    assert_silent_success(result)
    assert session_path(third, SID).exists()
    assert not session_path(other, SID).exists() and not session_path(project, SID).exists()


def test_project_dir_equals_form_works_on_the_fast_path(project, elsewhere):
    """``--project-dir=PATH`` is honoured like ``--project-dir PATH``."""
    result = hook(claude_payload(cwd=str(elsewhere)), cwd=elsewhere, args=(f"--project-dir={project}",))
    assert_silent_success(result)
    assert session_path(project, SID).exists()


def test_payload_cwd_outside_projects_falls_back_to_the_current_folder(project):
    """When the payload's cwd is in no project (here: the fixture's missing folder), the current folder's project is used."""
    sub = project / "sub"
    sub.mkdir()
    prompt(project, run_in=sub, cwd="/home/dev/projects/shop")
    assert session_path(project, SID).exists()


def test_no_project_anywhere_creates_nothing(tmp_path, elsewhere):
    """Without .synapse/ at the payload cwd, current folder or above, the hook exits 0 silently and creates no file."""
    home = Path(os.environ["HOME"])
    before, home_before = snapshot(tmp_path, skip_cache=False), snapshot(home, skip_cache=False)
    result = hook(claude_payload(cwd=str(elsewhere)), cwd=elsewhere)
    assert_silent_success(result)
    debug = hook(claude_payload(cwd=str(elsewhere)), cwd=elsewhere, args=("--debug",))
    assert debug.returncode == 0 and debug.stdout == b""
    assert b"opted in" in debug.stderr
    assert snapshot(tmp_path, skip_cache=False) == before
    assert snapshot(home, skip_cache=False) == home_before
    assert not any(p.name == ".synapse" for p in tmp_path.rglob("*"))


def test_project_dir_without_synapse_folder_does_nothing(tmp_path, elsewhere):
    """``--project-dir`` naming a folder that has not opted in creates nothing there."""
    target = tmp_path / "not-opted-in"
    target.mkdir()
    result = hook(claude_payload(cwd=str(target)), cwd=elsewhere, args=("--project-dir", str(target)))
    assert_silent_success(result)
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("name", ["codex-user-prompt-submit.json", "gemini-before-agent.json", "claude-session-start.json"])
def test_other_agents_payloads_are_recorded(project, elsewhere, name):
    """Codex and Gemini events (extra/unknown fields) and other Claude events are recorded by session_id."""
    event = json.loads((PAYLOADS / name).read_text())
    event["cwd"] = str(project)
    result = hook(json.dumps(event).encode(), cwd=elsewhere)
    assert_silent_success(result)
    assert read_json(session_path(project, event["session_id"]))["prompt_count"] == 1


def test_cursor_payload_records_its_conversation_in_its_first_workspace_root(project, elsewhere):
    """Cursor's event: conversation_id is the session and the first workspace root the project; stdout says go on."""
    event = json.loads((PAYLOADS / "cursor-before-submit-prompt.json").read_text())
    event["workspace_roots"] = [str(project), str(elsewhere)]
    result = hook(json.dumps(event).encode(), cwd=elsewhere)
    assert result.returncode == 0 and result.stderr == b""
    assert json.loads(result.stdout) == {"continue": True}
    assert read_json(session_path(project, event["conversation_id"]))["prompt_count"] == 1


def test_editor_project_folder_below_the_project_is_searched_upward(project: Path, tmp_path: Path) -> None:
    """CLAUDE_PROJECT_DIR naming a subfolder of the project records the prompt in the project."""
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    result = hook(claude_payload(cwd=str(sub)), cwd=tmp_path, env={"CLAUDE_PROJECT_DIR": str(sub)})
    assert_silent_success(result)
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_editor_project_folder_not_opted_in_falls_back_to_the_event_cwd(project: Path, tmp_path: Path) -> None:
    """A CLAUDE_PROJECT_DIR without .synapse/ does not hide the opted-in project the agent works in."""
    other = tmp_path / "other"
    other.mkdir()
    result = hook(claude_payload(cwd=str(project)), cwd=tmp_path, env={"CLAUDE_PROJECT_DIR": str(other)})
    assert_silent_success(result)
    assert read_json(session_path(project, SID))["prompt_count"] == 1
    assert list(other.iterdir()) == []
