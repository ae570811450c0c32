"""Fixtures for the command-layer tests: every command through Typer's CliRunner, in process."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from synapse_cli.cli.app import app


@pytest.fixture(autouse=True)
def _reset_log_sinks():
    """The command layer configures the process-wide log; give every test a clean one and restore it."""
    from synapse_cli.core import log

    saved = log.current_settings()
    yield
    log.restore_settings(saved)


@pytest.fixture
def cli():
    """``cli(project, *args, input=None, env=None)`` invokes the app with ``--project-dir project``."""
    runner = CliRunner()

    def invoke(project: Path | None, *args: str, input: str | bytes | None = None, env: dict | None = None):
        argv = (["--project-dir", str(project)] if project is not None else []) + list(args)
        return runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)

    return invoke
