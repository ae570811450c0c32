"""``synapse hook prompt-submit`` with each agent's event (Claude Code, Codex, Gemini CLI, Cursor), as a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.files import log_text, make_project, read_json, snapshot
from tests.support.paths import PAYLOADS
from tests.support.run import run_synapse
from tests.support.sessions import session_path

AGENTS = ("claude", "codex", "gemini", "cursor")
FIXTURE = {
    "claude": "claude-user-prompt-submit.json",
    "codex": "codex-user-prompt-submit.json",
    "gemini": "gemini-before-agent.json",
    "cursor": "cursor-before-submit-prompt.json",
}
CONTINUE = b'{"continue": true}\n'


def event(agent: str, project: Path | str | None = None, **changes) -> dict:
    """The agent's fixture event with its folder (cwd, or Cursor's workspace_roots) pointed at ``project``."""
    data = json.loads((PAYLOADS / FIXTURE[agent]).read_text())
    if project is not None:
        if agent == "cursor":
            data["workspace_roots"] = [str(project)]
        else:
            data["cwd"] = str(project)
    data.update(changes)
    return data


def session_id(agent: str) -> str:
    data = event(agent)
    return data["conversation_id"] if agent == "cursor" else data["session_id"]


def submit(payload, *, cwd: Path, agent: str | None = None, env: dict | None = None):
    """Run ``synapse hook prompt-submit [--agent A]`` with ``payload`` (a dict, or raw bytes) on stdin."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    args = ["hook", "prompt-submit"] + (["--agent", agent] if agent else [])
    return run_synapse(args, input=raw, cwd=cwd, env=env)


def assert_contract(result, agent: str) -> None:
    """Exit 0, nothing on stderr; stdout empty for Claude, Codex and Gemini, exactly ``{"continue": true}`` for Cursor."""
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stderr == b"", result.stderr
    if agent == "cursor":
        assert result.stdout == CONTINUE, result.stdout
        assert json.loads(result.stdout) == {"continue": True}
    else:
        assert result.stdout == b"", result.stdout


def assert_recorded_only_in(agent: str, project: Path, *, not_in: Path) -> None:
    """The agent's session file is in ``project`` and not in the other project ``not_in``."""
    assert session_path(project, session_id(agent)).exists()
    assert not session_path(not_in, session_id(agent)).exists()


@pytest.mark.parametrize("forced", [False, True], ids=["recognised", "forced"])
@pytest.mark.parametrize("agent", AGENTS)
def test_each_agents_event_records_one_prompt(project, elsewhere, agent, forced):
    """Each agent's real-shaped event, run from an unrelated folder, records the session with prompt_count 1 and follows the agent's output contract."""
    result = submit(event(agent, project), cwd=elsewhere, agent=agent if forced else None)
    assert_contract(result, agent)
    session = read_json(session_path(project, session_id(agent)))
    assert session["uuid"] == session_id(agent)
    assert session["prompt_count"] == 1
    assert session["cwd"] == str(project) and session["label"] == "project"
    assert session["context"]["last_bracket"] == "FRESH"
    assert [p.name for p in (project / ".synapse" / "sessions").glob("*.json")] == [f"{session_id(agent)}.json"]
    assert not (elsewhere / ".synapse").exists()
    assert log_text(project).count("WARNING") == 0


@pytest.mark.parametrize("agent", AGENTS)
def test_each_agents_second_prompt_counts_two(project, elsewhere, agent):
    """The same agent session sending two prompts (from a subfolder of the project) ends with prompt_count 2 in one file."""
    (project / "src" / "deep").mkdir(parents=True)
    for _ in range(2):
        assert_contract(submit(event(agent, project / "src" / "deep"), cwd=elsewhere), agent)
    assert read_json(session_path(project, session_id(agent)))["prompt_count"] == 2


def test_four_agents_write_sessions_of_the_same_shape(project, elsewhere):
    """Sessions created by the four agents have the same keys, the same value types and the same nested keys."""
    shapes = {}
    for agent in AGENTS:
        assert_contract(submit(event(agent, project), cwd=elsewhere), agent)
        session = read_json(session_path(project, session_id(agent)))
        shapes[agent] = {
            key: (type(value).__name__, sorted(value) if isinstance(value, dict) else None) for key, value in session.items()
        }
        assert session["prompt_count"] == 1 and session["schema_version"] == "2.0"
        assert session["context"]["last_bracket"] == "FRESH"
    assert len({json.dumps(shape, sort_keys=True) for shape in shapes.values()}) == 1, shapes
    assert list(read_json(session_path(project, session_id("cursor")))) == list(read_json(session_path(project, session_id("claude"))))


@pytest.mark.parametrize("agent", ["codex", "gemini", "cursor"])
def test_recognised_agent_matches_its_forced_run(tmp_path, elsewhere, agent):
    """Recognising the agent from the event gives the same session fields as forcing it with --agent."""
    recognised, forced = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    assert_contract(submit(event(agent, recognised), cwd=elsewhere), agent)
    assert_contract(submit(event(agent, forced), cwd=elsewhere, agent=agent), agent)
    one = read_json(session_path(recognised, session_id(agent)))
    two = read_json(session_path(forced, session_id(agent)))
    for key in ("started", "last_activity", "cwd", "label"):
        one.pop(key), two.pop(key)
    assert one == two


# -- where the project is --------------------------------------------------------


def test_gemini_project_dir_is_honoured(project, elsewhere):
    """Gemini's event is recorded in $GEMINI_PROJECT_DIR even when its cwd is outside any project."""
    result = submit(event("gemini", elsewhere), cwd=elsewhere, env={"GEMINI_PROJECT_DIR": str(project)})
    assert_contract(result, "gemini")
    assert read_json(session_path(project, session_id("gemini")))["prompt_count"] == 1
    assert not (elsewhere / ".synapse").exists()


def test_gemini_project_dir_wins_over_the_events_cwd(tmp_path, elsewhere):
    """With cwd inside project B and $GEMINI_PROJECT_DIR naming project A, Gemini's prompt is recorded in A only."""
    a, b = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    assert_contract(submit(event("gemini", b), cwd=elsewhere, env={"GEMINI_PROJECT_DIR": str(a)}), "gemini")
    assert_recorded_only_in("gemini", a, not_in=b)


def test_gemini_project_dir_is_used_with_forced_agent_for_other_event_names(tmp_path, elsewhere):
    """With --agent gemini an event without BeforeAgent's name (e.g. Gemini's SessionStart shape) still uses $GEMINI_PROJECT_DIR."""
    a, b = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    payload = event("gemini", b, hook_event_name="SessionStart")
    assert_contract(submit(payload, cwd=elsewhere, agent="gemini", env={"GEMINI_PROJECT_DIR": str(a)}), "gemini")
    assert_recorded_only_in("gemini", a, not_in=b)


def test_gemini_project_dir_does_not_redirect_claude(tmp_path, elsewhere):
    """$GEMINI_PROJECT_DIR is Gemini's: a Claude event is still recorded in the project of its cwd."""
    a, b = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    assert_contract(submit(event("claude", b), cwd=elsewhere, env={"GEMINI_PROJECT_DIR": str(a)}), "claude")
    assert_recorded_only_in("claude", b, not_in=a)


def test_cursor_uses_the_first_workspace_root(tmp_path, elsewhere):
    """Cursor's prompt is recorded in the first of several workspace roots only."""
    a, b = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    payload = event("cursor", workspace_roots=[str(a / "sub"), str(b)])
    (a / "sub").mkdir()
    assert_contract(submit(payload, cwd=elsewhere), "cursor")
    assert read_json(session_path(a, session_id("cursor")))["cwd"] == str(a)
    assert not session_path(b, session_id("cursor")).exists()


def test_cursor_ignores_claude_project_dir(tmp_path, elsewhere):
    """A $CLAUDE_PROJECT_DIR left in the environment does not redirect Cursor's prompt away from its workspace root."""
    a, b = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    assert_contract(submit(event("cursor", a), cwd=elsewhere, env={"CLAUDE_PROJECT_DIR": str(b)}), "cursor")
    assert_recorded_only_in("cursor", a, not_in=b)


def test_codex_event_with_null_transcript_and_extra_fields(project, elsewhere):
    """Codex's event (transcript_path null, turn_id, model, unknown fields) is recorded like Claude's."""
    payload = event("codex", project, future_field={"x": [1]}, transcript_path=None)
    assert_contract(submit(payload, cwd=elsewhere), "codex")
    assert read_json(session_path(project, session_id("codex")))["prompt_count"] == 1


# -- Cursor's output contract when things go wrong -------------------------------


def _cursor_failures(project: Path, bare: Path) -> dict[str, bytes]:
    good = event("cursor", project)
    return {
        "not-json": b'{"conversation_id": ',
        "empty": b"",
        "json-array": b"[1, 2]",
        "not-utf8": b'{"conversation_id": "\xff"}',
        "no-conversation-id": json.dumps({k: v for k, v in good.items() if k != "conversation_id"}).encode(),
        "unsafe-conversation-id": json.dumps({**good, "conversation_id": "../../etc/passwd"}).encode(),
        "conversation-id-not-a-string": json.dumps({**good, "conversation_id": 42}).encode(),
        "workspace-roots-not-a-list": json.dumps({**good, "workspace_roots": str(project)}).encode(),
        "not-opted-in": json.dumps(event("cursor", bare)).encode(),
    }


@pytest.mark.parametrize(
    "case",
    ["not-json", "empty", "json-array", "not-utf8", "no-conversation-id", "unsafe-conversation-id",
     "conversation-id-not-a-string", "workspace-roots-not-a-list", "not-opted-in"],
)
def test_cursor_always_answers_continue_true(project, tmp_path, elsewhere, case):
    """With --agent cursor, a bad event or a project that has not opted in still gets exactly {"continue": true}, exit 0, and records nothing."""
    bare = tmp_path / "bare"
    bare.mkdir()
    payload = _cursor_failures(project, bare)[case]
    before = snapshot(tmp_path)
    result = submit(payload, cwd=elsewhere, agent="cursor")
    assert_contract(result, "cursor")
    assert b"false" not in result.stdout
    assert snapshot(tmp_path) == before
    assert not (bare / ".synapse").exists()


def test_cursor_recognised_without_agent_in_a_project_that_has_not_opted_in(tmp_path, elsewhere):
    """A Cursor event recognised without --agent, for a folder without .synapse/, answers {"continue": true} and creates nothing."""
    bare = tmp_path / "bare"
    bare.mkdir()
    before = snapshot(tmp_path, skip_cache=False)
    assert_contract(submit(event("cursor", bare), cwd=elsewhere), "cursor")
    assert snapshot(tmp_path, skip_cache=False) == before


def test_cursor_bad_event_is_logged_in_the_project(project):
    """With --agent cursor and an event that is not JSON, run inside the project, the problem goes to the log, not to stdout."""
    result = submit(b"{nope", cwd=project, agent="cursor")
    assert_contract(result, "cursor")
    assert "not valid JSON" in log_text(project)


def test_cursor_debug_keeps_stdout_to_the_single_answer(project, elsewhere):
    """With --debug, Cursor's stdout is still exactly one JSON object; diagnostics go to stderr."""
    result = run_synapse(["hook", "prompt-submit", "--agent", "cursor", "--debug"], input=json.dumps(event("cursor", project)).encode(), cwd=elsewhere)
    assert result.returncode == 0
    assert result.stdout == CONTINUE
    assert b"DEBUG" in result.stderr


@pytest.mark.parametrize("agent", ["claude", "codex", "gemini"])
@pytest.mark.parametrize("payload", [b"", b"not json", b'{"session_id": "../x", "cwd": "/"}'], ids=["empty", "not-json", "unsafe-id"])
def test_other_agents_print_nothing_on_bad_events(project, agent, payload):
    """Claude, Codex and Gemini get nothing on stdout and exit 0 for a bad event (Gemini's stdout must be JSON or nothing)."""
    before = snapshot(project)
    result = submit(payload, cwd=project, agent=agent)
    assert_contract(result, agent)
    assert snapshot(project) == before


def test_unknown_agent_option_falls_back_to_recognition(project, elsewhere):
    """An unknown --agent value is logged and the event's own agent is recognised: Cursor's event still gets its answer and is recorded."""
    result = submit(event("cursor", project), cwd=elsewhere, agent="vscode")
    assert_contract(result, "cursor")
    assert read_json(session_path(project, session_id("cursor")))["prompt_count"] == 1
    assert "unknown --agent 'vscode'" in log_text(project)


def test_cursor_event_without_its_event_name_is_still_recognised(project, elsewhere):
    """A Cursor event lacking hook_event_name is recognised by conversation_id / workspace_roots: answered and recorded."""
    payload = event("cursor", project)
    del payload["hook_event_name"]
    assert_contract(submit(payload, cwd=elsewhere), "cursor")
    assert read_json(session_path(project, session_id("cursor")))["prompt_count"] == 1


def test_cursor_gets_its_answer_even_on_a_usage_error(project: Path, tmp_path: Path) -> None:
    """``--agent cursor`` with a bad option still answers {"continue": true} and exits 0."""
    event = {"conversation_id": "c1", "workspace_roots": [str(project)], "hook_event_name": "beforeSubmitPrompt"}
    result = run_synapse(["hook", "prompt-submit", "--agent", "cursor", "--bogus"], input=json.dumps(event).encode(), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == b""
    assert json.loads(result.stdout) == {"continue": True}
