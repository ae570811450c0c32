"""Fixtures for the core-library tests."""

from __future__ import annotations

import pytest

from tests.support.faults import require_strace


@pytest.fixture
def strace() -> str:
    """The strace executable; skips the test (with the reason) where ptrace or injection is unavailable."""
    return require_strace()
