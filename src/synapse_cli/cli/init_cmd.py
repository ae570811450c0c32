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

    The project is the nearest folder at or above the current one that holds .synapse/, else the top of the git work tree, else the current folder (as the hook finds it); the output names it.

    Example: synapse init --project-dir ~/projects/shop
    """
    options: CliContext = ctx.obj
    paths, how = options.setup_paths()
    config = options.config()
    created = init_project(paths.root, fsync=config.fsync)
    options.configure_log()
    if json_output:
        emit_json({"project": paths.root, "found_by": how, "synapse_dir": paths.synapse_dir, "created": created})
        return
    say(f"Project: {paths.root} ({describe_root(how)})")
    if created:
        say(f"Set up {paths.synapse_dir}: created " + ", ".join(os.path.relpath(p, paths.root) for p in created))
    else:
        say(f"{paths.synapse_dir} is already set up; nothing to do.")


def describe_root(how: str) -> str:
    """How the project folder was found, in words."""
    return {
        "--project-dir": "given with --project-dir",
        ".synapse": "the nearest folder at or above here holding .synapse/",
        "git": "the top of the git work tree",
        "current folder": "the current folder: no .synapse/ above it and not in a git work tree",
    }.get(how, how)
