#!/usr/bin/env python3
"""Torture runs for synapse: kill storm, concurrency soak and disk full.

Runs the real installed ``synapse`` (the console script beside this interpreter, or
``--synapse PATH``) against a throwaway project and checks, after every step, that no
state file is torn and no acknowledged update is lost. Prints a summary table and
exits 1 when any invariant was broken.

    python scripts/torture.py                    # 1,000 kills, soak 8 x 50, disk full
    python scripts/torture.py --kills 200 --soak-procs 4 --soak-prompts 20
    python scripts/torture.py --json results.json

What each section covers:
- Kill storm: ``session update``, ``hook prompt-submit`` and ``metrics persist`` are
  SIGKILLed at random moments. SIGKILL keeps the page cache, so this proves process
  crashes never tear a file or lose an acknowledged update, not power-loss durability.
  ``kills_inside_a_write`` counts the kills that left a temp file behind (they landed
  between its creation and the rename) and ``kills_after_the_rename`` those that landed
  after the new session was in place; the other kills hit start-up and parsing.
- Concurrency soak: M processes x K prompts on one shared session and on sessions of
  their own in one project, while ``session clean`` runs in a loop over stale sessions.
- Disk full: the writers on a tiny tmpfs filled to the brim (or, where mounting is not
  permitted, with ENOSPC injected by strace): every write fails cleanly, the previous
  content survives, no temp file is left, and the hook still exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SESSION = "torture-shared-session"


def default_synapse() -> str:
    candidate = Path(sys.executable).parent / "synapse"
    return str(candidate) if candidate.exists() else (shutil.which("synapse") or "synapse")


class Torture:
    def __init__(self, synapse: str, workdir: Path, seed: int):
        self.synapse = synapse
        self.workdir = workdir
        self.random = random.Random(seed)
        self.env = dict(os.environ)
        for name in list(self.env):
            if name.startswith("SYNAPSE_") or name == "CLAUDE_PROJECT_DIR":
                del self.env[name]
        # Bytecode cached as for a user; the throwaway project is the only thing written.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["HOME"] = str(workdir / "home")
        self.env["XDG_CACHE_HOME"] = str(workdir / "home" / ".cache")

    # -- helpers -----------------------------------------------------------------
    def new_project(self, name: str, base: Path | None = None) -> Path:
        root = (base or self.workdir) / name
        root.mkdir(parents=True)
        self.run(["--project-dir", str(root), "init"], check=True)
        return root

    def run(self, args: list[str], *, stdin: bytes = b"", check: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [self.synapse, *args], input=stdin, capture_output=True, env=env or self.env, timeout=60
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"synapse {' '.join(args)} failed: {result.stderr.decode(errors='replace')}")
        return result

    @staticmethod
    def payload(root: Path, session: str) -> bytes:
        return json.dumps(
            {"session_id": session, "cwd": str(root), "hook_event_name": "UserPromptSubmit", "prompt": "torture prompt"}
        ).encode()

    @staticmethod
    def parses(path: Path) -> bool:
        try:
            json.loads(path.read_bytes().decode("utf-8"))
            return True
        except (OSError, ValueError):
            return False

    @staticmethod
    def prompt_count(path: Path) -> int | None:
        """The session's prompt count: 0 without a file, None when the file does not parse."""
        try:
            return json.loads(path.read_bytes().decode("utf-8"))["prompt_count"]
        except FileNotFoundError:
            return 0
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def temp_files(root: Path) -> list[Path]:
        return [p for p in (root / ".synapse").rglob("*") if ".tmp." in p.name and not p.name.endswith(".json")]

    # -- kill storm --------------------------------------------------------------
    def kill_storm(self, kills: int) -> dict:
        root = self.new_project("kill-storm")
        session_file = root / ".synapse" / "sessions" / f"{SESSION}.json"
        metrics_file = root / ".synapse" / "metrics" / "uap-metrics.json"
        stats = {"kills": 0, "completed": 0, "unparsable_files": 0, "acknowledged_lost": 0,
                 "phantom_updates": 0, "kills_inside_a_write": 0, "kills_after_the_rename": 0,
                 "temp_files_left": 0, "temp_files_swept": 0, "max_kill_delay_ms": 0.0}
        temps_seen = 0
        metrics_written: set[str] = set()
        acknowledged = 0
        attempts = 0

        def command(kind: str) -> tuple[list[str], bytes]:
            if kind == "update":
                return ["--project-dir", str(root), "session", "update", SESSION, "--title", f"t{attempts}"], b""
            if kind == "hook":
                return ["--project-dir", str(root), "hook", "prompt-submit"], self.payload(root, SESSION)
            total = self.random.randint(1, 10_000)
            metrics_written.add(str(total))
            data = {"agentId": "dev", "totalDuration": total, "loaders": {"a": {"duration": 1, "status": "ok"}}}
            return ["--project-dir", str(root), "metrics", "persist", "--kind", "uap"], json.dumps(data).encode()

        # Most of a command's life is interpreter start-up and imports; the write comes at
        # the end. Time each command undisturbed, then aim the kills at the second half of
        # its run time (and a little past it), where the writes are.
        runtime = {}
        for kind in ("update", "hook", "metrics"):
            samples = []
            for _ in range(3):
                args, stdin = command(kind)
                started = time.perf_counter()
                self.run(args, stdin=stdin, check=True)
                samples.append(time.perf_counter() - started)
            runtime[kind] = sorted(samples)[1]
        stats["runtime_ms"] = {kind: round(value * 1000, 1) for kind, value in runtime.items()}
        while stats["kills"] < kills:
            kind = self.random.choice(("update", "hook", "metrics"))
            args, stdin = command(kind)
            before = self.prompt_count(session_file)
            if before is None:
                break  # a torn session file: counted below, and nothing after it can be judged
            attempts += 1
            process = subprocess.Popen([self.synapse, *args], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, env=self.env)
            try:
                process.stdin.write(stdin)
                process.stdin.close()
            except BrokenPipeError:
                pass
            delay = self.random.uniform(0.5, 1.1) * runtime[kind]
            stats["max_kill_delay_ms"] = max(stats["max_kill_delay_ms"], delay * 1000)
            time.sleep(delay)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            code = process.wait()
            # A process that exited between the poll and the signal completed: judge by how it ended.
            killed = code == -signal.SIGKILL
            acked = code == 0
            stats["kills" if killed else "completed"] += 1
            after = self.prompt_count(session_file)
            if killed:
                # How many kills hit the write itself (the rest land in interpreter start-up or
                # argument parsing): a new temp file means between its creation and the rename.
                temps_now = len(self.temp_files(root))
                stats["kills_inside_a_write"] += temps_now > temps_seen
                temps_seen = temps_now
                stats["kills_after_the_rename"] += kind in ("update", "hook") and after is not None and before is not None and after == before + 1
            for path in (session_file, metrics_file, root / ".synapse" / "sessions" / "_active-agent.json"):
                if path.exists() and not self.parses(path):
                    stats["unparsable_files"] += 1
            if after is None:
                continue
            if kind in ("update", "hook"):
                if acked and after != before + 1:
                    stats["acknowledged_lost"] += 1
                if after not in (before, before + 1):
                    stats["phantom_updates"] += 1
                if acked:
                    acknowledged += 1
            elif metrics_file.exists() and self.parses(metrics_file):
                total = json.loads(metrics_file.read_text()).get("totalDuration")
                if str(total) not in metrics_written:
                    stats["unparsable_files"] += 1  # content from nowhere counts as damage
        left = self.temp_files(root)
        stats["temp_files_left"] = len(left)
        env = dict(self.env, SYNAPSE_TEMP_MAX_AGE_SECONDS="0")
        self.run(["--project-dir", str(root), "session", "clean"], env=env, check=True)
        # The sessions folder is what cleanup sweeps; the doctor sweeps the rest.
        self.run(["--project-dir", str(root), "doctor", "--fix"], env=env)
        stats["temp_files_swept"] = len(left) - len(self.temp_files(root))
        stats["acknowledged_updates"] = acknowledged
        stats["final_prompt_count"] = self.prompt_count(session_file)
        stats["max_kill_delay_ms"] = round(stats["max_kill_delay_ms"], 1)
        stats["ok"] = stats["kills"] >= kills and stats["unparsable_files"] == 0 and stats["acknowledged_lost"] == 0 and stats["phantom_updates"] == 0 \
            and not self.temp_files(root)
        return stats

    # -- concurrency soak --------------------------------------------------------
    def soak(self, procs: int, prompts: int) -> dict:
        root = self.new_project("soak")
        sessions = root / ".synapse" / "sessions"
        stale_ids = [f"stale-{i}" for i in range(50)]
        old = time.time() - 400 * 3600
        for sid in stale_ids:
            path = sessions / f"{sid}.json"
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(old))
            path.write_text(json.dumps({"uuid": sid, "schema_version": "2.0", "last_activity": stamp, "prompt_count": 3}, indent=2))
            os.utime(path, (old, old))
        worker = (
            "import json,subprocess,sys\n"
            "syn, root, shared, own, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])\n"
            "for i in range(n):\n"
            "    for sid in (shared, own):\n"
            "        p = json.dumps({'session_id': sid, 'cwd': root, 'prompt': 'soak'}).encode()\n"
            "        r = subprocess.run([syn, 'hook', 'prompt-submit'], input=p, capture_output=True)\n"
            "        assert r.returncode == 0 and r.stdout == b'', r\n"
        )
        started = time.perf_counter()
        workers = [
            subprocess.Popen([sys.executable, "-c", worker, self.synapse, str(root), SESSION, f"own-{w}", str(prompts)], env=self.env)
            for w in range(procs)
        ]
        cleaner_runs = 0
        while True:  # at least once, then for as long as any worker runs
            self.run(["--project-dir", str(root), "session", "clean"], check=True)
            cleaner_runs += 1
            if all(w.poll() is not None for w in workers):
                break
        failed_workers = sum(1 for w in workers if w.wait() != 0)
        elapsed = time.perf_counter() - started
        damaged = [p.name for p in sessions.glob("*.json") if not self.parses(p)]
        shared = self.prompt_count(sessions / f"{SESSION}.json")  # None (torn) never equals the expected count
        own_counts = [self.prompt_count(sessions / f"own-{w}.json") for w in range(procs)]
        stale_left = [sid for sid in stale_ids if (sessions / f"{sid}.json").exists()]
        stats = {
            "processes": procs, "prompts_each": prompts, "hook_runs": procs * prompts * 2, "seconds": round(elapsed, 2),
            "hook_runs_per_second": round(procs * prompts * 2 / elapsed, 1),
            "shared_prompt_count": shared, "shared_expected": procs * prompts,
            "own_sessions_exact": sum(1 for c in own_counts if c == prompts), "own_sessions": procs,
            "cleanup_runs": cleaner_runs, "stale_left": len(stale_left), "damaged_files": len(damaged),
            "failed_workers": failed_workers,
        }
        stats["ok"] = (shared == procs * prompts and stats["own_sessions_exact"] == procs and not damaged
                       and not stale_left and failed_workers == 0)
        return stats

    # -- cleanups at their most eager beside concurrent hooks ----------------------
    EAGER_ENV = {"SYNAPSE_TEMP_MAX_AGE_SECONDS": "0", "SYNAPSE_CLEANUP_GRACE_MS": "0",
                 "SYNAPSE_START_CLEANUP_INTERVAL_SECONDS": "0", "SYNAPSE_AUTO_CLEAN": "true"}

    def eager_cleanup(self, procs: int, prompts: int) -> dict:
        """Every cleanup at its most eager setting (temp files swept at age 0, session-start
        cleaning every time, a first prompt in every third hook run) while hooks write: a
        write in progress must never be swept, so no prompt may be lost."""
        root = self.new_project("eager")
        sessions = root / ".synapse" / "sessions"
        env = dict(self.env, **self.EAGER_ENV)
        worker = (
            "import json,subprocess,sys\n"
            "syn, root, shared, own, n, w = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]\n"
            "for i in range(n):\n"
            "    for sid in (shared, own, f'first-{w}-{i}'):\n"
            "        p = json.dumps({'session_id': sid, 'cwd': root, 'prompt': 'eager'}).encode()\n"
            "        r = subprocess.run([syn, 'hook', 'prompt-submit'], input=p, capture_output=True)\n"
            "        assert r.returncode == 0 and r.stdout == b'', r\n"
        )
        started = time.perf_counter()
        workers = [
            subprocess.Popen([sys.executable, "-c", worker, self.synapse, str(root), SESSION, f"own-{w}", str(prompts), str(w)], env=env)
            for w in range(procs)
        ]
        cleaner_runs = 0
        start_payload = self.payload(root, "eager-starter")
        while True:  # at least once, then for as long as any worker runs
            self.run(["--project-dir", str(root), "session", "clean"], check=True, env=env)
            self.run(["hook", "session-start"], stdin=start_payload, env=env)
            cleaner_runs += 2
            if all(w.poll() is not None for w in workers):
                break
        failed_workers = sum(1 for w in workers if w.wait() != 0)
        elapsed = time.perf_counter() - started
        log = root / ".synapse" / "cache" / "synapse.log"
        log_text = log.read_text(errors="replace") if log.exists() else ""
        lost = sum(1 for line in log_text.splitlines() if "not updated" in line or "rename failed" in line)
        shared = self.prompt_count(sessions / f"{SESSION}.json")
        own_counts = [self.prompt_count(sessions / f"own-{w}.json") for w in range(procs)]
        firsts = [self.prompt_count(sessions / f"first-{w}-{i}.json") for w in range(procs) for i in range(prompts)]
        damaged = [p.name for p in sessions.glob("*.json") if not self.parses(p)]
        stats = {
            "processes": procs, "prompts_each": prompts * 3, "hook_runs": procs * prompts * 3, "seconds": round(elapsed, 2),
            "settings": ", ".join(f"{k}={v}" for k, v in self.EAGER_ENV.items()),
            "cleanup_runs": cleaner_runs, "shared_prompt_count": shared, "shared_expected": procs * prompts,
            "own_sessions_exact": sum(1 for c in own_counts if c == prompts), "own_sessions": procs,
            "first_prompts_recorded": sum(1 for c in firsts if c == 1), "first_prompts": len(firsts),
            "prompts_lost_in_log": lost, "damaged_files": len(damaged), "failed_workers": failed_workers,
        }
        stats["ok"] = (shared == procs * prompts and stats["own_sessions_exact"] == procs and lost == 0 and not damaged
                       and stats["first_prompts_recorded"] == len(firsts) and failed_workers == 0)
        return stats

    # -- disk full ---------------------------------------------------------------
    def disk_full(self) -> dict:
        mount = self.workdir / "tiny-fs"
        mount.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True).returncode == 0
        try:
            if mounted:
                return self._disk_full_on(mount, method="tmpfs of 4 MiB, filled")
            return self._disk_full_strace(mount)
        finally:
            if mounted:
                subprocess.run(["umount", "-l", str(mount)], capture_output=True)

    def _writers(self, root: Path) -> list[tuple[str, list[str], bytes, int]]:
        return [
            ("session update", ["--project-dir", str(root), "session", "update", SESSION, "--title", "new"], b"", 1),
            ("hook prompt-submit", ["--project-dir", str(root), "hook", "prompt-submit"], self.payload(root, SESSION), 0),
            ("metrics persist", ["--project-dir", str(root), "metrics", "persist"], json.dumps({"agentId": "dev", "totalDuration": 7}).encode(), 1),
            ("state update", ["--project-dir", str(root), "state", "update", "--command", "*develop"], b"", 1),
        ]

    def _snapshot(self, root: Path) -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file() and "cache" not in p.parts and not p.name.endswith(".lock")}

    def _disk_full_on(self, base: Path, method: str) -> dict:
        root = self.new_project("full", base)
        for _, args, stdin, _ in self._writers(root):
            self.run(args, stdin=stdin)  # every file exists with known content first
        filler = base / "filler"
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        # Squeeze out the last partial blocks too.
        with open(base / "filler2", "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 512)
            except OSError:
                pass
        return self._check_writers(root, method, env=None)

    def _disk_full_strace(self, base: Path) -> dict:
        if not shutil.which("strace"):
            return {"method": "none (no tmpfs mount, no strace)", "ok": False, "skipped": True}
        root = self.new_project("full", base)
        for _, args, stdin, _ in self._writers(root):
            self.run(args, stdin=stdin)
        return self._check_writers(root, "strace-injected ENOSPC on every fsync() (no tmpfs mount permitted)", env=None, strace=True)

    def _check_writers(self, root: Path, method: str, env: dict | None, strace: bool = False) -> dict:
        before = self._snapshot(root)
        rows = []
        for name, args, stdin, expected in self._writers(root):
            command = [self.synapse, *args]
            if strace:
                # Not write() with -P: -P DIR matches calls on DIR itself, not on files inside it,
                # and an unfiltered write() fault would also swallow the error message on stderr.
                command = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e",
                           "inject=fsync:error=ENOSPC", *command]
            result = subprocess.run(command, input=stdin, capture_output=True, env=env or self.env, timeout=60)
            # The throwaway folder's name says nothing; without it the reason fits in the table.
            message = result.stderr.decode(errors="replace").replace(str(self.workdir), "<tmp>").strip().splitlines()
            rows.append({"writer": name, "exit": result.returncode, "expected_exit": expected,
                         "stdout_empty": result.stdout == b"" if expected == 0 else True,
                         "message": message[-1] if message else ""})
        after = self._snapshot(root)
        changed = [p for p in before if after.get(p) != before[p]]
        temps = self.temp_files(root)
        ok = all(r["exit"] == r["expected_exit"] and r["stdout_empty"] for r in rows) and not changed and not temps
        return {"method": method, "writers": rows, "files_changed": changed, "temp_files_left": len(temps), "ok": ok}


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=1000, help="SIGKILLs in the kill storm (default 1000)")
    parser.add_argument("--soak-procs", type=int, default=8, help="processes in the concurrency soak (default 8)")
    parser.add_argument("--soak-prompts", type=int, default=50, help="prompts per process and session (default 50)")
    parser.add_argument("--skip", action="append", default=[], choices=("kill", "soak", "eager", "disk"), help="skip a section")
    parser.add_argument("--synapse", default=default_synapse(), help="the synapse executable to torture")
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed, for replaying a run)")
    parser.add_argument("--json", dest="json_file", help="write the raw results to this file")
    options = parser.parse_args(argv)
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(), "seed": seed}
    with tempfile.TemporaryDirectory(prefix="synapse-torture-") as tmp:
        torture = Torture(options.synapse, Path(tmp), seed)
        started = time.perf_counter()
        if "kill" not in options.skip:
            results["kill_storm"] = torture.kill_storm(options.kills)
        if "soak" not in options.skip:
            results["soak"] = torture.soak(options.soak_procs, options.soak_prompts)
        if "eager" not in options.skip:
            results["eager_cleanup"] = torture.eager_cleanup(options.soak_procs, max(1, options.soak_prompts // 2))
        if "disk" not in options.skip:
            results["disk_full"] = torture.disk_full()
        results["seconds"] = round(time.perf_counter() - started, 1)
    print(render(results))
    if options.json_file:
        Path(options.json_file).write_text(json.dumps(results, indent=2) + "\n")
    sections = [results[k] for k in ("kill_storm", "soak", "eager_cleanup", "disk_full") if k in results]
    return 0 if all(s.get("ok") for s in sections) else 1


def render(results: dict) -> str:
    lines = [f"synapse torture run — {results['date']} — {results['machine']} — seed {results['seed']}", ""]
    lines += ["| section | figure | value |", "|---|---|---|"]
    for section in ("kill_storm", "soak", "eager_cleanup", "disk_full"):
        data = results.get(section)
        if not data:
            continue
        for key, value in data.items():
            if key == "writers":
                for row in value:
                    lines.append(f"| {section} | {row['writer']} | exit {row['exit']} (expected {row['expected_exit']}): {row['message']} |")
                continue
            lines.append(f"| {section} | {key} | {value} |")
    verdicts = [f"{s}: {'PASS' if results[s].get('ok') else 'FAIL'}" for s in ("kill_storm", "soak", "eager_cleanup", "disk_full") if s in results]
    lines += ["", " · ".join(verdicts) + f" · {results['seconds']} s"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
