"""Kill loop: a writer SIGKILLed at random moments never leaves a torn or stale file.

SIGKILL keeps the kernel page cache, so these tests cover process crashes (a killed
hook, an editor that kills its hooks), not power loss: surviving a power cut is what
the fsyncs are for, and testing that needs a layer that drops unsynced data (LazyFS)
or a VM.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from synapse_cli.core.atomic import is_temp_name
from tests.support.run import child_env, script_cmd

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL exists on POSIX only")

KILLS_PER_MODE = 110  # two atomic modes: 220 kills in all
PADDING = 16_000
SEED = int(os.environ.get("SYNAPSE_TEST_SEED", str(int(time.time()))))


def _spawn(path: Path, start: int, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        script_cmd("kill_writer.py", path, start, mode, PADDING),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(),
    )
    line = proc.stdout.readline()
    if line != b"ready\n":
        proc.kill()
        proc.wait()
        pytest.fail(f"writer did not start: {line!r} {proc.stderr.read().decode(errors='replace')}")
    return proc


def _kill_and_collect(proc: subprocess.Popen) -> list[int]:
    proc.send_signal(signal.SIGKILL)
    out = proc.stdout.read()
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return [int(x) for x in out.split()]


def check_invariant(path: Path, last_acknowledged: int) -> tuple[bool, str, int | None]:
    """Whether ``path`` parses and holds the last acknowledged value or the next one."""
    raw = path.read_bytes() if path.exists() else b""
    try:
        data = json.loads(raw)
    except ValueError:
        return False, f"torn file ({len(raw)} bytes): {raw[:40]!r}...{raw[-20:]!r}", None
    n = data.get("n")
    complete = data.get("tail") == n and len(data.get("padding", "")) == PADDING
    if not complete or n not in (last_acknowledged, last_acknowledged + 1):
        return False, f"holds n={n} (tail {data.get('tail')}) but last acknowledged is {last_acknowledged}", n
    return True, "", n


def _kill_loop(path: Path, mode: str, kills: int, rng: random.Random) -> tuple[list[str], int, int]:
    """Run ``kills`` kill iterations on one file; return (failures, kills with acks, total acks)."""
    last = 0
    path.write_text(json.dumps({"n": 0, "padding": "x" * PADDING, "tail": 0}))
    failures: list[str] = []
    iterations_with_acks = 0
    total_acks = 0
    for iteration in range(kills):
        proc = _spawn(path, last, mode)
        time.sleep(rng.uniform(0.0005, 0.02))
        acks = _kill_and_collect(proc)
        if acks:
            assert acks == list(range(last + 1, acks[-1] + 1)), acks
            iterations_with_acks += 1
            total_acks += len(acks)
            last = acks[-1]
        ok, why, n = check_invariant(path, last)
        if not ok:
            failures.append(f"kill {iteration}: {why}")
            # Start the next round from what the file says, if anything.
            path.write_text(json.dumps({"n": last, "padding": "x" * PADDING, "tail": last}))
        else:
            last = n  # a write that completed but was killed before its acknowledgement
    return failures, iterations_with_acks, total_acks


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["atomic", "atomic-nofsync"])
def test_kill_loop_atomic_writer_never_tears(tmp_path: Path, mode: str) -> None:
    """After each of 110 random SIGKILLs of an atomic writer the file parses and holds the last acknowledged value or the next."""
    rng = random.Random(f"{SEED}-{mode}")
    folder = tmp_path / "state"
    folder.mkdir()
    path = folder / "data.json"
    failures, with_acks, total_acks = _kill_loop(path, mode, KILLS_PER_MODE, rng)
    assert failures == [], f"seed {SEED}: {failures[:5]}"
    # The kills landed inside the write loop, not only before it started.
    assert with_acks >= KILLS_PER_MODE // 4, f"only {with_acks} of {KILLS_PER_MODE} kills hit a running loop"
    assert total_acks >= KILLS_PER_MODE
    # Only the target and, possibly, temp files of killed writes (which cleanup sweeps) remain.
    others = [name for name in os.listdir(folder) if name != "data.json"]
    assert all(is_temp_name(name) for name in others), others


def test_naive_writer_is_caught_deterministically(tmp_path: Path) -> None:
    """Control: a naive open('w') writer killed between its two chunks fails the same invariant (the check has teeth)."""
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"n": 0, "padding": "x" * PADDING, "tail": 0}))
    proc = subprocess.Popen(
        script_cmd("kill_writer.py", path, 0, "naive-pause", PADDING),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(),
    )
    assert proc.stdout.readline() == b"ready\n"
    assert proc.stdout.readline() == b"half\n"  # the writer is now parked between the two chunks
    acks = _kill_and_collect(proc)
    assert acks == []
    ok, why, _ = check_invariant(path, 0)
    assert not ok and "torn" in why


@pytest.mark.slow
def test_naive_writer_is_caught_by_random_kills(tmp_path: Path) -> None:
    """Control: the same random kill loop catches a naive writer at least once in 40 kills (it tears in most here)."""
    rng = random.Random(f"{SEED}-naive")
    failures, with_acks, _ = _kill_loop(tmp_path / "data.json", "naive", 40, rng)
    assert with_acks > 0
    assert failures, f"seed {SEED}: 40 random kills never caught the naive writer"
