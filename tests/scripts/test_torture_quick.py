"""A short run of ``scripts/torture.py`` (kill storm, concurrency soak, eager cleanups, disk full) against the installed synapse."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.paths import REPO_ROOT

TORTURE = REPO_ROOT / "scripts" / "torture.py"


# The smallest run that still exercises every section: this proves the script works. The
# promises themselves are proven by the kill, concurrency and fault tests of tests/core and
# tests/hooks; the full-size run is the script's own job (docs/reliability.md).
KILLS, SOAK_PROCS, SOAK_PROMPTS = 10, 2, 3


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_quick_torture_run_keeps_every_invariant(tmp_path):
    """10 kills, a 2x3 soak and a full disk: exit 0, no torn file, no lost acknowledged update, exact soak counts, disk full survived."""
    out = tmp_path / "torture.json"
    result = subprocess.run(
        [sys.executable, str(TORTURE), "--kills", str(KILLS), "--soak-procs", str(SOAK_PROCS),
         "--soak-prompts", str(SOAK_PROMPTS), "--json", str(out)],
        capture_output=True, timeout=170,
    )
    report = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    assert result.returncode == 0, report
    data = json.loads(out.read_text())
    assert data["machine"] and data["date"] and isinstance(data["seed"], int)

    kill = data["kill_storm"]
    assert kill["kills"] >= KILLS
    assert kill["unparsable_files"] == 0, report
    assert kill["acknowledged_lost"] == 0, report
    assert kill["phantom_updates"] == 0, report
    assert kill["temp_files_swept"] == kill["temp_files_left"], report
    assert kill["ok"] is True

    soak = data["soak"]
    assert soak["shared_prompt_count"] == soak["shared_expected"] == SOAK_PROCS * SOAK_PROMPTS, report
    assert soak["own_sessions_exact"] == soak["own_sessions"] == SOAK_PROCS
    assert soak["damaged_files"] == 0 and soak["stale_left"] == 0 and soak["failed_workers"] == 0
    assert soak["cleanup_runs"] >= 1
    assert soak["ok"] is True

    eager = data["eager_cleanup"]  # cleanups at their most eager beside the hooks: nothing lost
    assert eager["shared_prompt_count"] == eager["shared_expected"] == SOAK_PROCS * max(1, SOAK_PROMPTS // 2), report
    assert eager["prompts_lost_in_log"] == 0 and eager["damaged_files"] == 0 and eager["failed_workers"] == 0, report
    assert eager["first_prompts_recorded"] == eager["first_prompts"] and eager["ok"] is True

    disk = data["disk_full"]
    if disk.get("skipped"):
        pytest.fail(f"the disk-full section could not run here: {disk['method']}")
    assert disk["files_changed"] == [] and disk["temp_files_left"] == 0, report
    assert [(w["writer"], w["exit"]) for w in disk["writers"]] == [
        ("session update", 1), ("hook prompt-submit", 0), ("metrics persist", 1), ("state update", 1)
    ]
    assert all("No space left on device" in w["message"] for w in disk["writers"] if w["exit"] == 1), disk["writers"]
    assert disk["ok"] is True
    assert "kill_storm: PASS · soak: PASS · eager_cleanup: PASS · disk_full: PASS" in result.stdout.decode()
