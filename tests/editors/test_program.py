"""The program a hook entry names: launcher or console script, bare name or absolute path, and whether it starts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from synapse_cli.editors.program import (
    check_command,
    choose_program,
    find_own_program,
    program_word,
    quote_program,
)
from synapse_cli.editors.settings import is_own_command

BIN = Path(sys.executable).parent
LAUNCHER = BIN / "synapse-hook"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX launcher and minimal PATH")


def test_this_installation_has_the_launcher_beside_its_interpreter():
    """The package installs ``synapse-hook`` with its ``#!`` line rewritten to this environment's interpreter."""
    assert LAUNCHER.is_file() and os.access(LAUNCHER, os.X_OK)
    first = LAUNCHER.read_bytes().splitlines()[0].decode()
    assert first.startswith("#!") and Path(first[2:].split()[0]).parent == BIN
    program = find_own_program()
    assert program is not None and program.launcher and Path(program.path) == LAUNCHER


def test_absolute_quoted_path_when_the_minimal_path_lacks_the_launcher(tmp_path):
    """With nothing named synapse-hook on the minimal PATH, the command names the launcher by its quoted absolute path, and says why."""
    choice = choose_program(search_path=str(tmp_path))
    assert choice.form == "absolute"
    assert choice.command("prompt-submit", "claude") == f"'{LAUNCHER}' prompt-submit"
    assert choice.command("prompt-submit", "cursor") == f"'{LAUNCHER}' prompt-submit --agent cursor"
    assert "not on the minimal PATH" in choice.reason


def test_bare_name_only_when_the_minimal_path_finds_this_same_launcher(tmp_path):
    """A minimal PATH whose synapse-hook is this one (a link) gets the bare name; another program of that name gets the absolute path."""
    same = tmp_path / "same"
    same.mkdir()
    (same / "synapse-hook").symlink_to(LAUNCHER)
    choice = choose_program(search_path=f"{tmp_path / 'nothing'}:{same}")
    assert (choice.form, choice.command("prompt-submit", "claude")) == ("bare", "synapse-hook prompt-submit")
    other = tmp_path / "other"
    other.mkdir()
    impostor = other / "synapse-hook"
    impostor.write_text("#!/bin/sh\nexit 0\n")
    impostor.chmod(0o755)
    choice = choose_program(search_path=f"{other}:{same}")
    assert choice.form == "absolute" and "another program" in choice.reason
    assert choice.command("session-start", "claude") == f"'{LAUNCHER}' session-start"


def test_executable_override_names_the_given_program():
    """``--executable`` wins: a console script gets ``hook NAME``, the launcher gets ``NAME``."""
    console = choose_program(str(BIN / "synapse"))
    assert console.form == "executable" and console.command("prompt-submit", "codex") == f"'{BIN / 'synapse'}' hook prompt-submit --agent codex"
    assert choose_program(str(LAUNCHER)).command("prompt-submit", "claude") == f"'{LAUNCHER}' prompt-submit"


def test_quoting_survives_spaces_and_single_quotes():
    """A path with a space or a single quote is one word for sh."""
    assert quote_program("/opt/my venv/bin/synapse-hook") == "'/opt/my venv/bin/synapse-hook'"
    assert quote_program("/o'k/synapse-hook") == "'/o'\"'\"'k/synapse-hook'"
    assert program_word(quote_program("/o'k/synapse-hook") + " prompt-submit") == ("/o'k/synapse-hook", None)


@pytest.mark.parametrize(
    "command",
    [
        "'/x/.venv/bin/synapse-hook' prompt-submit",
        "synapse-hook prompt-submit --agent codex",
        '"C:/Users/me/.venv/Scripts/synapse.exe" hook prompt-submit',
        "/x/bin/synapse-hook session-start",
        "synapse --debug hook prompt-submit",
    ],
)
def test_launcher_commands_are_recognised_as_synapses(command):
    """install, uninstall and doctor know the launcher's commands as synapse's own, quoted or not."""
    assert is_own_command(command)


@pytest.mark.parametrize("command", ["synapse-hooks prompt-submit", "my-synapse-hook prompt-submit", "synapse-hook lint"])
def test_look_alikes_of_the_launcher_are_not_synapses(command):
    """Other programs whose names merely contain synapse-hook are left alone."""
    assert not is_own_command(command)


def test_check_command_resolves_the_launcher_and_says_why_not(tmp_path):
    """A registered command starts only if its program resolves on the minimal PATH (or by path) and its interpreter exists."""
    assert check_command(f"'{LAUNCHER}' prompt-submit", str(tmp_path)) == (str(LAUNCHER), None)
    path, why = check_command("synapse hook prompt-submit", str(tmp_path), search_path=str(tmp_path))
    assert path is None and "synapse is not found on PATH=" in why
    path, why = check_command("'/gone/bin/synapse-hook' prompt-submit", str(tmp_path))
    assert path is None and "no such file" in why
    orphan = tmp_path / "synapse-hook"
    orphan.write_text("#!/gone/python3\nimport sys\n")
    orphan.chmod(0o755)
    path, why = check_command(f"'{orphan}' prompt-submit", str(tmp_path))
    assert path is None and "interpreter /gone/python3 does not exist" in why
    not_executable = tmp_path / "bin" / "synapse"
    not_executable.parent.mkdir()
    not_executable.write_text("x")
    path, why = check_command("bin/synapse hook prompt-submit", str(tmp_path))
    assert path is None and "not an executable file" in why


def test_check_command_expands_the_project_variables_editors_set(tmp_path):
    """``"$CLAUDE_PROJECT_DIR"/.venv/bin/synapse-hook`` resolves against the project, ``~`` against the home; an unknown variable is not judged."""
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "synapse-hook").symlink_to(LAUNCHER)
    assert check_command('"$CLAUDE_PROJECT_DIR"/.venv/bin/synapse-hook prompt-submit', str(tmp_path))[1] is None
    assert check_command("${GEMINI_PROJECT_DIR}/.venv/bin/synapse-hook prompt-submit", str(tmp_path))[1] is None
    path, why = check_command('"$CLAUDE_PROJECT_DIR"/missing/synapse-hook prompt-submit', str(tmp_path))
    assert path is None and f"{tmp_path}/missing/synapse-hook: no such file" in why
    assert check_command("$SOME_TOOL_DIR/synapse-hook prompt-submit", str(tmp_path)) == (None, None)
