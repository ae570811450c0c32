"""Help text a fresh user trusted and found wrong: type placeholders (``--project-dir <str>``), an
"Example:" run into a sentence, the hooks said to print nothing while Cursor's prints its answer,
and a --project-dir default that init and hook install do not follow. The whole click tree is
walked, so a new command or option is checked too."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import typer

from synapse_cli.cli.app import app
from tests.support.help import COMMANDS, IDS, rendered_help
from tests.support.hook_commands import payload_for
from tests.support.run import synapse_executable

SYNAPSE_BIN = synapse_executable()


# What click and Typer show for a value that has no name of its own: <str>, <int>, <float range>, TEXT, PATH...
TYPE_PLACEHOLDER = re.compile(r"<(str|text|int|integer|float|float range|int range|path|file|filename|bool|boolean|uuid|datetime)>", re.I)
TYPE_NAMES = {"TEXT", "INTEGER", "FLOAT", "BOOLEAN", "UUID", "FILENAME", "DIRECTORY", "STR", "INT"}



def takes_a_value(param) -> bool:
    return not getattr(param, "is_flag", False) and not getattr(param, "count", False)


@pytest.mark.parametrize("path,command", COMMANDS, ids=IDS)
def test_every_value_is_named_by_what_it_is_not_by_its_type(path, command):
    """An option or argument that takes a value shows a name (DIR, FILE, NAME, SESSION_ID) or its choices, never ``<str>``."""
    text = rendered_help(path)
    panels = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("│"))  # the option and argument rows
    assert not TYPE_PLACEHOLDER.search(panels), TYPE_PLACEHOLDER.search(panels).group(0)
    for param in command.params:
        if not takes_a_value(param) or param.name == "help":
            continue
        if type(param.type).__name__.endswith("Choice"):  # shown as its choices: <claude|codex|gemini|cursor>
            continue
        assert param.metavar and param.metavar.isupper() and param.metavar not in TYPE_NAMES, (param.opts, param.metavar)
        names = param.opts if param.param_type_name == "option" else [param.metavar]
        rows = [line for line in panels.splitlines() if any(name in line for name in names)]
        assert any(re.search(rf"(^|\s){re.escape(param.metavar)}(\s|$)", row.strip("│ ")) for row in rows), (param.opts, rows)


@pytest.mark.parametrize("path,command", COMMANDS, ids=IDS)
def test_an_example_starts_its_own_line(path, command):
    """``Example:`` opens its own paragraph in the source and its own line on screen, at any width."""
    for paragraph in (command.help or "").split("\n\n"):
        if "Example:" in paragraph:
            assert paragraph.strip().startswith("Example:"), paragraph
    for columns in (80, 300):
        for line in rendered_help(path, columns).splitlines():
            if "Example:" in line:
                assert line.strip().startswith("Example:"), line


def test_config_show_help_has_its_example_on_its_own_line():
    lines = [line.strip() for line in rendered_help(("config", "show")).splitlines()]
    assert "Example: synapse config show --json" in lines


def test_hook_help_names_what_each_editor_gets_on_stdout(tmp_path):
    """The installed hook, run as each editor runs it, prints only what ``synapse hook --help`` says it prints."""
    text = " ".join(rendered_help(("hook",)).split())
    assert "nothing on stdout, whatever happens" not in text
    ran = subprocess.run([SYNAPSE_BIN, "init"], cwd=tmp_path, capture_output=True, check=False, timeout=60)
    assert ran.returncode == 0, ran.stderr
    for agent in ("claude", "codex", "gemini", "cursor"):
        payload, _session = payload_for(agent, tmp_path)
        for event in (payload, b"not json"):
            ran = subprocess.run([SYNAPSE_BIN, "hook", "prompt-submit", "--agent", agent], input=event, cwd=tmp_path,
                                 capture_output=True, check=False, timeout=60, env={**os.environ, "CLAUDE_PROJECT_DIR": str(tmp_path)})
            assert ran.returncode == 0
            answer = ran.stdout.decode().strip()
            if answer:
                assert json.loads(answer) == {"continue": True}
                assert f"{agent.capitalize()}: {answer}" in text, (agent, answer, text)
            else:
                assert "prints nothing on stdout" in text


def test_project_dir_help_states_the_fallback_init_uses(tmp_path):
    """``synapse init`` in a git work tree's subfolder sets up the work tree's top: the global --project-dir help says so."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "src" / "deep").mkdir(parents=True)
    ran = subprocess.run([SYNAPSE_BIN, "init", "--json"], cwd=tmp_path / "src" / "deep", capture_output=True, check=False, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["project"] == str(tmp_path)
    (option,) = [p for p in typer.main.get_command(app).params if p.name == "project_dir"]
    assert "the nearest one at or above the current folder." not in option.help
    assert "init and hook install/uninstall use the top of the git work tree, else the current folder" in option.help
    assert "nearest folder holding .synapse/ at or above the current one" in option.help
