"""Sections 3 and 4: the cost of an atomic write against a plain one, and cleanup over 100 to 100,000 files."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
from pathlib import Path

from ..config import Config
from ..fixtures import SessionFolder, init_project
from ..harness import Venv, log
from ..stats import summarize


def atomic_section(venv: Venv, workdir: Path, cfg: Config) -> dict:
    log("section 3: atomic writes")
    atomic = venv.worker("atomic", {"dir": str(workdir / "atomic"), "reps": cfg.atomic_reps, "warmup": 20})
    atomic["reps"] = cfg.atomic_reps
    atomic["summary"] = {k: summarize(v) for k, v in atomic["times_us"].items()}
    return atomic


def _clean_cli(venv: Venv, proj: Path, folder: SessionFolder, reps: int) -> tuple[list[float], list[bool]]:
    """The real command, whole process (Typer and all): times and whether each removed exactly the stale files."""
    cli_ms, cli_ok = [], []
    for _ in range(reps):
        folder.refresh()
        t0 = time.perf_counter()
        proc = subprocess.run([venv.synapse, "--project-dir", str(proj), "session", "clean", "--json"], env=venv.env(),
                              capture_output=True, text=True)
        cli_ms.append((time.perf_counter() - t0) * 1000)
        try:
            removed = len(json.loads(proc.stdout)["removed"])
        except (ValueError, KeyError, TypeError):
            removed = -1
        cli_ok.append(proc.returncode == 0 and removed == len(folder.stale_ids))
    return cli_ms, cli_ok


def _clean_one(venv: Venv, workdir: Path, cfg: Config, base_time: float, n: int, sidecars: bool) -> dict:
    key = f"{n}+locks" if sidecars else str(n)
    proj = workdir / "clean" / f"n{key}"
    folder = SessionFolder(init_project(proj), n, base_time=base_time, lock_sidecars=sidecars, prefix="clean",
                           settle_s=cfg.settle_s)
    gen_s = folder.populate()
    os.sync()
    reps = cfg.clean_reps.get(n, 3) if not sidecars else max(2, cfg.clean_reps.get(n, 3) // 2)
    log(f"section 4: clean_stale over {n:,} files{' + .lock sidecars' if sidecars else ''} "
        f"({len(folder.stale_ids)} stale): generated in {gen_s:.1f} s, {reps} reps")
    manifest_path = workdir / "clean" / f"manifest-{key}.json"
    manifest_path.write_text(json.dumps(folder.manifest()))
    r = venv.worker("clean", {"manifest": str(manifest_path), "reps": reps, "warmup": 1})
    cli_ms, cli_ok = _clean_cli(venv, proj, folder, cfg.clean_cli_reps.get(n, 1) if not sidecars else 1)
    summary = summarize(r["times_ms"])
    t0 = time.perf_counter()
    shutil.rmtree(proj)
    log(f"  removed the {n:,}-file folder in {time.perf_counter() - t0:.1f} s")
    return {"files": n, "sidecars": sidecars, "stale": len(folder.stale_ids), "generate_s": gen_s,
            "times_ms": r["times_ms"], "summary": summary, "per_file_us": summary["median"] * 1000 / n,
            "removed_ok": r["removed_ok"], "removed_counts": r["removed_counts"], "cli_ms": cli_ms,
            "cli_summary": summarize(cli_ms), "cli_ok": cli_ok}


def cleanup_section(venv: Venv, workdir: Path, cfg: Config, base_time: float) -> dict:
    results = {}
    for n, sidecars in [(n, False) for n in cfg.clean_sizes] + [(n, True) for n in cfg.clean_sidecar_sizes]:
        results[f"{n}+locks" if sidecars else str(n)] = _clean_one(venv, workdir, cfg, base_time, n, sidecars)
    slopes = []
    for sidecars in (False, True):
        keys = sorted((k for k, v in results.items() if v["sidecars"] == sidecars), key=lambda k: results[k]["files"])
        for ka, kb in zip(keys, keys[1:]):
            a, b = results[ka]["files"], results[kb]["files"]
            ta, tb = results[ka]["summary"]["median"], results[kb]["summary"]["median"]
            slopes.append({"from": a, "to": b, "sidecars": sidecars,
                           "slope": math.log(tb / ta) / math.log(b / a) if ta > 0 and tb > 0 else None})
    return {"sizes": results, "loglog_slopes": slopes}
