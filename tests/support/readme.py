"""The README's "When the hook does not fire" recipe, as a user pastes it."""

from __future__ import annotations

import re

from tests.support.hook_commands import SETTINGS
from tests.support.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
SECTION = README.split("## When the hook does not fire", 1)[1].split("\n## ", 1)[0]


def recipe() -> str:
    """The troubleshooting section's shell block, as a user pastes it."""
    found = re.search(r"^( *)```sh\n(.*?)^ *```", SECTION, re.S | re.M)
    assert found, "the troubleshooting section has no ```sh recipe block"
    indent = len(found.group(1))
    return "\n".join(line[indent:] for line in found.group(2).splitlines()) + "\n"


def first_lines() -> dict[str, str]:
    """Each editor's first line of the recipe: the block's own (Claude Code), and the ones the text offers."""
    lines = {"claude": recipe().splitlines()[0]}
    for line in re.findall(r"`(settings=[^`]+)`", SECTION):
        settings = re.match(r"settings=(\S+)", line).group(1)
        (agent,) = [a for (a, scope), path in SETTINGS.items() if scope == "project" and path == settings]
        lines[agent] = line
    return lines
