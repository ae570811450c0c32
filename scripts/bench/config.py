"""The run's settings: targets, fixture constants, and the command line turned into one ``Config``.

Every section receives the ``Config``; nothing in the package changes module state at
run time, so two runs in one process (or a test importing the package) cannot leak
settings into each other.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO = PACKAGE_DIR.parent.parent
JOURNEY_DIR = REPO / "benchmarks" / "journey"
DEFAULT_CHART = REPO / "benchmarks" / "hook-latency.svg"
DEFAULT_PAYLOAD = REPO.parent / "shared" / "fixtures" / "payloads" / "claude-user-prompt-submit.json"
FALLBACK_PAYLOAD = {
    "session_id": "9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91",
    "prompt_id": "0c6e1f4b-8a2d-4f7e-9b13-2e5d7c9a4f60",
    "transcript_path": "/home/dev/.claude/projects/-home-dev-projects-shop/9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91.jsonl",
    "cwd": "/home/dev/projects/shop",
    "permission_mode": "default",
    "hook_event_name": "UserPromptSubmit",
    "prompt": "Add a --dry-run flag to the importer and update the tests",
}

TTL_HOURS = 168  # synapse.session.staleTTLHours default
GRACE_MS = 50  # synapse.session.cleanupGraceMs default

# Targets (issue 13 for the hook, issue 12 for a typical command).
T_STEADY_X_FLOOR = 1.4  # the registered hook through /bin/sh -c, against /bin/sh -c "python -c pass"
T_FIRST1K_X_STEADY = 1.25
T_FIRST10K_EXTRA_MS = 60.0
T_FIRST10K_PROMPTS = 3
# synapse's first prompt examines a folder of more than 512 names one of three parts at a time,
# a name's part being its session id's last two character codes summed, modulo 3
# (core/sessions/cleanup.py part_of). The bench applies the rule on its own to check that each
# prompt cleared the whole part it examined.
FIRST_PROMPT_PARTS = 3
CLEANUP_CURSOR = Path(".synapse") / "cache" / "cleanup-cursor"
T_COMMAND_X_FLOOR = 8.0  # `synapse session show ID` against `python -c pass`
T_ATOMIC_NOFSYNC_X_PLAIN = 1.3
T_CLEAN10K_MS = 100.0
T_PER_FILE_GROWTH = 2.0

# The JavaScript hook's median on the machine of the v0.1.0 measurements (issue 13), drawn
# on the chart when no --compare-cmd measured one in the same run.
JS_HOOK_MS = 80.0


@dataclass(frozen=True)
class Config:
    quick: bool = False
    venv: Path | None = None
    json_path: Path | None = None
    tag: str | None = None
    compare: str | None = None
    compare_cmd: str | None = None
    payload: Path = DEFAULT_PAYLOAD
    work_dir: Path | None = None
    keep: bool = False
    settle_s: float = 0.1  # a cleanup may finish just after the hook exits (a detached cleaner): wait this long at most
    lock_sidecars: bool = False
    chart: Path | None = None
    reference_ms: float = JS_HOOK_MS
    reference_label: str = "JavaScript hook (measured separately)"
    hook_iterations: int = 120
    hook_warmup: int = 5
    folder_sizes: tuple[int, int] = (1000, 10000)
    convergence_trials: int = 3
    rss_runs: int = 7
    command_iterations: int = 30
    atomic_reps: int = 500
    clean_sizes: tuple[int, ...] = (100, 1000, 10000, 100000)
    clean_sidecar_sizes: tuple[int, ...] = (1000, 10000, 100000)
    clean_reps: dict = field(default_factory=lambda: {100: 50, 1000: 20, 10000: 10, 100000: 5})
    clean_cli_reps: dict = field(default_factory=lambda: {100: 3, 1000: 3, 10000: 3, 100000: 2})

    def settings(self) -> dict:
        """What the report and the snapshot record about how the run was made."""
        return {"quick": self.quick, "compare_cmd": self.compare_cmd, "payload": str(self.payload),
                "settle_ms": self.settle_s * 1000, "lock_sidecars": self.lock_sidecars, "ttl_hours": TTL_HOURS,
                "grace_ms": GRACE_MS, "hook_iterations": self.hook_iterations, "folder_sizes": list(self.folder_sizes),
                "clean_sizes": list(self.clean_sizes), "reference_ms": self.reference_ms,
                "reference_label": self.reference_label}


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive numbers, got {text!r}")
    return sizes


def _parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/bench", description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="reduced run (about a minute): fewer iterations, no "
                                                        "100,000-file folder; only correctness targets can fail")
    p.add_argument("--venv", type=Path, help="reuse this venv (synapse installed in it) instead of building one")
    p.add_argument("--json", type=Path, dest="json_path", help="write all raw figures as JSON to this file")
    p.add_argument("--tag", help="save this run's figures as benchmarks/journey/NAME.json (and draw the chart "
                                 "at benchmarks/hook-latency.svg unless --chart says elsewhere)")
    p.add_argument("--compare", help="print each figure's change against benchmarks/journey/NAME.json (or a path)")
    p.add_argument("--compare-cmd", help="another hook command to time side by side with synapse (same payload on "
                                         "stdin); its median is the chart's reference line")
    p.add_argument("--chart", type=Path, help="draw the hook-latency chart (SVG) to this file")
    p.add_argument("--reference-ms", type=float, default=JS_HOOK_MS,
                   help="the chart's reference line when no --compare-cmd is given (default: %(default)g ms, the "
                        "JavaScript hook measured on this machine)")
    p.add_argument("--reference-label", default="JavaScript hook (measured separately)",
                   help="the reference line's label")
    p.add_argument("--payload", type=Path, default=DEFAULT_PAYLOAD, help="the Claude Code UserPromptSubmit event to send")
    p.add_argument("--iterations", type=int, help="hook-latency iterations per variant (default 120, --quick 12)")
    p.add_argument("--sessions", type=_sizes, metavar="N,M",
                   help="sizes of the two sessions folders of the first-prompt variants (default 1000,10000)")
    p.add_argument("--clean-sizes", type=_sizes, metavar="N,...",
                   help="folder sizes of the cleanup section (default 100,1000,10000,100000; --quick without 100000)")
    p.add_argument("--work-dir", type=Path, help="where to put the temp folders (default: the system temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (and its venv) for inspection")
    p.add_argument("--settle-ms", type=float, default=100.0,
                   help="after a first prompt, wait up to this long for its stale sessions to go (a cleanup that "
                        "outlives the hook, e.g. in a detached child); default %(default)g")
    p.add_argument("--lock-sidecars", action="store_true",
                   help="give every fixture session a .lock sidecar, as synapse itself leaves them")
    return p


def parse_args(argv: list[str], description: str = "Benchmark synapse.") -> Config:
    p = _parser(description)
    args = p.parse_args(argv)
    if args.tag and ("/" in args.tag or args.tag.startswith(".")):
        p.error("--tag takes a plain name")
    q = args.quick
    clean_sizes = args.clean_sizes or ((100, 1000, 10000) if q else (100, 1000, 10000, 100000))
    sessions = args.sessions or (1000, 10000)
    if len(sessions) != 2:
        p.error("--sessions takes two sizes: N,M")
    command_iterations = 6 if q else 30
    if args.iterations:
        command_iterations = max(3, args.iterations // 4)
    return Config(
        quick=q, venv=args.venv, json_path=args.json_path, tag=args.tag, compare=args.compare,
        compare_cmd=args.compare_cmd, payload=args.payload, work_dir=args.work_dir, keep=args.keep,
        settle_s=args.settle_ms / 1000.0, lock_sidecars=args.lock_sidecars,
        chart=args.chart or (DEFAULT_CHART if args.tag else None),
        reference_ms=args.reference_ms, reference_label=args.reference_label,
        hook_iterations=args.iterations or (12 if q else 120),
        hook_warmup=2 if q else 5,
        folder_sizes=(sessions[0], sessions[1]),
        convergence_trials=1 if q else 3,
        rss_runs=3 if q else 7,
        command_iterations=command_iterations,
        atomic_reps=100 if q else 500,
        clean_sizes=clean_sizes,
        clean_sidecar_sizes=tuple(n for n in clean_sizes if n >= 1000) or (max(clean_sizes),),
        clean_reps={n: _reps(n, q) for n in clean_sizes},
        clean_cli_reps={n: 1 if q else (2 if n >= 100000 else 3) for n in clean_sizes},
    )


def _reps(files: int, quick: bool) -> int:
    """In-process cleanup repetitions per folder size: more for small folders, whose runs are short."""
    table = {100: 10, 1000: 5, 10000: 3} if quick else {100: 50, 1000: 20, 10000: 10, 100000: 5}
    if files in table:
        return table[files]
    return max(3, min(50, 200000 // files)) if not quick else max(2, min(10, 20000 // files))
