"""``synapse hook ...``: the commands editors run. They always exit 0.

``synapse hook prompt-submit`` normally never reaches this module: the console
script dispatches it straight to the core (see ``synapse_cli.entry``). This Typer
command serves ``--help`` and invocations with options the fast path does not know.
"""

from __future__ import annotations

import sys

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.hook import run_prompt_submit

app = typer.Typer(
    help="Hooks for AI-coding editors. They always exit 0 and print nothing on stdout, whatever happens.",
    no_args_is_help=True,
)


@app.command("prompt-submit")
def prompt_submit(ctx: typer.Context) -> None:
    """Record one prompt (Claude Code's UserPromptSubmit event on stdin).

    Loads the session named by the event's session_id (creating it if missing),
    counts the prompt and updates last_activity and the context bracket, all under
    the session's lock and written atomically. On a session's first prompt it also
    removes stale sessions in the background. Does nothing in a project without a
    .synapse/ folder. Problems are logged to .synapse/cache/synapse.log.
    """
    options: CliContext = ctx.obj
    code, output = run_prompt_submit(project_dir=options.project_dir, debug=options.debug, config_path=options.config_path)
    if output:
        sys.stdout.write(output)
    raise typer.Exit(code)
