"""One benchmark run: build or reuse the venv, run every section, report, save the snapshot and the chart."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import bench

from .chart import write_chart
from .config import FALLBACK_PAYLOAD, REPO, Config, parse_args
from .figures import build_figures, check_targets
from .harness import Section, Venv, build_venv, log
from .machine import machine_info
from .report import compare_with, render, save_snapshot
from .sections.command import command_section
from .sections.hook import hook_section
from .sections.storage import atomic_section, cleanup_section


def _venv(cfg: Config, workdir: Path, res: dict) -> Venv:
    if cfg.venv:
        venv = Venv(cfg.venv.resolve(), built=False)
        if not Path(venv.python).exists() or not Path(venv.synapse).exists():
            raise SystemExit(f"bench: --venv {cfg.venv}: no bin/python and bin/synapse there")
        res["venv_build_s"] = None
    else:
        venv, took = build_venv(workdir)
        res["venv_build_s"] = took
        log(f"venv ready in {took:.1f} s")
    # The probe imports synapse: keep any bytecode it writes out of the source tree of an editable install.
    venv.extra_env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache-probe")
    venv.info = venv.worker("info", {})
    del venv.extra_env["PYTHONPYCACHEPREFIX"]
    if venv.info["editable"]:
        # Bytecode of an editable install would be written into src/; keep it in the temp dir instead.
        venv.extra_env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
        log("WARNING: synapse is an editable install in this venv; figures are not representative of an installed package")
    return venv


def measure(cfg: Config, workdir: Path, payload_template: dict) -> dict:
    """Every section, in order, each timed with the machine's load sampled around it."""
    res: dict = {"settings": cfg.settings()}
    venv = _venv(cfg, workdir, res)
    res["machine"] = machine_info(venv, workdir)
    base_time = time.time()
    with Section(res, "1. hook latency"):
        res["hook"] = hook_section(venv, workdir, cfg, payload_template, base_time)
    with Section(res, "2. typical command"):
        res["command"] = command_section(venv, workdir, cfg, payload_template)
    with Section(res, "3. atomic write"):
        res["atomic"] = atomic_section(venv, workdir, cfg)
    with Section(res, "4. cleanup scaling"):
        res["cleanup"] = cleanup_section(venv, workdir, cfg, base_time)
    return res


def _payload(cfg: Config) -> dict:
    try:
        return json.loads(cfg.payload.read_text())
    except OSError:
        log(f"payload {cfg.payload} not found; using the built-in copy of the Claude UserPromptSubmit fixture")
        return dict(FALLBACK_PAYLOAD)


def _outputs(cfg: Config, res: dict) -> None:
    if cfg.chart:
        chart = write_chart(res, cfg.chart).resolve()
        res["chart"] = str(chart.relative_to(REPO)) if chart.is_relative_to(REPO) else str(chart)
        log(f"drew {chart}")
    report = (render(res, compare_with(res, cfg.compare) if cfg.compare else None)
              + f"\nTotal run time: {res['duration_s']:.1f} s"
              + (f" (of which building the venv {res['venv_build_s']:.1f} s)" if res.get("venv_build_s") else ""))
    print(report)
    if cfg.json_path:
        cfg.json_path.parent.mkdir(parents=True, exist_ok=True)
        cfg.json_path.write_text(json.dumps(res, indent=1))
    if cfg.tag:
        snapshot = save_snapshot(res, cfg.tag)
        snapshot.with_suffix(".md").write_text(report + "\n")  # the whole report, for a person reading the journey
        log(f"saved snapshot {snapshot} and its report {snapshot.with_suffix('.md')}")


def main(argv: list[str] | None = None) -> int:
    import sys

    cfg = parse_args(sys.argv[1:] if argv is None else argv, (bench.__doc__ or "").split("\n\n")[0])
    if os.name != "posix" or not hasattr(os, "posix_spawn") or not hasattr(os, "wait4"):
        raise SystemExit("bench: needs a POSIX system with posix_spawn and wait4")
    started = time.perf_counter()
    base = cfg.work_dir or Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="synapse-bench-", dir=base))
    log(f"working in {workdir}")
    try:
        res = measure(cfg, workdir, _payload(cfg))
    finally:
        if cfg.keep:
            log(f"kept {workdir}")
        else:
            t0 = time.perf_counter()
            shutil.rmtree(workdir, ignore_errors=True)
            log(f"removed {workdir} in {time.perf_counter() - t0:.1f} s")
    res["figures"] = build_figures(res)
    res["targets"] = targets = check_targets(res, cfg)
    res["duration_s"] = time.perf_counter() - started
    fatal = [t for t in targets if t["status"] == "FAIL" and (t["kind"] == "correctness" or not cfg.quick)]
    res["all_passed"] = not any(t["status"] == "FAIL" for t in targets)
    res["exit_code"] = 1 if fatal else 0
    _outputs(cfg, res)
    return res["exit_code"]
