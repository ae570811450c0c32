"""``synapse hook prompt-submit`` through the Typer app (the path for --help and unusual command lines)."""

from __future__ import annotations

import json

from tests.support.files import file_contents, read_json, snapshot
from tests.support.paths import SID
from tests.support.run import PROMPT, claude_payload
from tests.support.sessions import session_path, write_session


def test_hook_records_the_prompt_from_the_given_stdin(cli, project):
    """The Typer hook command reads the event passed as stdin and counts one prompt, silently."""
    result = cli(project, "hook", "prompt-submit", input=claude_payload(cwd=str(project)))
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == 1 and session["context"]["last_bracket"] == "FRESH"


def test_hook_debug_after_the_command_is_accepted(cli, project):
    """``hook prompt-submit --debug`` (accepted by the fast path) is accepted by Typer too and prints diagnostics on stderr."""
    result = cli(project, "hook", "prompt-submit", "--debug", input=claude_payload(cwd=str(project)))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "DEBUG" in result.stderr and "prompt 1 recorded" in result.stderr
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_hook_bad_json_exits_0_and_records_nothing(cli, project):
    """A payload that is not JSON exits 0, prints nothing, records nothing and is logged."""
    result = cli(project, "hook", "prompt-submit", input=b'{"session_id": ')
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert not session_path(project, SID).exists()
    assert "not valid JSON" in (project / ".synapse" / "cache" / "synapse.log").read_text()


def test_hook_outside_a_project_creates_nothing(cli, tmp_path, monkeypatch):
    """In a folder without .synapse/ the hook exits 0 and creates no file at all."""
    bare = tmp_path / "bare"
    bare.mkdir()
    monkeypatch.chdir(bare)
    before = snapshot(tmp_path, skip_cache=False)
    result = cli(None, "hook", "prompt-submit", input=claude_payload(cwd=str(bare)))
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert snapshot(tmp_path, skip_cache=False) == before
    assert not (bare / ".synapse").exists()


def test_hook_uses_claude_project_dir(cli, project, tmp_path, monkeypatch):
    """Through Typer too, the hook acts on $CLAUDE_PROJECT_DIR when it is set."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = cli(None, "hook", "prompt-submit", input=claude_payload(cwd=str(elsewhere)), env={"CLAUDE_PROJECT_DIR": str(project)})
    assert result.exit_code == 0
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_hook_never_writes_the_prompt_text(cli, project):
    """After prompts (debug on, one corrupt file, one bad id) the prompt text appears in no file of the project."""
    write_session(project, "other")
    session_path(project, SID).write_text("{corrupt")
    for args, payload in [
        (["hook", "prompt-submit", "--debug"], claude_payload(cwd=str(project))),
        (["--debug", "hook", "prompt-submit"], claude_payload(cwd=str(project))),
        (["hook", "prompt-submit"], claude_payload(cwd=str(project), session_id="../bad")),
        (["hook", "prompt-submit"], claude_payload(cwd=str(project))[:-5]),
    ]:
        result = cli(project, *args, input=payload)
        assert result.exit_code == 0 and result.stdout == ""
        assert PROMPT not in result.stderr
    files = file_contents(project)
    assert ".synapse/cache/synapse.log" in files
    for name, data in files.items():
        assert PROMPT.encode() not in data, name
    assert json.loads(files[f".synapse/sessions/{SID}.json"])["prompt_count"] == 2
