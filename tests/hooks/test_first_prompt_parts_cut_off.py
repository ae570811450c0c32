"""First prompts whose grace period is too short for a whole part still move on to the other parts.

Each pass here is cut off after the same number of names (what a grace period lets through on
a slow disk or a busy machine). Resumed where the last one stopped, successive passes together
examine the whole part; the part is then done and the next one comes. If instead a resumed
pass wrapped around its part and only a single pass covering the whole part counted as done,
the first part would be examined forever and the stale sessions of the other two never removed.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from tests.support.parts import CleanupSettings
from tests.support.sessions import write_session

NAMES_PER_PASS = 40  # a part here has about 210 names: about six passes each



def test_passes_cut_off_every_time_still_reach_every_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from synapse_cli.core.sessions import cleanup as core
    from synapse_cli.core.sessions.store import SessionStore
    from synapse_cli.hooks.cleanup import BackgroundCleanup

    sessions, cache = tmp_path / "sessions", tmp_path / "cache"
    sessions.mkdir()
    cache.mkdir()
    rng = random.Random(21)
    now = time.time()
    for _ in range(600):
        write_session(sessions, f"{rng.getrandbits(128):032x}", age_hours=1, now=now)
    stale = [write_session(sessions, f"{rng.getrandbits(128):032x}", age_hours=30 * 24, now=now) for _ in range(30)]

    real_scan = core._scan
    in_hand, exited = threading.Event(), threading.Event()
    cut: list[bool] = []

    def scan_cut_off(run, names, folder_fd, progress):  # type: ignore[no-untyped-def]
        """The first NAMES_PER_PASS names examined; the next one in hand when the hook exits (the thread dies)."""
        real_scan(run, names[:NAMES_PER_PASS], folder_fd, progress)
        if len(names) > NAMES_PER_PASS:
            progress.current = names[NAMES_PER_PASS]
            cut.append(True)
            in_hand.set()
            exited.wait(5)
            raise SystemExit  # the process has exited: the thread examines nothing more (not caught as an Exception)
        in_hand.set()

    monkeypatch.setattr(core, "_scan", scan_cut_off)
    prompts = 0
    while any(p.exists() for p in stale) and prompts < 60:
        prompts += 1
        in_hand.clear()
        exited.clear()
        cut.clear()
        running = BackgroundCleanup(SessionStore(str(sessions)), CleanupSettings(), str(cache))  # type: ignore[arg-type]
        assert in_hand.wait(5)
        time.sleep(0.01)  # let a pass that got to its end finish its own bookkeeping first
        running.wait(0.0)
        exited.set()
        if cut:  # else wait() saw the pass end
            assert running.done.acquire(timeout=5)
    left = [p.name for p in stale if p.exists()]
    assert not left, f"{len(left)} stale sessions left after {prompts} first prompts; cursor: " + repr(
        (cache / "cleanup-cursor").read_text())
    assert prompts <= 3 * (210 // NAMES_PER_PASS + 2)


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="file checks are slowed with strace")
def test_real_first_prompts_on_a_slow_disk_move_on_to_the_next_part(project: Path, sessions_dir: Path) -> None:
    """The installed hook, every file check slowed by 1 ms (a slow disk): no first prompt gets through a whole
    part within the grace, yet a few of them finish the part between them and the cursor moves on.

    (The in-process test above follows every part to the end; this one shows the real hook's exit path
    records the resume point so that the part is finished, which took a cursor stuck on part 0 before.)
    """
    from tests.support.faults import require_strace
    from tests.support.run import claude_payload, hook

    strace = require_strace()
    rng = random.Random(22)
    now = time.time()
    for _ in range(600):
        write_session(project, f"{rng.getrandbits(128):032x}", age_hours=1, now=now)
    cursor = project / ".synapse" / "cache" / "cleanup-cursor"
    slow = [strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=newfstatat,lstat,stat",
            "-e", "inject=newfstatat,lstat,stat:delay_enter=1000"]
    seen = []
    for n in range(10):
        result = hook(claude_payload(session_id=f"first-{n}", cwd=str(project)), cwd=project, prefix=slow,
                      env={"SYNAPSE_CLEANUP_GRACE_MS": "100", "SYNAPSE_FSYNC": "0"}, timeout=60)
        assert (result.returncode, result.stdout) == (0, b""), result.stderr  # strace may note its own delays on stderr
        seen.append(cursor.read_text())
        if seen[-1].split("\n")[0] != "0":
            break
    assert any(len(text.strip().splitlines()) == 2 for text in seen), f"no first prompt was cut off: {seen}"
    assert seen[-1].split("\n")[0] == "1", f"the cursor after each first prompt: {seen}"
