"""The installed hook reads the event and the session and writes the session without the json package.

Python's json imports re; with the C accelerator _json there, synapse needs neither (core/jsonio).
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.files import read_json
from tests.support.paths import SID
from tests.support.run import FAST_CLEANUP_ENV, claude_payload, synapse_executable
from tests.support.sessions import session_path, write_session


def _hook_modules(project, payload: bytes | None = None, env: dict | None = None) -> set[str]:
    """Every module a real hook run imported (``python -X importtime`` on the console script)."""
    full_env = {k: v for k, v in os.environ.items() if k != "PYTHONPROFILEIMPORTTIME"}
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-X", "importtime", synapse_executable(), "hook", "prompt-submit"],
        input=claude_payload(cwd=str(project)) if payload is None else payload,
        cwd=project, env=full_env, capture_output=True, timeout=30,
    )
    assert result.returncode == 0 and result.stdout == b""
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.decode().splitlines()
               if line.startswith("import time:") and "|" in line and "imported package" not in line}
    assert "synapse_cli.core.jsonio" in modules, "no synapse import seen: is -X importtime output as expected?"
    return modules


def test_prompts_never_import_json(project) -> None:
    """A first prompt (with stale sessions to parse and remove) and a steady one import no json, json.decoder or _json's fallback."""
    write_session(project, "stale", age_hours=900)
    first = _hook_modules(project, env=FAST_CLEANUP_ENV)
    steady = _hook_modules(project)
    assert {m for m in first | steady if m == "json" or m.startswith("json.")} == set()
    assert "_json" in steady
    assert read_json(session_path(project, SID))["prompt_count"] == 2
    assert not (project / ".synapse" / "sessions" / "stale.json").exists()
