"""`hook install --help` says where the previous settings file is kept, as it really is.

In a set-up project it goes to .synapse/cache/backups/; a --scope user file (even when installed from
inside a project) and any file before `synapse init` get a `.bak` beside them.
"""

from __future__ import annotations

from tests.support.run import run_synapse


def test_install_help_says_user_scope_backups_go_beside_the_file():
    result = run_synapse(["hook", "install", "--help"], env={"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.returncode == 0
    text = " ".join(result.stdout.decode().split())
    assert "(for --scope user, or before `synapse init`: as <file>.bak beside it)" in text
    assert "outside a project" not in text
