"""scripts/bench.py --quick runs every section against the installed synapse and reports in Markdown and JSON.

This checks that the benchmark works, not how fast synapse is: --quick fails only on
correctness (lost updates, stale sessions left behind, a hook that did not do its work),
never on a timing target, so a slow or busy machine does not make this test flaky.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH = REPO_ROOT / "scripts" / "bench.py"
SECTIONS = (
    "## Machine",
    "## 1. Hook latency",
    "## 2. Atomic write",
    "## 3. Cleanup scaling",
    "## 4. Concurrent updates",
    "## 5. Compare command",
    "## Targets",
)


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.skipif(os.name != "posix", reason="the benchmark spawns hooks with posix_spawn and wait4")
def test_bench_quick_runs_every_section_and_writes_json(tmp_path: Path) -> None:
    """A --quick run against the venv running the tests exits 0, prints every section and writes valid JSON."""
    venv = Path(sys.executable).parent.parent
    if not (venv / "bin" / "synapse").exists():
        pytest.skip(f"no synapse console script in {venv}/bin: install the project into this environment")
    json_path = tmp_path / "bench.json"
    compare_cmd = f"{shlex.quote(sys.executable)} -c 'import sys; sys.stdin.buffer.read()'"

    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--venv", str(venv), "--json", str(json_path),
         "--work-dir", str(tmp_path / "work"), "--compare-cmd", compare_cmd],
        capture_output=True, text=True, timeout=220,
    )

    report = proc.stdout
    assert proc.returncode == 0, f"bench exited {proc.returncode}\n{report[-5000:]}\n{proc.stderr[-3000:]}"
    for heading in SECTIONS:
        assert heading in report, f"missing section {heading!r}"
    assert "| variant | median ms | p90 ms | max ms |" in report
    assert "PASS: " in report
    assert "FAIL: " not in report  # only "FAIL (timing; not fatal in --quick)" may appear
    assert "Total run time" in report

    data = json.loads(json_path.read_text())
    assert {"machine", "settings", "hook", "atomic", "cleanup", "concurrency", "figures", "targets"} <= data.keys()
    assert data["settings"]["quick"] is True
    assert data["machine"]["cpu_model"] and data["machine"]["python"]
    assert data["machine"]["child_dont_write_bytecode"] is False
    variants = data["hook"]["variants"]
    assert {"floor", "json_floor", "steady", "first0", "first1k", "first10k", "compare"} <= variants.keys()
    assert all(len(v["times_ms"]) == data["hook"]["iterations"] for v in variants.values())
    assert data["concurrency"]["store"]["lost"] == 0 and data["concurrency"]["hook"]["lost"] == 0
    assert not [t for t in data["targets"] if t["kind"] == "correctness" and t["status"] != "PASS"]
    assert data["exit_code"] == 0
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir()), "temp folders left behind"
