"""``synapse session clean`` as a real subprocess of the installed console script."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.support.files import snapshot
from tests.support.run import run_synapse
from tests.support.sessions import session_data, write_session


@pytest.fixture
def layout(project: Path, sessions_dir: Path, tmp_path: Path) -> Path:
    """Two stale sessions, two fresh ones, the old bridge file, a stale corrupt file, a stale symlink and an old temp file."""
    write_session(project, "stale-200h", age_hours=200)
    write_session(project, "stale-30d", age_hours=24 * 30)
    write_session(project, "fresh-1h", age_hours=1)
    write_session(project, "thirty-hours", age_hours=30)
    bridge = sessions_dir / "_active-agent.json"
    bridge.write_text('{"id": "dev", "activated_at": "2020-01-01T00:00:00.000Z", "activation_quality": "full", "source": "uap"}')
    corrupt = sessions_dir / "corrupt.json"
    corrupt.write_bytes(b"{not json")
    target = tmp_path / "outside.json"
    target.write_text(json.dumps(session_data("link", when=time.time() - 900 * 3600)))
    (sessions_dir / "link.json").symlink_to(target)
    temp = sessions_dir / "fresh-1h.json.tmp.4242.1111.0badc0de"
    temp.write_text("{half")
    old = time.time() - 900 * 3600
    for path in (bridge, corrupt, temp, target):
        os.utime(path, (old, old))
    return project


def _clean(project: Path, *args: str):
    return run_synapse(["session", "clean", *args], cwd=project)


def test_clean_json_removes_only_stale_sessions(layout, sessions_dir, tmp_path):
    """``session clean --json`` removes the two stale sessions and reports removed/kept/ttl_hours/dry_run; everything else stays."""
    result = _clean(layout, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    report = json.loads(result.stdout)
    assert sorted(report["removed"]) == ["stale-200h", "stale-30d"]
    assert report["ttl_hours"] == 168 and report["dry_run"] is False
    assert report["kept"] >= 2
    assert report["corrupt"] == ["corrupt"]
    names = {p.name for p in sessions_dir.iterdir() if not p.name.endswith(".lock")}
    assert names == {"fresh-1h.json", "thirty-hours.json", "_active-agent.json", "corrupt.json", "link.json"}
    assert (tmp_path / "outside.json").exists()
    assert (sessions_dir / "corrupt.json").read_bytes() == b"{not json"


def test_clean_human_summary(layout):
    """Human output is a summary line and the sessions removed, by name; warnings about corrupt files go to stderr."""
    result = _clean(layout)
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "Removed 2 stale session(s) (TTL 168 h); kept 3."  # fresh, thirty-hours, corrupt
    assert lines[1:4] == ["stale session", "stale-200h", "stale-30d"]
    assert len(lines) <= 5
    assert b"corrupt.json" in result.stderr


def test_clean_ttl_flag(layout, sessions_dir):
    """``--ttl 24`` also removes the 30-hour-old session."""
    report = json.loads(_clean(layout, "--ttl", "24", "--json").stdout)
    assert sorted(report["removed"]) == ["stale-200h", "stale-30d", "thirty-hours"]
    assert report["ttl_hours"] == 24
    assert (sessions_dir / "fresh-1h.json").exists()


def test_clean_ttl_from_config_file(layout, sessions_dir):
    """staleTTLHours: 24 in .aios-core/core-config.yaml is the TTL of ``session clean``."""
    (layout / ".aios-core").mkdir()
    (layout / ".aios-core" / "core-config.yaml").write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    report = json.loads(_clean(layout, "--json").stdout)
    assert report["ttl_hours"] == 24 and "thirty-hours" in report["removed"]


def test_clean_dry_run_changes_nothing(layout, tmp_path):
    """``--dry-run`` reports the stale sessions and leaves every file byte for byte."""
    before = snapshot(tmp_path)
    result = _clean(layout, "--dry-run", "--json")
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and sorted(report["removed"]) == ["stale-200h", "stale-30d"]
    assert report["temp_files_removed"] == []
    assert snapshot(tmp_path) == before


def test_clean_from_a_subfolder_finds_the_project(layout, sessions_dir):
    """Run from a deep subfolder, ``session clean`` acts on the project above it."""
    deep = layout / "a" / "b"
    deep.mkdir(parents=True)
    result = run_synapse(["session", "clean", "--json"], cwd=deep)
    assert sorted(json.loads(result.stdout)["removed"]) == ["stale-200h", "stale-30d"]


def test_clean_sweeps_old_temp_files(layout, sessions_dir):
    """An old ``*.tmp.*`` file left by an interrupted write is swept and reported."""
    report = json.loads(_clean(layout, "--json").stdout)
    assert report["temp_files_removed"] == ["fresh-1h.json.tmp.4242.1111.0badc0de"]
    assert not (sessions_dir / "fresh-1h.json.tmp.4242.1111.0badc0de").exists()


def test_clean_bad_ttl_exits_1_one_line(layout, tmp_path):
    """``--ttl 0`` exits 1 with exactly one ``synapse:`` line on stderr and removes nothing."""
    before = snapshot(tmp_path)
    result = _clean(layout, "--ttl", "0")
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synapse: ")
    assert result.stdout == b""
    assert snapshot(tmp_path) == before


def test_clean_usage_error_exits_2(layout):
    """An unknown option of ``session clean`` exits 2."""
    assert _clean(layout, "--forever").returncode == 2
