"""The GitHub workflow runs what the README promises, and the README covers the first hour (issue 12 items 10, 16)."""

from __future__ import annotations

import re

import yaml

from tests.support.paths import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def readme_test_command() -> str:
    section = README.split("## Run the tests", 1)[1]
    return re.search(r"```sh\n(.+?)\n```", section, re.DOTALL).group(1).strip()


def steps(job: dict) -> list[str]:
    return [step.get("run", "") for step in job["steps"]]


def test_workflow_runs_lint_types_tests_and_selftest_on_linux_and_macos_for_each_python():
    """ubuntu and macOS × Python 3.11-3.13: ruff, mypy, the README's exact test command and `synapse selftest`."""
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    matrix = jobs["test"]["strategy"]["matrix"]
    assert sorted(matrix["os"]) == ["macos-latest", "ubuntu-latest"]
    assert matrix["python"] == ["3.11", "3.12", "3.13"]
    runs = "\n".join(steps(jobs["test"]))
    assert "ruff check" in runs and "mypy" in runs
    assert readme_test_command() in runs
    assert "python3 -m venv .venv && .venv/bin/pip install '.[dev]'" in runs  # the README's set-up command
    assert "synapse selftest --json" in runs


def test_windows_runs_only_the_selftest():
    """On Windows the job installs and runs `synapse selftest`, nothing else, for each Python."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["windows-selftest"]
    assert job["runs-on"] == "windows-latest" and job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert [run for run in steps(job) if run] == ["python -m pip install .", "synapse selftest --json"]


def test_readme_covers_the_first_hour():
    """Use in CI (with an Actions snippet), upgrade and uninstall, the hook that does not fire, macOS and Windows, Codex trust."""
    for heading in ("## Use in CI", "## Upgrade and uninstall", "## When the hook does not fire", "## macOS and Windows"):
        assert heading in README, heading
    ci = README.split("## Use in CI", 1)[1].split("\n## ", 1)[0]
    assert "```yaml" in ci and "synapse selftest --json" in ci and "actions/setup-python" in ci
    trouble = README.split("## When the hook does not fire", 1)[1].split("\n## ", 1)[0]
    for needle in ("PATH=/usr/bin:/bin", ".synapse/cache/synapse.log", "SYNAPSE_DEBUG=1", "synapse selftest", "synapse doctor"):
        assert needle in trouble, needle
    upgrade = README.split("## Upgrade and uninstall", 1)[1].split("\n## ", 1)[0]
    for needle in ("pip uninstall aios-synapse", "synapse hook uninstall --scope local", "--scope user", "--agent codex", "rm -rf .synapse"):
        assert needle in upgrade, needle
    assert 'trust_level = "trusted"' in README and "codex_hooks = true" in README


def test_the_distribution_is_named_aios_synapse_everywhere():
    """pyproject, the installed metadata and the README name aios-synapse; synapse-cli only appears as the name not to install."""
    from importlib import metadata

    import synapse_cli

    assert re.search(r'^name = "aios-synapse"$', (REPO_ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    dist = metadata.distribution("aios-synapse")
    assert dist.version == synapse_cli.__version__
    assert any(ep.name == "synapse" and ep.value == "synapse_cli.entry:main" for ep in dist.entry_points)
    assert any(str(f).endswith("synapse-hook") for f in dist.files or [])
    assert "pip install synapse-cli" in README and "unrelated project" in README
