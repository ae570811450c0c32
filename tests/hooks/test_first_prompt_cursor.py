"""The cursor that says which part of a large sessions folder the next first prompt examines.

It is repository content like any other file in ``.synapse/``: whatever stands in its
place (a directory, an immutable file, a FIFO, a link), first prompts still remove every
stale session within three of them, never write through a link, never leave a temp file,
and never fail the prompt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.faults import require_strace
from tests.support.parts import CURSOR, PARTS, CleanupSettings, hex_sessions, left_of
from tests.support.run import FAST_CLEANUP_ENV, claude_payload, hook, prompt, run_synapse
from tests.support.sessions import write_session


def _immutable(path: Path) -> None:
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {done.stderr.decode(errors='replace').strip()}")


@pytest.mark.parametrize("kind", ["directory", "immutable"])
def test_a_cursor_that_cannot_be_replaced_makes_first_prompts_examine_the_whole_folder(
        project: Path, sessions_dir: Path, kind: str) -> None:
    """Without a cursor on record the same part would be examined forever: the first prompt cleans everything instead."""
    _, stale = hex_sessions(project, fresh=900, stale=60, seed=7)
    cursor = project / CURSOR
    if kind == "directory":
        cursor.mkdir()
    else:
        cursor.write_text("1\n")
        _immutable(cursor)
    try:
        prompt(project, session_id="first", env=FAST_CLEANUP_ENV)
        assert not left_of(sessions_dir, stale)
    finally:
        subprocess.run(["chattr", "-i", str(cursor)], capture_output=True)
    assert cursor.is_dir() if kind == "directory" else cursor.read_text() == "1\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renames are slowed with strace")
def test_a_cursor_write_still_going_when_the_grace_ends_is_let_finish(project: Path, sessions_dir: Path) -> None:
    """Every rename slowed by 0.5 s: the grace (50 ms) ends while the cleanup records its part, and the hook
    lets that write end instead of exiting through it, so no temp file stays in .synapse/cache."""
    strace = require_strace()
    hex_sessions(project, fresh=600, stale=0, seed=9)
    # Made by session-start (prompt_count 0): the cleanup starts after the update, so its cursor
    # write is the one in flight when the grace period ends.
    write_session(project, "first", age_hours=0, prompt_count=0)
    prefix = [strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=rename", "-e", "inject=rename:delay_enter=500000"]
    result = hook(claude_payload(session_id="first", cwd=str(project)), cwd=project, prefix=prefix, timeout=60)
    assert (result.returncode, result.stdout) == (0, b"")
    cache = project / CURSOR.parent
    assert not sorted(p.name for p in cache.glob("cleanup-cursor.tmp.*"))
    assert (project / CURSOR).read_text().split("\n")[0] in ("0", "1")
    doctor = run_synapse(["doctor"], cwd=project)
    assert "temp-file" not in doctor.stdout.decode(), doctor.stdout.decode()


def test_a_cursor_link_is_replaced_and_its_target_left_alone(project: Path, sessions_dir: Path, tmp_path: Path) -> None:
    hex_sessions(project, fresh=600, stale=0, seed=10)
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    (project / CURSOR).symlink_to(outside)
    prompt(project, session_id="first", env=FAST_CLEANUP_ENV)
    assert outside.read_text() == "precious\n"
    assert not (project / CURSOR).is_symlink() and (project / CURSOR).read_text() in ("1\n", "2\n", "0\n")


@pytest.mark.parametrize("kind", ["fifo", "huge", "binary", "dev-zero-link"])
def test_odd_cursor_files_neither_hang_nor_keep_stale_sessions(project: Path, sessions_dir: Path, kind: str) -> None:
    _, stale = hex_sessions(project, fresh=600, stale=30, seed=11)
    cursor = project / CURSOR
    if kind == "fifo":
        os.mkfifo(cursor)
    elif kind == "huge":
        cursor.write_bytes(b"2\n" + b"x" * 10_000_000)
    elif kind == "binary":
        cursor.write_bytes(b"\xff\x00\n\xfe")
    else:
        cursor.symlink_to("/dev/zero")
    started = time.monotonic()
    for n in range(PARTS):
        prompt(project, session_id=f"first-{n}", env=FAST_CLEANUP_ENV)
    assert time.monotonic() - started < 20
    assert not left_of(sessions_dir, stale)


def test_a_folder_crossing_512_names_between_first_prompts_keeps_no_stale_session(project: Path,
                                                                                   sessions_dir: Path) -> None:
    """Split one time (571 names), whole the next (511): every stale session present throughout is gone."""
    _, stale = hex_sessions(project, fresh=470, stale=40, seed=12)
    extra = [f"{n:032x}" for n in range(60)]
    now = time.time()
    for sid in extra:
        write_session(project, sid, age_hours=1, now=now)
    prompt(project, session_id="first-0", env=FAST_CLEANUP_ENV)
    assert left_of(sessions_dir, stale), "the first prompt examined one part only, so some stale sessions wait"
    for sid in extra:
        (sessions_dir / f"{sid}.json").unlink()
    prompt(project, session_id="first-1", env=FAST_CLEANUP_ENV)
    assert not left_of(sessions_dir, stale)
    assert not (project / CURSOR).exists(), "a pass over the whole folder starts the parts afresh"


def test_a_cut_off_at_a_file_name_that_is_not_utf8_is_recorded_without_an_error(project: Path,
                                                                                 sessions_dir: Path) -> None:
    """Cut off on such a name, the hook records it (as os.listdir gives it) instead of failing in its exit path."""
    folder = os.fsencode(sessions_dir)
    body = b'{"last_activity": "2020-01-01T00:00:00.000Z"}'
    for n in range(3000):
        fd = os.open(folder + b"/fresh-\xff-%05d.json" % n, os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, body)
        os.close(fd)
    saw_name = False
    for n in range(30):  # a few on a quiet machine; more when other work shares the cores
        prompt(project, session_id=f"first-{n}", env={"SYNAPSE_CLEANUP_GRACE_MS": "3", "SYNAPSE_FSYNC": "0"})
        lines = (project / CURSOR).read_bytes().split(b"\n") if (project / CURSOR).exists() else []
        saw_name = saw_name or (len(lines) > 1 and lines[1].startswith(b"fresh-\xff-"))
        if saw_name:
            break
    log = (project / ".synapse" / "cache" / "synapse.log")
    text = log.read_text(errors="replace") if log.exists() else ""
    assert "UnicodeEncodeError" not in text and "unexpectedly" not in text, text[-2000:]
    assert saw_name, "no first prompt was cut off on one of those names: this test proved nothing"



def _background(tmp_path: Path, count: int = 600):
    from synapse_cli.core.sessions.store import SessionStore
    from synapse_cli.hooks.cleanup import BackgroundCleanup

    sessions, cache = tmp_path / "sessions", tmp_path / "cache"
    sessions.mkdir()
    cache.mkdir()
    now = time.time()
    for n in range(count):
        write_session(sessions, f"fresh-{n:04d}", age_hours=1, now=now)
    return lambda: BackgroundCleanup(SessionStore(str(sessions)), CleanupSettings(), str(cache)), cache / "cleanup-cursor"  # type: ignore[arg-type]


def test_a_part_finished_as_the_grace_ends_keeps_its_claim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pass ends, then the grace runs out before the thread signals it: the exit path sees the part
    finished (under the cursor lock) and does not record it as cut off, so the next part comes next."""
    from synapse_cli.core.sessions.cleanup import read_cursor
    from synapse_cli.hooks import cleanup as hooks_cleanup

    monkeypatch.setattr(hooks_cleanup, "_report_corrupt", lambda names: time.sleep(0.3))
    start, cursor = _background(tmp_path)
    running = start()
    running.wait(0.05)
    assert running.done.acquire(timeout=5)
    saved = read_cursor(str(cursor), PARTS)
    assert (saved.part, saved.resume_at) == (1, None)


def test_a_part_cut_off_by_the_grace_is_recorded_where_it_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut off mid-part, the exit path records the part and the name in hand; the thread, should it end
    after that (it does not, in a hook: the process exits), writes nothing over it."""
    import threading

    from synapse_cli.core.sessions import cleanup as core

    release = threading.Event()
    real_scan = core._scan

    def held_scan(run, names, folder_fd, progress):  # type: ignore[no-untyped-def]
        progress.current = names[0]
        release.wait(5)
        real_scan(run, names, folder_fd, progress)

    monkeypatch.setattr(core, "_scan", held_scan)
    start, cursor = _background(tmp_path)
    running = start()
    running.wait(0.05)
    at_exit = core.read_cursor(str(cursor), PARTS)
    assert at_exit.part == 0 and at_exit.resume_at and at_exit.resume_at.startswith("fresh-")
    release.set()
    assert running.done.acquire(timeout=5)
    after = core.read_cursor(str(cursor), PARTS)
    assert (after.part, after.resume_at) == (at_exit.part, at_exit.resume_at)
    assert not list(cursor.parent.glob("cleanup-cursor.tmp.*"))
