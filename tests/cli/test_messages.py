"""Messages a person can act on (issue 12 item 13), through the installed command."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.files import read_json, write_config
from tests.support.output import one_error_line
from tests.support.paths import SID
from tests.support.run import run_in_project as synapse
from tests.support.run import run_synapse
from tests.support.sessions import session_path, write_session


@pytest.mark.parametrize("ttl,message", [("0", "--ttl must be a positive number of hours, got 0"),
                                          ("-2.5", "--ttl must be a positive number of hours, got -2.5"),
                                          ("nan", "--ttl must be a positive number of hours, got nan"),
                                          ("1e7", "--ttl must be at most 876000 hours, got 10000000")])
def test_ttl_out_of_range_names_the_flag_and_the_unit(project, ttl, message):
    result = synapse(project, "session", "clean", "--ttl", ttl)
    assert result.returncode == 1
    assert one_error_line(result.stderr.decode()) == f"synapse: {message}"


def test_a_flag_wins_over_an_invalid_environment_variable(project):
    """SYNAPSE_STALE_TTL_HOURS=abc does not matter when --ttl says what to use."""
    write_session(project, "old1", age_hours=10)
    result = synapse(project, "session", "clean", "--ttl", "5", "--json", env={"SYNAPSE_STALE_TTL_HOURS": "abc"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["removed"] == ["old1"]
    # Without the flag the invalid variable is still reported.
    result = synapse(project, "session", "clean", env={"SYNAPSE_STALE_TTL_HOURS": "abc"})
    assert result.returncode == 1 and "SYNAPSE_STALE_TTL_HOURS" in result.stderr.decode()


def test_yaml_exponent_numbers_are_read_as_numbers(project):
    """`1e9` is a string to a YAML 1.1 parser; a person means one billion."""
    write_config(project, "synapse:\n  log:\n    maxBytes: 1e9\n  session:\n    staleTTLHours: 2.4e1\n")
    result = synapse(project, "config", "show", "--json")
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)["settings"]
    assert settings["synapse.log.maxBytes"]["value"] == 1_000_000_000
    assert settings["synapse.session.staleTTLHours"]["value"] == 24


@pytest.mark.parametrize("yaml_value,shown", [("null", "null"), ("true", "true"), ("[1, 2]", "[1, 2]"), ("hello", "'hello'")])
def test_bad_values_are_shown_as_yaml_spells_them(project, yaml_value, shown):
    write_config(project, f"synapse:\n  session:\n    staleTTLHours: {yaml_value}\n")
    result = synapse(project, "config", "show")
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode())
    assert line.endswith(f"synapse.session.staleTTLHours: must be a number of hours, got {shown}")
    assert "None" not in line and "True" not in line


def test_patch_help_names_inline_json_a_file_and_stdin(project):
    for command in (["session", "update"], ["state", "update"]):
        text = " ".join(run_synapse([*command, "--help"], env={"COLUMNS": "300"}).stdout.decode().split())
        assert "inline JSON, @FILE to read it from a file, or - to read it from stdin" in text


def test_patch_accepts_at_file(project, tmp_path):
    patch = tmp_path / "patch.json"
    patch.write_text('{"title": "From a file"}')
    result = synapse(project, "session", "update", SID, "--patch", f"@{patch}")
    assert result.returncode == 0, result.stderr
    assert read_json(session_path(project, SID))["title"] == "From a file"
    missing = synapse(project, "session", "update", SID, "--patch", f"@{tmp_path / 'nope.json'}")
    assert missing.returncode == 1
    assert "cannot read" in one_error_line(missing.stderr.decode()) and "nope.json" in missing.stderr.decode()


def test_patch_at_a_fifo_is_refused_without_hanging(project, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = synapse(project, "session", "update", SID, "--patch", f"@{fifo}")
    assert result.returncode == 1
    assert "is not a regular file" in one_error_line(result.stderr.decode())


@pytest.mark.parametrize("args", [["session", "update", SID, "--patch", "-"], ["state", "update", "--patch", "-"], ["metrics", "persist"]],
                         ids=["session", "state", "metrics"])
@pytest.mark.parametrize("data", [b"", b"  \n"], ids=["empty", "blank"])
def test_empty_stdin_says_so(project, args, data):
    result = synapse(project, *args, input=data)
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode())
    assert "stdin is empty (expected a JSON object)" in line, line


def test_empty_metrics_file_says_so(project, tmp_path):
    empty = tmp_path / "m.json"
    empty.write_bytes(b"")
    result = synapse(project, "metrics", "persist", str(empty))
    assert result.returncode == 1
    assert f"{empty} is empty (expected a JSON object)" in one_error_line(result.stderr.decode())


def test_bad_bracket_lists_the_choices_without_a_validation_library_prefix(project):
    result = synapse(project, "session", "update", SID, "--bracket", "bogus")
    assert result.returncode == 2
    text = result.stderr.decode()
    assert "'bogus' is not one of 'fresh', 'moderate', 'depleted', 'critical'" in text
    assert "Value error" not in text and "Input should be" not in text
