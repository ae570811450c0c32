"""Rendering for people and for scripts.

``--json`` output is plain JSON on stdout and nothing else. Human output uses rich
only when stdout is a terminal (rich honours ``NO_COLOR``); otherwise plain lines
that are easy to grep.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from synapse_cli.core.jsonio import dumps_js


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def emit_json(value: Any) -> None:
    """The value as the state files hold it (JavaScript number rules), then a newline."""
    sys.stdout.write(dumps_js(value) + "\n")
    sys.stdout.flush()


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table: rich on a terminal, tab-separated lines with a header otherwise."""
    cells = [[cell_text(value) for value in row] for row in rows]
    if stdout_is_terminal():
        from rich.console import Console
        from rich.table import Table

        rich_table = Table(title=title)
        for column in columns:
            # Fold rather than cut: an id shortened with an ellipsis cannot be copied back.
            rich_table.add_column(column, overflow="fold")
        for row in cells:
            rich_table.add_row(*[_escape(c) for c in row])
        Console().print(rich_table)
        return
    if title:
        say(title)
    say("\t".join(columns))
    for row in cells:
        say("\t".join(row))


def cell_text(value: Any) -> str:
    """A value as the state files spell it: true/false, JSON for lists and objects, blank for null."""
    if value is None:
        return ""
    if isinstance(value, (bool, list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
