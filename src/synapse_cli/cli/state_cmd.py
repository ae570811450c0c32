"""``synapse state ...``: the context-detector state in .aios/session-state.json."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.cli.inputs import PATCH_HELP, read_patch
from synapse_cli.cli.output import AfterCommit, emit_json, json_spelling, say, table
from synapse_cli.core.errors import InvalidInputError, SynapseError
from synapse_cli.core.state import read_state, state_path, update_state

app = typer.Typer(help="Read and update .aios/session-state.json (the context-detector state).", no_args_is_help=True, add_completion=False)


@app.command("update")
def update(
    ctx: typer.Context,
    command: Annotated[Optional[str], typer.Option("--command", metavar="COMMAND", help="A command that ran (appended to lastCommands; the last 10 are kept).")] = None,
    agent: Annotated[Optional[str], typer.Option("--agent", metavar="NAME", help="An agent that was activated (appended to agentSequence; the last 20 are kept); with --task, the agent that ran the task.")] = None,
    agent_name: Annotated[Optional[str], typer.Option("--agent-name", metavar="NAME", help="The display name of --agent.")] = None,
    workflow: Annotated[Optional[str], typer.Option("--workflow", metavar="NAME", help="The active workflow.")] = None,
    workflow_state: Annotated[Optional[str], typer.Option("--workflow-state", metavar="STATE", help="The workflow's state.")] = None,
    story: Annotated[Optional[str], typer.Option("--story", metavar="FILE", help="The current story's path; with --task, the task's story (it becomes the current one).")] = None,
    task: Annotated[Optional[str], typer.Option("--task", metavar="NAME", help="A task that completed, recorded as the framework's onTaskComplete does: *TASK joins lastCommands, taskHistory keeps the last 20, a known task sets the workflow state; needs --success or --failure.")] = None,
    success: Annotated[Optional[bool], typer.Option("--success/--failure", help="The outcome of --task.")] = None,
    patch: Annotated[Optional[str], typer.Option("--patch", metavar="JSON", help=f"A JSON object of session-state fields to set: {PATCH_HELP}.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the new state as JSON.")] = False,
) -> None:
    """Record an event in .aios/session-state.json (fixed shape, epoch-ms times).

    A state more than an hour old belongs to an earlier session and is started anew.

    Example: synapse state update --agent dev --agent-name Dex --command "*develop"

    Example: synapse state update --task develop --success --agent dev --story docs/stories/1.1.md
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    if agent_name is not None and agent is None:
        raise InvalidInputError("--agent-name goes with --agent")
    if success is not None and task is None:
        raise InvalidInputError("--success/--failure go with --task")
    patch_value = read_patch(patch)
    config = options.config()
    state = update_state(
        options.paths.root,
        command=command,
        agent_id=agent,
        agent_name=agent_name,
        workflow=workflow,
        workflow_state=workflow_state,
        story=story,
        task=task,
        task_success=success,
        patch=patch_value,
        fsync=config.fsync,
        lock_timeout=config.lock_timeout,
    )
    with AfterCommit(f"{state_path(options.paths.root)} was updated (session {state['sessionId']})"):
        if json_output:
            emit_json(state)
            return
        say(f"Updated {state_path(options.paths.root)} (session {state['sessionId']}).")


@app.command("show")
def show(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print the state as JSON.")] = False,
) -> None:
    """Show .aios/session-state.json.

    Example: synapse state show --json
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    options.config()
    state = read_state(options.paths.root)
    if state is None:
        raise SynapseError(f"no state file at {state_path(options.paths.root)}")
    if json_output:
        emit_json(state)
        return
    table(str(state_path(options.paths.root)), ("field", "value"), [(k, _readable(k, v)) for k, v in state.items()])


def _readable(key: str, value: object) -> str:
    """Epoch-millisecond times as UTC dates (with the number the file holds); other values as JSON spells them."""
    if key in _EPOCH_MS_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        import time

        try:
            seconds, millis = divmod(int(value), 1000)
            return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f".{millis:03d} UTC ({value})"
        except (OverflowError, OSError, ValueError):
            pass
    return json_spelling(value)


_EPOCH_MS_FIELDS = ("startTime", "lastActivity")
