"""How the bench runs things: the venv under test, clean child environments, timed spawns, load samples.

Measurement rules enforced here (each was a real trap):
- the package is measured installed, not editable, with bytecode: by default a throwaway
  venv is built (``pip install <copy of the repo>``); ``--venv`` reuses one;
- every child runs with ``PYTHONDONTWRITEBYTECODE`` removed (this environment sets it,
  which would make every start recompile), and without the ``SYNAPSE_*`` and
  ``CLAUDE_PROJECT_DIR`` variables that would change what the hook does;
- variants are interleaved iteration by iteration (``interleave``) so drift hits them
  all alike.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .config import PACKAGE_DIR, REPO

ENV_DROP_PREFIXES = ("SYNAPSE_",)
ENV_DROP = ("PYTHONDONTWRITEBYTECODE", "CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "PYTHONPATH", "PYTHONHOME",
            "PYTHONPROFILEIMPORTTIME", "PYTHONVERBOSE", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONDEBUG",
            "PYTHONMALLOC", "PYTHONDEVMODE", "PYTHONWARNINGS", "PYTHONTRACEMALLOC", "PYTHONPYCACHEPREFIX")


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sample_load() -> dict:
    """Load average and pressure stall figures (Linux PSI), to tell a quiet run from a contended one."""
    out: dict = {}
    try:
        out["loadavg1"] = float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    for kind in ("cpu", "io"):
        try:
            first = Path(f"/proc/pressure/{kind}").read_text().splitlines()[0]
            out[f"{kind}_some_avg10"] = float(first.split()[1].split("=")[1])
        except (OSError, ValueError, IndexError):
            pass
    return out


class Section:
    """Times a section and samples the machine's load before and after it, into ``res["load"][name]``."""

    def __init__(self, res: dict, name: str):
        self.res, self.name = res, name

    def __enter__(self):
        os.sync()  # our own fixture writes must not be written back during the next section
        self.before, self.t0 = sample_load(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.res.setdefault("load", {})[self.name] = {"before": self.before, "after": sample_load(),
                                                       "seconds": time.perf_counter() - self.t0}


def child_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ENV_DROP and not k.startswith(ENV_DROP_PREFIXES)}
    if extra:
        env.update(extra)
    return env


def run_timed(argv: list[str], payload: bytes | None, env: dict, out_fd: int, err_fd: int) -> tuple[float, int, int]:
    """Spawn ``argv`` with ``payload`` already waiting on a closed stdin pipe; return (ms, max RSS KiB, exit code).

    The payload is written before the spawn, so the parent does nothing while the
    child runs; posix_spawn (vfork) and wait4 keep the parent's own cost minimal.
    The max RSS returned is NOT the child's own: until exec the child runs in this
    process's address space, so it is at least this process's RSS. Peak memory is
    measured separately through a small spawner (``rss_spawner``).
    """
    data = payload or b""
    if len(data) < 60000:
        r, w = os.pipe()
        try:
            if data:
                os.write(w, data)
        finally:
            os.close(w)
    else:  # would not fit a pipe buffer: a file is the next best thing
        tmp = tempfile.TemporaryFile()
        tmp.write(data)
        tmp.seek(0)
        r = os.dup(tmp.fileno())
        tmp.close()
    actions = [(os.POSIX_SPAWN_DUP2, r, 0), (os.POSIX_SPAWN_DUP2, out_fd, 1), (os.POSIX_SPAWN_DUP2, err_fd, 2)]
    try:
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        t1 = time.perf_counter_ns()
    finally:
        os.close(r)
    return (t1 - t0) / 1e6, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


class Variant:
    """One command timed in the interleaved loop: its argv, folder, payload per iteration and check after each run."""

    def __init__(self, name: str, label: str, argv: list[str], cwd: Path, payload, after=None, kind: str = "hook"):
        self.name = name
        self.label = label
        self.argv = argv
        self.cwd = cwd
        self.payload = payload  # callable(iteration) -> bytes
        self.after = after  # callable(iteration, recorded) -> None
        self.kind = kind
        self.times: list[float] = []
        self.exit_codes: list[int] = []
        self.notes: dict = {}


def interleave(variants: list[Variant], iterations: int, warmup: int, env: dict, out_fd: int, err_fd: int) -> float:
    """Run every variant once per iteration, rotating the order, and record times after the warm-up; return seconds."""
    before_cwd = os.getcwd()
    started = time.perf_counter()
    try:
        for it in range(warmup + iterations):
            recorded = it >= warmup
            shift = it % len(variants)
            for v in variants[shift:] + variants[:shift]:
                data = v.payload(it)
                os.chdir(v.cwd)
                ms, _parent_polluted_rss, code = run_timed(v.argv, data, env, out_fd, err_fd)
                if recorded:
                    v.times.append(ms)
                    v.exit_codes.append(code)
                if v.after:
                    v.after(it, recorded)
    finally:
        os.chdir(before_cwd)
    return time.perf_counter() - started


RSS_HELPER = ("import os, sys\n"
              "out, argv = sys.argv[1], sys.argv[2:]\n"
              "pid = os.posix_spawn(argv[0], argv, os.environ)\n"
              "_, status, usage = os.wait4(pid, 0)\n"
              "open(out, 'w').write(str(usage.ru_maxrss))\n"
              "sys.exit(os.waitstatus_to_exitcode(status))\n")


def rss_spawner(venv_python: str, workdir: Path, env: dict) -> tuple[str, list[str], Path, int]:
    """How to measure a child's own peak RSS: (method, argv prefix, output file, the spawner's own RSS KiB).

    A child's ru_maxrss includes whatever its spawner had resident when it forked, so
    spawn through something small: GNU time (a few MB) if present, else a bare python.
    The spawner's own RSS bounds the smallest figure that can be measured. Through
    ``/bin/sh -c`` the figure is the largest of sh and what it ran (children's rusage).
    """
    out = workdir / "rss.txt"
    gnu_time = shutil.which("time", path="/usr/bin:/bin") or "/usr/bin/time"
    try:
        probe = subprocess.run([gnu_time, "-f", "%M", "-o", str(out), "true"], capture_output=True, text=True,
                               timeout=10, env=env)
        if probe.returncode == 0 and out.read_text().strip().splitlines()[-1].isdigit():
            own = subprocess.run([gnu_time, "-f", "%M", gnu_time, "-f", "%M", "true"], capture_output=True, text=True,
                                 timeout=10, env=env).stderr.strip().splitlines()
            return ("GNU time", [gnu_time, "-f", "%M", "-o", str(out)], out,
                    int(own[-1]) if own and own[-1].isdigit() else 0)
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        pass
    helper = [venv_python, "-c", RSS_HELPER, str(out)]
    subprocess.run(helper + [venv_python, "-c", "pass"], env=env, capture_output=True, timeout=30)
    return "python spawner", helper, out, int(out.read_text())


class Venv:
    """The environment under test: its python, its ``synapse``, and the environment children get."""

    def __init__(self, root: Path, built: bool):
        self.root = root
        self.bin = root / "bin"
        self.python = str(self.bin / "python")
        self.synapse = str(self.bin / "synapse")
        self.built = built
        self.info: dict = {}
        self.extra_env: dict = {}

    def env(self) -> dict:
        """A clean child environment with this venv's bin/ first on PATH, as an activated install has it.

        ``/bin/sh -c "python -c pass"`` and a registered ``synapse hook ...`` command then
        find this venv's programs, exactly as an editor's shell finds the user's.
        """
        env = child_env(self.extra_env)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', os.defpath)}"
        return env

    def worker(self, task: str, args: dict, timeout: float = 600) -> dict:
        """Run an in-process measurement (``bench.workers``) in this venv's python; return its JSON answer.

        ``-B``: the bench's own modules must not leave bytecode in the repository.
        """
        code = (f"import sys; sys.path.insert(0, {str(PACKAGE_DIR.parent)!r}); "
                "from bench.workers import main; main(sys.argv[1], sys.argv[2])")
        proc = subprocess.run([self.python, "-B", "-c", code, task, json.dumps(args)], env=self.env(),
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"worker {task} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


def build_venv(workdir: Path) -> tuple[Venv, float]:
    started = time.perf_counter()
    src = workdir / "src-copy"
    log(f"copying {REPO} and building a throwaway venv (pip install, non-editable)")
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info",
                                                               "__pycache__", ".pytest_cache", "benchmarks", "tests",
                                                               "*.pyc"))
    root = workdir / "venv"
    env = child_env()
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, env=env)
    proc = subprocess.run([str(root / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-input", str(src)], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench: pip install failed:\n{proc.stderr[-3000:]}")
    return Venv(root, built=True), time.perf_counter() - started
