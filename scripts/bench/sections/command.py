"""Section 2: a typical Typer command, ``synapse session show ID``, against a bare interpreter start.

Every command but the hook builds the Typer application, so this is the price a user
pays for each command typed; it is interleaved with ``python -c pass`` like the hook.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from ..config import Config
from ..fixtures import init_project
from ..harness import Variant, Venv, interleave, log
from ..stats import summarize

SESSION_ID = "5d2b7c1e-0a4f-4e6b-9c3d-8f1a2b3c4d5e"


def command_section(venv: Venv, workdir: Path, cfg: Config, payload_template: dict) -> dict:
    root = workdir / "command"
    project = root / "project"
    init_project(project)
    env = venv.env()
    event = json.dumps(dict(payload_template, session_id=SESSION_ID, cwd=str(project))).encode()
    subprocess.run([venv.synapse, "hook", "prompt-submit"], input=event, cwd=project, env=env, check=True,
                   capture_output=True, timeout=60)
    argv = [venv.synapse, "session", "show", SESSION_ID]
    out_path, err_path = root / "stdout.txt", root / "stderr.txt"
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    shown = {"runs": 0, "offset": 0}

    def check_output(i: int, recorded: bool) -> None:
        """Each run must have printed the session (a table may fold the id, never its start)."""
        text = out_path.read_bytes()[shown["offset"]:]
        shown["offset"] += len(text)
        shown["runs"] += SESSION_ID[:8].encode() in text

    variants = [
        Variant("floor", "bare interpreter: `python -c pass`", [venv.python, "-c", "pass"], project, lambda i: b"",
                kind="floor"),
        Variant("session_show", "`synapse session show ID` (Typer), from the project folder", argv, project,
                lambda i: b"", after=check_output, kind="command"),
    ]
    iterations, warmup = cfg.command_iterations, 2
    log(f"section 2: a typical command — {iterations} interleaved runs of `synapse session show ID` and the floor")
    try:
        loop_s = interleave(variants, iterations, warmup, env, out_fd, err_fd)
    finally:
        os.close(out_fd)
        os.close(err_fd)
    return {"iterations": iterations, "warmup": warmup, "loop_seconds": loop_s, "argv": argv,
            "variants": {v.name: {"label": v.label, "kind": v.kind, "times_ms": v.times, "summary": summarize(v.times),
                                  "nonzero_exits": sum(1 for c in v.exit_codes if c != 0)} for v in variants},
            "runs_showing_the_session": shown["runs"], "runs": iterations + warmup,
            "stderr_excerpt": err_path.read_text(errors="replace")[-1000:]}
