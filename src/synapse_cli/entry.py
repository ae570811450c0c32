"""The ``synapse`` console script.

``synapse hook prompt-submit`` runs on every prompt (and ``session-start`` and
``session-end`` within an editor's small time budget), so every editor hook command
line, ``synapse [global options] hook <event> ...``, is handled here and handed to
``synapse_cli.hooks.runner`` without building the Typer application (Typer and what
it pulls in cost 60-200 ms against about 11 ms for a bare interpreter). That
includes command lines with mistakes in them (an unknown option, a missing value, an
unknown event): the mistake is logged to the project's log, the exit code is 0 and
the agent still gets its answer, because a hook that failed would cost the user the
prompt. Only ``--help``/``-h`` and ``hook install``/``hook uninstall`` under ``hook``,
and every other command, go to Typer (``synapse_cli.cli.app``).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any

HOOK_EVENTS = ("prompt-submit", "session-start", "session-end")
_HOOK_MANAGEMENT_COMMANDS = ("install", "uninstall")
_GLOBAL_VALUE_OPTIONS = {"--project-dir": "project_dir", "--config": "config_path"}
_HOOK_VALUE_OPTIONS = {**_GLOBAL_VALUE_OPTIONS, "--agent": "agent"}
# Global options only Typer can answer: help, the version, shell completion.
_TYPER_ONLY_OPTIONS = ("--help", "-h", "--version", "--install-completion", "--show-completion")


def _take_option(tokens: list[str], index: int, known: dict[str, str], call: dict[str, Any]) -> int:
    """Read the option at ``tokens[index]`` into ``call``; return the index after it.

    A mistake is added to ``call["problems"]`` in the words Typer would use.
    """
    token = tokens[index]
    name, equals, value = token.partition("=")
    if name == "--debug":
        if equals:
            call["problems"].append("Option '--debug' does not take a value.")
        else:
            call["debug"] = True
    elif name in known and equals:
        call[known[name]] = value
    elif name in known and index + 1 < len(tokens):
        call[known[name]] = tokens[index + 1]
        return index + 2
    elif name in known:
        call["problems"].append(f"Option '{name}' requires an argument.")
    else:
        call["problems"].append(f"No such option: {name}")
    return index + 1


def hook_call(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of ``run_hook`` for an editor's hook command line, or None for Typer.

    ``[--project-dir P] [--config F] [--debug] hook EVENT [--agent A] [--project-dir P]
    [--config F] [--debug]``; anything else after ``hook`` (but ``--help``, ``install``
    and ``uninstall``) is a mistake listed in ``problems``.
    """
    call: dict[str, Any] = {"problems": []}
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        if argv[index].partition("=")[0] in _TYPER_ONLY_OPTIONS:
            return None
        index = _take_option(argv, index, _GLOBAL_VALUE_OPTIONS, call)
    if argv[index : index + 1] != ["hook"]:
        return None
    rest = argv[index + 1 :]
    if rest[:1] and rest[0] in _HOOK_MANAGEMENT_COMMANDS or any(token in ("--help", "-h") for token in rest):
        return None
    words: list[str] = []
    index = 0
    while index < len(rest):
        if rest[index].startswith("-") and rest[index] != "-":
            index = _take_option(rest, index, _HOOK_VALUE_OPTIONS, call)
        else:
            words.append(rest[index])
            index += 1
    call["name"] = words[0] if words else ""
    if not words:
        call["problems"].append("Missing command.")
    elif words[0] not in HOOK_EVENTS:
        call["problems"].append(f"No such command '{words[0]}'.")
    elif len(words) > 1:
        call["problems"].append(f"Got unexpected extra argument{'s' if len(words) > 2 else ''} ({' '.join(words[1:])})")
    call["problems"] = tuple(call["problems"])
    return call


def run_hook_call(call: dict[str, Any], stdin_fd: int = 0) -> tuple[int, str]:
    """Run the hook ``hook_call`` described; ``(0, the agent's answer)`` whatever happens."""
    try:
        from synapse_cli.hooks.runner import run_hook

        return run_hook(stdin_fd=stdin_fd, **call)
    except Exception:  # run_hook never raises; this is the last guard of the prompt
        try:
            from synapse_cli.hooks.agents import go_on_answer

            return 0, go_on_answer(call.get("agent"))
        except Exception:
            return 0, ""


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


def _exit_quietly_on_signals(call: dict[str, Any]) -> None:
    """SIGINT and SIGTERM end a hook with exit 0 and the agent's answer, never a traceback.

    An editor that stops its hook (or a Ctrl-C in its terminal) must not see a failure:
    every write synapse makes is atomic, so stopping at any instant loses nothing
    written, and a temp file left behind is swept later. ``_signal`` is the built-in
    module under ``signal``, which would import ``enum`` on every prompt.
    """
    import _signal  # type: ignore[import-not-found]

    def stop(_signum: int, _frame: object) -> None:
        try:
            from synapse_cli.hooks.agents import go_on_answer

            answer = go_on_answer(call.get("agent"))
        except Exception:
            answer = ""
        _finish(0, answer)

    for name in ("SIGINT", "SIGTERM"):
        number = getattr(_signal, name, None)
        if number is not None:
            try:
                _signal.signal(number, stop)
            except (OSError, ValueError):  # not the main thread, or not allowed here
                pass


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    call = hook_call(args)
    if call is not None:
        _exit_quietly_on_signals(call)
        _finish(*run_hook_call(call))
    from synapse_cli.cli.app import run

    code = run(args)
    # Every other command skips interpreter teardown as well: by now its files are written
    # and closed, and tearing down Typer's modules costs about 15 ms of a 60 ms command.
    # Output that cannot be written is still an error, as it was at teardown.
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        code = code or 1
    except (OSError, ValueError) as exc:
        try:
            sys.stderr.write(f"synapse: the output could not be written: {getattr(exc, 'strerror', None) or exc}\n")
        except Exception:
            pass
        code = code or 1
    _finish(code, "")
