"""``synapse hook ...``: the commands editors run. They always exit 0.

The console script never runs the hooks through this module: ``synapse_cli.entry``
hands every ``synapse hook <event> ...`` command line straight to ``synapse_cli.hooks``.
The hook commands here give ``--help`` its text and serve callers of the Typer
application in the same process. ``install`` and ``uninstall`` wire synapse into an
editor's settings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Annotated, Optional

import typer

from synapse_cli.cli import install_cmd
from synapse_cli.cli.context import CliContext
from synapse_cli.hooks.runner import run_hook

app = typer.Typer(
    help=(
        "Hooks for AI-coding editors, and installing them. Whatever happens, a hook exits 0 and prints nothing on stdout"
        ' but the answer that lets the editor go on where it needs one (Cursor: {"continue": true}).'
    ),
    # Not no_args_is_help: Typer prints that help on stdout, which an editor would inject
    # into the model's context. A bare `synapse hook` is a usage error, logged silently.
    no_args_is_help=False,
    add_completion=False,
)


def _stdin_fd() -> tuple[int, Callable[[], None] | None]:
    """The descriptor to read the event from, and what to call once the hook is done with it.

    Normally ``sys.stdin`` has a descriptor (the editor's pipe, or a file): the event is
    read from it directly. An in-memory stream (click's CliRunner, an embedding caller)
    has none, and descriptor 0 is not what the caller passed: its bytes (bounded) go to
    the reader through a pipe, so the event, prompt text included, never touches the disk.
    """
    try:
        return sys.stdin.fileno(), None
    except (AttributeError, ValueError, OSError):
        pass
    from synapse_cli.hooks.events import MAX_PAYLOAD_BYTES

    try:
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read(MAX_PAYLOAD_BYTES + 1) if stream is not None else b""
        if isinstance(data, str):
            data = data.encode("utf-8")
    except (OSError, ValueError, UnicodeError):
        data = b""  # an unreadable stream is an empty event: the hook logs it and exits 0
    try:
        return _pipe_feeding(data)
    except (OSError, RuntimeError):
        return -1, None  # read_event reports "stdin cannot be read"; the hook still exits 0


def _pipe_feeding(data: bytes) -> tuple[int, Callable[[], None]]:
    """A pipe's read end that yields ``data`` then end of file, and the call that closes it.

    A thread writes: a pipe holds only some kilobytes, and an event may be megabytes. If
    the reader stopped early (a complete event, or too much), closing drains the rest
    first, so the writer always ends, and never of a broken pipe (a SIGPIPE the embedding
    program may not ignore).
    """
    import threading

    read_fd, write_fd = os.pipe()

    def feed() -> None:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view) :]
        except OSError:
            pass  # the reader closed its end: what is left is not wanted
        finally:
            os.close(write_fd)

    writer = threading.Thread(target=feed, name="synapse-stdin-feed", daemon=True)
    try:
        writer.start()
    except RuntimeError:
        os.close(read_fd)
        os.close(write_fd)
        raise

    def close() -> None:
        try:
            os.set_blocking(read_fd, True)
            while os.read(read_fd, 1 << 16):
                pass
        except OSError:
            pass
        finally:
            os.close(read_fd)  # a writer still waiting now fails (EPIPE) and ends
        writer.join()

    return read_fd, close


AgentOption = Annotated[
    Optional[str],
    typer.Option("--agent", metavar="NAME", help="The editor sending the event: claude, codex, gemini or cursor (default: recognised from the event)."),
]
ProjectDirOption = Annotated[Optional[str], typer.Option("--project-dir", metavar="DIR", help="Same as the global --project-dir.")]
ConfigOption = Annotated[Optional[str], typer.Option("--config", metavar="FILE", help="Same as the global --config.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Print diagnostics on stderr (same as the global --debug).")]


def _run(ctx: typer.Context, name: str, agent: str | None, project_dir: str | None, config: str | None, debug: bool) -> None:
    options: CliContext = ctx.obj
    stdin_fd, done = _stdin_fd()
    try:
        code, output = run_hook(
            name,
            agent=agent,
            project_dir=project_dir or options.project_dir,
            debug=options.debug or debug,
            config_path=config or options.config_path,
            stdin_fd=stdin_fd,
        )
    finally:
        if done is not None:
            done()
    if output:
        sys.stdout.write(output)
    raise typer.Exit(code)


_HOOK_HELP = {
    "prompt-submit": """Record one prompt: the editor's prompt event on stdin (Claude Code and Codex UserPromptSubmit, Gemini CLI BeforeAgent, Cursor beforeSubmitPrompt).

    Loads the session named by the event (creating it if missing), counts the prompt and updates last_activity and the context bracket, all under the session's lock and written atomically. On a session's first prompt it also removes stale sessions in the background (in a folder of more than 512 files, a third of it, the next third each time). Does nothing in a project without a .synapse/ folder. Prints nothing (Cursor: {"continue": true}); problems are logged to .synapse/cache/synapse.log.
    """,
    "session-start": """Start of a session (SessionStart event on stdin): create the session file if missing, or mark the resumed session active, and clean stale sessions, at most once per synapse.session.startCleanupIntervalSeconds across sessions.

    Safe to register as an asynchronous hook.
    """,
    "session-end": """End of a session (SessionEnd event on stdin): record ended_at and end_reason (the event's reason) in the session file, without counting a prompt.

    Does nothing for a session that has no file.
    """,
}


def _hook_command(name: str) -> None:
    """Register ``synapse hook <name>``: the three hooks take the same options and differ only in what they do."""

    def command(
        ctx: typer.Context,
        agent: AgentOption = None,
        project_dir: ProjectDirOption = None,
        config: ConfigOption = None,
        debug: DebugOption = False,
    ) -> None:
        _run(ctx, name, agent, project_dir, config, debug)

    command.__doc__ = _HOOK_HELP[name]
    command.__name__ = name.replace("-", "_")
    app.command(name)(command)


for _name in _HOOK_HELP:
    _hook_command(_name)

app.command("install")(install_cmd.install)
app.command("uninstall")(install_cmd.uninstall)
