"""What the commands print (issue 12 item 14): whole ids and times, sorted by activity, pure TSV when piped."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import time

import pytest

from tests.support.run import run_in_project as synapse
from tests.support.run import synapse_executable
from tests.support.sessions import write_session

LONG = "9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91"
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")


def on_a_terminal(project, columns: int, *args: str) -> str:
    """Run the installed synapse with a pseudo-terminal of ``columns`` columns as stdout; return the text."""
    leader, follower = pty.openpty()
    env = dict(os.environ, COLUMNS=str(columns), LINES="50", TERM="xterm", NO_COLOR="1")
    try:
        subprocess.run([synapse_executable(), "--project-dir", str(project), *args], stdin=subprocess.DEVNULL,
                       stdout=follower, stderr=follower, env=env, timeout=30, check=True)
    finally:
        os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return ANSI.sub("", b"".join(chunks).decode()).replace("\r", "")


def sessions_out_of_file_order(project):
    """Three sessions whose last_activity order is not their file-time order."""
    write_session(project, "aaaa-oldest-activity", age_hours=30)
    write_session(project, LONG, age_hours=1, title="A title long enough that a narrow terminal has to fold it over lines")
    write_session(project, "cccc-middle-activity", age_hours=5)
    now = time.time()
    for offset, name in enumerate(("cccc-middle-activity", LONG, "aaaa-oldest-activity")):
        path = project / ".synapse" / "sessions" / f"{name}.json"
        os.utime(path, (now - offset, now - offset))  # the oldest activity has the newest file


def test_piped_list_is_pure_tsv_sorted_by_last_activity(project):
    sessions_out_of_file_order(project)
    # Active longest ago (its file written just now), with a title that holds a tab and a newline.
    write_session(project, "tabs", age_hours=24 * 365 * 20, mtime_age_hours=0, title="with\ta tab\nand a newline")
    result = synapse(project, "session", "list")
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "id\tstatus\tprompts\tlast activity\tagent\ttitle"
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == 6 for row in rows), rows
    assert [row[0] for row in rows] == [LONG, "cccc-middle-activity", "aaaa-oldest-activity", "tabs"]
    assert rows[-1][5] == "with\\ta tab\\nand a newline"


def test_piped_empty_list_is_the_header_alone(project):
    result = synapse(project, "session", "list")
    assert result.returncode == 0 and result.stdout == b"id\tstatus\tprompts\tlast activity\tagent\ttitle\n"


@pytest.mark.parametrize("columns", [40, 80, 120, 200])
def test_terminal_list_never_breaks_an_id_or_a_timestamp(project, columns):
    sessions_out_of_file_order(project)
    text = on_a_terminal(project, columns, "session", "list")
    stamps = [json.loads((project / ".synapse" / "sessions" / f"{n}.json").read_text())["last_activity"]
              for n in (LONG, "cccc-middle-activity", "aaaa-oldest-activity")]
    for whole in (LONG, "cccc-middle-activity", "aaaa-oldest-activity", *stamps):
        assert any(whole in line for line in text.splitlines()), (columns, whole, text)
    assert text.index(LONG) < text.index("cccc-middle-activity") < text.index("aaaa-oldest-activity")
    assert "ok" in text and "fold" in text  # the other columns are folded, not dropped


def test_show_prints_values_as_json_spells_them(project):
    write_session(project, LONG, title=None, extra_flag=True)
    result = synapse(project, "session", "show", LONG)
    fields = dict(line.split("\t", 1) for line in result.stdout.decode().splitlines()[2:])
    assert fields["title"] == "null"
    assert fields["extra_flag"] == "true"
    assert fields["active_agent"] == '{"id": null, "activated_at": null, "activation_quality": null}'
    assert "None" not in result.stdout.decode() and "True" not in result.stdout.decode()


def test_state_show_prints_readable_times(project):
    assert synapse(project, "state", "update", "--agent", "dev").returncode == 0
    state = json.loads((project / ".aios" / "session-state.json").read_text())
    result = synapse(project, "state", "show")
    fields = dict(line.split("\t", 1) for line in result.stdout.decode().splitlines()[2:])
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(state["startTime"] // 1000))
    assert fields["startTime"] == f"{when}.{state['startTime'] % 1000:03d} UTC ({state['startTime']})"
    assert fields["workflowActive"] == "null"


def test_a_real_clean_names_what_it_removed_when_piped(project):
    write_session(project, "stale-one", age_hours=400)
    write_session(project, "fresh-one", age_hours=1)
    result = synapse(project, "session", "clean")
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("Removed 1 stale session(s)")
    assert "stale-one" in lines and "fresh-one" not in result.stdout.decode()
