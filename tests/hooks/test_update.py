"""What one prompt writes: prompt_count + 1, last_activity, context.last_bracket, nothing else lost."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest

from synapse_cli.core.jsonio import parse_timestamp
from tests.support.files import read_json
from tests.support.paths import JS_WRITTEN, SID
from tests.support.run import FAST_CLEANUP_ENV, assert_silent_success, claude_payload, hook, prompt
from tests.support.sessions import session_path, write_session

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_prompt_updates_a_javascript_written_session_without_loss(project):
    """A session written by the JavaScript side gets prompt_count + 1 and a new last_activity; every other field is kept."""
    path = session_path(project, SID)
    shutil.copy(JS_WRITTEN / "session-updated.json", path)
    original = json.loads(path.read_text())
    original["an_unknown_key"] = {"from": "a newer framework"}
    path.write_text(json.dumps(original, indent=2, ensure_ascii=False))
    prompt(project)
    updated = read_json(path)
    assert updated["prompt_count"] == original["prompt_count"] + 1
    assert ISO_MS_Z.match(updated["last_activity"]) and updated["last_activity"] != original["last_activity"]
    assert abs(parse_timestamp(updated["last_activity"]) - time.time()) < 60
    assert updated["context"]["last_bracket"] == "FRESH"  # 4 prompts
    for key in original:
        if key not in ("prompt_count", "last_activity", "context"):
            assert updated[key] == original[key], key
    assert updated["context"]["last_tokens_used"] == original["context"]["last_tokens_used"]
    raw = path.read_bytes()
    assert "ünïcode".encode() in raw and not raw.endswith(b"\n") and b'": ' in raw


@pytest.mark.parametrize(
    "before,bracket",
    [(0, "FRESH"), (44, "FRESH"), (45, "MODERATE"), (66, "MODERATE"), (67, "DEPLETED"), (83, "DEPLETED"), (84, "CRITICAL")],
)
def test_prompt_sets_the_context_bracket_for_the_count_loaded(project, before, bracket):
    """context.last_bracket follows 100 - count * 0.9 (FRESH >= 60, MODERATE >= 40, DEPLETED >= 25) for the count
    loaded, before this prompt is counted, as the framework's hook computes it."""
    write_session(project, SID, prompt_count=before)
    prompt(project)
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == before + 1
    assert session["context"]["last_bracket"] == bracket


def test_consecutive_prompts_count_up(project):
    """Three prompts in a row leave prompt_count 3 and keep the creation time."""
    for _ in range(3):
        prompt(project)
    session = read_json(session_path(project, SID))
    assert session["prompt_count"] == 3
    assert session["started"] <= session["last_activity"]


def test_config_option_on_the_fast_path_sets_the_ttl(project, tmp_path):
    """``synapse --config FILE hook prompt-submit`` reads the TTL from FILE."""
    config = tmp_path / "ttl.yaml"
    config.write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    write_session(project, "thirty-hours", age_hours=30)
    result = hook(claude_payload(cwd=str(project)), cwd=project, env=FAST_CLEANUP_ENV, args=("--config", str(config)))
    assert_silent_success(result)
    assert not session_path(project, "thirty-hours").exists()
    assert session_path(project, SID).exists()
