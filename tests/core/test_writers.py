"""The other state files: bridge, .aios/session-state.json, metrics and .synapse/.gitignore match the JS side."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from synapse_cli.core.bridge import bridge_path, write_active_agent
from synapse_cli.core.errors import (
    InvalidInputError,
    StateFileAccessError,
    SynapseError,
)
from synapse_cli.core.jsonio import dumps_js
from synapse_cli.core.metrics import metrics_path, persist_metrics
from synapse_cli.core.project import ensure_gitignore, init_project
from synapse_cli.core.state import read_state, state_path, update_state
from tests.support.files import unwritable
from tests.support.paths import JS_WRITTEN

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def fixture(name: str) -> dict:
    return json.loads((JS_WRITTEN / name).read_text(encoding="utf-8"))


# -- bridge ------------------------------------------------------------------------------------


def test_bridge_matches_fixture(sessions_dir: Path) -> None:
    """_active-agent.json has the fixture's keys in its order, source 'uap', and its exact bytes for the same values."""
    expected = fixture("active-agent.json")
    record = write_active_agent(str(sessions_dir), "dev", "full", activated_at=expected["activated_at"])
    written = (sessions_dir / "_active-agent.json").read_text(encoding="utf-8")
    assert written == (JS_WRITTEN / "active-agent.json").read_text(encoding="utf-8")
    assert record == expected and record["source"] == "uap"
    fresh = write_active_agent(str(sessions_dir), "qa", "partial")
    assert list(fresh) == list(expected) and ISO_MS_Z.match(fresh["activated_at"])
    assert json.loads(Path(bridge_path(str(sessions_dir))).read_text()) == fresh


def test_bridge_refuses_bad_input(sessions_dir: Path) -> None:
    """An empty agent id or an unknown quality is refused and the existing bridge file kept."""
    write_active_agent(str(sessions_dir), "dev")
    before = (sessions_dir / "_active-agent.json").read_bytes()
    for args in (("",), ("dev", "excellent"), (None,)):
        with pytest.raises(InvalidInputError):
            write_active_agent(str(sessions_dir), *args)  # type: ignore[arg-type]
    assert (sessions_dir / "_active-agent.json").read_bytes() == before


# -- .aios/session-state.json -------------------------------------------------------------------------


def test_state_shape_and_order_match_fixture(tmp_path: Path) -> None:
    """A new state has the fixture's keys in its order, epoch-ms ints and a JS-shaped sessionId."""
    now_ms = int(time.time() * 1000)
    state = update_state(str(tmp_path), command="*develop", agent_id="dev", agent_name="Dex", story="docs/s.md")
    written = json.loads(Path(state_path(str(tmp_path))).read_text())
    assert list(written) == list(fixture("session-state.json"))
    assert written == state
    for key in ("startTime", "lastActivity"):
        assert type(written[key]) is int and abs(written[key] - now_ms) < 60_000
    assert re.match(r"^session-\d{13}-[0-9a-z]{9}$", written["sessionId"])
    assert list(written["agentSequence"][0]) == list(fixture("session-state.json")["agentSequence"][0])
    assert type(written["agentSequence"][0]["activatedAt"]) is int


def test_state_caps(tmp_path: Path) -> None:
    """lastCommands keeps the newest 10, agentSequence and taskHistory the newest 20."""
    for i in range(15):
        update_state(str(tmp_path), command=f"cmd{i}")
    state = read_state(str(tmp_path))
    assert state["lastCommands"] == [f"cmd{i}" for i in range(5, 15)]
    for i in range(25):
        update_state(str(tmp_path), agent_id=f"a{i}")
        update_state(str(tmp_path), agent_id=f"a{i}", task=f"t{i}", task_success=i % 2 == 0)
    state = read_state(str(tmp_path))
    assert state["lastCommands"] == [f"*t{i}" for i in range(15, 25)]
    assert [a["agentId"] for a in state["agentSequence"]] == [f"a{i}" for i in range(5, 25)]
    assert [t["task"] for t in state["taskHistory"]] == [f"t{i}" for i in range(5, 25)]
    assert list(state["taskHistory"][0]) == list(fixture("session-state.json")["taskHistory"][0])
    assert state["taskHistory"][-1]["success"] is True and state["taskHistory"][-2]["success"] is False


def test_state_unknown_keys_dropped(tmp_path: Path) -> None:
    """Keys outside the fixed shape are dropped on write."""
    data = fixture("session-state.json")
    data["lastActivity"] = int(time.time() * 1000) - 60_000
    data["extra"] = {"from": "somewhere"}
    path = Path(state_path(str(tmp_path)))
    path.parent.mkdir()
    path.write_text(json.dumps(data))
    state = update_state(str(tmp_path), command="x")
    assert "extra" not in state and "extra" not in json.loads(path.read_text())
    assert list(state) == list(fixture("session-state.json"))


def test_fresh_fixture_state_keeps_identity(tmp_path: Path) -> None:
    """Updating the JS-written state within the hour keeps sessionId, startTime and history, and appends the command."""
    data = fixture("session-state.json")
    now_ms = int(time.time() * 1000)
    data["lastActivity"] = now_ms - 5 * 60_000
    path = Path(state_path(str(tmp_path)))
    path.parent.mkdir()
    path.write_text(dumps_js(data))
    state = update_state(str(tmp_path), command="*qa-gate", now_ms=now_ms)
    assert state["sessionId"] == data["sessionId"] and state["startTime"] == data["startTime"]
    assert state["lastActivity"] == now_ms
    assert state["lastCommands"] == ["develop", "*develop", "*qa-gate"]
    assert state["taskHistory"] == data["taskHistory"] and state["agentSequence"] == data["agentSequence"]
    assert state["currentStory"] == data["currentStory"]
    assert path.read_text() == dumps_js(state)


def test_expired_state_restarted(tmp_path: Path) -> None:
    """A state whose lastActivity is more than an hour old is replaced by a new session's state."""
    data = fixture("session-state.json")
    now_ms = int(time.time() * 1000)
    data["lastActivity"] = now_ms - 61 * 60_000
    path = Path(state_path(str(tmp_path)))
    path.parent.mkdir()
    path.write_text(dumps_js(data))
    state = update_state(str(tmp_path), command="*help", now_ms=now_ms)
    assert state["sessionId"] != data["sessionId"]
    assert state["startTime"] == now_ms == state["lastActivity"]
    assert state["lastCommands"] == ["*help"] and state["taskHistory"] == [] and state["currentStory"] is None


def test_state_patch_validation(tmp_path: Path) -> None:
    """A patch with an unknown key or a wrong type is refused and leaves the file as it was."""
    update_state(str(tmp_path), command="a")
    path = Path(state_path(str(tmp_path)))
    before = path.read_bytes()
    for patch in ({"bogus": 1}, {"startTime": "yesterday"}, {"lastCommands": "x"}, {"startTime": True}):
        with pytest.raises(InvalidInputError):
            update_state(str(tmp_path), patch=patch)
    with pytest.raises(InvalidInputError):
        update_state(str(tmp_path), task="t")  # a task needs an outcome
    assert path.read_bytes() == before
    assert update_state(str(tmp_path), patch={"currentStory": None, "workflowActive": "wf"})["workflowActive"] == "wf"


def test_corrupt_state_set_aside(tmp_path: Path) -> None:
    """A corrupt session-state.json is moved aside (not destroyed) and a fresh state written."""
    path = Path(state_path(str(tmp_path)))
    path.parent.mkdir()
    path.write_bytes(b"{broken")
    state = update_state(str(tmp_path), command="x")
    asides = [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
    assert len(asides) == 1 and asides[0].read_bytes() == b"{broken"
    assert state["lastCommands"] == ["x"]


def test_state_folder_problems_are_synapse_errors(tmp_path: Path) -> None:
    """When .aios cannot hold the state (a file in its place, or a folder refusing new files) update_state raises a SynapseError."""
    (tmp_path / ".aios").write_text("not a folder")
    with pytest.raises(StateFileAccessError) as info:
        update_state(str(tmp_path), command="x")
    assert "session-state.json" in str(info.value)
    other = tmp_path / "other"
    (other / ".aios").mkdir(parents=True)
    with unwritable(other / ".aios"):
        with pytest.raises(SynapseError):
            update_state(str(other), command="x")
    assert list((other / ".aios").iterdir()) == []


# -- metrics -----------------------------------------------------------------------------------------


def test_uap_metrics_normalised(tmp_path: Path) -> None:
    """uap metrics keep the fixture's shape: extra loader keys dropped, unknown status becomes 'unknown'."""
    synapse_dir = tmp_path / ".synapse"
    data = fixture("uap-metrics.json")
    data["loaders"]["agentConfig"].update({"start": 1.5, "end": 8.5})
    data["loaders"]["gitConfig"]["status"] = "exploded"
    data["extraTopLevel"] = 1
    record = persist_metrics(str(synapse_dir), "uap", data)
    written = json.loads(Path(metrics_path(str(synapse_dir), "uap")).read_text())
    assert written == record
    assert list(written) == list(fixture("uap-metrics.json"))
    assert written["loaders"]["agentConfig"] == {"duration": 7, "status": "ok"}
    assert written["loaders"]["gitConfig"]["status"] == "unknown"
    assert written["requireChainMs"] == 56.925407 and written["timestamp"] == "2026-11-26T15:16:42.940Z"


def test_uap_metrics_fixture_round_trips(tmp_path: Path) -> None:
    """Persisting the JS-written uap metrics gives its exact bytes."""
    synapse_dir = tmp_path / ".synapse"
    persist_metrics(str(synapse_dir), "uap", fixture("uap-metrics.json"))
    assert Path(metrics_path(str(synapse_dir), "uap")).read_bytes() == (JS_WRITTEN / "uap-metrics.json").read_bytes()


def test_hook_metrics_shape(tmp_path: Path) -> None:
    """hook metrics have the documented keys in order; perLayer entries keep duration, status and rules only."""
    synapse_dir = tmp_path / ".synapse"
    record = persist_metrics(str(synapse_dir), "hook", {
        "totalDuration": 12.5, "hookBootMs": 3.25, "bracket": "FRESH", "layersLoaded": 2, "layersSkipped": 1,
        "layersErrored": 0, "totalRules": 9,
        "perLayer": {"constitution": {"duration": 1.5, "status": "ok", "rules": 4, "start": 0}, "x": {"status": "weird"}},
    })
    assert list(record) == ["totalDuration", "hookBootMs", "bracket", "layersLoaded", "layersSkipped",
                            "layersErrored", "totalRules", "perLayer", "timestamp"]
    assert record["perLayer"]["constitution"] == {"duration": 1.5, "status": "ok", "rules": 4}
    assert record["perLayer"]["x"] == {"duration": 0, "status": "unknown", "rules": 0}
    assert ISO_MS_Z.match(record["timestamp"])
    assert json.loads(Path(metrics_path(str(synapse_dir), "hook")).read_text()) == record


@pytest.mark.parametrize(
    "change, field",
    [
        ({"totalDuration": "fast"}, "totalDuration"),
        ({"requireChainMs": -1}, "requireChainMs"),
        ({"loaders": {"agentConfig": {"duration": "slow", "status": "ok"}}}, "loaders.agentConfig.duration"),
        ({"loaders": []}, "loaders"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"agentId": 5}, "agentId"),
    ],
)
def test_bad_metrics_refused_file_untouched(tmp_path: Path, change: dict, field: str) -> None:
    """Bad metrics input raises InvalidInputError naming the field and leaves the existing file byte for byte."""
    synapse_dir = tmp_path / ".synapse"
    persist_metrics(str(synapse_dir), "uap", fixture("uap-metrics.json"))
    path = Path(metrics_path(str(synapse_dir), "uap"))
    before = path.read_bytes()
    with pytest.raises(InvalidInputError) as info:
        persist_metrics(str(synapse_dir), "uap", {**fixture("uap-metrics.json"), **change})
    assert field in str(info.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["uap-metrics.json"]


def test_metrics_kind_and_type_checked(tmp_path: Path) -> None:
    """An unknown metrics kind or a non-object payload is refused before anything is written."""
    with pytest.raises(InvalidInputError):
        persist_metrics(str(tmp_path), "other", {})
    with pytest.raises(InvalidInputError):
        persist_metrics(str(tmp_path), "hook", [1, 2])
    assert list(tmp_path.iterdir()) == []


# -- .synapse/.gitignore ---------------------------------------------------------------------------------


def test_gitignore_equals_fixture(tmp_path: Path) -> None:
    """init_project writes .synapse/.gitignore byte for byte as the JS side does, plus sessions/ and metrics/."""
    created = init_project(str(tmp_path))
    gitignore = tmp_path / ".synapse" / ".gitignore"
    assert gitignore.read_bytes() == (JS_WRITTEN / "synapse-gitignore.txt").read_bytes()
    assert str(gitignore) in created
    assert (tmp_path / ".synapse" / "sessions").is_dir() and (tmp_path / ".synapse" / "metrics").is_dir()


def test_gitignore_never_overwritten(tmp_path: Path) -> None:
    """A second init and a custom .gitignore both leave the existing file exactly as it is."""
    init_project(str(tmp_path))
    assert init_project(str(tmp_path)) == []
    gitignore = tmp_path / ".synapse" / ".gitignore"
    gitignore.write_text("# mine\n*\n")
    assert init_project(str(tmp_path)) == []
    assert ensure_gitignore(str(tmp_path / ".synapse")) is False
    assert gitignore.read_text() == "# mine\n*\n"

    other = tmp_path / "other"
    (other / ".synapse").mkdir(parents=True)
    (other / ".synapse" / ".gitignore").write_text("custom")
    init_project(str(other))
    assert (other / ".synapse" / ".gitignore").read_text() == "custom"
    leftovers = [p.name for p in (other / ".synapse").iterdir() if ".tmp." in p.name]
    assert leftovers == []
