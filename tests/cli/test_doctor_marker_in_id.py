"""doctor tells a live session whose id contains ``.corrupt-`` from a copy set aside earlier."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.run import prompt, run_synapse


def test_a_session_whose_id_contains_the_set_aside_marker_is_checked_as_a_session(project: Path,
                                                                                   sessions_dir: Path) -> None:
    """The hook creates ``notes.corrupt-fix.json`` like any session; doctor checks it (a corrupt one is a
    problem) and notes only the real set-aside copy, whose name never ends in .json."""
    prompt(project, session_id="notes.corrupt-fix")
    live = sessions_dir / "notes.corrupt-fix.json"
    assert json.loads(live.read_text())["prompt_count"] == 1
    (sessions_dir / "old.json.corrupt-20261130T101010.000Z").write_text("{not json")

    healthy = run_synapse(["--json", "doctor"], cwd=project)
    findings = json.loads(healthy.stdout)["findings"]
    assert [(f["check"], Path(f["path"] or "").name) for f in findings if f["check"] == "set-aside"] == [
        ("set-aside", "old.json.corrupt-20261130T101010.000Z")]
    assert not [f for f in findings if Path(f["path"] or "").name == live.name]

    live.write_text("{torn")
    broken = run_synapse(["--json", "doctor"], cwd=project)
    assert broken.returncode == 1
    assert [(f["check"], f["severity"]) for f in json.loads(broken.stdout)["findings"]
            if Path(f["path"] or "").name == live.name] == [("corrupt", "problem")]
