"""The README sends a user only to files a clone has.

It once said the file formats were in ``../shared/reference/state-files.md``, a folder beside the
development checkout that no user's clone has. Outside "Run the tests" (whose fixtures do live beside
the checkout, as CI lays it out), no path leaves the repository, and every repository path it names
exists.
"""

from __future__ import annotations

import re

from tests.support.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
TOP_LEVEL = {path.name for path in REPO_ROOT.iterdir()} - {".git", ".venv"}
MADE_BY_CI = {".ci/.venv"}
"""Named by the README, made by .ci/run: not in a clone until CI runs."""


def sections() -> dict[str, str]:
    parts = re.split(r"^## (.+)$", README, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_no_path_outside_the_repository_but_the_test_fixtures():
    for title, text in sections().items():
        if title == "Run the tests":
            continue
        outside = re.findall(r"`[^`]*\.\./[^`]*`", text)
        assert not outside, (title, outside)


def test_every_repository_path_the_readme_names_exists():
    named = {match for match in re.findall(r"`([\w.-]+/[\w./-]*)`", README) if match.split("/", 1)[0] in TOP_LEVEL}
    assert "tests/e2e/test_js_parity.py" in named
    missing = sorted(path for path in named if not (REPO_ROOT / path).exists() and path not in MADE_BY_CI)
    assert not missing, missing


def test_the_files_section_says_whose_format_it_is():
    files = sections()["Files and guarantees"]
    assert "formats are the AIOS framework's" in " ".join(files.split())
