"""``synapse doctor``: check a project's .synapse/ state and optionally repair it."""

from __future__ import annotations

from typing import Annotated

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.cli.output import emit_json, say, table
from synapse_cli.core.config import load_config
from synapse_cli.core.doctor import NOTE, examine
from synapse_cli.core.errors import ConfigError
from synapse_cli.editors.checks import check_registered_commands


def doctor(
    ctx: typer.Context,
    fix: Annotated[bool, typer.Option("--fix", help="Repair what can be repaired safely and say what was done.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check .synapse/: corrupt or wrong-schema session files, temp files of interrupted writes, abandoned lock files, an invalid config, stale sessions, whether the hook is registered for any editor (Claude Code, Codex, Gemini CLI or Cursor), that every registered synapse command can start with the minimal PATH (/usr/bin:/bin) editors may run hooks with, and a project's editor folder or settings file that is a symlink (.claude -> elsewhere), which synapse does not read or write through.

    Exits 1 when something needs a person to act (after --fix: when something is still left), 0 otherwise; stale sessions (the hook's cleanup removes them on sessions' first prompts), an unregistered hook and files already set aside are notes only. A linked editor folder is a problem until that editor's prompt hook is registered where synapse reads it (e.g. synapse hook install --scope user), then a note. --fix moves corrupt files aside (never deletes them), sweeps old temp and lock files and removes stale sessions.

    Example: synapse doctor --fix
    """
    options: CliContext = ctx.obj
    paths = options.paths
    config_error = None
    try:
        config = options.config()
    except ConfigError as exc:
        # An invalid config is a finding here, not a reason to stop: check the rest with defaults.
        config_error = exc
        config = load_config(paths.root, explicit_path=options.config_path, strict=False)
    report = examine(
        paths.root,
        ttl_hours=config.stale_ttl_hours,
        temp_max_age_seconds=config.temp_max_age_seconds,
        config_error=config_error,
        config_path=config.path,
        fix=fix,
        fsync=config.fsync,
        lock_timeout=config.lock_timeout,
    )
    if paths.is_initialised():
        check_registered_commands(report, paths.root)
    if json_output:
        emit_json(
            {
                "project": report.project_root,
                "healthy": report.healthy,
                "fixed": fix,
                "findings": [f.as_dict() for f in report.findings],
            }
        )
    elif not report.findings:
        say(f"{paths.synapse_dir}: healthy.")
    else:
        rows = []
        for finding in report.findings:
            status = finding.fixed or ("note" if finding.severity == NOTE else "needs attention")
            rows.append((finding.check, finding.path or "", finding.message, status))
        table(f"synapse doctor: {report.project_root}", ("check", "path", "finding", "status"), rows)
        left = len(report.problems_left)
        say(f"{left} problem(s) need attention." if left else "Healthy" + (" after repairs." if fix else "."))
    if not report.healthy:
        raise typer.Exit(1)
