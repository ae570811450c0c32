"""Help text on every command, and the global options (--version, --project-dir, --debug, --config)."""

from __future__ import annotations

import json

import pytest
import typer

from synapse_cli import __version__
from synapse_cli.cli.app import app
from tests.support.files import read_json
from tests.support.output import one_error_line
from tests.support.sessions import session_path


def _walk(command, path=()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))


ALL_COMMANDS = [path for path, _ in _walk(typer.main.get_command(app))]


def test_the_command_tree_has_every_documented_command():
    """The tree holds every command and sub-command the issue describes."""
    expected = {
        (), ("init",), ("hook",), ("hook", "prompt-submit"),
        ("session",), ("session", "update"), ("session", "show"), ("session", "list"), ("session", "delete"), ("session", "clean"),
        ("state",), ("state", "update"), ("state", "show"),
        ("metrics",), ("metrics", "persist"),
        ("config",), ("config", "show"),
    }
    assert expected <= set(ALL_COMMANDS)


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "synapse")
def test_every_command_and_parameter_has_help_text(path):
    """Every command and sub-command has a non-empty help text, and so does each of its parameters."""
    command = dict(_walk(typer.main.get_command(app)))[path]
    assert (command.help or "").strip(), f"{' '.join(path) or 'synapse'} has no help text"
    for param in command.params:
        if param.name in ("help",):
            continue
        assert (getattr(param, "help", None) or "").strip(), f"{' '.join(path)}: parameter {param.name} has no help"


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "synapse")
def test_help_option_prints_usage_and_exits_0(cli, path):
    """``--help`` works on every command (including under ``hook``) and exits 0 with the usage on stdout."""
    result = cli(None, *path, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Usage" in result.stdout


def test_version_prints_name_and_version(cli):
    """``--version`` prints ``synapse <version>`` and exits 0."""
    result = cli(None, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"synapse {__version__}\n"
    assert result.stderr == ""


def test_no_arguments_is_a_usage_error(cli):
    """``synapse`` alone shows the usage and exits 2."""
    result = cli(None)
    assert result.exit_code == 2


def test_debug_sends_diagnostics_to_stderr(cli, project, sessions_dir):
    """``--debug`` prints the core's diagnostics on stderr; without it stderr stays empty on success."""
    quiet = cli(project, "session", "clean", "--json")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    loud = cli(project, "--debug", "session", "clean", "--json")
    assert loud.exit_code == 0
    assert "DEBUG" in loud.stderr and "stale session" in loud.stderr
    json.loads(loud.stdout)  # --json stdout stays pure even with --debug


def test_synapse_debug_env_is_the_same_as_the_flag(cli, project):
    """``SYNAPSE_DEBUG=1`` turns on the same diagnostics as ``--debug``."""
    result = cli(project, "session", "clean", env={"SYNAPSE_DEBUG": "1"})
    assert result.exit_code == 0
    assert "DEBUG" in result.stderr


def test_config_option_replaces_the_project_config_file(cli, project, tmp_path):
    """``--config FILE`` is read instead of the project's .aios-core/core-config.yaml."""
    (project / ".aios-core").mkdir()
    (project / ".aios-core" / "core-config.yaml").write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    other = tmp_path / "other.yaml"
    other.write_text("synapse:\n  session:\n    staleTTLHours: 12\n")
    result = cli(project, "--config", str(other), "config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    setting = json.loads(result.stdout)["settings"]["synapse.session.staleTTLHours"]
    assert setting["value"] == 12
    assert setting["source"] == f"file {other}"


def test_config_option_naming_a_missing_file_is_an_expected_failure(cli, project, tmp_path):
    """``--config`` naming a file that does not exist exits 1 with one line naming that file."""
    missing = tmp_path / "nope.yaml"
    result = cli(project, "--config", str(missing), "session", "list")
    assert result.exit_code == 1
    assert str(missing) in one_error_line(result.stderr)
    assert result.stdout == ""


def test_project_dir_option_selects_the_project(cli, project, tmp_path, monkeypatch):
    """``--project-dir`` wins over the project found from the current folder."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".synapse").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    result = cli(project, "session", "update", "s1")
    assert result.exit_code == 0, result.stderr
    assert read_json(session_path(project, "s1"))["prompt_count"] == 1
    assert not (elsewhere / ".synapse" / "sessions" / "s1.json").exists()
