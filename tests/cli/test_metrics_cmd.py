"""``synapse metrics persist [FILE|-] --kind uap|hook`` through the Typer app."""

from __future__ import annotations

import json

import pytest

from tests.support.output import one_error_line
from tests.support.paths import JS_WRITTEN


def _metrics(project, name):
    return project / ".synapse" / "metrics" / name


def test_persist_uap_from_a_file_normalises_and_writes(cli, project, tmp_path):
    """``persist FILE --kind uap`` writes uap-metrics.json, dropping loader extras and mapping unknown statuses."""
    source = tmp_path / "uap.json"
    source.write_text(json.dumps({
        "agentId": "dev", "quality": "full", "totalDuration": 40.4, "requireChainMs": 56.9,
        "loaders": {"agentConfig": {"duration": 7, "status": "ok", "start": 1, "end": 8}, "git": {"duration": 3, "status": "weird"}},
        "timestamp": "2026-11-26T15:16:42.940Z",
    }))
    result = cli(project, "metrics", "persist", str(source), "--kind", "uap")
    assert result.exit_code == 0, result.stderr
    written = json.loads(_metrics(project, "uap-metrics.json").read_text())
    assert written == {
        "agentId": "dev", "quality": "full", "totalDuration": 40, "requireChainMs": 56.9,
        "loaders": {"agentConfig": {"duration": 7, "status": "ok"}, "git": {"duration": 3, "status": "unknown"}},
        "timestamp": "2026-11-26T15:16:42.940Z",
    }
    assert "uap-metrics.json" in result.stdout


def test_persist_the_javascript_fixture_round_trips(cli, project):
    """The JavaScript side's uap-metrics.json persisted as is yields the same bytes."""
    fixture = JS_WRITTEN / "uap-metrics.json"
    assert cli(project, "metrics", "persist", str(fixture)).exit_code == 0
    assert _metrics(project, "uap-metrics.json").read_bytes() == fixture.read_bytes().rstrip(b"\n")


@pytest.mark.parametrize("args", [["-"], []])
def test_persist_hook_from_stdin_prints_json(cli, project, args):
    """``persist -`` (or no FILE) reads stdin; ``--kind hook`` writes hook-metrics.json; ``--json`` prints the record."""
    data = {"totalDuration": 12.5, "hookBootMs": 3, "bracket": "FRESH", "layersLoaded": 2, "perLayer": {"l1": {"duration": 1, "status": "ok", "rules": 4}}}
    result = cli(project, "metrics", "persist", *args, "--kind", "hook", "--json", input=json.dumps(data))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record == json.loads(_metrics(project, "hook-metrics.json").read_text())
    assert record["perLayer"] == {"l1": {"duration": 1, "status": "ok", "rules": 4}}
    assert record["layersSkipped"] == 0 and record["bracket"] == "FRESH"


@pytest.mark.parametrize(
    "payload,needle",
    [
        (b"{not json", "not valid JSON"),
        (b"[1]", "JSON object"),
        (b'{"totalDuration": -1}', "totalDuration"),
        (b'{"totalDuration": "fast"}', "totalDuration"),
        (b'{"loaders": []}', "loaders"),
        (b'{"loaders": {"a": 5}}', "loaders.a"),
        (b'{"loaders": {"a": {"duration": "x"}}}', "loaders.a.duration"),
        (b'{"timestamp": "yesterday"}', "timestamp"),
        (b'{"agentId": 5}', "agentId"),
        (b"\xff\xfe{}", "UTF-8"),
    ],
)
def test_persist_invalid_input_exits_1_and_leaves_the_file_byte_for_byte(cli, project, tmp_path, payload, needle):
    """Invalid metrics exit 1 with one line naming what is wrong, and the existing metrics file keeps its bytes."""
    assert cli(project, "metrics", "persist", str(JS_WRITTEN / "uap-metrics.json")).exit_code == 0
    before = _metrics(project, "uap-metrics.json").read_bytes()
    source = tmp_path / "bad.json"
    source.write_bytes(payload)
    result = cli(project, "metrics", "persist", str(source), "--kind", "uap")
    assert result.exit_code == 1
    assert needle in one_error_line(result.stderr)
    assert result.stdout == ""
    assert _metrics(project, "uap-metrics.json").read_bytes() == before
    assert sorted(p.name for p in _metrics(project, "x").parent.iterdir()) == ["uap-metrics.json"]


def test_persist_missing_file_exits_1_naming_it(cli, project, tmp_path):
    """A FILE that does not exist exits 1 with one line naming the file."""
    missing = tmp_path / "missing.json"
    result = cli(project, "metrics", "persist", str(missing))
    assert result.exit_code == 1
    assert str(missing) in one_error_line(result.stderr)


def test_persist_bad_kind_is_a_usage_error(cli, project):
    """``--kind`` other than uap|hook exits 2."""
    assert cli(project, "metrics", "persist", "-", "--kind", "other", input="{}").exit_code == 2


def test_persist_io_error_is_one_line_and_exit_1(cli, project):
    """A write that fails (metrics/ is a file, ENOTDIR) exits 1 with exactly one ``synapse:`` line on stderr."""
    metrics_dir = project / ".synapse" / "metrics"
    metrics_dir.rmdir()
    metrics_dir.write_text("not a folder")
    result = cli(project, "metrics", "persist", "-", input='{"agentId": "dev"}')
    assert result.exit_code == 1
    assert "uap-metrics.json" in one_error_line(result.stderr)
    assert metrics_dir.read_text() == "not a folder"
    log = (project / ".synapse" / "cache" / "synapse.log").read_text()
    assert "[atomic-write]" in log  # the detail still reaches the log file
