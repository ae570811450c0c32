"""A session file JavaScript's JSON.parse refuses (a UTF-8 byte-order mark, NaN, Infinity) is no session to the
framework: every command treats it as corrupt, as cleanup does. doctor reports it (and --fix sets it aside, never
deletes it), session list flags it, the hook sets it aside and starts afresh; the state file likewise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.files import read_json
from tests.support.paths import SID
from tests.support.run import prompt
from tests.support.run import run_in_project as synapse
from tests.support.sessions import session_data, session_path

UNREADABLE = {
    "bom": lambda raw: b"\xef\xbb\xbf" + raw,
    "nan": lambda raw: raw.replace(b"\"last_tokens_used\": 0", b"\"last_tokens_used\": NaN"),
    "infinity": lambda raw: raw.replace(b"\"last_tokens_used\": 0", b"\"last_tokens_used\": Infinity"),
    "minus-infinity": lambda raw: raw.replace(b"\"last_tokens_used\": 0", b"\"last_tokens_used\": -Infinity"),
}


def put(project: Path, session_id: str, kind: str) -> bytes:
    raw = UNREADABLE[kind](json.dumps(session_data(session_id, cwd=str(project)), indent=2).encode())
    assert raw != json.dumps(session_data(session_id, cwd=str(project)), indent=2).encode()
    session_path(project, session_id).write_bytes(raw)
    return raw


def aside_copies(project: Path, session_id: str) -> list[Path]:
    return sorted((project / ".synapse" / "sessions").glob(f"{session_id}.json.corrupt-*"))


@pytest.mark.parametrize("kind", list(UNREADABLE))
def test_doctor_reports_it_corrupt_and_fix_sets_it_aside(project, kind):
    raw = put(project, "s-" + kind, kind)
    result = synapse(project, "doctor", "--json")
    assert result.returncode == 1, result.stdout
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "corrupt"]
    assert finding["severity"] == "problem" and finding["path"] == str(session_path(project, "s-" + kind))
    assert "does not parse as JSON" in finding["message"]
    fixed = synapse(project, "doctor", "--fix", "--json")
    assert fixed.returncode == 0, fixed.stdout
    assert not session_path(project, "s-" + kind).exists()
    (aside,) = aside_copies(project, "s-" + kind)
    assert aside.read_bytes() == raw  # set aside, byte for byte, never deleted
    assert synapse(project, "doctor").returncode == 0  # the fix stays green


@pytest.mark.parametrize("kind", list(UNREADABLE))
def test_session_list_shows_it_corrupt(project, kind):
    put(project, "bad", kind)
    prompt(project, session_id="good")
    listed = {s["id"]: s for s in json.loads(synapse(project, "session", "list", "--json").stdout)}
    assert listed["good"]["status"] == "ok"
    assert listed["bad"]["status"] == "corrupt" and "does not parse as JSON" in listed["bad"]["problem"]
    rows = [line.split("\t") for line in synapse(project, "session", "list").stdout.decode().splitlines()[1:]]
    assert {row[0]: row[1] for row in rows} == {"good": "ok", "bad": "corrupt"}


def test_session_show_refuses_it_as_corrupt(project):
    put(project, SID, "bom")
    result = synapse(project, "session", "show", SID)
    assert result.returncode == 1 and b"does not parse as JSON" in result.stderr
    assert b"byte-order mark" in result.stderr


@pytest.mark.parametrize("kind", list(UNREADABLE))
def test_the_hook_sets_it_aside_and_starts_afresh(project, kind):
    """As for any corrupt file: the framework cannot read it either, and nothing is destroyed."""
    raw = put(project, SID, kind)
    prompt(project)
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == 1 and session["uuid"] == SID
    (aside,) = aside_copies(project, SID)
    assert aside.read_bytes() == raw
    assert not session_path(project, SID).read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_state_file_with_a_byte_order_mark_is_corrupt_too(project):
    state = project / ".aios" / "session-state.json"
    state.parent.mkdir()
    raw = b'\xef\xbb\xbf{"sessionId": "session-1-a", "lastCommands": ["keep-me"]}'
    state.write_bytes(raw)
    shown = synapse(project, "state", "show")
    assert shown.returncode == 1 and b"does not parse as JSON" in shown.stderr
    assert synapse(project, "state", "update", "--command", "x").returncode == 0
    assert read_json(state)["lastCommands"] == ["x"]
    (aside,) = sorted(state.parent.glob("session-state.json.corrupt-*"))
    assert aside.read_bytes() == raw
