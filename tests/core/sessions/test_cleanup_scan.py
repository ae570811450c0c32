"""The scan every first prompt pays: one no-follow stat per session, through the open folder, and nothing written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synapse_cli.core.locking import locks_folder
from synapse_cli.core.sessions.cleanup import clean_stale
from synapse_cli.core.sessions.store import SessionStore
from tests.support.faults import require_strace
from tests.support.run import child_env
from tests.support.sessions import dead_writer_temp, write_session


def test_a_pass_without_temp_files_leaves_the_lock_folder_alone(sessions_dir: Path) -> None:
    """The file system's clock is asked (a write to the lock folder) only when there is a temp file to age."""
    for n in range(5):
        write_session(sessions_dir, f"fresh-{n}", age_hours=1)
    locks = Path(locks_folder(str(sessions_dir.parent)))
    locks.mkdir(parents=True, exist_ok=True)
    long_ago = time.time() - 86400
    os.utime(locks, (long_ago, long_ago))
    before = locks.stat().st_mtime_ns

    result = clean_stale(SessionStore(str(sessions_dir)), 168)

    assert result.kept == 5 and not result.removed
    assert locks.stat().st_mtime_ns == before


def test_an_old_temp_file_is_still_swept_by_the_file_systems_clock(sessions_dir: Path) -> None:
    """With a temp file in the folder the clock is asked as before, and a dead writer's old temp goes."""
    write_session(sessions_dir, "fresh", age_hours=1)
    temp = dead_writer_temp(sessions_dir / "fresh.json")
    temp.write_text("{}")
    long_ago = time.time() - 3600
    os.utime(temp, (long_ago, long_ago))
    result = clean_stale(SessionStore(str(sessions_dir)), 168, temp_max_age_seconds=600)
    assert not temp.exists() and result.temp_files_removed == [temp.name]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the descriptor-relative scan is checked with strace")
def test_session_files_are_examined_through_the_open_folder_without_following_links(sessions_dir: Path, tmp_path: Path) -> None:
    """Each session file is stat'ed relative to the opened folder (one name resolved, not the whole path), no-follow."""
    strace = require_strace()
    names = [f"s-{n}" for n in range(20)]
    for name in names:
        write_session(sessions_dir, name, age_hours=1)
    trace = tmp_path / "trace.txt"
    code = ("import sys\nfrom synapse_cli.core.sessions.cleanup import clean_stale\n"
            "from synapse_cli.core.sessions.store import SessionStore\n"
            "assert clean_stale(SessionStore(sys.argv[1]), 168).kept == 20\n")
    done = subprocess.run([strace, "-f", "-qq", "-o", str(trace), "-e", "trace=%stat,%lstat,%fstat,openat",
                           sys.executable, "-c", code, str(sessions_dir)], capture_output=True, env=child_env(), timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    lines = trace.read_text().splitlines()
    opened = [line for line in lines if f'openat(AT_FDCWD, "{sessions_dir}", ' in line and "O_DIRECTORY" in line and "O_NOFOLLOW" in line]
    assert opened, "the sessions folder is opened once, as a folder, never through a link"
    for name in names:
        relative = [line for line in lines if re.search(rf'stat\w*\(\d+, "{name}\.json", .*AT_SYMLINK_NOFOLLOW', line)]
        by_path = [line for line in lines if f'"{sessions_dir}/{name}.json"' in line]
        assert relative and not by_path, (name, by_path)
