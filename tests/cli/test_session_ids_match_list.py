"""The id lookup (`session show|update|delete` and their prefixes) and `session list` agree on which files
in the sessions folder are sessions: one rule (``session_id_of``) decides it for both, odd names included."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.run import run_in_project as synapse
from tests.support.sessions import DEAD_PID, session_data, write_session

SESSION = "aaaa0001-0000-4000-8000-000000000001"
# Every name starts differently, so each candidate's id less its last character is a unique prefix.
ODD_NAMES = {
    "bridge": "_active-agent.json",
    "set-aside copy": "bbbb0002-0000-4000-8000-000000000002.json.corrupt-20250101T000000.000Z",
    "set-aside copy, second": "bbcc0002.json.corrupt-20250101T000000.000Z-1",
    "temp file": f"cccc0003.json.tmp.{DEAD_PID}.1.abcdef12",
    "folder named *.json": "dddd0004.json",
    "link to a session": "eeee0005.json",
    "dangling link": "ffff0006.json",
    "id starting with a dot": ".hidden0007.json",
    "id with a space": "gggg 0008.json",
    "id with '..'": "hh..0009.json",
    "id holding the set-aside marker": "iiii0010.corrupt-notes.json",
    "id holding the temp marker": "jjjj0011.tmp.1.2.abcdef12.json",
    "legacy lock file": "kkkk0012.json.lock",
    "upper-case suffix": "llll0013.JSON",
    "bare suffix": "mmmm0014json",
}


def odd_folder(project: Path) -> Path:
    folder = project / ".synapse" / "sessions"
    write_session(project, SESSION)
    for what, name in ODD_NAMES.items():
        path = folder / name
        if what == "folder named *.json":
            path.mkdir()
        elif what == "link to a session":
            path.symlink_to(folder / f"{SESSION}.json")
        elif what == "dangling link":
            path.symlink_to(folder / "nowhere.json")
        elif what == "bridge":
            path.write_text('{"id": "dev"}\n')
        else:
            path.write_text(json.dumps(session_data(name.removesuffix(".json"))))
    return folder


def candidates(folder: Path) -> list[str]:
    """What each name in the folder would be as an id: the name less .json (or the whole name)."""
    return sorted(name.removesuffix(".json") for name in os.listdir(folder))


def listed(project: Path) -> set[str]:
    result = synapse(project, "session", "list", "--json")
    assert result.returncode == 0, result.stderr
    return {row["id"] for row in json.loads(result.stdout)}


def found_by_prefix(project: Path, candidate: str) -> bool:
    """Whether `session show <candidate less its last character>` resolved to the candidate (it names it)."""
    result = synapse(project, "session", "show", candidate[:-1], "--json")
    return candidate in (result.stdout + result.stderr).decode(errors="replace")


def test_the_lookup_and_session_list_agree_on_every_odd_name(project):
    """A subprocess per name: the ids `session show <prefix>` finds are exactly the ids `session list` shows."""
    folder = odd_folder(project)
    shown = listed(project)
    found = {c for c in candidates(folder) if found_by_prefix(project, c)}
    assert found == shown
    # And what that set is: every *.json name but the bridge file, whether usable or not.
    assert shown == {SESSION, "dddd0004", "eeee0005", "ffff0006", ".hidden0007", "gggg 0008", "hh..0009",
                     "iiii0010.corrupt-notes", "jjjj0011.tmp.1.2.abcdef12"}


def test_existing_ids_is_what_the_store_lists(project):
    """In process, the same comparison: existing_ids and SessionStore.list name the same files."""
    from synapse_cli.cli.session_ids import existing_ids
    from synapse_cli.core.sessions.store import SessionStore

    folder = odd_folder(project)
    assert existing_ids(str(folder)) == sorted(s.session_id for s in SessionStore(str(folder)).list())


@pytest.mark.parametrize("name", sorted(ODD_NAMES.values()))
def test_session_id_of_decides_for_both(name):
    """One rule: a name is a session's when it ends in .json and is not the bridge file."""
    from synapse_cli.core.sessions.store import session_id_of

    expected = name[: -len(".json")] if name.endswith(".json") and name != "_active-agent.json" else None
    assert session_id_of(name) == expected
