"""Every command of the Typer application, and its help as a person sees it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

from synapse_cli.cli.app import app


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Each command under ``command``, with the words that name it (``("session", "show")``)."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = list(walk(typer.main.get_command(app)))
IDS = [" ".join(path) or "synapse" for path, _ in COMMANDS]


def rendered_help(path: tuple[str, ...], columns: int = 300) -> str:
    """``synapse PATH --help`` as printed at ``columns`` columns, without colour."""
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(columns), "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.stdout
