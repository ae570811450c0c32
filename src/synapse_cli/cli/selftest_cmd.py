"""``synapse selftest``: check this installation end to end, as editors and CI run it."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from synapse_cli.cli.output import emit_json, say


class Agent(str, enum.Enum):
    claude = "claude"
    codex = "codex"
    gemini = "gemini"
    cursor = "cursor"


def selftest(
    json_output: Annotated[bool, typer.Option("--json", help='Print {"ok", "checks": [{"name", "ok", "detail", "ms"}], "environment"} as JSON.')] = False,
    agent: Annotated[Agent | None, typer.Option("--agent", help="Check only this editor's hook (default: claude, codex, gemini and cursor).")] = None,
    max_hook_ratio: Annotated[
        float, typer.Option("--max-hook-ratio", min=1.0, metavar="RATIO", help="Fail when the hook's median time exceeds this multiple of a bare interpreter start.")
    ] = 3.0,
) -> None:
    """Run synapse end to end in a throwaway project under the temp folder (never the current one).

    The hook runs as an editor runs it: the command registered in this project's (or your) editor settings, else the one `synapse hook install` would write, through `sh -c` with PATH=/usr/bin:/bin, for each agent's prompt event. Then session update/show/clean, metrics persist, state update and doctor.

    Checks exit codes, stdout, the prompt recorded, the files' JavaScript format, stale sessions removed, no temp or lock file left, and the hook's median time against a bare interpreter start. Exits 0 only when every check passes.

    Example: synapse selftest --json
    """
    from synapse_cli.selftest import AGENTS, run_selftest

    agents = (agent.value,) if agent else AGENTS
    result = run_selftest(agents, max_hook_ratio=max_hook_ratio)
    if json_output:
        emit_json(result)
    else:
        for check in result["checks"]:
            mark = "PASS" if check["ok"] else "FAIL"
            say(f"{mark}  {check['name']}: {check['detail']} ({check['ms']:.0f} ms)")
        failed = sum(1 for c in result["checks"] if not c["ok"])
        say("selftest passed." if result["ok"] else f"selftest failed: {failed} check(s).")
    if not result["ok"]:
        raise typer.Exit(1)
