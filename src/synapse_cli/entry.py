"""The ``synapse`` console script.

``synapse hook prompt-submit`` runs on every prompt, so it is dispatched here
straight to ``synapse_cli.hook`` without building the Typer application (Typer and
what it pulls in cost 60-200 ms against about 11 ms for a bare interpreter). Any
other command line, including ``hook prompt-submit --help`` or an option this fast
path does not know, goes through Typer.
"""

from __future__ import annotations

import os
import sys

_HOOK_COMMANDS = ("prompt-submit",)


def _fast_hook_call(argv: list[str]) -> dict | None:
    """The keyword arguments of a plain hook invocation, or None to go through Typer."""
    options: dict = {}
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        token = argv[index]
        if token == "--debug":
            options["debug"] = True
            index += 1
        elif token in ("--project-dir", "--config") and index + 1 < len(argv):
            options[token[2:].replace("-", "_").replace("config", "config_path")] = argv[index + 1]
            index += 2
        elif token.startswith(("--project-dir=", "--config=")):
            name, _, value = token[2:].partition("=")
            options[name.replace("-", "_").replace("config", "config_path")] = value
            index += 1
        else:
            return None
    if argv[index : index + 1] != ["hook"] or len(argv) < index + 2 or argv[index + 1] not in _HOOK_COMMANDS:
        return None
    for token in argv[index + 2 :]:
        if token == "--debug":
            options["debug"] = True
        else:
            return None
    return options


def _finish(code: int, output: str) -> None:
    try:
        if output:
            sys.stdout.write(output)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    # Skip interpreter teardown: it costs time on every prompt, and a cleanup thread
    # still running after its grace period is dropped here (it only ever removes whole
    # files, so stopping it at any instant is safe).
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    hook_call = _fast_hook_call(args)
    if hook_call is not None:
        from synapse_cli.hook import run_prompt_submit

        _finish(*run_prompt_submit(**hook_call))
    from synapse_cli.cli.app import run

    sys.exit(run(args))
