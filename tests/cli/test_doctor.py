"""``synapse doctor [--fix] [--json]``: every finding, every exit code, the repairs, and what doctor never touches."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.files import age, installed_hook_command, read_json, register_hook, tree
from tests.support.paths import SID
from tests.support.run import run_synapse
from tests.support.sessions import DEAD_PID, HOUR, session_data, session_path, write_session

OLD = 2 * HOUR  # older than the default tempMaxAgeSeconds (600 s)
FINDING_KEYS = ["severity", "check", "path", "message", "fixed"]


# -- helpers ---------------------------------------------------------------------------


def temp_file(folder: Path, base: str = "s1.json") -> Path:
    """A temp file exactly as an interrupted atomic write leaves it, two hours old."""
    path = folder / f"{base}.tmp.{DEAD_PID}.139872.abcdef01"  # its writer is gone
    path.write_bytes(b'{"half": ')
    return age(path, OLD)


def orphan_lock(folder: Path, base: str = "gone.json") -> Path:
    """A sidecar lock file as an earlier version left it beside a data file, two hours old."""
    path = folder / f"{base}.lock"
    path.write_bytes(b"")
    return age(path, OLD)


def bad_config(project: Path, text: str = "synapse:\n  session:\n    staleTTLHours: -5\n") -> Path:
    path = project / ".aios-core" / "core-config.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def doctor_json(cli, project: Path, *args: str) -> tuple[int, dict]:
    result = cli(project, "doctor", "--json", *args)
    assert result.stderr == "", result.stderr
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict, check: str | None = None) -> list[dict]:
    return [f for f in report["findings"] if check is None or f["check"] == check]


# -- healthy, notes ----------------------------------------------------------------------


def test_healthy_project_with_the_hook_registered_exits_0_with_no_findings(cli, project):
    """A fresh project whose Claude settings register the prompt hook has no findings at all and exits 0."""
    register_hook(project)
    write_session(project, SID, age_hours=1)
    result = cli(project, "doctor")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == f"{project / '.synapse'}: healthy.\n"
    code, report = doctor_json(cli, project)
    assert code == 0 and report["healthy"] is True and report["findings"] == []


@pytest.mark.parametrize("settings_name", ["settings.json", "settings.local.json"])
def test_a_registered_hook_removes_the_hook_note(cli, project, settings_name):
    """Without a registration the hook is a note (exit 0); a settings file with the handler removes the note."""
    code, report = doctor_json(cli, project)
    assert code == 0 and report["healthy"] is True
    [note] = findings(report, "hook")
    assert note["severity"] == "note" and "not registered" in note["message"]
    register_hook(project, settings_name)
    code, report = doctor_json(cli, project)
    assert code == 0 and findings(report, "hook") == []


def test_a_settings_file_without_synapse_keeps_the_note(cli, project):
    """A Claude settings file whose hooks run something else does not count as registered."""
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "other-tool"}]}]}}))
    _, report = doctor_json(cli, project)
    assert len(findings(report, "hook")) == 1


def test_files_set_aside_earlier_are_notes_only(cli, project, sessions_dir):
    """A ``*.corrupt-*`` file from an earlier repair is listed as a note and leaves the exit code 0."""
    register_hook(project)
    aside = sessions_dir / f"{SID}.json.corrupt-20261126T151638.911Z"
    aside.write_bytes(b"{torn")
    code, report = doctor_json(cli, project)
    assert code == 0
    [note] = report["findings"]
    assert (note["severity"], note["check"], note["path"]) == ("note", "set-aside", str(aside))
    assert aside.read_bytes() == b"{torn"


def test_recent_temp_and_lock_files_are_not_findings(cli, project, sessions_dir):
    """A temp file or orphan lock younger than tempMaxAgeSeconds may belong to a running write: not reported."""
    register_hook(project)
    age(temp_file(sessions_dir), 5)
    code, report = doctor_json(cli, project)
    assert code == 0 and report["findings"] == []


def test_a_legacy_lock_file_is_only_a_note(cli, project, sessions_dir):
    """A ``<id>.json.lock`` left by an earlier version holds no data: a note, never a problem, never removed."""
    register_hook(project)
    write_session(project, "s1", age_hours=1)
    lock = orphan_lock(sessions_dir, "s1.json")
    code, report = doctor_json(cli, project, "--fix")
    assert code == 0 and [(f["severity"], f["check"]) for f in report["findings"]] == [("note", "lock-file")]
    assert lock.exists()


# -- every problem ------------------------------------------------------------------------


def _corrupt(project, sessions_dir):
    path = session_path(project, "c1")
    path.write_bytes(b'{"uuid": "c1", "schema_versi')
    return path, "corrupt", "does not parse as JSON"


def _empty(project, sessions_dir):
    path = session_path(project, "e1")
    path.write_bytes(b"")
    return path, "corrupt", "does not parse as JSON"


def _wrong_schema(project, sessions_dir):
    path = session_path(project, "old1")
    path.write_text(json.dumps(session_data("old1", schema_version="1.0", prompt_count=2)))
    return path, "schema", "schema_version '1.0' is not '2.0'"


def _wrong_types(project, sessions_dir):
    path = write_session(project, "t1", prompt_count=1)
    data = read_json(path)
    data["context"] = ["not", "an", "object"]
    path.write_text(json.dumps(data))
    return path, "corrupt", "context should be an object"


def _not_an_object(project, sessions_dir):
    path = session_path(project, "a1")
    path.write_text("[1, 2]")
    return path, "corrupt", "not a JSON object"


def _folder_named_json(project, sessions_dir):
    path = session_path(project, "d1")
    path.mkdir()
    return path, "corrupt", "not a regular file"


def _temp(project, sessions_dir):
    return temp_file(sessions_dir), "temp-file", "interrupted write"


def _temp_in_metrics(project, sessions_dir):
    return temp_file(project / ".synapse" / "metrics", "uap-metrics.json"), "temp-file", "interrupted write"


def _lock(project, sessions_dir):
    path = project / ".synapse" / "cache" / "locks" / "07.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # committed in its place: it would block or break that lock
    return path, "lock-file", "not a regular file"


def _bad_ttl(project, sessions_dir):
    return bad_config(project), "config", "synapse.session.staleTTLHours: must be a positive number"


def _bad_yaml(project, sessions_dir):
    return bad_config(project, "synapse: [unclosed\n"), "config", "invalid YAML"


PROBLEMS = {
    "corrupt": _corrupt,
    "empty-file": _empty,
    "wrong-schema": _wrong_schema,
    "wrong-field-type": _wrong_types,
    "json-array": _not_an_object,
    "folder-named-json": _folder_named_json,
    "orphan-temp": _temp,
    "orphan-temp-in-metrics": _temp_in_metrics,
    "lock-file-not-regular": _lock,
    # A stale session is a note, not a problem: see test_doctor_ci.py.
    "invalid-ttl": _bad_ttl,
    "invalid-yaml": _bad_yaml,
}


@pytest.mark.parametrize("make", list(PROBLEMS.values()), ids=list(PROBLEMS))
def test_each_problem_is_one_finding_and_exits_1(cli, project, sessions_dir, make):
    """Each kind of problem gives exactly one problem finding naming the path and exits 1, as text and as JSON."""
    register_hook(project)
    path, check, text = make(project, sessions_dir)
    code, report = doctor_json(cli, project)
    assert code == 1 and report["healthy"] is False
    [finding] = report["findings"]
    assert (finding["severity"], finding["check"], finding["path"], finding["fixed"]) == ("problem", check, str(path), None)
    assert text in finding["message"]
    result = cli(project, "doctor")
    assert result.exit_code == 1 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert [line for line in lines if str(path) in line and line.startswith(check + "\t")] != []
    assert sum(1 for line in lines if line.startswith(check + "\t")) == 1
    assert lines[-1] == "1 problem(s) need attention."


def test_plain_output_is_one_line_per_finding(cli, project, sessions_dir):
    """Off a terminal the report is a title, a header, one tab-separated line per finding, and a summary."""
    _corrupt(project, sessions_dir)
    temp_file(sessions_dir)
    _lock(project, sessions_dir)
    result = cli(project, "doctor")
    lines = result.stdout.splitlines()
    assert lines[0] == f"synapse doctor: {project}"
    assert lines[1] == "check\tpath\tfinding\tstatus"
    body = lines[2:-1]
    assert sorted(line.split("\t")[0] for line in body) == ["corrupt", "hook", "lock-file", "temp-file"]
    assert all(len(line.split("\t")) == 4 for line in body)
    assert lines[-1] == "3 problem(s) need attention."


def test_on_a_terminal_the_report_is_a_rich_table(cli, project, sessions_dir, monkeypatch):
    """When stdout is a terminal the findings are drawn as a rich table with a title."""
    monkeypatch.setattr("synapse_cli.cli.output.stdout_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "500")
    _corrupt(project, sessions_dir)
    result = cli(project, "doctor")
    assert result.exit_code == 1
    assert "synapse doctor:" in result.stdout
    assert "┃ check" in result.stdout or "| check" in result.stdout
    assert "needs attention" in result.stdout and "c1.json" in result.stdout


def test_no_synapse_folder_is_a_problem_and_creates_nothing(cli, tmp_path):
    """Doctor in a folder without .synapse/ says to run init, exits 1 and creates nothing."""
    bare = tmp_path / "bare"
    bare.mkdir()
    code, report = doctor_json(cli, bare)
    assert code == 1
    [finding] = report["findings"]
    assert finding["check"] == "setup" and "synapse init" in finding["message"]
    assert list(bare.iterdir()) == []


def test_unaddressable_session_file_name_is_a_note(cli, project, sessions_dir):
    """A ``*.json`` file whose name is not a valid session id is noted, not judged, and left alone."""
    register_hook(project)
    odd = sessions_dir / "has space.json"
    odd.write_text("{nope")
    code, report = doctor_json(cli, project, "--fix")
    assert code == 0
    [note] = report["findings"]
    assert note["check"] == "session-id" and note["severity"] == "note"
    assert odd.read_text() == "{nope"


# -- --json shape -------------------------------------------------------------------------


def test_json_shape(cli, project, sessions_dir):
    """``--json`` prints only one object: project, healthy, fixed and a list of findings with five fixed keys."""
    _corrupt(project, sessions_dir)
    result = cli(project, "doctor", "--json")
    assert result.exit_code == 1 and result.stderr == ""
    report = json.loads(result.stdout)
    assert list(report) == ["project", "healthy", "fixed", "findings"]
    assert report["project"] == str(project) and report["healthy"] is False and report["fixed"] is False
    assert {f["check"] for f in report["findings"]} == {"corrupt", "hook"}
    for finding in report["findings"]:
        assert list(finding) == FINDING_KEYS
        assert finding["severity"] in ("problem", "note")
        assert isinstance(finding["message"], str) and finding["message"]
    assert findings(report, "hook")[0]["path"] is None


# -- --fix ----------------------------------------------------------------------------------


def test_fix_repairs_everything_it_may_and_says_what_it_did(cli, project, sessions_dir):
    """--fix moves the corrupt file aside with its bytes intact, sweeps temp and lock files and stale sessions, keeps fresh ones."""
    register_hook(project)
    corrupt, _, _ = _corrupt(project, sessions_dir)
    corrupt_bytes = corrupt.read_bytes()
    old_schema, _, _ = _wrong_schema(project, sessions_dir)
    old_schema_bytes = old_schema.read_bytes()
    temp = temp_file(sessions_dir)
    metrics_temp = temp_file(project / ".synapse" / "metrics", "uap-metrics.json")
    lock, _, _ = _lock(project, sessions_dir)
    stale = write_session(project, "stale1", age_hours=400)
    fresh = write_session(project, "fresh1", age_hours=1)
    fresh_bytes = fresh.read_bytes()
    bridge = sessions_dir / "_active-agent.json"
    bridge.write_text('{"id": "dev"}')
    age(bridge, 400 * HOUR)

    code, report = doctor_json(cli, project, "--fix")
    assert code == 0, report
    assert report["healthy"] is True and report["fixed"] is True
    fixed = {f["check"]: f["fixed"] for f in report["findings"] if f["fixed"]}
    assert fixed["corrupt"].startswith("moved aside to c1.json.corrupt-")
    assert fixed["schema"].startswith("moved aside to old1.json.corrupt-")
    assert fixed["temp-file"] == "removed" and fixed["lock-file"] == "removed"
    assert fixed["stale"] == "removed 1 stale session(s)"

    assert not corrupt.exists() and not old_schema.exists()
    [aside] = sessions_dir.glob("c1.json.corrupt-*")
    assert aside.read_bytes() == corrupt_bytes
    [aside_schema] = sessions_dir.glob("old1.json.corrupt-*")
    assert aside_schema.read_bytes() == old_schema_bytes
    assert not temp.exists() and not metrics_temp.exists() and not lock.exists()
    assert not stale.exists()
    assert fresh.read_bytes() == fresh_bytes
    assert bridge.read_text() == '{"id": "dev"}'

    # A second run finds only the notes about what was set aside.
    code, report = doctor_json(cli, project)
    assert code == 0
    assert sorted(f["check"] for f in report["findings"]) == ["set-aside", "set-aside"]


def test_fix_human_output_says_what_it_did(cli, project, sessions_dir):
    """The text report after --fix shows what was done for each finding and ends with 'Healthy after repairs.'"""
    register_hook(project)
    _corrupt(project, sessions_dir)
    temp_file(sessions_dir)
    result = cli(project, "doctor", "--fix")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("corrupt\t") and "\tmoved aside to c1.json.corrupt-" in line for line in lines)
    assert any(line.startswith("temp-file\t") and line.endswith("\tremoved") for line in lines)
    assert lines[-1] == "Healthy after repairs."


def test_fix_cannot_fix_an_invalid_config_and_still_exits_1(cli, project, sessions_dir):
    """An invalid config is reported and left as it is by --fix, so the exit code stays 1; the rest is checked with defaults."""
    register_hook(project)
    config = bad_config(project)
    text = config.read_text()
    write_session(project, "stale1", age_hours=400)
    code, report = doctor_json(cli, project, "--fix")
    assert code == 1
    by_check = {f["check"]: f for f in report["findings"]}
    assert by_check["config"]["fixed"] is None and str(config) in by_check["config"]["message"]
    assert by_check["stale"]["fixed"] == "removed 1 stale session(s)"  # judged with the default TTL
    assert config.read_text() == text
    result = cli(project, "doctor", "--fix")
    assert result.stdout.splitlines()[-1] == "1 problem(s) need attention."


def test_fix_uses_the_configured_ttl(cli, project, sessions_dir):
    """Stale means older than the project's staleTTLHours: a 30-hour-old session is stale under a 24 h TTL."""
    register_hook(project)
    bad_config(project, "synapse:\n  session:\n    staleTTLHours: 24\n")
    old = write_session(project, "s30", age_hours=30)
    young = write_session(project, "s10", age_hours=10)
    code, report = doctor_json(cli, project, "--fix")
    assert code == 0 and findings(report, "stale")[0]["message"].startswith("1 stale session(s) older than 24 h")
    assert not old.exists() and young.exists()


# -- symlinks and the world outside .synapse/ ---------------------------------------------------


def test_symlinked_session_file_is_reported_and_its_target_never_touched(cli, project, sessions_dir, tmp_path):
    """A session file that is a symlink to a stale session elsewhere: reported; --fix moves the link aside; the target keeps bytes and mtime."""
    register_hook(project)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = outside / "victim.json"
    stale = write_session(project, "victim", age_hours=400)
    stale.rename(target)
    age(target, 400 * HOUR)
    link = session_path(project, "victim")
    link.symlink_to(target)
    before = tree(outside)

    code, report = doctor_json(cli, project)
    assert code == 1
    [finding] = [f for f in report["findings"] if f["severity"] == "problem"]
    assert finding["check"] == "corrupt" and finding["path"] == str(link) and "symlink" in finding["message"]

    code, report = doctor_json(cli, project, "--fix")
    assert code == 0
    assert tree(outside) == before
    [aside] = sessions_dir.glob("victim.json.corrupt-*")
    assert aside.is_symlink() and os.readlink(aside) == str(target)
    assert not link.exists() and not link.is_symlink()


def test_symlinks_inside_the_state_folders_are_never_followed(cli, project, sessions_dir, tmp_path):
    """Symlinks named like temp, lock or metrics files point outside; --fix removes and writes nothing there."""
    register_hook(project)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for name in ("a.tmp", "b.lock"):
        (outside / name).write_text("precious")
        age(outside / name, 400 * HOUR)
    links = [
        (sessions_dir / "s1.json.tmp.4242.139872.abcdef01", outside / "a.tmp"),
        (sessions_dir / "gone.json.lock", outside / "b.lock"),
        (project / ".synapse" / "metrics" / "uap-metrics.json.tmp.1.2.abcdef01", outside / "a.tmp"),
        (project / ".synapse" / "metrics" / "x.json.lock", outside / "b.lock"),
    ]
    for link, target in links:
        link.symlink_to(target)
        age(link, OLD)
    before_outside = tree(outside)
    code, _ = doctor_json(cli, project, "--fix")
    assert code == 0
    assert tree(outside) == before_outside
    for link, target in links:
        assert link.is_symlink() and os.readlink(link) == str(target)


def test_symlinked_sessions_folder_is_reported_and_not_looked_into(cli, project, tmp_path):
    """When .synapse/sessions is a symlink to a folder elsewhere, doctor reports it and --fix deletes or moves nothing there."""
    register_hook(project)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    sessions = project / ".synapse" / "sessions"
    sessions.rmdir()
    sessions.symlink_to(outside, target_is_directory=True)
    # Things doctor would repair if they were in the real sessions folder.
    write_session(outside, "stale1", age_hours=400)
    (outside / "torn.json").write_text("{torn")
    temp_file(outside)
    orphan_lock(outside)
    before = tree(outside)

    code, report = doctor_json(cli, project, "--fix")
    assert code == 1
    [finding] = [f for f in report["findings"] if f["severity"] == "problem"]
    assert finding["check"] == "symlink" and finding["path"] == str(sessions) and finding["fixed"] is None
    assert tree(outside) == before
    assert sessions.is_symlink()


def test_fix_touches_nothing_outside_synapse(cli, project, sessions_dir, tmp_path):
    """With every kind of problem present, --fix changes nothing outside .synapse/, and an old temp file in .aios/ is only a note."""
    register_hook(project)
    _corrupt(project, sessions_dir)
    temp_file(sessions_dir)
    orphan_lock(sessions_dir)
    write_session(project, "stale1", age_hours=400)
    (project / "README.md").write_text("# shop\n")
    aios = project / ".aios"
    aios.mkdir()
    (aios / "session-state.json").write_text("{}")
    aios_temp = temp_file(aios, "session-state.json")
    orphan_lock(aios, "gone-state.json")
    sibling = tmp_path / "sibling"
    sibling.mkdir()
    temp_file(sibling)
    outside_before = {k: v for k, v in tree(tmp_path).items() if "/.synapse" not in k}

    code, report = doctor_json(cli, project, "--fix")
    assert code == 0
    [note] = [f for f in report["findings"] if f["path"] == str(aios_temp)]
    assert note["severity"] == "note" and "delete it by hand" in note["message"]
    assert {k: v for k, v in tree(tmp_path).items() if "/.synapse" not in k} == outside_before


# -- a real process ------------------------------------------------------------------------------


def test_installed_doctor_reports_and_repairs_as_a_real_process(project, sessions_dir):
    """The installed console script: exit 1 with a JSON report, then --fix, then exit 0; nothing on stderr."""
    register_hook(project)
    corrupt, _, _ = _corrupt(project, sessions_dir)
    data = corrupt.read_bytes()
    temp_file(sessions_dir)
    first = run_synapse(["doctor", "--json"], cwd=project)
    assert first.returncode == 1 and first.stderr == b""
    assert {f["check"] for f in json.loads(first.stdout)["findings"]} == {"corrupt", "temp-file"}
    fixed = run_synapse(["doctor", "--fix"], cwd=project)
    assert fixed.returncode == 0 and fixed.stderr == b""
    assert fixed.stdout.decode().splitlines()[-1] == "Healthy after repairs."
    [aside] = sessions_dir.glob("c1.json.corrupt-*")
    assert aside.read_bytes() == data
    again = run_synapse(["doctor"], cwd=project)
    assert again.returncode == 0 and b"set-aside" in again.stdout


def test_unlistable_sessions_folder_is_reported_not_a_crash(project, sessions_dir):
    """Listing .synapse/sessions failing with EACCES (strace) is one problem finding and exit 1, not a traceback."""
    from tests.support.faults import strace_prefix

    register_hook(project)
    cmd = strace_prefix("-P", str(sessions_dir), "-e", "inject=openat:error=EACCES")
    result = run_synapse(["doctor", "--json"], prefix=cmd, cwd=project)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    [finding] = report["findings"]
    assert finding["check"] == "unreadable" and finding["path"] == str(sessions_dir)
    assert "Permission denied" in finding["message"]


def test_a_hook_registered_for_another_editor_removes_the_note(cli, project):
    """A synapse prompt hook in Cursor's hooks.json counts as registered: no hook note."""
    path = project / ".cursor" / "hooks.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"version": 1, "hooks": {"beforeSubmitPrompt": [{"command": installed_hook_command("cursor")}]}}))
    result = cli(project, "doctor", "--json")
    assert [f for f in json.loads(result.stdout)["findings"] if f["check"] == "hook"] == []


def test_a_missing_gitignore_is_a_problem_that_fix_restores(cli, project):
    """Without .synapse/.gitignore, session files would be committed: doctor says so and --fix writes it back."""
    gitignore = project / ".synapse" / ".gitignore"
    gitignore.unlink()
    result = cli(project, "doctor", "--json")
    assert result.exit_code == 1
    assert [f["check"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "problem"] == ["gitignore"]
    fixed = cli(project, "doctor", "--fix", "--json")
    assert fixed.exit_code == 0
    assert gitignore.read_text() == "# SYNAPSE runtime data (auto-generated)\nsessions/\ncache/\n"


def test_unknown_config_keys_are_noted_with_the_closest_known_key(cli, project):
    """A misspelt key under synapse: (silently ignored by the loader) is a doctor note naming the likely key."""
    config = project / ".aios-core" / "core-config.yaml"
    config.parent.mkdir()
    config.write_text("synapse:\n  session:\n    staleTTLHour: 24\n    autoclean: false\n")
    result = cli(project, "doctor", "--json")
    notes = [f["message"] for f in json.loads(result.stdout)["findings"] if f["check"] == "config-key"]
    assert result.exit_code == 0
    assert notes == [
        "unknown key synapse.session.staleTTLHour is ignored; did you mean synapse.session.staleTTLHours?",
        "unknown key synapse.session.autoclean is ignored; did you mean synapse.session.autoClean?",
    ]
