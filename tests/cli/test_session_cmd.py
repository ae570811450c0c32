"""``synapse session update|show|list|delete|clean`` through the Typer app."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.support.files import read_json, snapshot
from tests.support.output import one_error_line
from tests.support.paths import JS_WRITTEN, SID
from tests.support.run import run_synapse
from tests.support.sessions import session_lock_path, session_path, write_session

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


# -- update --------------------------------------------------------------------------


def test_update_creates_a_missing_session_and_counts_one_prompt(cli, project):
    """``session update`` on an unknown id creates the schema-2.0 session with prompt_count 1."""
    result = cli(project, "session", "update", SID)
    assert result.exit_code == 0, result.stderr
    session = read_json(session_path(project, SID))
    assert session["uuid"] == SID and session["schema_version"] == "2.0"
    assert session["prompt_count"] == 1
    assert session["cwd"] == str(project) and session["label"] == project.name
    assert ISO_MS_Z.match(session["last_activity"])
    assert result.stdout.startswith(f"Created session {SID}: prompt 1")


def test_update_json_prints_only_the_updated_session(cli, project):
    """``--json`` prints the session exactly as written, and nothing else, on stdout."""
    cli(project, "session", "update", SID)
    result = cli(project, "session", "update", SID, "--title", "Login page", "--json")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == read_json(session_path(project, SID))
    assert printed["prompt_count"] == 2 and printed["title"] == "Login page"
    assert result.stderr == ""


def test_update_agent_sets_active_agent_and_writes_the_bridge(cli, project, sessions_dir):
    """``--agent`` sets active_agent (id, activated_at, quality full) and writes _active-agent.json with source uap."""
    result = cli(project, "session", "update", SID, "--agent", "dev", "--json")
    assert result.exit_code == 0, result.stderr
    session = json.loads(result.stdout)
    agent = session["active_agent"]
    assert list(agent) == ["id", "activated_at", "activation_quality"]
    assert agent["id"] == "dev" and agent["activation_quality"] == "full"
    assert ISO_MS_Z.match(agent["activated_at"])
    assert "dev" in session["history"]["agents_activated"]
    bridge = read_json(sessions_dir / "_active-agent.json")
    assert bridge == {"id": "dev", "activated_at": agent["activated_at"], "activation_quality": "full", "source": "uap"}
    assert not (sessions_dir / "_active-agent.json").read_bytes().endswith(b"\n")


@pytest.mark.parametrize("quality", ["full", "partial", "fallback"])
def test_update_agent_quality_is_recorded_in_session_and_bridge(cli, project, sessions_dir, quality):
    """``--quality`` sets activation_quality in the session and in the bridge file."""
    result = cli(project, "session", "update", SID, "--agent", "qa", "--quality", quality, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["active_agent"]["activation_quality"] == quality
    assert read_json(sessions_dir / "_active-agent.json")["activation_quality"] == quality


def test_update_quality_is_validated_by_the_parser(cli, project):
    """A --quality outside full|partial|fallback is a usage error (exit 2) and writes nothing."""
    result = cli(project, "session", "update", SID, "--agent", "dev", "--quality", "great")
    assert result.exit_code == 2
    assert not session_path(project, SID).exists()


def test_update_quality_without_agent_is_refused(cli, project):
    """``--quality`` without ``--agent`` exits 1 with one line and writes nothing."""
    result = cli(project, "session", "update", SID, "--quality", "full")
    assert result.exit_code == 1
    assert "--agent" in one_error_line(result.stderr)
    assert not session_path(project, SID).exists()


def test_update_empty_agent_is_refused(cli, project, sessions_dir):
    """An empty ``--agent`` exits 1 and writes neither the session nor the bridge."""
    result = cli(project, "session", "update", SID, "--agent", " ")
    assert result.exit_code == 1
    one_error_line(result.stderr)
    assert not (sessions_dir / "_active-agent.json").exists()


@pytest.mark.parametrize("given,stored", [("MODERATE", "MODERATE"), ("critical", "CRITICAL"), ("Depleted", "DEPLETED"), ("FRESH", "FRESH")])
def test_update_bracket_sets_context_last_bracket(cli, project, given, stored):
    """``--bracket`` (any case) sets context.last_bracket and keeps the other context fields."""
    result = cli(project, "session", "update", SID, "--bracket", given, "--json")
    assert result.exit_code == 0, result.stderr
    context = json.loads(result.stdout)["context"]
    assert context["last_bracket"] == stored
    assert context["last_tokens_used"] == 0 and context["last_context_percent"] == 100


def test_update_bad_bracket_is_a_usage_error(cli, project):
    """A bracket outside FRESH|MODERATE|DEPLETED|CRITICAL exits 2."""
    assert cli(project, "session", "update", SID, "--bracket", "FULL").exit_code == 2


def test_update_patch_merges_with_the_framework_rules(cli, project):
    """``--patch`` appends new history items, shallow-merges context/overrides, replaces the rest."""
    shutil.copy(JS_WRITTEN / "session-updated.json", session_path(project, SID))
    patch = {
        "history": {"agents_activated": ["qa", "pm"], "star_commands_used": ["*develop", "*test"]},
        "context": {"last_tokens_used": 20000},
        "overrides": {"DOMAIN_2": False},
        "active_workflow": "story",
        "custom_key": {"kept": True},
    }
    result = cli(project, "session", "update", SID, "--patch", json.dumps(patch), "--json")
    assert result.exit_code == 0, result.stderr
    session = read_json(session_path(project, SID))
    assert session["history"]["agents_activated"] == ["dev", "qa", "pm"]
    assert session["history"]["star_commands_used"] == ["*develop", "*test"]
    assert session["context"] == {"last_bracket": "MODERATE", "last_tokens_used": 20000, "last_context_percent": 100}
    assert session["overrides"] == {"DOMAIN_1": True, "DOMAIN_2": False}
    assert session["active_workflow"] == "story"
    assert session["custom_key"] == {"kept": True}
    assert session["prompt_count"] == 4
    assert session["title"] == "Add login page — ünïcode"
    assert "ünïcode".encode() in session_path(project, SID).read_bytes()


def test_update_patch_from_stdin(cli, project):
    """``--patch -`` reads the JSON object from stdin."""
    result = cli(project, "session", "update", SID, "--patch", "-", "--json", input='{"title": "from stdin"}')
    assert result.exit_code == 0, result.stderr
    assert read_json(session_path(project, SID))["title"] == "from stdin"


@pytest.mark.parametrize(
    "patch,needle",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"uuid": "other"}', "uuid"),
        ('{"schema_version": "3.0"}', "schema_version"),
        ('{"prompt_count": "many"}', "prompt_count"),
        ('{"context": 5}', "context"),
    ],
)
def test_update_bad_patch_exits_1_and_leaves_the_file_untouched(cli, project, patch, needle):
    """A patch that is not JSON, not an object, or would make the session invalid exits 1 and changes nothing."""
    cli(project, "session", "update", SID)
    before = session_path(project, SID).read_bytes()
    result = cli(project, "session", "update", SID, "--patch", patch)
    assert result.exit_code == 1
    assert needle in one_error_line(result.stderr)
    assert result.stdout == ""
    assert session_path(project, SID).read_bytes() == before


def test_update_bad_patch_on_stdin_exits_1(cli, project):
    """``--patch -`` with invalid JSON on stdin exits 1 naming --patch."""
    result = cli(project, "session", "update", SID, "--patch", "-", input="nope")
    assert result.exit_code == 1
    assert "--patch" in one_error_line(result.stderr)
    assert not session_path(project, SID).exists()


@pytest.mark.parametrize("bad_id", ["../escape", "a/b", "..", ".hidden", "_active-agent", "x" * 201, "a\\b"])
def test_update_unsafe_session_id_exits_1_and_writes_nothing_outside(cli, project, tmp_path, bad_id):
    """An id that could address a path outside the sessions folder (or the bridge) exits 1 and creates no file."""
    before = snapshot(tmp_path)
    result = cli(project, "session", "update", bad_id)
    assert result.exit_code == 1
    assert "session id" in one_error_line(result.stderr)
    assert snapshot(tmp_path) == before


def test_update_moves_a_corrupt_file_aside_and_starts_afresh(cli, project, sessions_dir):
    """A corrupt session file is moved to ``<id>.json.corrupt-*`` with its bytes intact, and a fresh session is written."""
    session_path(project, SID).write_bytes(b'{"uuid": "torn')
    result = cli(project, "session", "update", SID, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["prompt_count"] == 1
    aside = list(sessions_dir.glob(f"{SID}.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b'{"uuid": "torn'
    assert "warning" in result.stderr and str(aside[0]) in result.stderr


def test_update_under_a_held_lock_times_out_with_exit_1(cli, project):
    """When another holder keeps the session's lock past the timeout, update exits 1 naming the lock, file untouched."""
    cli(project, "session", "update", SID)
    before = session_path(project, SID).read_bytes()
    lock_path = session_lock_path(project / ".synapse" / "sessions", SID)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        result = cli(project, "session", "update", SID, env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "0.3"})
        elapsed = time.monotonic() - started
    finally:
        os.close(fd)
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "lock" in line and "timed out" in line
    assert elapsed < 3
    assert session_path(project, SID).read_bytes() == before


# -- show / list / delete ----------------------------------------------------------------


def test_show_prints_the_session_for_people_and_as_json(cli, project):
    """``session show`` prints the fields as a table by default and the stored object with ``--json``."""
    cli(project, "session", "update", SID, "--title", "Checkout")
    human = cli(project, "session", "show", SID)
    assert human.exit_code == 0
    assert f"Session {SID}" in human.stdout
    assert re.search(r"^title\tCheckout$", human.stdout, re.M)
    assert re.search(r"^prompt_count\t1$", human.stdout, re.M)
    as_json = cli(project, "session", "show", SID, "--json")
    assert json.loads(as_json.stdout) == read_json(session_path(project, SID))


def test_show_missing_session_exits_1(cli, project):
    """``session show`` of an unknown id exits 1 with one line naming the id."""
    result = cli(project, "session", "show", "nobody")
    assert result.exit_code == 1
    assert "nobody" in one_error_line(result.stderr)
    assert result.stdout == ""


def test_show_corrupt_session_exits_1_and_leaves_it(cli, project):
    """``session show`` of an unparsable file exits 1 and does not move or change the file."""
    session_path(project, SID).write_bytes(b"\x00garbage")
    result = cli(project, "session", "show", SID, "--json")
    assert result.exit_code == 1
    one_error_line(result.stderr)
    assert result.stdout == ""
    assert session_path(project, SID).read_bytes() == b"\x00garbage"


def test_list_shows_sessions_newest_first_and_flags_unusable_files(cli, project, sessions_dir):
    """``session list`` lists every session newest first, flags corrupt ones, and skips the bridge file."""
    write_session(project, "older", age_hours=5, prompt_count=7)
    write_session(project, "newer", age_hours=1, prompt_count=2)
    (sessions_dir / "broken.json").write_text("{")
    os.utime(sessions_dir / "broken.json", (time.time() - 10 * 3600,) * 2)
    (sessions_dir / "_active-agent.json").write_text(json.dumps({"id": "dev", "activated_at": None, "activation_quality": "full", "source": "uap"}))
    human = cli(project, "session", "list")
    assert human.exit_code == 0
    lines = human.stdout.splitlines()  # piped: pure TSV, the header first (no title line)
    assert lines[0].split("\t")[:3] == ["id", "status", "prompts"]
    assert [line.split("\t")[0] for line in lines[1:]] == ["newer", "older", "broken"]
    assert "corrupt" in lines[3]
    result = cli(project, "session", "list", "--json")
    listed = json.loads(result.stdout)
    assert [item["id"] for item in listed] == ["newer", "older", "broken"]
    assert listed[0]["prompt_count"] == 2 and listed[0]["status"] == "ok"
    assert listed[2]["status"] == "corrupt" and listed[2]["problem"]
    assert "_active-agent" not in result.stdout


def test_list_empty(cli, project):
    """``session list`` with no sessions prints only the header when piped, and ``[]`` as JSON."""
    assert cli(project, "session", "list").stdout == "id\tstatus\tprompts\tlast activity\tagent\ttitle\n"
    assert json.loads(cli(project, "session", "list", "--json").stdout) == []


def test_delete_removes_one_session(cli, project):
    """``session delete`` removes the file, says so, and leaves other sessions."""
    write_session(project, "a")
    write_session(project, "b")
    result = cli(project, "session", "delete", "a")
    assert result.exit_code == 0
    assert "Deleted session a" in result.stdout
    assert not session_path(project, "a").exists() and session_path(project, "b").exists()


def test_delete_json_reports_whether_it_deleted(cli, project):
    """``session delete --json`` prints ``{"id", "deleted"}``; false for an unknown id, with exit 1 as without --json."""
    write_session(project, "a")
    assert json.loads(cli(project, "session", "delete", "a", "--json").stdout) == {"id": "a", "deleted": True}
    again = cli(project, "session", "delete", "a", "--json")
    assert again.exit_code == 1
    assert json.loads(again.stdout) == {"id": "a", "deleted": False}


def test_delete_missing_session_exits_1(cli, project):
    """``session delete`` of an unknown id exits 1 with one line (human output)."""
    result = cli(project, "session", "delete", "ghost")
    assert result.exit_code == 1
    assert "ghost" in one_error_line(result.stderr)


def test_delete_refuses_traversal_ids(cli, project, tmp_path):
    """``session delete ../x`` exits 1 and deletes nothing outside the sessions folder."""
    victim = project / ".synapse" / "victim.json"
    victim.write_text("{}")
    result = cli(project, "session", "delete", "../victim")
    assert result.exit_code == 1
    one_error_line(result.stderr)
    assert victim.read_text() == "{}"


# -- clean -----------------------------------------------------------------------------


def _stale_layout(project: Path, sessions_dir: Path) -> None:
    write_session(project, "stale-a", age_hours=200)
    write_session(project, "stale-b", age_hours=500)
    write_session(project, "fresh", age_hours=2)
    write_session(project, "mid", age_hours=30)
    (sessions_dir / "_active-agent.json").write_text(json.dumps({"id": "dev", "activated_at": "2020-01-01T00:00:00.000Z", "activation_quality": "full", "source": "uap"}))
    os.utime(sessions_dir / "_active-agent.json", (time.time() - 900 * 3600,) * 2)


def test_clean_json_reports_removed_kept_ttl_and_dry_run(cli, project, sessions_dir):
    """``session clean --json`` removes sessions older than the default 168 h and reports removed/kept/ttl_hours/dry_run."""
    _stale_layout(project, sessions_dir)
    result = cli(project, "session", "clean", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert sorted(report["removed"]) == ["stale-a", "stale-b"]
    assert report["kept"] == 2
    assert report["ttl_hours"] == 168
    assert report["dry_run"] is False
    assert sorted(p.name for p in sessions_dir.glob("*.json")) == ["_active-agent.json", "fresh.json", "mid.json"]


def test_clean_ttl_flag_overrides_the_config(cli, project, sessions_dir):
    """``--ttl HOURS`` overrides staleTTLHours from the config for this run."""
    (project / ".aios-core").mkdir()
    (project / ".aios-core" / "core-config.yaml").write_text("synapse:\n  session:\n    staleTTLHours: 1000\n")
    _stale_layout(project, sessions_dir)
    result = cli(project, "session", "clean", "--ttl", "24", "--json")
    report = json.loads(result.stdout)
    assert report["ttl_hours"] == 24
    assert sorted(report["removed"]) == ["mid", "stale-a", "stale-b"]
    assert (sessions_dir / "fresh.json").exists()


def test_clean_uses_the_config_ttl(cli, project, sessions_dir):
    """Without --ttl, ``session clean`` uses synapse.session.staleTTLHours from .aios-core/core-config.yaml."""
    (project / ".aios-core").mkdir()
    (project / ".aios-core" / "core-config.yaml").write_text("synapse:\n  session:\n    staleTTLHours: 24\n")
    _stale_layout(project, sessions_dir)
    report = json.loads(cli(project, "session", "clean", "--json").stdout)
    assert report["ttl_hours"] == 24
    assert sorted(report["removed"]) == ["mid", "stale-a", "stale-b"]


def test_clean_dry_run_removes_nothing(cli, project, sessions_dir):
    """``--dry-run`` lists what would go and leaves every file byte for byte."""
    _stale_layout(project, sessions_dir)
    before = snapshot(project)
    result = cli(project, "session", "clean", "--dry-run", "--json")
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    assert sorted(report["removed"]) == ["stale-a", "stale-b"]
    assert snapshot(project) == before
    human = cli(project, "session", "clean", "--dry-run")
    assert human.stdout.startswith("Would remove 2 stale session(s) (TTL 168 h); kept 2.")
    assert "stale-a" in human.stdout and "stale-b" in human.stdout
    assert snapshot(project) == before


def test_clean_human_output_is_a_short_summary(cli, project, sessions_dir):
    """Human ``session clean`` prints a one-line summary of what it removed and kept."""
    _stale_layout(project, sessions_dir)
    result = cli(project, "session", "clean")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Removed 2 stale session(s) (TTL 168 h); kept 2."
    assert result.stderr == ""


def test_clean_reports_corrupt_files_and_keeps_them(cli, project, sessions_dir):
    """A stale but unparsable file is kept, listed under ``corrupt``, and warned about on stderr."""
    bad = sessions_dir / "bad.json"
    bad.write_bytes(b"{torn")
    os.utime(bad, (time.time() - 900 * 3600,) * 2)
    result = cli(project, "session", "clean", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["corrupt"] == ["bad"] and report["removed"] == []
    assert bad.read_bytes() == b"{torn"
    human = cli(project, "session", "clean")
    assert human.exit_code == 0
    assert "bad.json" in human.stderr and "warning" in human.stderr
    assert bad.read_bytes() == b"{torn"


@pytest.mark.parametrize("ttl", ["0", "-5"])
def test_clean_non_positive_ttl_exits_1(cli, project, sessions_dir, ttl):
    """``--ttl`` must be positive: 0 or a negative value exits 1 with one line and removes nothing."""
    _stale_layout(project, sessions_dir)
    before = snapshot(project)
    result = cli(project, "session", "clean", f"--ttl={ttl}")
    assert result.exit_code == 1
    assert "--ttl" in one_error_line(result.stderr)
    assert snapshot(project) == before


def test_clean_ttl_not_a_number_is_a_usage_error(cli, project):
    """``--ttl abc`` is a usage error (exit 2)."""
    assert cli(project, "session", "clean", "--ttl", "abc").exit_code == 2


def test_patch_with_a_history_value_of_the_wrong_type_is_refused(project: Path) -> None:
    """``--patch '{"history": {"agents_activated": "dev"}}'`` exits 1 and writes nothing."""
    result = run_synapse(["--project-dir", str(project), "session", "update", "s1", "--patch", '{"history": {"agents_activated": "dev"}}'])
    assert result.returncode == 1
    assert b"history.agents_activated should be a list" in result.stderr
    assert not session_path(project, "s1").exists()
