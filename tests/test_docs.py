"""The README, the annotated config and CI say what the code does."""

from __future__ import annotations

import re

import typer
import yaml

from synapse_cli.cli.app import app
from synapse_cli.core.config import SETTINGS
from tests.support.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def _commands(group, prefix=""):
    for name, command in sorted(getattr(group, "commands", {}).items()):
        path = f"{prefix}{name}"
        yield path, command
        yield from _commands(command, path + " ")


def test_annotated_config_lists_every_setting_with_its_default() -> None:
    """config/core-config.yaml holds every setting at its built-in default, and nothing else."""
    document = yaml.safe_load((REPO_ROOT / "config" / "core-config.yaml").read_text())
    found = {}

    def walk(node, prefix):
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                found[f"{prefix}{key}"] = value

    walk(document, "")
    assert found == {s.key: s.default for s in SETTINGS}


def test_readme_documents_every_setting_and_environment_variable() -> None:
    """Every setting and its environment variable appear in the README's configuration table."""
    for setting in SETTINGS:
        row = next((line for line in README.splitlines() if f"`{setting.key}`" in line), None)
        assert row is not None, setting.key
        assert f"`{setting.env}`" in row and str(setting.default).lower() in row.lower()


def test_readme_documents_every_command() -> None:
    """Every command the CLI has is named in the README."""
    root = typer.main.get_command(app)
    for path, _command in _commands(root):
        if " " not in path and path in ("hook", "session", "state", "metrics", "config"):
            continue
        assert f"synapse {path}" in README, path


def test_ci_runs_the_readme_test_command_in_a_fresh_venv() -> None:
    """.ci/run builds a fresh .ci/.venv (never the developer's .venv), installs '.[dev]' from pyproject.toml,
    runs ruff and mypy, then the README's test command with that venv's python, and exits with pytest's status."""
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    test_command = re.search(r"## Run the tests\s+```sh\n(.+?)\n```", README, re.S).group(1).strip()
    assert test_command == ".venv/bin/python -m pytest"
    assert "venv=.ci/.venv" in ci and 'rm -rf "$venv"' in ci and 'python3 -m venv "$venv"' in ci
    assert "rm -rf .venv" not in ci
    assert "pip install --quiet '.[dev]'" in ci
    ruff, mypy, pytest_run = (ci.index(step) for step in ('"$venv/bin/ruff" check', '"$venv/bin/mypy"', '"$venv/bin/python" -m pytest'))
    assert ruff < mypy < pytest_run
    assert ci.strip().splitlines()[-1] == 'exit "$status"'
    assert "/.ci/.venv/" in (REPO_ROOT / ".gitignore").read_text().splitlines()
    setup = re.search(r"## Set up.*?```sh\n(.+?)\n```", README, re.S).group(1).strip()
    assert setup == "python3 -m venv .venv && .venv/bin/pip install '.[dev]'"
