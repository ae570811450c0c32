"""``synapse config show [--json]``: effective values and where each came from."""

from __future__ import annotations

import json

import pytest

from synapse_cli.core.config import SETTINGS
from tests.support.files import write_config
from tests.support.output import one_error_line

DEFAULTS = {
    "synapse.session.staleTTLHours": 168,
    "synapse.session.autoClean": True,
    "synapse.session.cleanupGraceMs": 50,
    "synapse.lock.timeoutSeconds": 5,
}


def _settings(cli, project, env=None):
    result = cli(project, "config", "show", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_show_json_lists_every_setting_with_default_sources(cli, project):
    """Without a config file every setting shows its built-in default with source ``default``."""
    shown = _settings(cli, project)
    assert shown["project"] == str(project)
    assert shown["config_file"] is None
    assert set(shown["settings"]) == {s.key for s in SETTINGS}
    for key, value in DEFAULTS.items():
        assert shown["settings"][key]["value"] == value
        assert shown["settings"][key]["source"] == "default"


def test_show_reports_file_values_and_their_file(cli, project):
    """Values set in .aios-core/core-config.yaml show that file as their source; other keys of the file are ignored."""
    path = write_config(project, "project:\n  name: shop\nsynapse:\n  session:\n    staleTTLHours: 24\n    autoClean: false\n")
    shown = _settings(cli, project)
    assert shown["config_file"] == str(path)
    assert shown["settings"]["synapse.session.staleTTLHours"] == {**shown["settings"]["synapse.session.staleTTLHours"], "value": 24, "source": f"file {path}"}
    assert shown["settings"]["synapse.session.autoClean"]["value"] is False
    assert shown["settings"]["synapse.lock.timeoutSeconds"]["source"] == "default"


def test_show_reports_the_aiox_core_config_too(cli, project):
    """.aiox-core/core-config.yaml is read when .aios-core/ has none."""
    path = write_config(project, "synapse:\n  lock:\n    timeoutSeconds: 2\n", folder=".aiox-core")
    setting = _settings(cli, project)["settings"]["synapse.lock.timeoutSeconds"]
    assert setting["value"] == 2 and setting["source"] == f"file {path}"


def test_environment_overrides_the_file(cli, project):
    """An environment variable beats the file, and its source names the variable."""
    write_config(project, "synapse:\n  session:\n    staleTTLHours: 24\n")
    setting = _settings(cli, project, env={"SYNAPSE_STALE_TTL_HOURS": "12"})["settings"]["synapse.session.staleTTLHours"]
    assert setting["value"] == 12
    assert setting["source"] == "env SYNAPSE_STALE_TTL_HOURS"


def test_synapse_config_env_names_the_file(cli, project, tmp_path):
    """``SYNAPSE_CONFIG`` points at the config file to read instead of the project's."""
    other = tmp_path / "elsewhere.yaml"
    other.write_text("synapse:\n  session:\n    cleanupGraceMs: 10\n")
    shown = _settings(cli, project, env={"SYNAPSE_CONFIG": str(other)})
    assert shown["config_file"] == str(other)
    assert shown["settings"]["synapse.session.cleanupGraceMs"]["value"] == 10


def test_show_human_table(cli, project):
    """Human ``config show`` prints the project, the config file and one ``key value source`` row per setting."""
    write_config(project, "synapse:\n  session:\n    autoClean: false\n")
    result = cli(project, "config", "show")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"Project: {project}"
    assert lines[1].startswith("Config file: ") and "core-config.yaml" in lines[1]
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in lines[3:]}
    assert rows["synapse.session.autoClean"][0] == "false"
    assert rows["synapse.session.autoClean"][1].startswith("file ")
    assert rows["synapse.session.staleTTLHours"] == ["168", "default"]


def test_a_config_edit_takes_effect_on_the_next_run(cli, project):
    """The file is read anew on every run: editing it changes the next ``config show``."""
    path = write_config(project, "synapse:\n  session:\n    staleTTLHours: 48\n")
    assert _settings(cli, project)["settings"]["synapse.session.staleTTLHours"]["value"] == 48
    path.write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    assert _settings(cli, project)["settings"]["synapse.session.staleTTLHours"]["value"] == 24


@pytest.mark.parametrize(
    "text,needles",
    [
        ("synapse:\n  session: [unclosed\n", ["core-config.yaml", "invalid YAML"]),
        ("synapse:\n  session:\n    cleanupGraceMs: -3\n", ["core-config.yaml", "cleanupGraceMs"]),
        ("synapse:\n  write:\n    fsync: 7\n", ["core-config.yaml", "fsync"]),
        ("synapse:\n  session:\n    autoClean: maybe\n", ["core-config.yaml", "autoClean"]),
        ("synapse:\n  lock:\n    timeoutSeconds: 0\n", ["core-config.yaml", "timeoutSeconds"]),
    ],
)
def test_bad_config_is_an_expected_failure(cli, project, text, needles):
    """Invalid YAML or an invalid value exits 1 with one line naming the file and the key or problem.

    The effective values (the defaults in place of the bad ones) are still shown: config show
    is the tool to diagnose a bad config with (issue 10, item 18).
    """
    write_config(project, text)
    result = cli(project, "config", "show")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    for needle in needles:
        assert needle in line
    assert "synapse.lock.timeoutSeconds" in result.stdout


def test_bad_environment_value_is_an_expected_failure(cli, project):
    """An invalid value in a SYNAPSE_* variable exits 1 with one line naming the variable."""
    result = cli(project, "config", "show", env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "soon"})
    assert result.exit_code == 1
    assert "SYNAPSE_LOCK_TIMEOUT_SECONDS" in one_error_line(result.stderr)


def test_bad_config_fails_other_commands_too(cli, project, sessions_dir):
    """A command that needs the config (``session clean``) exits 1 on a bad config and removes nothing."""
    write_config(project, "synapse:\n  lock:\n    timeoutSeconds: lots\n")
    (sessions_dir / "x.json").write_text("{}")
    result = cli(project, "session", "clean")
    assert result.exit_code == 1
    assert "timeoutSeconds" in one_error_line(result.stderr)
    assert (sessions_dir / "x.json").exists()


@pytest.mark.parametrize("value", ["0", "-3", "lots", "1e12"])
def test_invalid_stale_ttl_is_refused_naming_file_and_key(cli, project, sessions_dir, value):
    """Commands refuse a zero, negative, non-number or huge staleTTLHours with one line naming the file and key.

    (The hook, which must never fail, uses the default 168 h instead, as the JavaScript
    side does; a command run by a person says what to fix rather than guess, because a
    guessed TTL shorter than the one meant would remove sessions the user wanted kept.)
    """
    config_file = write_config(project, f"synapse:\n  session:\n    staleTTLHours: {value}\n")
    (sessions_dir / "x.json").write_text("{}")
    result = cli(project, "session", "clean", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synapse: ")
    assert str(config_file) in lines[0] and "synapse.session.staleTTLHours" in lines[0]
    assert (sessions_dir / "x.json").exists()
