"""check_command: a relative program path with a folder in it depends on the current folder; bare names and
project-variable paths do not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synapse_cli.editors.program import check_command
from tests.support.run import LAUNCHER

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX paths")



@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "synapse-hook").symlink_to(LAUNCHER)
    return tmp_path


@pytest.mark.parametrize("word", ["venv/bin/synapse-hook", "./venv/bin/synapse-hook", "'venv/bin/synapse-hook'"])
def test_a_relative_path_is_refused_even_though_it_resolves_from_the_project(root, word):
    path, why = check_command(f"{word} prompt-submit", str(root))
    assert path is None
    assert why.startswith(word.strip("'") + " is a relative path: it depends on the current folder")


def test_a_bare_name_found_on_the_path_is_fine(root):
    assert check_command("synapse-hook prompt-submit", str(root), search_path=str(root / "venv" / "bin")) == (
        str(root / "venv" / "bin" / "synapse-hook"), None)


@pytest.mark.parametrize("word", ['"$CLAUDE_PROJECT_DIR"/venv/bin/synapse-hook', "$CLAUDE_PROJECT_DIR/venv/bin/synapse-hook",
                                  "${GEMINI_PROJECT_DIR}/venv/bin/synapse-hook"])
def test_a_project_variable_path_is_fine(root, word):
    assert check_command(f"{word} prompt-submit", str(root)) == (str(root / "venv" / "bin" / "synapse-hook"), None)


def test_a_broken_relative_path_says_what_is_broken_first(root):
    """A relative path that does not even resolve from the project says so (the first thing to fix)."""
    assert check_command("gone/bin/synapse-hook prompt-submit", str(root))[1] == "gone/bin/synapse-hook: no such file"
