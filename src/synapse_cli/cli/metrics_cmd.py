"""``synapse metrics ...``: the last activation's and the last hook run's timings."""

from __future__ import annotations

import enum
import os
from typing import Annotated, Optional

import typer

from synapse_cli.cli.command import SynapseCommand
from synapse_cli.cli.context import CliContext
from synapse_cli.cli.inputs import parse_json_object, read_file_text, read_stdin_text
from synapse_cli.cli.output import emit_json, say
from synapse_cli.core.metrics import metrics_path, persist_metrics

app = typer.Typer(help="Write the metrics files in .synapse/metrics/.", no_args_is_help=True, add_completion=False)


class Kind(str, enum.Enum):
    uap = "uap"
    hook = "hook"


@app.command("persist", cls=SynapseCommand)
def persist(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Argument(metavar="SOURCE", help="A JSON file with the metrics object; '-' or nothing reads stdin.")] = None,
    kind: Annotated[Kind, typer.Option("--kind", help="uap: uap-metrics.json (agent activation); hook: hook-metrics.json.")] = Kind.uap,
    json_output: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Validate, normalise and write a metrics object; bad input leaves the file untouched.

    Example: synapse metrics persist --kind uap activation.json
    """
    options: CliContext = ctx.obj
    options.project()  # before reading anything: outside a project there is nothing to do
    if source is None or source == "-":
        what = "metrics on stdin"
        text = read_stdin_text(what)
    else:
        what = f"metrics file {source}"
        text = read_file_text(source, what)
    data = parse_json_object(text, what)
    config = options.config()
    paths = options.ensure_initialised(config)
    record = persist_metrics(paths.synapse_dir, kind.value, data, fsync=config.fsync)
    if json_output:
        emit_json(record)
        return
    say(f"Wrote {os.path.relpath(metrics_path(paths.synapse_dir, kind.value), paths.root)}.")
