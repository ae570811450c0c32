"""Import hygiene: the core (and the hook fast path) never pulls in the CLI stack or the YAML parser."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_MODULES = [
    "synapse_cli.atomic", "synapse_cli.locking", "synapse_cli.config", "synapse_cli.sessions",
    "synapse_cli.jsonio", "synapse_cli.bridge", "synapse_cli.state", "synapse_cli.metrics",
    "synapse_cli.project", "synapse_cli.errors", "synapse_cli.log", "synapse_cli.hook",
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
