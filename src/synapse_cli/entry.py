"""The ``synapse`` console script.

``synapse hook prompt-submit`` runs on every prompt (and ``session-start`` and
``session-end`` within an editor's small time budget), so hooks are dispatched here
straight to ``synapse_cli.hooks.runner`` without building the Typer application (Typer and
what it pulls in cost 60-200 ms against about 11 ms for a bare interpreter). Any
other command line, including ``hook prompt-submit --help`` or an option this fast
path does not know, goes through Typer.
"""

from __future__ import annotations

import os
import sys

_HOOK_COMMANDS = ("prompt-submit", "session-start", "session-end")
_VALUE_OPTIONS = {"--project-dir": "project_dir", "--config": "config_path"}
_HOOK_VALUE_OPTIONS = {**_VALUE_OPTIONS, "--agent": "agent"}


def _take_options(tokens: list[str], known: dict[str, str], options: dict) -> int | None:
    """Read leading options into ``options``; return where they end, or None for one the fast path does not know."""
    index = 0
    while index < len(tokens) and tokens[index].startswith("-"):
        token = tokens[index]
        name, equals, value = token.partition("=")
        if token == "--debug":
            options["debug"] = True
            index += 1
        elif name in known and equals:
            options[known[name]] = value
            index += 1
        elif token in known and index + 1 < len(tokens):
            options[known[token]] = tokens[index + 1]
            index += 2
        else:
            return None
    return index


def _fast_hook_call(argv: list[str]) -> dict | None:
    """The keyword arguments of a plain hook invocation, or None to go through Typer.

    ``[--project-dir P] [--config F] [--debug] hook NAME [--agent A] [--project-dir P]
    [--config F] [--debug]``; anything else (``--help`` included) goes through Typer.
    """
    options: dict = {}
    index = _take_options(argv, _VALUE_OPTIONS, options)
    if index is None or argv[index : index + 1] != ["hook"] or index + 1 >= len(argv):
        return None
    name = argv[index + 1]
    if name not in _HOOK_COMMANDS:
        return None
    rest = argv[index + 2 :]
    if _take_options(rest, _HOOK_VALUE_OPTIONS, options) != len(rest):
        return None
    options["name"] = name
    return options


def _finish(code: int, output: str) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is sys.stdout and output:
                stream.write(output)
            stream.flush()
        except Exception:  # a closed or missing stream (None) must not fail the hook
            pass
    # Skip interpreter teardown: it costs time on every prompt, and a cleanup thread
    # still running after its grace period is dropped here (it only ever removes whole
    # files, so stopping it at any instant is safe).
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    hook_call = _fast_hook_call(args)
    if hook_call is not None:
        from synapse_cli.hooks.runner import run_hook

        _finish(*run_hook(hook_call.pop("name"), **hook_call))
    from synapse_cli.cli.app import run

    sys.exit(run(args))
