"""doctor fit for CI and cron (issue 12 items 7 and 8): a fix stays green, stale sessions are notes naming them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.support.files import register_hook
from tests.support.run import run_synapse
from tests.support.sessions import write_session

HOUR = 3600.0


def age_everything(root: Path, seconds: float) -> None:
    """Make every file under ``root`` look ``seconds`` old, as if that much time had passed."""
    when = time.time() - seconds
    for folder, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (when, when), follow_symlinks=False)


def doctor(project: Path, *args: str) -> tuple[int, dict]:
    result = run_synapse(["--project-dir", str(project), "doctor", "--json", *args])
    assert result.stderr == b"", result.stderr
    return result.returncode, json.loads(result.stdout)


def test_a_fix_of_corrupt_files_stays_green_ten_minutes_later(project, sessions_dir):
    """--fix moves corrupt files aside; a doctor run after the lock-file age limit (10 min) is still healthy."""
    register_hook(project)
    (sessions_dir / "c1.json").write_bytes(b'{"uuid": "c1", "prompt')
    (sessions_dir / "c2.json").write_bytes(b"")
    code, report = doctor(project, "--fix")
    assert code == 0, report
    age_everything(project / ".synapse", 20 * 60)
    code, report = doctor(project)
    assert code == 0, report
    assert [f["check"] for f in report["findings"]] == ["set-aside", "set-aside"]
    assert not list(sessions_dir.glob("*.lock")) and not list(sessions_dir.glob("*.json"))
    assert len(list(sessions_dir.glob("*.corrupt-*"))) == 2


def test_stale_sessions_are_a_note_naming_them_and_exit_0(project, sessions_dir):
    """A stale session is normal (the first prompt's cleanup removes it): a note naming each one, exit 0, text and JSON."""
    register_hook(project)
    write_session(project, "stale-aaaa", age_hours=400)
    write_session(project, "stale-bbbb", age_hours=300)
    write_session(project, "fresh-cccc", age_hours=1)
    code, report = doctor(project)
    assert code == 0 and report["healthy"] is True
    [finding] = report["findings"]
    assert (finding["severity"], finding["check"]) == ("note", "stale")
    assert "2 stale session(s) older than 168 h" in finding["message"]
    assert "stale-aaaa" in finding["message"] and "stale-bbbb" in finding["message"]
    assert "fresh-cccc" not in finding["message"]
    result = run_synapse(["--project-dir", str(project), "doctor"])
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    assert any(line.startswith("stale\t") and "stale-aaaa" in line and line.endswith("\tnote") for line in lines)
    assert lines[-1] == "Healthy."


def test_fix_still_removes_stale_sessions_and_says_so(project, sessions_dir):
    """--fix removes the stale sessions the note names, and the note says what was done."""
    register_hook(project)
    stale = write_session(project, "stale-aaaa", age_hours=400)
    code, report = doctor(project, "--fix")
    assert code == 0
    [finding] = report["findings"]
    assert finding["check"] == "stale" and finding["fixed"] == "removed 1 stale session(s)"
    assert not stale.exists()


def test_many_stale_sessions_are_named_within_a_bounded_message(project, sessions_dir):
    """Hundreds of stale sessions: the first few are named and the rest counted, so the line stays readable."""
    register_hook(project)
    for index in range(40):
        write_session(project, f"stale-{index:04d}", age_hours=400)
    code, report = doctor(project)
    assert code == 0
    [finding] = report["findings"]
    assert finding["message"].startswith("40 stale session(s) older than 168 h")
    assert "stale-0000" in finding["message"] and "and 30 more" in finding["message"]
    assert len(finding["message"]) < 400
