"""Global options after the command (issue 12 item 5): `synapse init --project-dir X`, as the help shows it."""

from __future__ import annotations

import json
import re
import shlex

import pytest
import typer
from typer.testing import CliRunner

from synapse_cli.cli.app import app
from tests.support.output import one_error_line
from tests.support.paths import SID
from tests.support.run import run_synapse
from tests.support.sessions import write_session


def test_init_takes_project_dir_after_the_command(tmp_path):
    """The example in `synapse init --help`, run from another folder."""
    target = tmp_path / "shop"
    target.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_synapse(["init", "--project-dir", str(target)], cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (target / ".synapse" / ".gitignore").is_file()
    assert not (elsewhere / ".synapse").exists()


@pytest.mark.parametrize("args", [
    ["session", "list", "--project-dir", "{p}", "--json"],
    ["session", "list", "--json", "--project-dir={p}"],
    ["--json", "session", "list", "--project-dir", "{p}"],
    ["session", "--project-dir", "{p}", "list", "--json"],
], ids=["after", "equals", "json-before", "between-words"])
def test_session_list_with_options_anywhere(project, tmp_path, args):
    write_session(project, SID)
    argv = [a.replace("{p}", str(project)) for a in args]
    result = run_synapse(argv, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [s["id"] for s in json.loads(result.stdout)] == [SID]


def test_config_and_debug_after_the_command(project, tmp_path):
    """--config names the file used; --debug is accepted after the command too."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("synapse:\n  session:\n    staleTTLHours: 0\n")
    result = run_synapse(["session", "list", "--config", str(bad), "--debug", "--project-dir", str(project)], cwd=tmp_path)
    assert result.returncode == 1
    assert str(bad) in result.stderr.decode().splitlines()[-1]
    ok = run_synapse(["config", "show", "--json", "--debug", "--project-dir", str(project)], cwd=tmp_path)
    assert ok.returncode == 0 and json.loads(ok.stdout)["project"] == str(project)


def test_a_command_option_value_that_looks_like_a_global_option_stays_a_value(project, tmp_path):
    """`--title --debug` sets the title to "--debug"; `--` ends the options."""
    write_session(project, SID)
    result = run_synapse(["session", "update", SID, "--title", "--debug", "--project-dir", str(project)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = run_synapse(["session", "show", SID, "--json", "--project-dir", str(project)], cwd=tmp_path)
    assert json.loads(shown.stdout)["title"] == "--debug"
    after_dashes = run_synapse(["--project-dir", str(project), "session", "show", "--", "--project-dir"], cwd=tmp_path)
    assert after_dashes.returncode == 1
    assert "no session '--project-dir'" in one_error_line(after_dashes.stderr)


def test_the_later_of_two_project_dirs_wins(project, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    result = run_synapse(["--project-dir", str(other), "session", "list", "--json", "--project-dir", str(project)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_json_before_the_command_goes_to_the_command(project):
    """`synapse --json init` prints the command's JSON, as `synapse init --json` does."""
    for args in (["init"], ["session", "clean", "--dry-run"], ["hook", "uninstall", "--dry-run"]):
        result = run_synapse(["--json", "--project-dir", str(project), *args])
        assert result.returncode == 0, (args, result.stderr)
        assert isinstance(json.loads(result.stdout), dict), args


def examples():
    root = typer.main.get_command(app)
    found = []

    def walk(command, path):
        for name in getattr(command, "commands", {}):
            sub = command.commands[name]
            for example in re.findall(r"Example: (synapse [^\n]+)", sub.help or ""):
                found.append(example.strip())
            walk(sub, (*path, name))

    walk(root, ())
    return found


EXAMPLES = examples()


def test_there_are_examples_to_check():
    assert any("--project-dir" in e for e in EXAMPLES), EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_help_example_parses(example):
    """Each `Example:` in the help is a valid command line: with --help appended, click accepts every option in it."""
    words = shlex.split(example)[1:]
    result = CliRunner().invoke(app, [*words, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, (example, result.output)
