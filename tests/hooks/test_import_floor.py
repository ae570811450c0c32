"""The hook as ``synapse hook install`` registers it imports nothing beyond a bare interpreter's floor.

Issue 13: with the C accelerator ``_json`` present, the hook reads and writes JSON
without the ``json`` package, and what runs it (the launcher) imports no ``re``. So
``re``, ``json``, ``enum``, ``functools`` and ``collections`` (what ``re`` and ``json``
pull in) must not be imported on any ordinary path: steady state, first prompt (with
cleanup), cached config, ``--debug``, and the failure paths an editor can produce.
Each run is the registered command through ``/bin/sh -c``, as an editor runs it, with
``PYTHONPROFILEIMPORTTIME=1``; what a bare ``python -c pass`` imports with the same
environment (site hooks, ``sitecustomize``) is the floor and is not counted.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.files import read_json, write_config
from tests.support.paths import SID
from tests.support.run import FAST_CLEANUP_ENV, claude_payload, synapse_executable
from tests.support.sessions import session_path, write_session

HEAVY = {"typer", "rich", "yaml", "_yaml", "pydantic", "pydantic_core", "click", "logging", "pathlib", "dataclasses",
         "typing"}
BEYOND_FLOOR = {"re", "json", "enum", "functools", "collections", "math"}

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("_json") is None, reason="without the _json accelerator the hook "
                                                                         "falls back to the json package"),
    pytest.mark.skipif(os.name != "posix", reason="editors run hooks through /bin/sh -c here"),
]


def _env(**extra: str) -> dict[str, str]:
    """The test's environment with this installation's bin/ first on PATH, as an activated install has it."""
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["PATH"] = f"{Path(synapse_executable()).parent}{os.pathsep}{env.get('PATH', os.defpath)}"
    env.update(extra)
    return env


def _modules(stderr: bytes) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in stderr.decode(errors="replace").splitlines()
            if line.startswith("import time:") and "|" in line and "imported package" not in line}


def _floor() -> set[str]:
    """What a bare interpreter start imports in the same environment."""
    result = subprocess.run([sys.executable, "-c", "pass"], env=_env(PYTHONPROFILEIMPORTTIME="1"), capture_output=True,
                            timeout=30)
    assert result.returncode == 0
    return _modules(result.stderr)


def registered_command(project: Path) -> str:
    """The prompt hook's command exactly as ``synapse hook install`` writes it into Claude Code's settings."""
    result = subprocess.run([synapse_executable(), "hook", "install", "--agent", "claude"], cwd=project, env=_env(),
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    settings = json.loads((project / ".claude" / "settings.json").read_text())
    commands = [h["command"] for group in settings["hooks"]["UserPromptSubmit"] for h in group["hooks"]]
    assert len(commands) == 1 and "prompt-submit" in commands[0], commands
    return commands[0]


def imports_as_registered(project: Path, *, extra: str = "", payload: bytes | None = None,
                          env: dict[str, str] | None = None) -> set[str]:
    """Run the registered hook command through ``/bin/sh -c``; return what it imported beyond the floor."""
    command = registered_command(project) + extra
    result = subprocess.run(["/bin/sh", "-c", command], cwd=project,
                            input=claude_payload(cwd=str(project)) if payload is None else payload,
                            env=_env(PYTHONPROFILEIMPORTTIME="1", **(env or {})), capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == b""
    modules = _modules(result.stderr)
    assert "synapse_cli.entry" in modules, f"the parse found no synapse import in {command!r}: is the output as expected?"
    return modules - _floor()


def _beyond(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY | BEYOND_FLOOR}


def test_steady_state_prompt_as_registered_stays_at_the_floor(project):
    """A second prompt of a session, run as registered, imports none of re, json, enum, functools, collections."""
    imports_as_registered(project)
    modules = imports_as_registered(project)
    assert _beyond(modules) == set(), sorted(modules)
    assert read_json(session_path(project, SID))["prompt_count"] == 2


def test_first_prompt_with_cleanup_as_registered_stays_at_the_floor(project):
    """A session's first prompt, whose cleanup parses and removes a stale session, stays at the floor too."""
    write_session(project, "stale", age_hours=900)
    modules = imports_as_registered(project, env=FAST_CLEANUP_ENV)
    assert _beyond(modules) == set(), sorted(modules)
    assert not (project / ".synapse" / "sessions" / "stale.json").exists()
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_cached_config_as_registered_stays_at_the_floor(project):
    """With .aios-core/core-config.yaml parsed once and cached, the next prompt imports neither yaml nor json nor re."""
    write_config(project, "synapse:\n  session:\n    staleTTLHours: 24\n", age_seconds=60)
    assert "yaml" in imports_as_registered(project)  # the first run parses the file and fills the cache
    modules = imports_as_registered(project)
    assert _beyond(modules) == set(), sorted(modules)


@pytest.mark.parametrize(
    "extra,payload",
    [
        (" --debug", None),
        ("", b""),
        ("", claude_payload(session_id="../escape")),
        (" --debug", claude_payload(session_id="../escape")),
    ],
    ids=["debug", "empty-payload", "bad-session-id", "bad-session-id-debug"],
)
def test_debug_and_failure_paths_as_registered_stay_at_the_floor(project, extra, payload):
    """--debug output and the ways an editor's event can be unusable stay at the floor.

    (Malformed JSON is the one exception: the accelerator imports ``json.decoder`` to raise
    its error, so only a corrupt event pays for ``json``; tests/hooks/test_imports.py keeps
    that path free of the heavy modules.)
    """
    modules = imports_as_registered(project, extra=extra, payload=payload)
    assert _beyond(modules) == set(), sorted(modules)


def test_project_without_synapse_as_registered_stays_at_the_floor(tmp_path):
    """A folder that has not opted in: the registered hook returns at the floor."""
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / ".synapse").mkdir()  # hook install needs a project; the hook itself then runs where there is none
    command = registered_command(bare)
    other = tmp_path / "other"
    other.mkdir()
    result = subprocess.run(["/bin/sh", "-c", command], cwd=other, input=claude_payload(cwd=str(other)),
                            env=_env(PYTHONPROFILEIMPORTTIME="1"), capture_output=True, timeout=30)
    assert result.returncode == 0 and result.stdout == b""
    modules = _modules(result.stderr) - _floor()
    assert "synapse_cli.entry" in modules
    assert _beyond(modules) == set(), sorted(modules)


def test_the_measurement_sees_re_in_the_console_script(project, tmp_path):
    """Control: a wrapper that imports ``re`` first, as older pips' console scripts do, is seen by the same parse."""
    wrapper = tmp_path / "wrapper"
    wrapper.write_text(f"#!{sys.executable}\nimport re\nimport sys\nfrom synapse_cli.entry import main\n"
                       "sys.exit(main(['hook', *sys.argv[1:]]))\n")
    wrapper.chmod(0o755)
    result = subprocess.run(["/bin/sh", "-c", f"'{wrapper}' prompt-submit"], cwd=project,
                            input=claude_payload(cwd=str(project)), env=_env(PYTHONPROFILEIMPORTTIME="1"),
                            capture_output=True, timeout=30)
    assert result.returncode == 0 and result.stdout == b""
    assert {"re", "enum", "functools"} <= _modules(result.stderr) - _floor()
