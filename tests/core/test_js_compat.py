"""Byte compatibility with the JavaScript side: its files load, round-trip and survive an update."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from synapse_cli.core.errors import CorruptFileError
from synapse_cli.core.jsonio import dumps_js, iso_timestamp, js_number, loads_text, parse_timestamp
from synapse_cli.core.sessions.store import SessionStore
from synapse_cli.core.state import read_state
from tests.support.paths import JS_WRITTEN, SID

JSON_FIXTURES = sorted(p.name for p in JS_WRITTEN.glob("*.json"))


def test_fixture_set_is_complete() -> None:
    """The JS fixtures this suite relies on are all present."""
    assert set(JSON_FIXTURES) >= {
        "active-agent.json", "session-created.json", "session-updated.json", "session-state.json", "uap-metrics.json",
    }


@pytest.mark.parametrize("name", JSON_FIXTURES)
def test_dumps_js_round_trips_fixture_byte_for_byte(name: str) -> None:
    """dumps_js(json.loads(text)) == text for every JS-written JSON file (2-space, no trailing newline, non-ASCII kept)."""
    raw = (JS_WRITTEN / name).read_bytes()
    text = raw.decode("utf-8")
    assert dumps_js(json.loads(text)).encode("utf-8") == raw
    assert not raw.endswith(b"\n")


def test_non_ascii_written_as_is() -> None:
    """Non-ASCII characters are written as UTF-8, not \\u escapes, and integral floats as integers (like JS)."""
    text = dumps_js({"title": "Add login page — ünïcode", "n": 100.0, "f": 56.925407, "nan": float("nan")})
    assert "ü" in text and "\\u" not in text
    assert text == '{\n  "title": "Add login page — ünïcode",\n  "n": 100,\n  "f": 56.925407,\n  "nan": null\n}'


@pytest.mark.parametrize("name", ["session-created.json", "session-updated.json"])
def test_js_session_files_load(tmp_path: Path, name: str) -> None:
    """Both JS-written session files load through the store unchanged."""
    shutil.copy(JS_WRITTEN / name, tmp_path / f"{SID}.json")
    session = SessionStore(tmp_path).load(SID)
    assert session == json.loads((JS_WRITTEN / name).read_text(encoding="utf-8"))


def test_other_js_files_load(tmp_path: Path) -> None:
    """The JS-written state, bridge and metrics files parse with synapse's reader."""
    for name in ("active-agent.json", "uap-metrics.json"):
        assert isinstance(loads_text((JS_WRITTEN / name).read_bytes()), dict)
    (tmp_path / ".aios").mkdir()
    shutil.copy(JS_WRITTEN / "session-state.json", tmp_path / ".aios" / "session-state.json")
    assert read_state(str(tmp_path))["sessionId"] == "session-1764170000000-abc123xyz"


def test_trailing_newline_accepted_and_bom_corrupt(tmp_path: Path) -> None:
    """A session file with a trailing newline loads the same; one with a UTF-8 BOM is corrupt, as JSON.parse refuses it."""
    raw = (JS_WRITTEN / "session-updated.json").read_bytes()
    (tmp_path / "nl.json").write_bytes(raw.replace(SID.encode(), b"nl") + b"\n")
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + raw.replace(SID.encode(), b"bom"))
    store = SessionStore(tmp_path)
    assert store.load("nl")["title"] == "Add login page — ünïcode"
    with pytest.raises(CorruptFileError, match="byte-order mark"):
        store.load("bom")


def test_update_of_js_file_keeps_everything(tmp_path: Path) -> None:
    """Updating the JS-written session keeps unknown keys in place and changes only prompt_count and last_activity."""
    original = json.loads((JS_WRITTEN / "session-updated.json").read_text(encoding="utf-8"))
    with_unknown = {}
    for key, value in original.items():
        with_unknown[key] = value
        if key == "label":
            with_unknown["js_only_field"] = {"keep": ["me", 1, None]}
    with_unknown["trailing_unknown"] = "ünïcode too"
    path = tmp_path / f"{SID}.json"
    path.write_text(dumps_js(with_unknown), encoding="utf-8")

    result = SessionStore(tmp_path).update(SID, {})
    written_text = path.read_text(encoding="utf-8")
    written = json.loads(written_text)
    assert list(written) == list(with_unknown)  # same keys, same order
    assert written["js_only_field"] == {"keep": ["me", 1, None]}
    assert written["trailing_unknown"] == "ünïcode too"
    assert written["prompt_count"] == 4 and result.previous_prompt_count == 3
    assert parse_timestamp(written["last_activity"]) > parse_timestamp(original["last_activity"])
    expected = {**with_unknown, "prompt_count": 4, "last_activity": written["last_activity"]}
    assert written_text == dumps_js(expected)  # byte for byte the JS serialisation
    assert not written_text.endswith("\n")


def test_iso_timestamp_matches_js_to_iso_string() -> None:
    """iso_timestamp gives what JS toISOString() gives for the fixture's instant."""
    assert iso_timestamp(1795706198.911) == "2026-11-26T15:16:38.911Z"
    assert parse_timestamp("2026-11-26T15:16:38.911Z") == pytest.approx(1795706198.911)


def test_canonical_timestamps_parse_exactly_as_datetime_does() -> None:
    """The datetime-free parser of ``YYYY-MM-DDTHH:MM:SS.mmmZ`` agrees with datetime on valid and invalid dates."""
    import random
    from datetime import datetime, timezone

    from synapse_cli.core.jsonio import _parse_canonical, parse_timestamp

    rng = random.Random(7)
    for _ in range(5000):
        text = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
            rng.randint(1, 9999), rng.randint(0, 13), rng.randint(0, 32),
            rng.randint(0, 24), rng.randint(0, 60), rng.randint(0, 60), rng.randint(0, 999),
        )
        try:
            expected = datetime.fromisoformat(text[:-1] + "+00:00").timestamp()
        except ValueError:
            expected = None
        fast = _parse_canonical(text)
        assert fast == (None if expected is None else pytest.approx(expected, abs=1e-6)), text
        assert parse_timestamp(text) == (None if expected is None else pytest.approx(expected, abs=1e-6)), text
    assert _parse_canonical("2026-11-26T15:16:38.911+00:00") is None  # other forms go to datetime
    assert parse_timestamp("2026-11-26T15:16:38.911+00:00") == pytest.approx(
        datetime(2026, 11, 26, 15, 16, 38, 911000, tzinfo=timezone.utc).timestamp()
    )


@pytest.mark.parametrize(
    ("value", "javascript"),
    [(1e-7, "1e-7"), (0.00005, "0.00005"), (2.0**53, "9007199254740992"), (1e16, "10000000000000000"),
     (1e21, "1e+21"), (-2.5e-9, "-2.5e-9"), (56.925407, "56.925407"), (1.234e20, "123400000000000000000"),
     (0.000001, "0.000001"), (5e-324, "5e-324")],
)
def test_numbers_are_written_as_javascript_writes_them(value: float, javascript: str) -> None:
    """Floats use JavaScript's Number#toString notation (checked against node's output)."""
    assert js_number(value) == javascript
    assert dumps_js({"x": value}) == '{\n  "x": ' + javascript + "\n}"


def test_lone_surrogate_from_javascript_round_trips(sessions_dir: Path) -> None:
    """A title holding half a surrogate pair (as JSON.stringify writes it) loads, updates and is written back escaped."""
    text = '{\n  "uuid": "s3",\n  "schema_version": "2.0",\n  "title": "cut \\ud83d",\n  "prompt_count": 1\n}'
    (sessions_dir / "s3.json").write_text(text)
    SessionStore(sessions_dir).update("s3")
    written = (sessions_dir / "s3.json").read_text()
    assert '"title": "cut \\ud83d"' in written
    assert json.loads(written)["title"] == "cut \ud83d"
