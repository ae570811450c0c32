"""Every command's help reads right (issue 12 item 12): the whole click tree is walked, so a new command is checked too."""

from __future__ import annotations

import re

import pytest
import typer

from tests.support.help import COMMANDS, IDS, rendered_help


def test_the_tree_has_every_command():
    assert {"init", "doctor", "session show", "session update", "hook install", "metrics persist", "config show", "state update"} <= set(IDS)


@pytest.mark.parametrize("path,command", COMMANDS, ids=IDS)
def test_help_sentences_have_no_source_line_breaks(path, command):
    """Help text is wrapped by the terminal, not by the source: a paragraph is one line, an option's help has none."""
    for paragraph in (command.help or "").strip().split("\n\n"):
        assert "\n" not in paragraph.strip(), f"{IDS[COMMANDS.index((path, command))]}: {paragraph!r}"
    for param in command.params:
        assert "\n" not in (getattr(param, "help", None) or ""), (param.name, param.help)


@pytest.mark.parametrize("path,command", COMMANDS, ids=IDS)
def test_rendered_help_has_no_value_placeholder_after_flags_nor_braced_arguments(path, command):
    """`--debug <bool>` reads as taking a value, and `{session_id}` as a template: neither is shown."""
    text = rendered_help(path)
    assert "<bool>" not in text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    for param in command.params:
        if isinstance(param, typer.core.TyperArgument):
            assert param.human_readable_name.isupper(), param.human_readable_name
            assert param.human_readable_name in usage
    assert not re.search(r"\{[a-z_]+\}", text)


def test_session_commands_name_their_argument_session_id():
    for name in ("show", "update", "delete"):
        usage = next(line for line in rendered_help(("session", name)).splitlines() if "Usage:" in line)
        assert usage.strip().endswith("SESSION_ID"), usage


def test_doctor_help_says_any_editor_not_only_claude_code():
    text = " ".join(rendered_help(("doctor",)).split())
    assert "any editor" in text
    assert "registered for Claude Code" not in text
