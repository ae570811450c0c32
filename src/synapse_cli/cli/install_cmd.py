"""``synapse hook install`` and ``synapse hook uninstall``: wire synapse into an editor."""

from __future__ import annotations

import enum
import os
import sys
from typing import Annotated, Any, Optional

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.cli.init_cmd import describe_root
from synapse_cli.cli.output import emit_json, say
from synapse_cli.core.errors import InvalidInputError
from synapse_cli.core.project import ProjectPaths, init_project
from synapse_cli.editors.created import CreatedSettings
from synapse_cli.editors.gitignore import ensure_git_ignored, remove_git_ignored
from synapse_cli.editors.settings import (
    PROMPT,
    SESSION_END,
    SESSION_START,
    SettingsChange,
    agent_spec,
    change_settings,
    check_executable,
    links_refused_below,
    refuse_linked_settings,
    settings_path,
)


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


def _report(
    change: SettingsChange, *, dry_run: bool, json_output: bool, verb: str, extra: dict[str, Any] | None = None, lines: list[str] | None = None
) -> None:
    if json_output:
        emit_json(
            {
                "settings_file": change.path,
                "changed": change.changed,
                "dry_run": dry_run,
                "backup": change.backup_path,
                "removed": getattr(change, "removed", False),
                "content": change.new_text if dry_run else None,
                **(extra or {}),
            }
        )
        return
    for line in lines or []:
        if dry_run:
            sys.stderr.write(line + "\n")  # stdout stays a diff that `patch` can apply
        else:
            say(line)
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
    kept = getattr(change, "kept_empty", None)
    left = f"; nothing else is left in it, but it stays because {kept}" if kept else ""
    say(f"{change.path}: synapse hook {verb}{backup}{left}.")


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
        typer.Option("--executable", metavar="PATH", help="Write this program path into the command instead of the one synapse picks (e.g. .venv/bin/synapse-hook)."),
    ] = None,
    init: Annotated[bool, typer.Option("--init", help="Also set up .synapse/ in the project (as `synapse init`), so that the hook records prompts there.")] = False,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
) -> None:
    """Register synapse's prompt hook in an editor's settings, keeping every other hook and key.

    The command written runs with the minimal PATH (/usr/bin:/bin) editors may give hooks: the bare program name only when that PATH finds this very synapse, otherwise its absolute path; the output says which. A registered command that runs is kept; one that cannot run there is replaced.

    The project is the nearest folder holding .synapse/, else the top of the git work tree, else the current folder. Installing twice leaves one entry. The previous file is kept in .synapse/cache/backups/ (for --scope user, or before `synapse init`: as <file>.bak beside it); a settings file that is not valid JSON is never overwritten. A --scope local file is personal: git is made to ignore it (in the clone's .git/info/exclude). At project and local scope an editor folder or settings file that is a symlink is refused, nothing written (a repository can point it anywhere); --scope user follows links under your home folder.

    Example: synapse hook install --scope local
    """
    options: CliContext = ctx.obj
    paths, how = options.setup_paths()
    path = settings_path(agent.value, scope.value, paths.root)
    links_below = links_refused_below(agent.value, scope.value, paths.root)
    refuse_linked_settings(path, links_below)  # before --init, or anything else, creates a file
    spec = agent_spec(agent.value)
    hooks = [PROMPT]
    for wanted, hook in ((with_session_start, SESSION_START), (with_session_end, SESSION_END)):
        if wanted:
            if hook not in spec.events:
                raise InvalidInputError(f"{agent.value} has no event for `synapse hook {hook}`")
            hooks.append(hook)
    config = options.config()
    program = check_executable(executable) if executable else None
    created: list[str] = []
    if init and not dry_run:
        created = init_project(paths.root, fsync=config.fsync)
        options.configure_log()
    change = change_settings(
        path, agent.value, install=True, hooks=hooks, dry_run=dry_run, fsync=config.fsync, executable=program, project_root=paths.root,
        backup_dir=_backup_dir(paths, path), created=_created(paths, config.fsync), links_below=links_below,
    )
    ignored_in = ensure_git_ignored(path) if scope is Scope.local and not dry_run and change.changed else None
    choice, policy = change.choice, change.policy
    assert choice is not None and policy is not None  # an install always chooses a program
    default = choice.command(PROMPT, agent.value)
    command = policy.registered.get(default, default)
    extra = {
        "project": paths.root,
        "project_found_by": how,
        "initialised": paths.is_initialised(),
        "created": created,
        "command": command,
        "command_form": choice.form if command == default else "kept",
        "command_reason": choice.reason,
        "kept_commands": policy.kept,
        "replaced_commands": [{"command": old, "reason": why} for old, why in policy.replaced],
    }
    lines = [f"Project: {paths.root} ({describe_root(how)})"]
    if created:
        lines.append(f"Set up {paths.synapse_dir}.")
    form = {"bare": "bare name", "absolute": "absolute path", "executable": "--executable"}[choice.form]
    # A dry run writes nothing: it says what the install would do, not what it did.
    kept, replaced = ("Would keep", "Would replace") if dry_run else ("Kept", "Replaced")
    for old in policy.kept:
        lines.append(f"{kept} the registered command {old} (it runs with the minimal PATH; --executable replaces it).")
    if command == default:
        lines.append(f"Hook command: {command}  ({form}: {choice.reason})")
    for old, why in policy.replaced:
        lines.append(f"{replaced} the registered command {old} ({why}).")
    if ignored_in:
        lines.append(f"{path} is personal: git now ignores it (pattern added to {ignored_in}).")
    if not paths.is_initialised() and not dry_run:
        lines.append(f"Note: {paths.root} has no .synapse/ yet, so the hook does nothing there: run `synapse init` (or install with --init).")
        if change.old_text is None and change.changed:
            # Nowhere to record it: uninstall will keep the file (emptied), not knowing synapse made it.
            lines.append(f"With no .synapse/ to record it in, synapse keeps no record that it created {path}: `hook uninstall` will empty it, not remove it.")
    _report(change, dry_run=dry_run, json_output=json_output, verb="installed", extra=extra, lines=lines)


def uninstall(
    ctx: typer.Context,
    agent: AgentOption = Agent.claude,
    scope: ScopeOption = Scope.project,
    dry_run: DryRunOption = False,
    json_output: JsonOption = False,
) -> None:
    """Remove synapse's hooks from an editor's settings, and nothing else.

    Groups and events that only held synapse's entries are pruned. A settings file left with nothing in it is removed only if `hook install` created it and git does not track it; otherwise it stays, emptied. When a --scope local file is removed, so is the line hook install added for it to .git/info/exclude (never one you wrote). Install records the files it creates in the .synapse/ of the project it runs in, so one it created before `synapse init` (hook install --init records it), or recorded by another project (--scope user), stays too: synapse has no record of creating it.

    Example: synapse hook uninstall
    """
    options: CliContext = ctx.obj
    paths, how = options.setup_paths()
    path = settings_path(agent.value, scope.value, paths.root)
    links_below = links_refused_below(agent.value, scope.value, paths.root)
    refuse_linked_settings(path, links_below)
    config = options.config()
    change = change_settings(path, agent.value, install=False, dry_run=dry_run, fsync=config.fsync, backup_dir=_backup_dir(paths, path),
                             created=_created(paths, config.fsync), links_below=links_below)
    # Only with the file gone is the pattern install put in .git/info/exclude no longer needed.
    unexcluded = remove_git_ignored(path, dry_run=dry_run, fsync=config.fsync) if scope is Scope.local and change.removed else None
    extra = {
        "project": paths.root, "project_found_by": how, "kept_empty": change.kept_empty, "kept_because": change.kept_because,
        "git_exclude_removed": {"file": unexcluded[0], "line": unexcluded[1]} if unexcluded else None,
    }
    lines = [f"Project: {paths.root} ({describe_root(how)})"]  # as install says it: the folder whose settings were changed
    if dry_run and change.removed:
        lines.append(f"Would remove {change.path}: nothing else would be left in it, hook install created it and git does not track it.")
    elif dry_run and change.kept_empty:
        lines.append(f"{change.path} would be left with nothing in it, but would stay because {change.kept_empty}.")
    if unexcluded:
        would = "Would remove" if dry_run else "Removed"
        lines.append(f"{would} the line {unexcluded[1]} that hook install added to {unexcluded[0]} (and its comment line).")
    _report(change, dry_run=dry_run, json_output=json_output, verb="uninstalled", extra=extra, lines=lines)


def _created(paths: ProjectPaths, fsync: bool) -> CreatedSettings | None:
    """The record of the settings files hook install created (none outside a set-up project: nothing is ever removed there)."""
    return CreatedSettings(paths.synapse_dir, fsync=fsync) if paths.is_initialised() else None


def _backup_dir(paths: ProjectPaths, settings_file: str) -> str | None:
    """Backups of a project's settings go to .synapse/cache/backups/ (git-ignored), not beside a file the repository shares."""
    inside = os.path.abspath(settings_file).startswith(paths.root + os.sep)
    return os.path.join(paths.cache_dir, "backups") if inside and paths.is_initialised() else None
