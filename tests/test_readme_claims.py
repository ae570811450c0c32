"""What the README says about global options and the files synapse keeps is what the installed synapse does."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.paths import REPO_ROOT
from tests.support.run import prompt, run_synapse

README = (REPO_ROOT / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end >= 0 else None]


def test_global_options_are_not_said_to_go_before_the_command_only():
    commands = section("Commands")
    assert "Global options go before the command" not in README
    paragraph = commands[commands.index("Global options"):].split("\n\n", 1)[0]
    for option in ("--project-dir", "--config", "--debug", "--json"):
        assert option in paragraph
    assert "after" in paragraph


def test_the_examples_of_options_after_the_command_work(tmp_path):
    """Each command line the paragraph gives as an example runs as it says."""
    commands = section("Commands")
    paragraph = commands[commands.index("Global options"):].split("\n\n", 1)[0]
    shop = tmp_path / "shop"
    shop.mkdir()
    examples = re.findall(r"`(synapse [^`]+)`", paragraph)
    assert len(examples) >= 3, examples
    for example in examples:
        words = [str(shop) if w == "~/projects/shop" else w for w in example.split()[1:]]
        result = run_synapse(words, cwd=shop)
        assert result.returncode == 0, (example, result.stderr)
    assert json.loads(run_synapse(["--json", "session", "list"], cwd=shop).stdout) == []


def test_the_files_table_names_everything_synapse_keeps_in_its_cache(project):
    """After set-up, an install, a session start and prompts, every entry of .synapse/cache/ is in the table."""
    assert run_synapse(["--project-dir", str(project), "hook", "install"]).returncode == 0
    assert run_synapse(["--project-dir", str(project), "hook", "install", "--with-session-start"]).returncode == 0
    prompt(project)
    start = json.dumps({"session_id": "s2", "cwd": str(project), "hook_event_name": "SessionStart"}).encode()
    assert run_synapse(["hook", "session-start"], input=start, cwd=project).returncode == 0
    files = section("Files and guarantees")
    cache = project / ".synapse" / "cache"
    names = {p.name for p in cache.iterdir()}
    assert {"locks", "backups", "created-settings.json", "synapse.log"} <= names
    for name in names:
        assert f"`.synapse/cache/{name}" in files or f"`{name}`" in files, name
    assert Path(".synapse/cache/locks").name in files
