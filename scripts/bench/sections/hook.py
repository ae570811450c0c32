"""Section 1: the per-prompt hook, spawn to exit, interleaved with a bare interpreter start.

The hook is timed as an editor runs it: the command ``synapse hook install`` registers,
through ``/bin/sh -c``, against ``/bin/sh -c "python -c pass"``. The console script run
directly (``bin/synapse hook prompt-submit``) and a bare ``python -c pass`` are timed
too, so figures stay comparable with snapshots taken before the hook was registered
through a launcher. First prompts of new sessions run with 0, N and M other session
files present (1 % of them stale; default N = 1,000, M = 10,000).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import uuid
from pathlib import Path

from ..config import CLEANUP_CURSOR, FIRST_PROMPT_PARTS, T_FIRST10K_PROMPTS, Config
from ..fixtures import SessionFolder, init_project
from ..harness import Variant, Venv, interleave, log, rss_spawner, run_timed
from ..stats import summarize

STEADY_ID = "9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91"


def registered_command(venv: Venv, project: Path) -> str:
    """The prompt hook's command exactly as ``synapse hook install`` writes it into Claude Code's settings."""
    proc = subprocess.run([venv.synapse, "--project-dir", str(project), "hook", "install", "--agent", "claude",
                           "--scope", "project"], cwd=project, env=venv.env(), capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise SystemExit(f"bench: `synapse hook install` failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    settings = json.loads((project / ".claude" / "settings.json").read_text())
    for group in settings["hooks"]["UserPromptSubmit"]:
        for handler in group.get("hooks", []):
            if "prompt-submit" in handler.get("command", ""):
                return handler["command"]
    raise SystemExit("bench: `synapse hook install` registered no prompt-submit command")


class HookBench:
    """The projects, fixtures and variants of one hook-latency run."""

    def __init__(self, venv: Venv, workdir: Path, cfg: Config, payload_template: dict, base_time: float):
        self.venv, self.cfg, self.template, self.base_time = venv, cfg, payload_template, base_time
        self.env = venv.env()
        self.root = workdir / "hook"
        self.root.mkdir(parents=True)
        self.out_path, self.err_path = self.root / "stdout.txt", self.root / "stderr.txt"
        self.out_fd = os.open(self.out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.err_fd = os.open(self.err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.steady_proj = self.root / "steady"
        self.steady_dir = init_project(self.steady_proj)
        self.command = registered_command(venv, self.steady_proj)
        self.registered = ["/bin/sh", "-c", self.command]
        self.folders: dict[str, SessionFolder] = {}
        self.variants: list[Variant] = []
        self.by_name: dict[str, Variant] = {}

    def payload_for(self, project: Path, session_id: str) -> bytes:
        return json.dumps(dict(self.template, session_id=session_id, cwd=str(project))).encode()

    def add(self, variant: Variant) -> None:
        self.variants.append(variant)
        self.by_name[variant.name] = variant

    def add_steady_variants(self) -> None:
        steady = self.payload_for(self.steady_proj, STEADY_ID)
        py, proj = self.venv.python, self.steady_proj
        for name, label, argv, kind in (
            ("floor", "bare interpreter: `python -c pass`", [py, "-c", "pass"], "floor"),
            ("floor_sh", "bare interpreter through sh: `/bin/sh -c \"python -c pass\"`",
             ["/bin/sh", "-c", "python -c pass"], "floor"),
            ("json_floor", "`python -c 'import re, json, sys; json.loads(stdin)'`",
             [py, "-c", "import re, json, sys; json.loads(sys.stdin.buffer.read())"], "floor"),
            ("steady", "steady prompt, console script run directly: `bin/synapse hook prompt-submit`",
             [self.venv.synapse, "hook", "prompt-submit"], "hook"),
            ("steady_sh", f"steady prompt as registered, through sh: `{self.command}`", self.registered, "hook"),
        ):
            self.add(Variant(name, label, argv, proj, lambda i, data=steady: data, kind=kind))

    def add_first_prompt_variants(self) -> None:
        small, big = self.cfg.folder_sizes
        for name, n in (("first0", 0), ("first1k", small), ("first10k", big)):
            proj = self.root / name
            folder = SessionFolder(init_project(proj), n, base_time=self.base_time, lock_sidecars=self.cfg.lock_sidecars,
                                   prefix=name, settle_s=self.cfg.settle_s)
            took = folder.populate()
            self.folders[name] = folder
            log(f"  {name}: {n:,} session files ({len(folder.stale_ids)} stale) written in {took:.1f} s")
            self.add(self._first_variant(name, n, proj, folder))

    def _first_variant(self, name: str, n: int, proj: Path, folder: SessionFolder) -> Variant:
        state: dict = {"id": None}

        def make_payload(i: int) -> bytes:
            state["id"] = f"bench-{name}-{i}-{uuid.uuid4().hex[:12]}"
            return self.payload_for(proj, state["id"])

        def after(i: int, recorded: bool) -> None:
            new_path = folder.sessions_dir / f"{state['id']}.json"
            created_ok = False
            try:
                created_ok = json.loads(new_path.read_bytes()).get("prompt_count") == 1
            except (OSError, ValueError):
                pass
            # The stale sessions this prompt's cleanup examined: its part of the folder, or all of them.
            examined, cut_off = examined_part(proj)
            due = [sid for sid in folder.stale_ids if examined is None or part_of(sid) == examined]
            at_exit, left, gone_ms = folder.settle(due)
            if recorded:
                notes = self.by_name[name].notes
                notes.setdefault("created_ok", []).append(created_ok)
                notes.setdefault("part_examined", []).append(examined)
                notes.setdefault("cut_off", []).append(cut_off)
                # Counts of the stale sessions it examined (see ``due``), not of the whole folder.
                notes.setdefault("stale_left", []).append(left)
                notes.setdefault("stale_left_at_exit", []).append(at_exit)
                notes.setdefault("stale_gone_ms_after_exit", []).append(gone_ms)
            folder.forget(state["id"])
            folder.refresh()

        label = "first prompt, no other session" if n == 0 else f"first prompt among {n:,} sessions, as registered"
        return Variant(name, label, self.registered, proj, make_payload, after)

    def add_compare_variant(self) -> None:
        cmd = self.cfg.compare_cmd
        if not cmd:
            return
        if any(ch in cmd for ch in "|&;<>$`(){}*?~"):
            argv = ["/bin/sh", "-c", cmd]
        else:
            argv = shlex.split(cmd)
            resolved = shutil.which(argv[0], path=self.env.get("PATH"))
            if resolved is None:
                raise SystemExit(f"bench: --compare-cmd: {argv[0]!r} not found on PATH")
            argv[0] = resolved
        steady = self.payload_for(self.steady_proj, STEADY_ID)
        self.add(Variant("compare", f"compare: `{cmd}`", argv, self.steady_proj, lambda i: steady, kind="compare"))

    def peak_memory(self) -> tuple[str, int, dict[str, list[int]]]:
        """Each variant a few times through a small spawner, untimed (see ``rss_spawner``)."""
        method, prefix, rss_file, spawner_kb = rss_spawner(self.venv.python, self.root, self.env)
        rss: dict[str, list[int]] = {v.name: [] for v in self.variants}
        first = self.cfg.hook_warmup + self.cfg.hook_iterations
        for it in range(first, first + self.cfg.rss_runs):
            for v in self.variants:
                rss_file.write_text("")
                run_timed(prefix + v.argv, v.payload(it), self.env, self.out_fd, self.err_fd)
                try:
                    rss[v.name].append(int(rss_file.read_text().strip().splitlines()[-1]))
                except (ValueError, IndexError):
                    pass
                if v.after:
                    v.after(it, False)
        return method, spawner_kb, rss

    def convergence(self) -> dict:
        """How many consecutive first prompts until every stale file is gone, in each big folder."""
        out = {}
        for name in ("first1k", "first10k"):
            folder = self.folders[name]
            trials = [self._converge(name, folder, trial) for trial in range(self.cfg.convergence_trials)]
            worst = [t["prompts_to_clean"] for t in trials]
            out[name] = {"stale": len(folder.stale_ids), "trials": trials,
                         "worst_prompts_to_clean": None if None in worst else max(worst)}
            folder.refresh()
        return out

    def _converge(self, name: str, folder: SessionFolder, trial: int) -> dict:
        folder.refresh()
        lefts: list[int] = []
        project = folder.sessions_dir.parent.parent
        devnull = os.open(os.devnull, os.O_WRONLY)
        before_cwd = os.getcwd()
        try:
            os.chdir(project)
            for k in range(T_FIRST10K_PROMPTS + 2):
                sid = f"bench-conv-{name}-{trial}-{k}-{uuid.uuid4().hex[:8]}"
                run_timed(self.registered, self.payload_for(project, sid), self.env, devnull, devnull)
                lefts.append(folder.settle()[1])
                folder.forget(sid)
                if lefts[-1] == 0:
                    break
        finally:
            os.close(devnull)
            os.chdir(before_cwd)
        prompts = next((k + 1 for k, left in enumerate(lefts) if left == 0), None)
        return {"stale_left_after_each": lefts, "prompts_to_clean": prompts}

    def close(self) -> tuple[int, str]:
        os.close(self.out_fd)
        os.close(self.err_fd)
        return self.out_path.stat().st_size, self.err_path.read_text(errors="replace")

    def steady_count(self) -> int | None:
        try:
            return json.loads((self.steady_dir / f"{STEADY_ID}.json").read_bytes()).get("prompt_count")
        except (OSError, ValueError):
            return None


def part_of(session_id: str) -> int:
    """The part of the sessions folder a session's file is in, by synapse's rule (see ``FIRST_PROMPT_PARTS``)."""
    return sum(map(ord, session_id[-2:])) % FIRST_PROMPT_PARTS


def examined_part(project: Path) -> tuple[int | None, bool]:
    """The part the last first prompt examined (None: the whole folder), and whether its grace period cut it off.

    The cursor names the part that comes next; after a cut-off it names the part cut off,
    and the name to resume at on a second line.
    """
    try:
        lines = (project / CLEANUP_CURSOR).read_text().split("\n")
    except (OSError, UnicodeDecodeError):
        return None, False
    first = lines[0].strip()
    if not first.isdigit():
        return None, False
    if len(lines) > 1 and lines[1].strip():
        return int(first), True
    return (int(first) - 1) % FIRST_PROMPT_PARTS, False


def _variant_entry(v: Variant, rss: list[int]) -> dict:
    entry = {"label": v.label, "argv": v.argv, "kind": v.kind, "times_ms": v.times, "max_rss_kb": rss,
             "summary": summarize(v.times), "rss_summary": summarize([float(x) for x in rss]),
             "nonzero_exits": sum(1 for c in v.exit_codes if c != 0)}
    if "stale_left" in v.notes:
        entry["stale_left"] = v.notes["stale_left"]
        entry["stale_left_at_exit"] = v.notes["stale_left_at_exit"]
        entry["stale_gone_ms_after_exit"] = v.notes["stale_gone_ms_after_exit"]
        entry["part_examined"] = v.notes["part_examined"]
        entry["cut_off"] = v.notes["cut_off"]
        entry["created_ok"] = sum(1 for ok in v.notes["created_ok"] if ok)
    return entry


def hook_section(venv: Venv, workdir: Path, cfg: Config, payload_template: dict, base_time: float) -> dict:
    log("section 1: hook latency — preparing projects")
    bench = HookBench(venv, workdir, cfg, payload_template, base_time)
    log(f"  `synapse hook install` registers: {bench.command}")
    bench.add_steady_variants()
    bench.add_first_prompt_variants()
    bench.add_compare_variant()
    warmup, iterations = cfg.hook_warmup, cfg.hook_iterations
    log(f"  interleaving {len(bench.variants)} variants × {iterations} iterations (+{warmup} warm-up)")
    loop_s = interleave(bench.variants, iterations, warmup, bench.env, bench.out_fd, bench.err_fd)
    method, spawner_kb, rss = bench.peak_memory()
    steady_count = bench.steady_count()  # a hook that silently did nothing would look fast
    stdout_bytes, stderr_text = bench.close()
    steady_runs = sum(1 for v in bench.variants if v.name in ("steady", "steady_sh"))
    convergence = bench.convergence()
    return {"iterations": iterations, "warmup": warmup, "loop_seconds": loop_s, "registered_command": bench.command,
            "variants": {v.name: _variant_entry(v, rss[v.name]) for v in bench.variants},
            "steady_prompt_count": steady_count, "steady_expected": steady_runs * (warmup + iterations + cfg.rss_runs),
            "stdout_bytes": stdout_bytes, "stderr_excerpt": stderr_text[-2000:], "convergence": convergence,
            "folder_sizes": {name: f.n for name, f in bench.folders.items()},
            "rss_method": method, "rss_spawner_kb": spawner_kb, "rss_runs": cfg.rss_runs,
            "stale_per_folder": {name: len(f.stale_ids) for name, f in bench.folders.items()}}
