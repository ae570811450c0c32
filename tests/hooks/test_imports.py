"""The installed hook's fast path imports none of the heavy modules (measured with ``python -X importtime``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.support.files import read_json
from tests.support.paths import SID
from tests.support.run import claude_payload, synapse_executable
from tests.support.sessions import session_path

FORBIDDEN = {"typer", "rich", "yaml", "_yaml", "pydantic", "pydantic_core", "click", "logging", "pathlib", "dataclasses", "typing"}


def _imports_of_hook(project, *args: str, env: dict | None = None, payload: bytes | None = None) -> set[str]:
    """Run the real console script under ``-X importtime`` and return every module it imported."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.pop("PYTHONPROFILEIMPORTTIME", None)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", synapse_executable(), *args, "hook", "prompt-submit"],
        input=claude_payload(cwd=str(project)) if payload is None else payload,
        cwd=project, env=full_env, capture_output=True, timeout=30,
    )
    assert result.returncode == 0
    assert result.stdout == b""
    modules = set()
    for line in result.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line and "imported package" not in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    assert "synapse_cli.hooks.runner" in modules, "the parse found no hook import: is -X importtime output as expected?"
    return modules


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in FORBIDDEN}


def test_steady_state_prompt_imports_nothing_heavy(project):
    """A second prompt of a session loads no typer, rich, yaml, pydantic, click, logging, pathlib, dataclasses or typing."""
    subprocess.run([synapse_executable(), "hook", "prompt-submit"], input=claude_payload(cwd=str(project)), cwd=project, check=True)
    modules = _imports_of_hook(project)
    assert _heavy(modules) == set()
    assert "threading" not in modules  # only a first prompt starts the cleanup thread
    assert read_json(session_path(project, SID))["prompt_count"] == 2


def test_first_prompt_imports_nothing_heavy(project):
    """A session's first prompt (which may import threading for cleanup) loads none of the heavy modules."""
    modules = _imports_of_hook(project)
    assert _heavy(modules) == set()
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_first_prompt_with_stale_sessions_imports_nothing_heavy(project):
    """A first prompt whose cleanup parses and removes stale sessions still avoids the heavy modules."""
    from tests.support.sessions import write_session

    write_session(project, "stale", age_hours=900)
    modules = _imports_of_hook(project, env={"SYNAPSE_CLEANUP_GRACE_MS": "5000"})
    assert _heavy(modules) == set()
    assert not (project / ".synapse" / "sessions" / "stale.json").exists()


def test_cached_yaml_config_is_not_reparsed(project):
    """With .aios-core/core-config.yaml, the second prompt uses the cached values and does not import yaml."""
    (project / ".aios-core").mkdir()
    config = project / ".aios-core" / "core-config.yaml"
    config.write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    settled = time.time() - 60  # the cache is only written for a file not modified in the last seconds
    os.utime(config, (settled, settled))
    first = _imports_of_hook(project)
    assert "yaml" in first  # the first run parses the file and fills the cache
    second = _imports_of_hook(project)
    assert _heavy(second) == set()
    assert read_json(session_path(project, SID))["prompt_count"] == 2


@pytest.mark.parametrize(
    "args,payload",
    [
        (("--debug",), None),
        ((), b"{not json"),
        ((), claude_payload(session_id="../escape")),
        (("--debug",), b""),
    ],
    ids=["debug-flag", "bad-json", "bad-session-id", "empty-debug"],
)
def test_debug_and_failure_paths_import_nothing_heavy(project, args, payload):
    """Debug output and the bad-input paths stay on the light imports too."""
    modules = _imports_of_hook(project, *args, payload=payload)
    assert _heavy(modules) == set()


def test_project_without_synapse_imports_nothing_heavy(tmp_path):
    """In a folder that has not opted in, the hook returns without any heavy import."""
    bare = tmp_path / "bare"
    bare.mkdir()
    modules = _imports_of_hook(bare)
    assert _heavy(modules) == set()
    assert "synapse_cli.core.sessions.store" not in modules


def test_profile_env_variable_agrees(project):
    """PYTHONPROFILEIMPORTTIME on the plain console script (no explicit interpreter) shows the same light import set."""
    subprocess.run([synapse_executable(), "hook", "prompt-submit"], input=claude_payload(cwd=str(project)), cwd=project, check=True)
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    result = subprocess.run([synapse_executable(), "hook", "prompt-submit"], input=claude_payload(cwd=str(project)), cwd=project, env=env, capture_output=True, timeout=30)
    assert result.returncode == 0 and result.stdout == b""
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.decode().splitlines() if line.startswith("import time:") and "imported package" not in line}
    assert "synapse_cli.core.sessions.store" in modules
    assert _heavy(modules) == set()


def test_the_measurement_sees_heavy_imports_when_typer_runs(project):
    """Control: ``hook prompt-submit --help`` goes through Typer, and the same parse does report typer/click there."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", synapse_executable(), "hook", "prompt-submit", "--help"],
        cwd=project, capture_output=True, timeout=30,
    )
    assert result.returncode == 0 and b"Usage" in result.stdout
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.decode().splitlines() if line.startswith("import time:") and "imported package" not in line}
    assert {"typer", "typing"} <= {m.split(".")[0] for m in modules}
