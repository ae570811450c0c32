"""Differential tests: the framework's real JavaScript modules and synapse write the same bytes.

The JavaScript side is ../shared/js-peer (run by tests/e2e/js/peer.js with node, never copied
here); the synapse side is the installed ``synapse`` (hook and commands) or, where a fixed clock
is needed for exact bytes, the core. Every batch of JavaScript scenarios runs in one node process.
Times differ between two real runs, so where both sides read the clock, timestamps (and only they)
are masked before comparing; everything else is compared byte for byte.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from synapse_cli.core.jsonio import dumps_js
from synapse_cli.core.project import init_project
from synapse_cli.core.sessions.store import new_session
from synapse_cli.core.state import state_path, update_state
from tests.support.paths import JS_WRITTEN, SHARED
from tests.support.run import claude_payload, run_synapse

NODE = shutil.which("node")
PEER = SHARED / "js-peer"
PEER_DRIVER = Path(__file__).resolve().parent / "js" / "peer.js"
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the JavaScript modules cannot be run")

_ISO = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"')
HOUR_MS = 3600 * 1000


def run_peer(scenarios: list[dict]) -> list[list]:
    """Run the scenarios through the JavaScript modules; return each step's result."""
    result = subprocess.run(
        [NODE, str(PEER_DRIVER), str(PEER)], input=json.dumps(scenarios).encode(), capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def masked(raw: bytes) -> bytes:
    """The bytes with every ISO timestamp replaced by one placeholder (after checking its form)."""
    return _ISO.sub(b'"<time>"', raw)


def synapse_ok(*args: str, cwd: Path, payload: bytes | None = None) -> subprocess.CompletedProcess:
    result = run_synapse(list(args), input=payload, cwd=cwd)
    assert result.returncode == 0, (args, result.stderr)
    return result


# ---------------------------------------------------------------- session files

SESSION_ID = "0d6c2f4e-6a51-4c3b-9b1e-7f0a2d9c8e41"
RICH_PATCH = (
    '{"title": "Add login — ünïcode 😀 \\u2028 cut \\ud83d", "active_task": "ctl \\u0000\\u0001\\u001f\\u007f \\"q\\" \\\\ /",'
    ' "overrides": {"b": 1, "10": "ten", "2": "two", "a": 0},'
    ' "context": {"last_tokens_used": 0.1, "neg_zero": -0, "neg_zero_f": -0.0, "e21": 1e21, "big": 1.5e300,'
    ' "small": 1e-7, "int_big": 12345678901234567890, "int_53": 9007199254740993, "int_e21": 1000000000000000000000},'
    ' "history": {"star_commands_used": ["*develop", "*develop", "*qa"], "agents_activated": ["dev"]},'
    ' "active_workflow": {"name": "story", "step": 2, "tags": ["x", 1, true, null]}}'
)
RICH_PATCH_2 = '{"history": {"star_commands_used": ["*qa", "*push"], "domains_loaded_last": ["L1"]}, "context": {"e21": 2e21}}'


class Sides:
    """One project for synapse and one sessions folder for JavaScript, with the same session files in them."""

    def __init__(self, tmp_path: Path, name: str):
        self.project = tmp_path / name / "project"
        self.project.mkdir(parents=True)
        init_project(str(self.project))
        self.synapse_dir = self.project / ".synapse" / "sessions"
        self.js_dir = tmp_path / name / "js" / "sessions"
        self.js_dir.mkdir(parents=True)

    def preset(self, session_id: str, **fields) -> None:
        session = new_session(session_id, str(self.project))
        session.update(fields)
        for folder in (self.synapse_dir, self.js_dir):
            (folder / f"{session_id}.json").write_text(dumps_js(session), encoding="utf-8")

    def prompt(self, session_id: str) -> None:
        synapse_ok("hook", "prompt-submit", cwd=self.project, payload=claude_payload(session_id=session_id, cwd=str(self.project)))

    def scenario(self, session_id: str, *steps: dict) -> dict:
        return {"dir": str(self.js_dir), "id": session_id, "steps": list(steps)}

    def pair(self, session_id: str) -> tuple[bytes, bytes]:
        return ((self.js_dir / f"{session_id}.json").read_bytes(), (self.synapse_dir / f"{session_id}.json").read_bytes())


def _activation(agent: str, quality: str) -> dict:
    return {"update": {"active_agent": {"id": agent, "activated_at": "2026-01-01T00:00:00.000Z", "activation_quality": quality},
                       "history": {"agents_activated": [agent]}}}


def test_sessions_written_by_synapse_equal_the_javascript_ones(tmp_path: Path) -> None:
    """Create, 1/2/5 prompts, the bracket at every threshold, activations of each quality, titles and rich patches
    (non-ASCII, emoji, 0.1, -0, 1e21, 1.5e300, big integers, integer-like keys, control characters, U+2028, a lone
    surrogate): synapse's file equals session-manager's byte for byte, timestamps masked."""
    sides = Sides(tmp_path, "sessions")
    root = str(sides.project)
    scenarios = [sides.scenario("created", {"create": root})]
    synapse_ok("hook", "session-start", cwd=sides.project, payload=claude_payload(session_id="created", cwd=root))
    for count in (1, 2, 5):
        scenarios.append(sides.scenario(f"p{count}", {"create": root}, *[{"prompt": True}] * count))
        for _ in range(count):
            sides.prompt(f"p{count}")
    # Issue 11 item 1: the bracket comes from the count loaded, before this prompt is counted.
    for count in (44, 45, 66, 67, 83, 84):
        sides.preset(f"b{count}", prompt_count=count)
        scenarios.append(sides.scenario(f"b{count}", {"prompt": True}))
        sides.prompt(f"b{count}")
    for quality in ("full", "partial", "fallback"):
        sides.preset(f"agent-{quality}", prompt_count=3)
        scenarios.append(sides.scenario(f"agent-{quality}", _activation("qa", quality)))
        synapse_ok("session", "update", f"agent-{quality}", "--agent", "qa", "--quality", quality, cwd=sides.project)
    # A second activation appends to the history; a title comes with it (one command, one JS update).
    title = "Add login page — ünïcode 😀"
    scenarios[-3]["steps"].append({"update": {**_activation("dev", "full")["update"], "title": title}})
    synapse_ok("session", "update", "agent-full", "--agent", "dev", "--title", title, cwd=sides.project)
    sides.preset("rich", prompt_count=7)
    scenarios.append(sides.scenario("rich", {"updateText": RICH_PATCH}, {"updateText": RICH_PATCH_2}, {"prompt": True}))
    synapse_ok("session", "update", "rich", "--patch", "-", cwd=sides.project, payload=RICH_PATCH.encode())
    synapse_ok("session", "update", "rich", "--patch", "-", cwd=sides.project, payload=RICH_PATCH_2.encode())
    sides.prompt("rich")

    assert all(all(step is not False and step is not None for step in steps) for steps in run_peer(scenarios))
    for scenario in scenarios:
        js, synapse = sides.pair(scenario["id"])
        assert masked(synapse) == masked(js), scenario["id"]
    assert b'"last_bracket": "FRESH"' in sides.pair("b44")[1] and b'"last_bracket": "MODERATE"' in sides.pair("b66")[1]
    rich = sides.pair("rich")[1].decode()
    assert '"int_big": 12345678901234567000' in rich and '"e21": 2e+21' in rich and "\\ud83d" in rich
    assert rich.index('"2": "two"') < rich.index('"10": "ten"') < rich.index('"b": 1')


def test_cross_writes_continue_each_other(tmp_path: Path) -> None:
    """A file JavaScript wrote, continued by synapse, equals the one JavaScript continues itself; and the other way
    round: JavaScript continuing synapse's file writes what it writes on its own file (timestamps masked)."""
    js_first = Sides(tmp_path, "js-first")
    root = str(js_first.project)
    ids = ("cross-plain", "cross-rich")
    first = [js_first.scenario(ids[0], {"create": root}, {"prompt": True}, {"prompt": True}),
             js_first.scenario(ids[1], {"create": root}, {"updateText": RICH_PATCH}, {"prompt": True})]
    run_peer(first)
    synapse_first = Sides(tmp_path, "synapse-first")
    for sid in ids:
        # synapse continues JavaScript's files in its project (the cwd in them is the first project's: kept as is).
        shutil.copy(js_first.js_dir / f"{sid}.json", synapse_first.synapse_dir / f"{sid}.json")
        shutil.copy(js_first.js_dir / f"{sid}.json", synapse_first.js_dir / f"{sid}.json")
        synapse_first.prompt(sid)
    second = [js_first.scenario(sid, {"prompt": True}, {"updateText": RICH_PATCH_2}) for sid in ids]
    second += [{"dir": str(synapse_first.synapse_dir), "id": sid, "steps": [{"updateText": RICH_PATCH_2}]} for sid in ids]
    second += [synapse_first.scenario(sid, {"prompt": True}, {"updateText": RICH_PATCH_2}) for sid in ids]
    assert all(all(second_steps) for second_steps in run_peer(second))
    for sid in ids:
        js_only = masked((js_first.js_dir / f"{sid}.json").read_bytes())
        assert masked((synapse_first.js_dir / f"{sid}.json").read_bytes()) == js_only  # the same steps, JS alone
        assert masked((synapse_first.synapse_dir / f"{sid}.json").read_bytes()) == js_only, sid  # synapse's prompt in the middle


def test_bridge_and_uap_metrics_equal_the_javascript_fixtures(tmp_path: Path) -> None:
    """The active-agent bridge and uap-metrics.json equal the files the activation pipeline wrote (fixtures)."""
    project = tmp_path / "project"
    project.mkdir()
    init_project(str(project))
    synapse_ok("session", "update", SESSION_ID, "--agent", "dev", "--quality", "full", cwd=project)
    bridge = (project / ".synapse" / "sessions" / "_active-agent.json").read_bytes()
    assert masked(bridge) == masked((JS_WRITTEN / "active-agent.json").read_bytes())
    fixture = (JS_WRITTEN / "uap-metrics.json").read_bytes()
    loaders = json.loads(fixture)["loaders"]
    loaders["agentConfig"].update(start=1.5, end=8.5)  # the pipeline's input carries these; the file does not
    data = {**json.loads(fixture), "loaders": loaders}
    synapse_ok("metrics", "persist", "--kind", "uap", "-", cwd=project, payload=json.dumps(data).encode())
    assert (project / ".synapse" / "metrics" / "uap-metrics.json").read_bytes() == fixture


# ---------------------------------------------------------------- .aios/session-state.json

def _state_file(root: Path, data: dict) -> None:
    path = Path(state_path(str(root)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_js(data), encoding="utf-8")


def _preset_state(now_ms: int, **fields) -> dict:
    state = {"sessionId": "session-1764170000000-abc123xyz", "startTime": 1764170000000, "lastActivity": now_ms - 60_000,
             "workflowActive": None, "workflowState": None, "lastCommands": [], "agentSequence": [], "taskHistory": [],
             "currentStory": None}
    state.update(fields)
    return state


TASKS = [
    ("develop", {"success": True, "agentId": "dev", "storyPath": "docs/stories/1.1.md"}),
    ("*review-qa", {"success": False}),
    ("Create-Story", {"success": True, "agentId": "sm"}),
    ("run-tests", {"success": True, "storyPath": ""}),
    ("*", {"success": False, "agentId": ""}),
    ("DB-Apply-Migration", {"success": True, "storyPath": "docs/stories/2.1.md"}),
]


def _synapse_task(root: Path, name: str, result: dict, now_ms: int) -> None:
    update_state(str(root), task=name, task_success=result["success"], agent_id=result.get("agentId"),
                 story=result.get("storyPath"), now_ms=now_ms, fsync=False)


def test_session_state_equals_context_loader_with_a_fixed_clock(tmp_path: Path) -> None:
    """Activations, task completions (onTaskComplete: *task command, given values only, currentStory, inferred
    workflow), the 10/20/20 caps and JavaScript's `||` defaults ("" and 0) give exactly the loader's bytes."""
    now = int(time.time() * 1000)
    cases = {
        "tasks": (_preset_state(now, currentStory="docs/old.md", agentSequence=[{"agentId": "po", "agentName": "Pax",
                                                                                 "activatedAt": now - 9, "lastCommand": None}]),
                  [{"task": list(task)} for task in TASKS]),
        "caps": (_preset_state(now), [{"activate": [f"a{i}", f"A{i}", f"*c{i}"]} for i in range(23)]
                 + [{"task": [f"t{i}", {"success": i % 3 != 0}]} for i in range(22)]),
        "falsy": (_preset_state(now, startTime=0, workflowActive="", workflowState="", currentStory=""),
                  [{"activate": ["dev", "Dex", None]}]),
        "falsy-task": (_preset_state(now, startTime=0, workflowActive="", currentStory=""),
                       [{"task": ["run-tests", {"success": True}]}]),
        "no-session-id": (_preset_state(now, sessionId=""), [{"activate": ["dev", "Dex", "*develop"]}]),
    }
    scenarios = []
    for name, (preset, steps) in cases.items():
        for side in ("js", "synapse"):
            _state_file(tmp_path / name / side, preset)
        for offset, step in enumerate(steps, start=1):
            step["now"] = now + offset
            if "activate" in step:
                agent, agent_name, command = step["activate"]
                update_state(str(tmp_path / name / "synapse"), agent_id=agent, agent_name=agent_name, command=command,
                             now_ms=step["now"], fsync=False)
            else:
                _synapse_task(tmp_path / name / "synapse", *step["task"], now_ms=step["now"])
        scenarios.append({"path": state_path(str(tmp_path / name / "js")), "steps": steps})
    assert all(all(steps) for steps in run_peer(scenarios))
    differing = []
    for name in cases:
        js = Path(state_path(str(tmp_path / name / "js"))).read_bytes()
        synapse = Path(state_path(str(tmp_path / name / "synapse"))).read_bytes()
        if name == "no-session-id":  # both draw a new random id: same shape, then compared without it
            ids = [json.loads(raw)["sessionId"] for raw in (js, synapse)]
            assert all(re.fullmatch(rf"session-{now + 1}-[0-9a-z]{{9}}", sid) for sid in ids), ids
            js, synapse = js.replace(ids[0].encode(), b"<id>"), synapse.replace(ids[1].encode(), b"<id>")
        if synapse != js:
            differing.append((name, js.decode(), synapse.decode()))
    assert differing == []
    falsy = json.loads(Path(state_path(str(tmp_path / "falsy" / "synapse"))).read_text())
    assert falsy["startTime"] == now + 1 and falsy["workflowActive"] is None and falsy["currentStory"] is None


def test_session_state_cross_writes_continue_each_other(tmp_path: Path) -> None:
    """A state JavaScript started, continued by synapse, equals JavaScript continuing it; a state synapse started,
    continued by JavaScript, equals synapse continuing it (fixed clock: exact bytes)."""
    now = int(time.time() * 1000)
    paths = {name: state_path(str(tmp_path / name)) for name in ("js-start", "js-then-synapse", "js-then-js",
                                                               "synapse-start", "synapse-then-js")}
    run_peer([{"path": paths["js-start"], "steps": [{"activate": ["dev", "Dex", "*develop"], "now": now}]}])
    update_state(str(tmp_path / "synapse-start"), agent_id="qa", agent_name="Quinn", command="*review", now_ms=now, fsync=False)
    for source, copies in (("js-start", ("js-then-synapse", "js-then-js")), ("synapse-start", ("synapse-then-js",))):
        for copy in copies:
            Path(paths[copy]).parent.mkdir(parents=True)
            shutil.copy(paths[source], paths[copy])
    task = ["review-qa", {"success": True, "agentId": "qa", "storyPath": "docs/stories/3.2.md"}]
    run_peer([{"path": paths[name], "steps": [{"task": task, "now": now + 5}]} for name in ("js-then-js", "synapse-then-js")])
    for name in ("js-then-synapse", "synapse-start"):
        _synapse_task(tmp_path / name, *task, now_ms=now + 5)
    assert Path(paths["js-then-synapse"]).read_bytes() == Path(paths["js-then-js"]).read_bytes()
    assert Path(paths["synapse-then-js"]).read_bytes() == Path(paths["synapse-start"]).read_bytes()


def test_state_update_task_command_equals_on_task_complete(tmp_path: Path) -> None:
    """`synapse state update --task X --success|--failure [--agent] [--story]` writes what onTaskComplete writes."""
    start = int(time.time() * 1000)
    js_root, synapse_root = tmp_path / "js", tmp_path / "synapse"
    preset = _preset_state(start, currentStory="docs/old.md")
    for root in (js_root, synapse_root):
        _state_file(root, preset)
        root.joinpath(".synapse").mkdir()
    runs = [(["--task", "develop", "--success", "--agent", "dev", "--story", "docs/stories/1.1.md"], TASKS[0]),
            (["--task", "*review-qa", "--failure"], TASKS[1]),
            (["--task", "create-doc", "--success", "--agent", "pm"], ("create-doc", {"success": True, "agentId": "pm"}))]
    for args, _ in runs:
        synapse_ok("state", "update", *args, cwd=synapse_root)
    assert all(run_peer([{"path": state_path(str(js_root)), "steps": [{"task": list(task)} for _, task in runs]}])[0])

    def clock_masked(raw: bytes) -> bytes:  # both sides read the real clock: times from this test's start on are "now"
        return re.sub(rb"\b1\d{12}\b", lambda m: b"<now>" if int(m.group()) >= start else m.group(), raw)

    js = Path(state_path(str(js_root))).read_bytes()
    assert clock_masked(Path(state_path(str(synapse_root))).read_bytes()) == clock_masked(js)
    assert b'"workflowActive": "documentation_workflow"' in js


# ---------------------------------------------------------------- cleanup

def test_cleanup_never_deletes_what_javascript_cannot_parse(tmp_path: Path) -> None:
    """Stale files: JSON both remove; a UTF-8 BOM, NaN, Infinity or trailing garbage JSON.parse refuses, so JS keeps
    them and synapse keeps them too (reported corrupt). The one documented difference: a date only JavaScript's lenient
    parser reads ("Jan 1, 2020") is removed by JS and kept by synapse."""
    sides = Sides(tmp_path, "clean")
    old = time.time() - 400 * 3600
    stale = dumps_js(new_session("x", str(sides.project), now=old))
    files = {
        "plain": stale.encode(),
        "bom": b"\xef\xbb\xbf" + stale.encode(),
        "nan": stale.replace('"prompt_count": 0', '"prompt_count": NaN').encode(),
        "infinity": stale.replace('"prompt_count": 0', '"prompt_count": -Infinity').encode(),
        "garbage": stale.encode() + b" x",
        "fresh": dumps_js(new_session("y", str(sides.project))).encode(),
        "lenient-date": stale.replace(stale[stale.index('"last_activity": "') + 18:][:24], "Jan 1, 2020").encode(),
    }
    for name, raw in files.items():
        for folder in (sides.synapse_dir, sides.js_dir):
            (folder / f"{name}.json").write_bytes(raw)
            os.utime(folder / f"{name}.json", (old, old))
    os.utime(sides.synapse_dir / "fresh.json", None)
    run_peer([sides.scenario("any", {"clean": 168})])
    result = synapse_ok("session", "clean", "--json", cwd=sides.project)
    js_kept = {p.stem for p in sides.js_dir.glob("*.json")}
    synapse_kept = {p.stem for p in sides.synapse_dir.glob("*.json")}
    assert js_kept == {"bom", "nan", "infinity", "garbage", "fresh"}
    assert synapse_kept == js_kept | {"lenient-date"}
    report = json.loads(result.stdout)
    assert set(report["corrupt"]) >= {"bom", "nan", "infinity", "garbage"}
    for name in ("bom", "nan", "infinity", "garbage"):
        assert (sides.synapse_dir / f"{name}.json").read_bytes() == files[name]
