"""scripts/bench --quick runs every section against the installed synapse and reports in Markdown, JSON and SVG.

This checks that the benchmark works, not how fast synapse is: --quick fails only on
correctness (stale sessions left behind, a hook or command that did not do its work),
never on a timing target, so a slow or busy machine does not make this test flaky. The
sizes are the smallest that still exercise every code path (two folder sizes for the
first-prompt and cleanup figures, one examined whole and one a part at a time, a few
iterations each).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH = REPO_ROOT / "scripts" / "bench"
SECTIONS = (
    "## Machine",
    "## 1. Hook latency",
    "## 2. A typical command",
    "## 3. Atomic write",
    "## 4. Cleanup scaling",
    "## Change against snapshot `v0.1.0.json`",
    "## Targets",
)
SVG = "{http://www.w3.org/2000/svg}"


def _venv() -> Path:
    venv = Path(sys.executable).parent.parent
    if not (venv / "bin" / "synapse").exists():
        pytest.skip(f"no synapse console script in {venv}/bin: install the project into this environment")
    return venv


@pytest.mark.timeout(120)
@pytest.mark.skipif(os.name != "posix", reason="the benchmark spawns hooks with posix_spawn and wait4")
def test_bench_quick_runs_every_section_and_writes_json_and_chart(tmp_path: Path) -> None:
    """A small --quick run exits 0, prints every section, compares with v0.1.0, and writes JSON and the SVG chart."""
    json_path, chart = tmp_path / "bench.json", tmp_path / "chart.svg"
    compare_cmd = f"{shlex.quote(sys.executable)} -c 'import sys; sys.stdin.buffer.read()'"

    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--venv", str(_venv()), "--json", str(json_path),
         "--work-dir", str(tmp_path / "work"), "--compare-cmd", compare_cmd, "--compare", "v0.1.0",
         "--chart", str(chart), "--iterations", "3", "--sessions", "50,600", "--clean-sizes", "100,300"],
        capture_output=True, text=True, timeout=110,
    )

    report = proc.stdout
    assert proc.returncode == 0, f"bench exited {proc.returncode}\n{report[-5000:]}\n{proc.stderr[-3000:]}"
    for heading in SECTIONS:
        assert heading in report, f"missing section {heading!r}"
    assert "Concurrent updates" not in report  # the soak lives in scripts/torture.py and the concurrency tests
    assert "| variant | median ms | p90 ms | max ms |" in report
    assert "PASS: " in report
    assert "FAIL: " not in report  # only "FAIL (timing; not fatal in --quick)" may appear
    assert "Total run time" in report

    data = json.loads(json_path.read_text())
    assert {"machine", "settings", "hook", "command", "atomic", "cleanup", "figures", "targets"} <= data.keys()
    assert "concurrency" not in data
    assert data["settings"]["quick"] is True
    assert data["machine"]["cpu_model"] and data["machine"]["python"]
    assert data["machine"]["child_dont_write_bytecode"] is False
    hook = data["hook"]
    assert hook["registered_command"].endswith("synapse-hook' prompt-submit")  # the launcher hook install writes
    variants = hook["variants"]
    assert {"floor", "floor_sh", "json_floor", "steady", "steady_sh", "first0", "first1k", "first10k",
            "compare"} <= variants.keys()
    assert variants["steady_sh"]["argv"] == ["/bin/sh", "-c", hook["registered_command"]]
    assert all(len(v["times_ms"]) == hook["iterations"] == 3 for v in variants.values())
    assert hook["folder_sizes"] == {"first0": 0, "first1k": 50, "first10k": 600}
    # 50 sessions are examined whole by every first prompt; 600 a part at a time, each in turn
    # (unless the grace period cut a prompt off: timing, which --quick never fails on).
    assert variants["first1k"]["part_examined"] == [None] * 3
    if not any(variants["first10k"]["cut_off"]):
        assert sorted(variants["first10k"]["part_examined"]) == [0, 1, 2]
        assert variants["first10k"]["stale_left_at_exit"] == [0, 0, 0]
    assert variants["steady_sh"]["max_rss_kb"], "peak memory of the hook not measured"
    assert data["command"]["runs_showing_the_session"] == data["command"]["runs"]
    assert {"hook.steady_sh.x_floor_sh", "command.session_show.x_floor", "hook.first1k.x_steady"} <= data["figures"].keys()
    assert not [t for t in data["targets"] if t["kind"] == "correctness" and t["status"] != "PASS"]
    assert data["exit_code"] == 0
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir()), "temp folders left behind"

    svg = ET.parse(chart).getroot()
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "bare interpreter" in texts and "among 600 sessions" in texts and "median" in texts
    assert len(list(svg.iter(f"{SVG}circle"))) == 5 * 3  # every timed run of the five rows, compare included
    assert any(line.get("stroke-dasharray") for line in svg.iter(f"{SVG}line")), "no reference line"


@pytest.mark.skipif(os.name != "posix", reason="the benchmark spawns hooks with posix_spawn and wait4")
def test_bench_runs_as_a_module_from_scripts() -> None:
    """``cd scripts && python -m bench`` is the package's other entry point."""
    proc = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=REPO_ROOT / "scripts",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "--quick" in proc.stdout and "--compare" in proc.stdout and "--chart" in proc.stdout
