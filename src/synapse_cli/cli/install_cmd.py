"""``synapse hook install`` and ``synapse hook uninstall``: wire synapse into an editor."""

from __future__ import annotations

import enum
import os
import sys
from typing import Annotated, Optional

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.cli.output import emit_json, say
from synapse_cli.editors.gitignore import ensure_git_ignored
from synapse_cli.editors.settings import (
    PROMPT,
    SESSION_END,
    SESSION_START,
    agent_spec,
    change_settings,
    check_executable,
    settings_path,
)
from synapse_cli.core.errors import InvalidInputError


class Agent(str, enum.Enum):
    claude = "claude"
    codex = "codex"
    gemini = "gemini"
    cursor = "cursor"


class Scope(str, enum.Enum):
    project = "project"
    local = "local"
    user = "user"


AgentOption = Annotated[Agent, typer.Option("--agent", help="The editor whose hook settings to change.")]
ScopeOption = Annotated[
    Scope,
    typer.Option(
        "--scope",
        help="project: the project's shared settings (Claude: .claude/settings.json); local: personal project "
        "settings (Claude only: .claude/settings.local.json); user: your home folder's settings.",
    ),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the change as a diff without writing anything.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print what was done as JSON.")]


def _report(change, *, dry_run: bool, json_output: bool, verb: str) -> None:
    if json_output:
        emit_json(
            {
                "settings_file": change.path,
                "changed": change.changed,
                "dry_run": dry_run,
                "backup": change.backup_path,
                "removed": getattr(change, "removed", False),
                "content": change.new_text if dry_run else None,
            }
        )
        return
    if dry_run:
        sys.stdout.write(change.diff() or f"{change.path}: no change.\n")
        return
    if not change.changed:
        say(f"{change.path}: already {verb}; nothing to do.")
        return
    if getattr(change, "removed", False):
        backup = f" (previous file kept as {change.backup_path})" if change.backup_path else ""
        say(f"{change.path}: synapse hook {verb}; nothing else was left in it, so the file was removed{backup}.")
        return
    backup = f" (previous file kept as {change.backup_path})" if change.backup_path else ""
    say(f"{change.path}: synapse hook {verb}{backup}.")


def install(
    ctx: typer.Context,
    agent: AgentOption = Agent.claude,
    scope: ScopeOption = Scope.project,
    with_session_start: Annotated[
        bool, typer.Option("--with-session-start", help="Also register `synapse hook session-start` (run asynchronously where the editor can).")
    ] = False,
    with_session_end: Annotated[
        bool, typer.Option("--with-session-end", help="Also register `synapse hook session-end`, which records when and why a session ended.")
    ] = False,
    executable: Annotated[
        Optional[str],
        typer.Option("--executable", help="Write this synapse program's full path into the command, for an editor whose PATH does not have synapse (e.g. .venv/bin/synapse)."),
    ] = None,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
) -> None:
    """Register synapse's prompt hook in an editor's settings, keeping every other hook and key.

    Installing twice leaves one entry. The previous file is kept in .synapse/cache/backups/ (outside a project: as <file>.bak); a settings file that is not valid JSON is never overwritten. A --scope local file is personal: git is made to ignore it (in the clone's .git/info/exclude).

    Example: synapse hook install --scope local
    """
    options: CliContext = ctx.obj
    spec = agent_spec(agent.value)
    hooks = [PROMPT]
    for wanted, hook in ((with_session_start, SESSION_START), (with_session_end, SESSION_END)):
        if wanted:
            if hook not in spec.events:
                raise InvalidInputError(f"{agent.value} has no event for `synapse hook {hook}`")
            hooks.append(hook)
    config = options.config()
    path = settings_path(agent.value, scope.value, options.paths.root)
    program = check_executable(executable) if executable else None
    change = change_settings(
        path, agent.value, install=True, hooks=hooks, dry_run=dry_run, fsync=config.fsync, executable=program,
        backup_dir=_backup_dir(options, path),
    )
    ignored_in = ensure_git_ignored(path) if scope is Scope.local and not dry_run and change.changed else None
    _report(change, dry_run=dry_run, json_output=json_output, verb="installed")
    if ignored_in and not json_output:
        say(f"{path} is personal: git now ignores it (pattern added to {ignored_in}).")


def uninstall(
    ctx: typer.Context,
    agent: AgentOption = Agent.claude,
    scope: ScopeOption = Scope.project,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
) -> None:
    """Remove synapse's hooks from an editor's settings, and nothing else.

    Groups and events that only held synapse's entries are pruned, and a settings file left with nothing in it is removed.

    Example: synapse hook uninstall
    """
    options: CliContext = ctx.obj
    config = options.config()
    path = settings_path(agent.value, scope.value, options.paths.root)
    change = change_settings(path, agent.value, install=False, dry_run=dry_run, fsync=config.fsync, backup_dir=_backup_dir(options, path))
    _report(change, dry_run=dry_run, json_output=json_output, verb="uninstalled")


def _backup_dir(options: CliContext, settings_file: str) -> str | None:
    """Backups of a project's settings go to .synapse/cache/backups/ (git-ignored), not beside a file the repository shares."""
    paths = options.paths
    inside = os.path.abspath(settings_file).startswith(paths.root + os.sep)
    return os.path.join(paths.cache_dir, "backups") if inside and paths.is_initialised() else None
