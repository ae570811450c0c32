"""Import hygiene: the core (and the hook fast path) never pulls in the CLI stack or the YAML parser."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_MODULES = [
    "synapse_cli.core.atomic", "synapse_cli.core.locking", "synapse_cli.core.config", "synapse_cli.core.sessions.store",
    "synapse_cli.core.sessions.cleanup", "synapse_cli.core.sessions.setaside", "synapse_cli.core.doctor",
    "synapse_cli.core.jsonio", "synapse_cli.core.bridge", "synapse_cli.core.state", "synapse_cli.core.metrics",
    "synapse_cli.core.project", "synapse_cli.core.errors", "synapse_cli.core.log", "synapse_cli.hooks.runner",
    "synapse_cli.hooks.events", "synapse_cli.hooks.agents", "synapse_cli.hooks.cleanup", "synapse_cli.entry",
]
FORBIDDEN = ["typer", "rich", "yaml", "pydantic", "click"]


def test_core_modules_import_no_heavy_packages() -> None:
    """Importing every core module in a fresh interpreter loads none of typer, rich, yaml, pydantic, click."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_forbidden_packages_are_installed() -> None:
    """Control: typer, rich and yaml (the project's own dependencies) are importable here, so their absence above means something."""
    code = "import typer, rich, yaml, sys; print(sorted(m for m in ('typer', 'rich', 'yaml') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "['rich', 'typer', 'yaml']", done.stderr
