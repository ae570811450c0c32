"""A first prompt in a large sessions folder examines one part of three, the next each time.

So each first prompt pays a third of the scan, and the stale sessions of any folder are
gone within three first prompts; a folder of at most 512 names is still examined whole.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.faults import require_strace
from tests.support.parts import CURSOR, PARTS, folder_part, hex_sessions
from tests.support.run import FAST_CLEANUP_ENV, assert_silent_success, claude_payload, hook, prompt, synapse_executable


def _next_part(project: Path) -> int:
    return int((project / CURSOR).read_text().split("\n")[0])


def test_stale_sessions_of_a_large_folder_are_gone_within_three_first_prompts(project: Path, sessions_dir: Path) -> None:
    """Each first prompt removes, before it exits, every stale session of the part it examined, and none
    of the others; the cursor moves on one part each time; after three, no stale session is left."""
    _, stale_ids = hex_sessions(project, fresh=1100, stale=60, seed=1)
    stale_left = set(stale_ids)
    examined = []
    for n in range(PARTS):
        before = _next_part(project) if (project / CURSOR).exists() else 0
        prompt(project, session_id=f"first-prompt-{n}", env=FAST_CLEANUP_ENV)
        after = _next_part(project)
        assert after == (before + 1) % PARTS
        examined.append(before)
        gone = {sid for sid in stale_left if not (sessions_dir / f"{sid}.json").exists()}
        assert gone == {sid for sid in stale_left if folder_part(sid) == before}, f"prompt {n} examined part {before}"
        stale_left -= gone
    assert sorted(examined) == [0, 1, 2]
    assert not stale_left
    assert len(list(sessions_dir.glob("*.json"))) == 1100 + PARTS


def test_a_folder_of_at_most_512_names_is_cleaned_whole_by_one_first_prompt(project: Path, sessions_dir: Path) -> None:
    """Small folders keep the simple promise: every stale session is gone when the first prompt returns."""
    _, stale_ids = hex_sessions(project, fresh=440, stale=60, seed=2)
    prompt(project, session_id="first-prompt", env=FAST_CLEANUP_ENV)
    assert not [sid for sid in stale_ids if (sessions_dir / f"{sid}.json").exists()]
    assert not (project / CURSOR).exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the files examined are counted with strace")
def test_a_first_prompt_in_a_large_folder_examines_about_a_third_of_it(project: Path, sessions_dir: Path,
                                                                        tmp_path: Path) -> None:
    """Counted in the system calls of a real hook run: a third of the session files are stat'ed, not all."""
    strace = require_strace()
    fresh_ids, _ = hex_sessions(project, fresh=1200, stale=0, seed=3)
    trace = tmp_path / "trace.txt"
    result = hook(claude_payload(session_id="first-prompt", cwd=str(project)), cwd=project, env=FAST_CLEANUP_ENV,
                  prefix=[strace, "-f", "-qq", "-o", str(trace), "-e", "trace=%stat,%lstat,%fstat"], timeout=60)
    assert_silent_success(result)
    stat_ed = set(re.findall(r'stat\w*\((?:\d+|AT_FDCWD), "(?:[^"]*/)?([0-9a-f]{32})\.json"', trace.read_text()))
    assert stat_ed <= set(fresh_ids)
    examined_part = (_next_part(project) - 1) % PARTS
    assert stat_ed == {sid for sid in fresh_ids if folder_part(sid) == examined_part}
    assert 0.25 * len(fresh_ids) < len(stat_ed) < 0.42 * len(fresh_ids)


def test_concurrent_first_prompts_in_a_large_folder_all_succeed_and_the_cursor_stays_readable(project: Path,
                                                                                            sessions_dir: Path) -> None:
    """Eight first prompts at once each record their session; the cursor they race to write names a part."""
    hex_sessions(project, fresh=900, stale=30, seed=4)
    procs = [subprocess.Popen([synapse_executable(), "hook", "prompt-submit"], cwd=project, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(8)]
    for n, proc in enumerate(procs):
        out, err = proc.communicate(claude_payload(session_id=f"concurrent-{n}", cwd=str(project)), timeout=60)
        assert (proc.returncode, out, err) == (0, b"", b"")
    assert all((sessions_dir / f"concurrent-{n}.json").exists() for n in range(8))
    assert _next_part(project) in range(PARTS)
    assert not list((project / ".synapse" / "cache").glob("cleanup-cursor.tmp.*"))
