"""An invalid environment variable is named by itself, with the unit it takes, never with synapse's internal key;
`--patch patch.json` (a file name without @) says how to read a file."""

from __future__ import annotations

import pytest

from synapse_cli.core.config import SETTINGS
from tests.support.output import one_error_line
from tests.support.paths import SID
from tests.support.run import run_in_project as synapse
from tests.support.run import run_synapse
from tests.support.sessions import session_path

BAD = {
    "SYNAPSE_STALE_TTL_HOURS": ("bogus", "must be a number of hours, got 'bogus'"),
    "SYNAPSE_AUTO_CLEAN": ("maybe", "must be true or false (or yes/no, on/off, 1/0), got 'maybe'"),
    "SYNAPSE_CLEANUP_GRACE_MS": ("-1", "must be a non-negative number of milliseconds, got -1"),
    "SYNAPSE_START_CLEANUP_INTERVAL_SECONDS": ("soon", "must be a number of seconds, got 'soon'"),
    "SYNAPSE_TEMP_MAX_AGE_SECONDS": ("1e99", "must be at most 3.1536e+07 seconds, got 1e+99"),
    "SYNAPSE_LOCK_TIMEOUT_SECONDS": ("0", "must be a positive number of seconds, got 0"),
    "SYNAPSE_FSYNC": ("2", "must be true or false (or yes/no, on/off, 1/0), got 2"),
    "SYNAPSE_LOG_MAX_BYTES": ("5", "must be at least 1024 bytes, got 5"),
}


def test_every_setting_is_covered():
    assert set(BAD) == {s.env for s in SETTINGS}


@pytest.mark.parametrize("variable", list(BAD))
def test_an_invalid_variable_is_named_without_the_internal_key(project, variable):
    value, message = BAD[variable]
    result = synapse(project, "session", "clean", "--dry-run", env={variable: value})
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode())
    assert line == f"synapse: environment variable {variable}: {message}"
    assert "synapse." not in line.removeprefix("synapse: ")


def test_the_ttl_example_reads_cleanly(project):
    result = synapse(project, "session", "clean", "--dry-run", env={"SYNAPSE_STALE_TTL_HOURS": "bogus"})
    assert result.stderr.decode().strip() == "synapse: environment variable SYNAPSE_STALE_TTL_HOURS: must be a number of hours, got 'bogus'"


def test_a_config_file_value_still_names_its_key(project):
    """In a file, the key is what locates the value: it stays in the message, now with the unit."""
    from tests.support.files import write_config

    write_config(project, "synapse:\n  session:\n    staleTTLHours: soon\n")
    line = one_error_line(synapse(project, "session", "clean", "--dry-run").stderr.decode())
    assert line.endswith("core-config.yaml: synapse.session.staleTTLHours: must be a number of hours, got 'soon'")


@pytest.mark.parametrize("command", [["session", "update", SID], ["state", "update"]])
def test_a_patch_naming_an_existing_file_hints_at_the_at_sign(project, command):
    (project / "patch.json").write_text('{"currentStory": "docs/story.md"}')  # a field both patches take
    result = run_synapse([*command, "--patch", "patch.json"], cwd=project)
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode())
    assert "--patch is not valid JSON" in line and line.endswith("(to read a file, write @patch.json)")
    assert not session_path(project, SID).exists()
    assert run_synapse([*command, "--patch", "@patch.json"], cwd=project).returncode == 0


@pytest.mark.parametrize("text", ["nope.json", '{"title": ', "not json"])
def test_no_hint_when_the_text_names_no_file(project, text):
    result = run_synapse(["session", "update", SID, "--patch", text], cwd=project)
    assert result.returncode == 1
    assert "@" not in one_error_line(result.stderr.decode())
