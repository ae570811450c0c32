"""`session show|update|delete` take a unique prefix (at least 4 characters) of an existing id (issue 12 item 6)."""

from __future__ import annotations

import json

from tests.support.files import read_json, snapshot
from tests.support.output import one_error_line
from tests.support.run import run_in_project as synapse
from tests.support.sessions import session_path, write_session

A = "9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91"
B = "9f1c77aa-0000-4000-8000-000000000002"
C = "d00d1234-0000-4000-8000-000000000003"


def sessions(project):
    for sid in (A, B, C):
        write_session(project, sid)


def test_show_update_delete_accept_a_unique_prefix(project):
    """The help's `9f1c2e7a` form works: show and update act on the whole id, delete removes that file."""
    sessions(project)
    shown = synapse(project, "session", "show", "9f1c2e7a", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["uuid"] == A
    updated = synapse(project, "session", "update", "9f1c2e7a", "--title", "Login page")
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.decode().startswith(f"Updated session {A}: prompt 2")
    assert read_json(session_path(project, A))["title"] == "Login page"
    assert not session_path(project, "9f1c2e7a").exists()
    deleted = synapse(project, "session", "delete", "d00d")
    assert deleted.returncode == 0 and deleted.stdout.decode() == f"Deleted session {C}.\n"
    assert not session_path(project, C).exists() and session_path(project, A).exists()


def test_an_ambiguous_prefix_exits_1_listing_the_matches_and_changes_nothing(project):
    sessions(project)
    before = snapshot(project)
    for command in (["show"], ["update"], ["delete"]):
        result = synapse(project, "session", *command, "9f1c")
        assert result.returncode == 1 and result.stdout == b""
        line = one_error_line(result.stderr.decode())
        assert A in line and B in line and C not in line
    assert snapshot(project) == before


def test_update_creates_only_for_an_id_that_is_no_prefix_of_an_existing_one(project):
    """A new id creates a session and says "Created"; a too-short prefix of an existing id is refused, not created."""
    sessions(project)
    created = synapse(project, "session", "update", "e5e5e5e5-new")
    assert created.returncode == 0
    assert created.stdout.decode().startswith("Created session e5e5e5e5-new: prompt 1")
    assert session_path(project, "e5e5e5e5-new").exists()
    before = snapshot(project)
    short = synapse(project, "session", "update", "d00")
    assert short.returncode == 1
    assert C in one_error_line(short.stderr.decode())
    assert snapshot(project) == before and not session_path(project, "d00").exists()


def test_an_exact_id_wins_over_longer_ids_it_is_a_prefix_of(project):
    """A session whose whole id is also the start of another is addressed exactly."""
    write_session(project, "abcd")
    write_session(project, "abcdef")
    result = synapse(project, "session", "show", "abcd", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["uuid"] == "abcd"


def test_a_prefix_shorter_than_4_characters_is_not_expanded_by_show_or_delete(project):
    sessions(project)
    for command in ("show", "delete"):
        result = synapse(project, "session", command, "d00")
        assert result.returncode == 1
        assert "no session 'd00'" in one_error_line(result.stderr.decode())
    assert session_path(project, C).exists()


def test_set_aside_files_and_the_bridge_are_not_sessions(project, sessions_dir):
    """Files set aside (<id>.json.corrupt-...) and _active-agent.json never match a prefix."""
    write_session(project, A)
    (sessions_dir / f"{B}.json.corrupt-20260101T000000Z").write_text("{")
    (sessions_dir / "_active-agent.json").write_text('{"id": "dev"}')
    result = synapse(project, "session", "show", "9f1c", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["uuid"] == A
    assert synapse(project, "session", "show", "_act").returncode == 1
