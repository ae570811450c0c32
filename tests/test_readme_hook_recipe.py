"""The README's "run the command as the editor does" recipe works for any command synapse writes.

A fresh-user trial pasted the registered command into ``sh -c '<command>'``: the command is
itself single-quoted (``'/path/venv/bin/synapse' hook prompt-submit``), so that worked only by
accident, and a virtual environment whose path holds a space gave exit 127. Here the README's
recipe runs as written, from a project whose synapse lives in such an environment, for each
editor's first line the README offers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.hook_commands import EVENT, SETTINGS
from tests.support.paths import REPO_ROOT
from tests.support.readme import first_lines, recipe


@pytest.fixture(scope="module")
def spaced_synapse(tmp_path_factory) -> Path:
    """synapse pip-installed into a virtual environment whose path holds a space."""
    where = tmp_path_factory.mktemp("recipe") / "my tools" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, capture_output=True, timeout=300)
    ran = subprocess.run([sys.executable, "-m", "pip", "--python", str(where / "bin" / "python"), "install", "--quiet", "--no-compile", "-e", str(REPO_ROOT)],
                         capture_output=True, check=False, timeout=600)
    assert ran.returncode == 0, ran.stderr.decode()[-2000:]
    return where / "bin" / "synapse"


def test_the_readme_offers_a_first_line_for_every_editor():
    lines = first_lines()
    assert set(lines) == {"claude", "codex", "gemini", "cursor"}
    for agent, line in lines.items():
        assert f"settings={SETTINGS[agent, 'project']} event={EVENT[agent]} " in line, line


@pytest.mark.slow
@pytest.mark.parametrize("agent", ["claude", "codex", "gemini", "cursor"])
def test_the_recipe_runs_the_registered_command_from_a_path_with_a_space(tmp_path, spaced_synapse, agent):
    """init + hook install from that environment, then the README's recipe in bash and in sh: exit 0, the session recorded."""
    project = tmp_path / "shop"
    project.mkdir()
    (project / ".git").mkdir()
    for args in (["init"], ["hook", "install", "--agent", agent]):
        ran = subprocess.run([str(spaced_synapse), *args], cwd=project, capture_output=True, check=False, timeout=120)
        assert ran.returncode == 0, ran.stderr
    assert " " in str(spaced_synapse) and str(spaced_synapse) in (project / SETTINGS[agent, "project"]).read_text()
    script = first_lines()[agent] + "\n" + recipe().split("\n", 1)[1]
    expected = '{"continue": true}\n' if agent == "cursor" else ""
    for count, shell in enumerate(["/bin/bash", "/bin/sh"], start=1):
        ran = subprocess.run([shell, "-c", script], cwd=project, capture_output=True, text=True, check=False, timeout=60)
        lines = ran.stdout.splitlines(keepends=True)
        assert lines[0].startswith("command: ") and str(spaced_synapse) in lines[0], ran.stdout + ran.stderr
        assert "".join(lines[1:]) == expected + "exit 0\n", ran.stdout + ran.stderr
        session = json.loads((project / ".synapse" / "sessions" / "test.json").read_text())
        assert session["prompt_count"] == count
