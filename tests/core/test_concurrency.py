"""Concurrent read-modify-write of one session by many processes loses no update."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from synapse_cli.core.sessions.store import SessionStore
from tests.support.run import child_env, script_cmd

WORKERS = 8
UPDATES = 50


@pytest.mark.slow
def test_eight_processes_fifty_updates_each_lose_nothing(sessions_dir: Path) -> None:
    """8 processes x 50 SessionStore.update calls started together end at prompt_count exactly 400 in a file that parses."""
    session_id = "0b6c2f4e-1d2a-4a7e-9c3b-5e8f7a6d4c21"
    go_file = sessions_dir.parent / "go"
    procs = [
        subprocess.Popen(script_cmd("update_worker.py", sessions_dir, session_id, UPDATES, go_file),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
        for _ in range(WORKERS)
    ]
    try:
        for proc in procs:  # barrier: every worker has imported everything and is waiting
            assert proc.stdout.readline() == b"ready\n", proc.stderr.read().decode(errors="replace")
        go_file.touch()
        start = time.monotonic()
        outputs = [proc.communicate(timeout=120) for proc in procs]
        elapsed = time.monotonic() - start
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err.decode(errors="replace")
        assert out == f"done {UPDATES}\n".encode()
    path = sessions_dir / f"{session_id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["prompt_count"] == WORKERS * UPDATES, f"lost updates ({elapsed:.1f} s)"
    # Every worker's history entry made it too (append-unique merge under the lock).
    assert sorted(data["history"]["agents_activated"]) == sorted(f"w{p.pid}" for p in procs)
    assert SessionStore(sessions_dir).load(session_id)["prompt_count"] == 400
    leftovers = sorted(p.name for p in sessions_dir.iterdir())
    assert leftovers == [f"{session_id}.json"]  # locks live in .synapse/cache/locks/


def test_threads_writing_one_file_never_collide(tmp_path: Path) -> None:
    """Eight threads of one process writing the same file concurrently all succeed (temp names differ per thread) and leave one whole file."""
    import threading

    from synapse_cli.core.atomic import atomic_write

    target = tmp_path / "shared.json"
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(number: int) -> None:
        try:
            barrier.wait()
            for i in range(50):
                atomic_write(target, json.dumps({"thread": number, "i": i, "pad": "z" * 2000}), fsync=False)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    data = json.loads(target.read_text())
    assert data["i"] == 49 and len(data["pad"]) == 2000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.json"]
