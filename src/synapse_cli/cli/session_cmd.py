"""``synapse session ...``: inspect, update and clean session files."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Optional

import typer

from synapse_cli.cli.command import SynapseCommand
from synapse_cli.cli.context import CliContext
from synapse_cli.cli.inputs import PATCH_HELP, read_patch
from synapse_cli.cli.output import AfterCommit, emit_json, json_spelling, say, stdout_is_terminal, table
from synapse_cli.cli.session_ids import MIN_PREFIX, no_session, resolve_session_id
from synapse_cli.core.bridge import bridge_path, write_active_agent
from synapse_cli.core.config import spell
from synapse_cli.core.errors import InvalidInputError, SynapseError
from synapse_cli.core.jsonio import iso_timestamp

app = typer.Typer(help="Inspect, update and clean the session files in .synapse/sessions/.", no_args_is_help=True, add_completion=False)


class Quality(str, enum.Enum):
    full = "full"
    partial = "partial"
    fallback = "fallback"


class Bracket(str, enum.Enum):
    FRESH = "FRESH"
    MODERATE = "MODERATE"
    DEPLETED = "DEPLETED"
    CRITICAL = "CRITICAL"


MAX_TTL_HOURS = 876_000  # a century: synapse.session.staleTTLHours's own bound
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of text.")]
SessionIdArgument = Annotated[
    str, typer.Argument(metavar="SESSION_ID", help=f"The session id, or a unique prefix of it (at least {MIN_PREFIX} characters).")
]


@app.command("update", cls=SynapseCommand)
def update(
    ctx: typer.Context,
    session_id: Annotated[
        str,
        typer.Argument(
            metavar="SESSION_ID",
            help=f"The editor's session id (normally a UUID), or a unique prefix of an existing one (at least {MIN_PREFIX} characters).",
        ),
    ],
    agent: Annotated[Optional[str], typer.Option("--agent", metavar="NAME", help="Activate this agent: sets active_agent and writes the _active-agent.json bridge.")] = None,
    quality: Annotated[Optional[Quality], typer.Option("--quality", help="Activation quality of --agent (default: full).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TITLE", help="Set the session's title.")] = None,
    bracket: Annotated[Optional[Bracket], typer.Option("--bracket", help="Set context.last_bracket.", case_sensitive=False)] = None,
    patch: Annotated[Optional[str], typer.Option("--patch", metavar="JSON", help=f"A JSON object merged into the session with the merge rules: {PATCH_HELP}.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Update a session and count one prompt; an id that matches no session creates one.

    SESSION_ID may be a unique prefix of an existing session's id; an id that is no prefix of an existing one creates a new session, and the output says "Created".

    The patch is merged first (history lists are appended to, context and overrides merged, other keys replaced), then the options, then prompt_count += 1 and last_activity = now.

    Example: synapse session update 9f1c2e7a --agent dev --title "Login page"
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    if quality is not None and agent is None:
        raise InvalidInputError("--quality goes with --agent")
    updates: dict[str, Any] = read_patch(patch) or {}
    activated_at = iso_timestamp()
    agent_quality = quality.value if quality is not None else "full"
    if agent is not None:
        if not agent.strip():
            raise InvalidInputError("--agent needs a non-empty agent id")
        updates["active_agent"] = {"id": agent, "activated_at": activated_at, "activation_quality": agent_quality}
        found = updates.get("history")
        history: dict[str, Any] = found if isinstance(found, dict) else {}
        listed = history.get("agents_activated")
        agents: list[Any] = listed if isinstance(listed, list) else []
        updates["history"] = {**history, "agents_activated": [*agents, agent]}
    if title is not None:
        updates["title"] = title
    if bracket is not None:
        context = updates.get("context")
        updates["context"] = {**(context if isinstance(context, dict) else {}), "last_bracket": bracket.value}
    config = options.config()
    paths = options.ensure_initialised(config)
    store = options.store(config)
    session_id = resolve_session_id(store.sessions_dir, session_id, creating=True)
    if agent is not None:
        _check_bridge_writable(bridge_path(paths.sessions_dir))  # before anything is changed
    result = store.update(session_id, updates, cwd=paths.root)
    assert result is not None  # a missing session is created
    done = f"session {session_id} was {'created' if result.created else 'updated'} (prompt {result.session['prompt_count']})"
    if result.set_aside_path:
        typer.echo(f"synapse: warning: {result.set_aside_reason}; moved to {result.set_aside_path}", err=True)
    if agent is not None:
        try:
            write_active_agent(paths.sessions_dir, agent, agent_quality, activated_at=activated_at, fsync=config.fsync)
        except SynapseError as exc:
            raise SynapseError(f"{done}, but the active-agent file was not written: {exc}") from exc
    with AfterCommit(done):
        if json_output:
            emit_json(result.session)
            return
        verb = "Created" if result.created else "Updated"
        active = (result.session.get("active_agent") or {}).get("id")
        say(f"{verb} session {session_id}: prompt {result.session['prompt_count']}" + (f", active agent {active}" if active else ""))


def _check_bridge_writable(path: str) -> None:
    """The active-agent file must be a file (or absent): found otherwise, refuse before the session changes."""
    import os
    import stat

    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SynapseError(f"{path}: cannot be checked ({exc.strerror or exc}); nothing changed") from exc
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise SynapseError(f"{path}: not a file, so --agent cannot be recorded there; nothing changed")


@app.command("show", cls=SynapseCommand)
def show(
    ctx: typer.Context,
    session_id: SessionIdArgument,
    json_output: JsonOption = False,
) -> None:
    """Show one session.

    Example: synapse session show 9f1c2e7a --json
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    config = options.config()
    store = options.store(config)
    session_id = resolve_session_id(store.sessions_dir, session_id)
    session = store.load(session_id)
    if session is None:
        raise no_session(store.sessions_dir, session_id)
    if json_output:
        emit_json(session)
        return
    rows = [(key, json_spelling(value)) for key, value in session.items()]
    table(f"Session {session_id}", ("field", "value"), rows)


@app.command("list")
def list_sessions(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List the sessions, most recently active first, with unusable files flagged.

    Off a terminal (piped), the output is tab-separated values with a header row.

    Example: synapse session list
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    config = options.config()
    summaries = _most_recent_first(options.store(config).list())
    if json_output:
        emit_json(
            [
                {
                    "id": s.session_id,
                    "status": s.status,
                    "label": (s.session or {}).get("label"),
                    "title": (s.session or {}).get("title"),
                    "prompt_count": (s.session or {}).get("prompt_count"),
                    "last_activity": (s.session or {}).get("last_activity"),
                    "active_agent": ((s.session or {}).get("active_agent") or {}).get("id"),
                    "problem": s.problem,
                }
                for s in summaries
            ]
        )
        return
    if not summaries and stdout_is_terminal():
        say(f"No sessions in {options.paths.sessions_dir}.")
        return
    rows = []
    for s in summaries:
        data = s.session or {}
        rows.append(
            (s.session_id, s.status, data.get("prompt_count", ""), _last_activity(s) or "",
             (data.get("active_agent") or {}).get("id") or "", data.get("title") or "")
        )
    table(
        f"{len(summaries)} session(s) in {options.paths.sessions_dir}",
        ("id", "status", "prompts", "last activity", "agent", "title"),
        rows,
        whole=("id", "last activity"),
        pure=True,
    )


def _last_activity(summary: Any) -> str | None:
    value = (summary.session or {}).get("last_activity")
    return value if isinstance(value, str) else None


def _most_recent_first(summaries: list[Any]) -> list[Any]:
    """By last_activity, what "newest" means for a session (ISO times sort as text); unusable files last, by file time."""
    dated = sorted((s for s in summaries if _last_activity(s)), key=lambda s: (_last_activity(s), s.session_id), reverse=True)
    undated = [s for s in summaries if not _last_activity(s)]  # already newest file first
    return dated + undated


@app.command("delete", cls=SynapseCommand)
def delete(
    ctx: typer.Context,
    session_id: SessionIdArgument,
    json_output: JsonOption = False,
) -> None:
    """Delete one session file.

    Example: synapse session delete 9f1c2e7a
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    config = options.config()
    store = options.store(config)
    session_id = resolve_session_id(store.sessions_dir, session_id)
    deleted = store.delete(session_id)
    if json_output:
        emit_json({"id": session_id, "deleted": deleted})
        if not deleted:
            raise typer.Exit(1)  # the same outcome as without --json: there was nothing to delete
        return
    if not deleted:
        raise no_session(options.paths.sessions_dir, session_id)
    say(f"Deleted session {session_id}.")


@app.command("clean")
def clean(
    ctx: typer.Context,
    ttl: Annotated[Optional[float], typer.Option("--ttl", metavar="HOURS", help="Hours of inactivity after which a session is stale (overrides synapse.session.staleTTLHours for this run).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be removed without removing anything.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Remove stale sessions: inactive (last_activity and file time) for longer than the TTL.

    Never removes the bridge file, corrupt files (they are reported), files without a valid past last_activity, symlinks or anything outside the sessions folder. Also sweeps old temp files of interrupted writes.

    Example: synapse session clean --ttl 24 --dry-run
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    if ttl is not None and not (0 < ttl <= MAX_TTL_HOURS):  # NaN fails both comparisons
        bound = "a positive number of hours" if not ttl > 0 else f"at most {MAX_TTL_HOURS} hours"
        raise InvalidInputError(f"--ttl must be {bound}, got {spell(ttl)}")
    overrides = {"synapse.session.staleTTLHours": (ttl, "flag --ttl")} if ttl is not None else None
    config = options.config(overrides)
    store = options.store(config)
    result = store.clean_stale(config.stale_ttl_hours, dry_run=dry_run, temp_max_age_seconds=config.temp_max_age_seconds)
    if json_output:
        emit_json(
            {
                "removed": result.removed,
                "kept": result.kept,
                "ttl_hours": result.ttl_hours,
                "dry_run": result.dry_run,
                "corrupt": result.corrupt,
                "temp_files_removed": result.temp_files_removed,
            }
        )
        return
    verb = "Would remove" if dry_run else "Removed"
    say(f"{verb} {len(result.removed)} stale session(s) (TTL {result.ttl_hours:g} h); kept {result.kept}.")
    if result.removed:
        table(None, ("stale session",), [(sid,) for sid in result.removed], whole=("stale session",))
    if result.temp_files_removed:
        say(f"Swept {len(result.temp_files_removed)} temp file(s) left by interrupted writes.")
    for name in result.corrupt:
        typer.echo(f"synapse: warning: {name}.json does not parse; kept for inspection", err=True)
    for problem in result.errors:
        typer.echo(f"synapse: warning: {problem}", err=True)
