"""``synapse_cli.entry.hook_call``: which command lines are an editor's hook (handled
without Typer, mistakes included) and which go to Typer."""

from __future__ import annotations

import pytest

from synapse_cli.entry import hook_call


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["hook", "--help"],
        ["hook", "prompt-submit", "--help"],
        ["hook", "prompt-submit", "-h"],
        ["--version", "hook", "prompt-submit"],
        ["hook", "install"],
        ["hook", "uninstall", "--agent", "cursor"],
        ["--debug", "hook", "install", "--bogus"],
        ["session", "list"],
        ["--project-dir", "hook", "prompt-submit"],  # "hook" is the folder's name here
        [],
    ],
)
def test_help_management_commands_and_other_commands_go_to_typer(argv: list[str]) -> None:
    """--help/-h, hook install/uninstall and every other command are Typer's (None)."""
    assert hook_call(argv) is None


def test_a_plain_hook_call_takes_every_option_in_both_places() -> None:
    """Global options before ``hook`` and the hook's own after the event are all read, in both spellings."""
    call = hook_call(["--project-dir", "/p", "--config=/c.yaml", "hook", "session-end", "--agent=codex", "--debug"])
    assert call == {"name": "session-end", "project_dir": "/p", "config_path": "/c.yaml", "agent": "codex", "debug": True, "problems": ()}


@pytest.mark.parametrize(
    "argv,name,problem",
    [
        (["hook", "prompt-submit", "--bogus"], "prompt-submit", "No such option: --bogus"),
        (["--nope", "hook", "prompt-submit"], "prompt-submit", "No such option: --nope"),
        (["hook", "prompt-submit", "--agent"], "prompt-submit", "Option '--agent' requires an argument."),
        (["hook", "prompt-submit", "--debug=yes"], "prompt-submit", "Option '--debug' does not take a value."),
        (["hook", "prompt-submit", "extra-argument"], "prompt-submit", "Got unexpected extra argument (extra-argument)"),
        (["hook", "no-such-hook"], "no-such-hook", "No such command 'no-such-hook'."),
        (["hook"], "", "Missing command."),
        (["hook", "--agnet", "codex", "session-start"], "codex", "No such option: --agnet"),
    ],
)
def test_mistakes_under_hook_stay_on_the_hook_path_as_problems(argv: list[str], name: str, problem: str) -> None:
    """A mistake in an editor's hook command line is a problem for the hook to log, never a Typer usage error."""
    call = hook_call(argv)
    assert call is not None
    assert call["name"] == name
    assert problem in call["problems"]


def test_the_agent_of_a_mistaken_command_line_is_still_known() -> None:
    """``--agent cursor`` next to a bad option is kept, so Cursor still gets its answer."""
    call = hook_call(["hook", "prompt-submit", "--agent", "cursor", "--bogus"])
    assert call is not None and call["agent"] == "cursor" and call["problems"] == ("No such option: --bogus",)
