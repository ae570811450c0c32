"""Rendering for people and for scripts.

``--json`` output is plain JSON on stdout and nothing else. Human output uses rich
only when stdout is a terminal (rich honours ``NO_COLOR``); otherwise plain lines
that are easy to grep.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

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


class AfterCommit:
    """``with AfterCommit("session s1 was updated"):`` around what a command prints once its
    change is written: if printing fails (stdout closed, ``/dev/full``), the error says that
    the change was made, instead of a generic failure that suggests nothing happened.
    A broken pipe (``| head``) stays quiet, as everywhere.
    """

    def __init__(self, done: str):
        self.done = done

    def __enter__(self) -> AfterCommit:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, _tb: object) -> None:
        if exc is None:
            try:
                sys.stdout.flush()
            except (OSError, ValueError, AttributeError) as flush_error:
                exc = flush_error
        # AttributeError: stdout closed before synapse started (sys.stdout is None).
        if exc is None or isinstance(exc, BrokenPipeError) or not isinstance(exc, (OSError, ValueError, AttributeError)):
            return
        from synapse_cli.core.errors import SynapseError

        reason = "stdout is closed" if isinstance(exc, AttributeError) else getattr(exc, "strerror", None) or str(exc)
        raise SynapseError(f"{self.done}, but the output could not be written: {reason}") from exc


def table(
    title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, whole: Sequence[str] = (), pure: bool = False
) -> None:
    """A table: rich on a terminal, tab-separated lines with a header otherwise.

    Columns named in ``whole`` (ids, timestamps) are never broken on a terminal: the
    other columns fold instead, since a broken id cannot be copied back. With ``pure``
    the piped form is plain TSV (no title line), for scripts that read it.
    """
    cells = [[cell_text(value) for value in row] for row in rows]
    if stdout_is_terminal():
        _rich_table(title, columns, cells, whole)
        return
    if title and not pure:
        say(title)
    say("\t".join(columns))
    for row in cells:
        say("\t".join(_tsv_field(c) for c in row))


def _rich_table(title: str | None, columns: Sequence[str], cells: list[list[str]], whole: Sequence[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    widths = [max([len(column), *(len(row[i]) for row in cells)]) for i, column in enumerate(columns)]
    least = [widths[i] if column in whole else min(len(column), 8) for i, column in enumerate(columns)]
    if whole and sum(least) + 3 * len(columns) + 1 > console.width:
        # Too narrow for a table that keeps ids and times whole: one block per row instead.
        if title:
            console.print(_escape(title), style="italic")
        for row in cells:
            console.print(_escape(row[0]), style="bold", soft_wrap=True, crop=False)
            for column, cell in zip(columns[1:], row[1:], strict=False):
                if cell:
                    # soft_wrap: rich never breaks the line; the terminal does, if it must.
                    kept = column in whole
                    console.print(_escape(f"  {column}: {cell}"), soft_wrap=kept, crop=not kept, overflow="ignore" if kept else "fold")
        return
    rich_table = Table(title=title)
    for index, column in enumerate(columns):
        if column in whole:
            rich_table.add_column(column, no_wrap=True, overflow="ignore", min_width=widths[index])
        else:
            # Fold rather than cut: a value shortened with an ellipsis cannot be copied back.
            rich_table.add_column(column, overflow="fold", min_width=least[index])
    for row in cells:
        rich_table.add_row(*[_escape(c) for c in row])
    console.print(rich_table)


def _tsv_field(text: str) -> str:
    """A TSV field holds no tab or line break: a title with one would shift the columns or rows."""
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def json_spelling(value: Any) -> str:
    """A value as JSON spells it (null, true, 3, {"a": 1}); text as it is."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    return cell_text(value)


def cell_text(value: Any) -> str:
    """A value as the state files spell it: true/false, JSON for numbers, lists and objects, blank for null.

    Numbers go through the state files' own writer: ``1e-7`` (Python says ``1e-07``), ``0``
    for ``-0``, ``1e+21``, and big integers as a JavaScript number holds them.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float, list, dict)):
        return compact_json(value)
    return str(value)


def compact_json(value: Any) -> str:
    """``value`` as the state files' writer spells it (``dumps_js``), on one line: ``{"a": 1, "b": [1e-7]}``."""
    import re

    # JSON strings hold no raw line break (the writer escapes them), so every one is the
    # writer's indentation: after a comma it becomes a space, elsewhere nothing.
    return re.sub(r"\n *", "", re.sub(r",\n *", ", ", dumps_js(value)))


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
