"""Every editor hook command line, mistakes included, is handled by the console script's
fast path (never Typer): exit 0, nothing on stderr, the agent's answer on stdout, the
mistake in the project's log."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.files import log_text, snapshot
from tests.support.run import assert_silent_success, claude_payload, run_synapse, synapse_executable

HEAVY = {"typer", "click", "rich", "yaml", "pydantic"}


def _modules_imported(args: list[str], payload: bytes, cwd) -> tuple[subprocess.CompletedProcess[bytes], set[str]]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", synapse_executable(), *args],
        input=payload, cwd=cwd, capture_output=True, timeout=30,
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.decode().splitlines()
               if line.startswith("import time:") and "|" in line and "imported package" not in line}
    return result, modules


@pytest.mark.parametrize(
    "args",
    [
        ["hook", "prompt-submit", "--bogus"],
        ["hook", "prompt-submit", "--agent"],
        ["hook", "prompt-submit", "extra"],
        ["hook", "nope"],
        ["hook"],
        ["--nope", "hook", "session-start"],
    ],
    ids=["unknown-option", "missing-value", "extra-argument", "unknown-event", "no-event", "unknown-global-option"],
)
def test_a_mistaken_hook_command_line_never_loads_typer(project, args):
    """A mistake under ``hook`` is answered by the fast path: no Typer or click imported, exit 0, logged, nothing recorded."""
    before = snapshot(project)
    result, modules = _modules_imported(args, claude_payload(cwd=str(project)), project)
    assert result.returncode == 0 and result.stdout == b""
    assert "synapse_cli.hooks.runner" in modules
    assert {m.split(".")[0] for m in modules} & HEAVY == set()
    assert "WARNING synapse hook:" in log_text(project)
    assert snapshot(project) == before


def test_cursor_is_answered_for_an_unknown_event(project, tmp_path):
    """``hook nope --agent cursor`` still answers {"continue": true} and exits 0, logging the unknown event in the project."""
    event = {"conversation_id": "c1", "workspace_roots": [str(project)], "hook_event_name": "beforeSubmitPrompt"}
    result = run_synapse(["hook", "nope", "--agent", "cursor"], input=json.dumps(event).encode(), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == b""
    assert json.loads(result.stdout) == {"continue": True}
    assert "No such command 'nope'." in log_text(project)


def test_a_mistake_in_a_project_that_has_not_opted_in_writes_nothing(tmp_path):
    """Outside an opted-in project a mistaken hook command line creates no file and stays silent."""
    bare = tmp_path / "bare"
    bare.mkdir()
    result = run_synapse(["hook", "prompt-submit", "--bogus"], input=claude_payload(cwd=str(bare)), cwd=bare)
    assert_silent_success(result)
    assert list(bare.iterdir()) == []


def test_install_and_its_usage_errors_stay_with_typer(project):
    """``hook install --bogus`` is a usage error of a management command: exit 2 with the usage on stderr."""
    result = run_synapse(["hook", "install", "--bogus"], cwd=project)
    assert result.returncode == 2
    assert b"--bogus" in result.stderr and result.stdout == b""
