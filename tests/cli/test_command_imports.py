"""What a typical command loads (issue 12 item 17): only Typer and its own module, never pydantic or other commands' code.

Start-up time is measured by scripts/bench (`synapse session show ID` against `python -c pass`);
this test guards the reason it is fast, which does not depend on the machine's load.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.support.paths import JS_WRITTEN, SID
from tests.support.run import synapse_executable
from tests.support.sessions import write_session

PROBE = """
import json, os, sys
def _exit(code):  # the console script ends with os._exit (no teardown): report first
    raise SystemExit(code)
os._exit = _exit
sys.argv = ["synapse", *json.loads(sys.argv[1])]
from synapse_cli.entry import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nMODULES " + json.dumps([code, sorted(sys.modules)]) + "\\n")
"""


def modules_after(project, *args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["--project-dir", str(project), *args])],
                            capture_output=True, text=True, timeout=60)
    assert "MODULES " in result.stderr, result.stderr[-2000:]
    code, modules = json.loads(result.stderr.rsplit("MODULES ", 1)[1])
    assert code in (0, None), (args, code, result.stderr[-2000:])  # a failed command may stop before loading its code
    return set(modules)


@pytest.mark.parametrize("args", [["session", "show", SID], ["session", "list"], ["state", "show"], ["config", "show"]],
                         ids=["session show", "session list", "state show", "config show"])
def test_a_typical_command_loads_no_other_command_and_no_pydantic(project, args):
    write_session(project, SID)
    (project / ".aios").mkdir()  # so `state show` has a state to show, as it typically does
    shutil.copyfile(JS_WRITTEN / "session-state.json", project / ".aios" / "session-state.json")
    loaded = modules_after(project, *args)
    assert "typer" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core", "annotated_types")}
    others = {m for m in loaded if m.startswith(("synapse_cli.hooks", "synapse_cli.editors", "synapse_cli.selftest",
                                                  "synapse_cli.core.doctor", "synapse_cli.cli.doctor_cmd",
                                                  "synapse_cli.cli.install_cmd", "synapse_cli.cli.hook_cmd"))}
    assert others == set(), sorted(others)
    group = args[0]
    assert {m for m in loaded if m.startswith("synapse_cli.cli.") and m.endswith("_cmd")} == {f"synapse_cli.cli.{group}_cmd"}


@pytest.mark.parametrize("args", [["--version"], ["session", "list"], ["session", "show", SID, "--json"]], ids=["version", "list", "show"])
def test_output_that_cannot_be_written_is_still_an_error_without_teardown(project, args):
    """Commands end with os._exit (no teardown) after flushing: a full disk on stdout still exits 1 and says so."""
    write_session(project, SID)
    with open("/dev/full", "wb") as full:
        result = subprocess.run([synapse_executable(), "--project-dir", str(project), *args], stdout=full,
                                stderr=subprocess.PIPE, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith(b"synapse: ") and b"No space left on device" in result.stderr
