"""Fixtures for the editor tests (helpers come from tests/support/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.git import repository_with_synapse


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with a committed .claude/settings.json and synapse set up (its .gitignore committed)."""
    return repository_with_synapse(tmp_path / "repo")
