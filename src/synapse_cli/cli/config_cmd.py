"""``synapse config ...``: the effective configuration."""

from __future__ import annotations

from typing import Annotated

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.cli.output import emit_json, say, table
from synapse_cli.core.config import SETTINGS

app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True, add_completion=False)


@app.command("show")
def show(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show every setting, its value, and where the value came from (flag, env, file or default).

    An invalid value is shown as the default it falls back to, each problem is named on stderr and the exit code is 1 (this is the tool to diagnose it with).

    Example: synapse config show --json
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    config = options.config(strict=False)
    if json_output:
        emit_json(
            {
                "project": options.paths.root,
                "config_file": config.path,
                "settings": {
                    s.key: {"value": config[s.key], "source": config.sources[s.key], "env": s.env, "description": s.help}
                    for s in SETTINGS
                },
                "problems": config.problems,
            }
        )
        _report(config.errors)
        return
    say(f"Project: {options.paths.root}")
    say(f"Config file: {config.path or '(none found; built-in defaults)'}")
    table(None, ("key", "value", "source"), [(s.key, _render(config[s.key]), config.sources[s.key]) for s in SETTINGS])
    _report(config.errors)


def _report(errors: list) -> None:
    if not errors:
        return
    import sys

    for error in errors:
        sys.stderr.write(f"synapse: {error}\n")
    raise typer.Exit(1)


def _render(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
