"""``synapse init``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from synapse_cli.cli.context import CliContext
from synapse_cli.cli.output import emit_json, say
from synapse_cli.core.project import init_project


def init(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print what was created as JSON.")] = False,
) -> None:
    """Set up .synapse/ (sessions/, metrics/ and its .gitignore) in the project; safe to run again.

    Example: synapse init --project-dir ~/projects/shop
    """
    options: CliContext = ctx.obj
    paths = options.paths
    config = options.config()
    created = init_project(paths.root, fsync=config.fsync)
    options.configure_log()
    if json_output:
        emit_json({"project": paths.root, "synapse_dir": paths.synapse_dir, "created": created})
        return
    if created:
        say(f"Set up {paths.synapse_dir}: created " + ", ".join(os.path.relpath(p, paths.root) for p in created))
    else:
        say(f"{paths.synapse_dir} is already set up; nothing to do.")
