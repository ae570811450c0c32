"""Concurrent hook processes on one session lose no update and leave a parsable file."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.paths import SID
from tests.support.run import claude_payload, hook
from tests.support.sessions import session_path

WORKERS = 8
PROMPTS_EACH = 25


@pytest.mark.slow
def test_parallel_hooks_count_every_prompt(project):
    """8 parallel workers each running 25 hook processes on one session end at prompt_count 200, all silent."""
    payload = claude_payload(cwd=str(project))

    def worker(_: int) -> list[tuple[int, bytes, bytes]]:
        outcomes = []
        for _ in range(PROMPTS_EACH):
            result = hook(payload, cwd=project, timeout=60)
            outcomes.append((result.returncode, result.stdout, result.stderr))
        return outcomes

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = [o for batch in pool.map(worker, range(WORKERS)) for o in batch]

    assert len(outcomes) == WORKERS * PROMPTS_EACH
    assert all(o == (0, b"", b"") for o in outcomes), {o for o in outcomes if o != (0, b"", b"")}
    session = json.loads(session_path(project, SID).read_text())
    assert session["prompt_count"] == WORKERS * PROMPTS_EACH
    assert session["context"]["last_bracket"] == "CRITICAL"  # 200 prompts: 100 - 200 * 0.9 < 25
    sessions = project / ".synapse" / "sessions"
    assert not [p.name for p in sessions.iterdir() if ".tmp." in p.name or ".corrupt-" in p.name]
    log = (project / ".synapse" / "cache" / "synapse.log")
    assert not log.exists() or "WARNING" not in log.read_text()
