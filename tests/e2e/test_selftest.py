"""``synapse selftest``: passes on a fresh install, fails with a named check when the environment is broken."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.files import file_contents
from tests.support.run import LAUNCHER, run_synapse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX editor shell")

EXPECTED_CHECKS = [
    "init", "hook claude prompt-submit", "hook codex prompt-submit", "hook gemini prompt-submit", "hook cursor prompt-submit",
    "hook claude session-end", "first-prompt cleanup", "session update/show/clean", "metrics persist and state update",
    "JS file format", "doctor", "no temp or lock file left", "hook time",
]


def selftest(cwd: Path, *args: str):
    result = run_synapse(["selftest", "--json", *args], cwd=cwd, timeout=180)
    return result, json.loads(result.stdout)


def register_wrapped_launcher(project: Path, first: str, settings_file: str, event: str, agent: str) -> None:
    """Register, in ``project``'s settings for ``agent``, a hook program that runs the shell line ``first``
    and then the real launcher: a hook that misbehaves in one way and otherwise works."""
    program = project / "bin" / "synapse-hook"
    program.parent.mkdir()
    program.write_text(f"#!/bin/sh\n{first}\nexec '{LAUNCHER}' \"$@\"\n")
    program.chmod(0o755)
    (project / ".git").mkdir()
    settings = project / settings_file
    settings.parent.mkdir()
    handler = {"type": "command", "command": f"'{program}' prompt-submit --agent {agent}"}
    settings.write_text(json.dumps({"hooks": {event: [{"hooks": [handler]}]}}))


def test_selftest_passes_on_this_installation(tmp_path):
    """Every check passes on a fresh install, the JSON has ok/checks/environment, and exit is 0."""
    result, report = selftest(tmp_path, "--max-hook-ratio", "10")  # the timing check is proven below; this machine is shared
    assert result.returncode == 0, json.dumps(report, indent=1)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == EXPECTED_CHECKS
    assert all(set(c) == {"name", "ok", "detail", "ms"} and c["ok"] for c in report["checks"])
    env = report["environment"]
    assert env["hook_commands"]["claude"]["command"] == f"'{LAUNCHER}' prompt-submit"
    assert env["editor_path"] == "/usr/bin:/bin" and env["python"] and env["synapse"]
    assert not Path(env["throwaway_project"].split(" ")[0]).exists()  # removed afterwards


def test_selftest_never_touches_the_current_project(project):
    """Run inside an initialised project, selftest changes no file there."""
    before = file_contents(project)
    result, report = selftest(project, "--agent", "claude", "--max-hook-ratio", "10")
    assert result.returncode == 0, report
    assert file_contents(project) == before


def test_a_registered_command_the_editor_cannot_find_fails_the_hook_check(tmp_path):
    """A project whose Claude settings register a bare `synapse` (not on /usr/bin:/bin) fails "hook claude prompt-submit" with exit 127, and selftest exits 1."""
    (tmp_path / ".git").mkdir()
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "synapse hook prompt-submit"}]}]}}))
    result, report = selftest(tmp_path, "--agent", "claude")
    assert result.returncode == 1
    assert report["ok"] is False
    failed = {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]}
    assert list(failed) == ["hook claude prompt-submit"]
    assert "exit 127" in failed["hook claude prompt-submit"] and "synapse hook prompt-submit" in failed["hook claude prompt-submit"]
    assert report["environment"]["hook_commands"]["claude"]["source"] == f"registered in {settings}"


def test_a_hook_that_prints_on_stdout_fails_the_named_check(tmp_path):
    """A registered hook program that writes on stdout (it would go into the model's context) fails its check."""
    register_wrapped_launcher(tmp_path, "echo hello", ".codex/hooks.json", "UserPromptSubmit", "codex")
    result, report = selftest(tmp_path, "--agent", "codex")
    assert result.returncode == 1
    (check,) = [c for c in report["checks"] if not c["ok"]]
    assert check["name"] == "hook codex prompt-submit" and "printed b'hello\\n' on stdout" in check["detail"]


def test_a_slow_hook_fails_the_time_check(tmp_path):
    """A hook far slower than a bare interpreter start fails "hook time" with both medians in the detail."""
    register_wrapped_launcher(tmp_path, "sleep 0.3", ".gemini/settings.json", "BeforeAgent", "gemini")
    result, report = selftest(tmp_path, "--agent", "gemini")
    assert result.returncode == 1
    (check,) = [c for c in report["checks"] if not c["ok"]]
    assert check["name"] == "hook time" and "hook median" in check["detail"] and "limit 3x" in check["detail"]


def test_human_output_names_each_check(tmp_path):
    """Without --json, one PASS/FAIL line per check and a last line saying the outcome."""
    result = run_synapse(["selftest", "--agent", "cursor", "--max-hook-ratio", "10"], cwd=tmp_path, timeout=180)
    lines = result.stdout.decode().splitlines()
    assert result.returncode == 0, lines
    assert lines[0].startswith("PASS  init: ") and any(line.startswith("PASS  hook cursor prompt-submit: ") for line in lines)
    assert lines[-1] == "selftest passed."
