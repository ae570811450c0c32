"""``synapse hook ...``: the commands editors run. They always exit 0.

``synapse hook prompt-submit`` normally never reaches this module: the console
script dispatches it straight to the core (see ``synapse_cli.entry``). This Typer
command serves ``--help`` and invocations with options the fast path does not know.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.hook import run_prompt_submit

app = typer.Typer(
    help="Hooks for AI-coding editors. They always exit 0 and print nothing on stdout, whatever happens.",
    # Not no_args_is_help: Typer prints that help on stdout, which an editor would inject
    # into the model's context. A bare `synapse hook` is a usage error, logged silently.
    no_args_is_help=False,
)


def _stdin_fd() -> tuple[int, object | None]:
    """The descriptor to read the event from, and a temp file to close afterwards.

    Normally ``sys.stdin`` is descriptor 0. When it has been replaced by an in-memory
    stream (an embedding caller, click's CliRunner), descriptor 0 is not what the caller
    passed: copy that stream (bounded) into a temp file and read the event from there.
    """
    try:
        return sys.stdin.fileno(), None
    except (AttributeError, ValueError, OSError):
        pass
    import tempfile

    from synapse_cli.hook import MAX_PAYLOAD_BYTES

    try:
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read(MAX_PAYLOAD_BYTES + 1) if stream is not None else b""
        if isinstance(data, str):
            data = data.encode("utf-8")
    except (OSError, ValueError, UnicodeError):
        data = b""  # an unreadable stream is an empty event: the hook logs it and exits 0
    try:
        spool = tempfile.TemporaryFile()
        spool.write(data)
        spool.seek(0)
    except OSError:
        return -1, None  # read_event reports "stdin cannot be read"; the hook still exits 0
    return spool.fileno(), spool


@app.command("prompt-submit")
def prompt_submit(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Print diagnostics on stderr (same as the global --debug).")] = False,
) -> None:
    """Record one prompt (Claude Code's UserPromptSubmit event on stdin).

    Loads the session named by the event's session_id (creating it if missing),
    counts the prompt and updates last_activity and the context bracket, all under
    the session's lock and written atomically. On a session's first prompt it also
    removes stale sessions in the background. Does nothing in a project without a
    .synapse/ folder. Problems are logged to .synapse/cache/synapse.log.
    """
    options: CliContext = ctx.obj
    stdin_fd, spool = _stdin_fd()
    try:
        code, output = run_prompt_submit(
            project_dir=options.project_dir, debug=options.debug or debug, config_path=options.config_path, stdin_fd=stdin_fd
        )
    finally:
        if spool is not None:
            spool.close()
    if output:
        sys.stdout.write(output)
    raise typer.Exit(code)
