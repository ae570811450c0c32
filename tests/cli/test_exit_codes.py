"""Exit codes, the one-line failure report, pure ``--json`` output, and unexpected errors."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from synapse_cli.core.sessions.store import SessionStore
from tests.support.output import one_error_line
from tests.support.paths import JS_WRITTEN
from tests.support.run import claude_payload, run_synapse
from tests.support.sessions import state_lock_path, write_session


@pytest.mark.parametrize(
    "args",
    [
        ["bogus-command"],
        ["session", "list", "--bogus"],
        ["session", "update"],
        ["session", "show"],
        ["session", "update", "s1", "--quality"],
        ["state", "update", "--nope"],
        ["metrics", "persist", "--kind", "x"],
        ["config", "show", "extra"],
        ["--bogus", "session", "list"],
    ],
)
def test_usage_errors_outside_hook_exit_2(cli, project, args):
    """A usage error anywhere but under ``hook`` exits 2 with the usage on stderr and nothing on stdout."""
    result = cli(project, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Usage" in result.stderr or "Error" in result.stderr


@pytest.mark.parametrize("group", ["session", "state", "metrics", "config"])
def test_a_group_without_a_subcommand_shows_help_and_exits_2(cli, project, group):
    """``synapse GROUP`` alone shows that group's help and exits 2 (a usage error outside ``hook``)."""
    result = cli(project, group)
    assert result.exit_code == 2
    assert f"synapse {group}" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["hook", "prompt-submit", "--bogus"],
        ["hook", "prompt-submit", "extra-argument"],
        ["hook", "no-such-hook"],
        ["hook"],
        ["--bogus", "hook", "prompt-submit"],
        ["hook", "prompt-submit", "--agent"],
    ],
)
def test_usage_errors_under_hook_exit_0_silently_and_are_logged(project, args):
    """A usage error under ``hook`` (the real console script) exits 0 with empty stdout and stderr, and the problem goes to the project's log."""
    result = run_synapse(["--project-dir", str(project), *args], input=b"{}", cwd=project)
    assert result.returncode == 0
    assert result.stdout == b""
    assert result.stderr == b""
    log = (project / ".synapse" / "cache" / "synapse.log").read_text()
    assert "WARNING synapse hook:" in log


def test_usage_error_under_hook_reaches_stderr_only_with_debug(project):
    """With ``--debug`` the hook's usage error is also printed on stderr; stdout stays empty and the exit code 0."""
    result = run_synapse(["--project-dir", str(project), "--debug", "hook", "prompt-submit", "--bogus"], cwd=project)
    assert result.returncode == 0
    assert result.stdout == b""
    assert b"--bogus" in result.stderr


JSON_COMMANDS = [
    ["init", "--json"],
    ["session", "update", "s1", "--agent", "dev", "--json"],
    ["session", "show", "existing", "--json"],
    ["session", "list", "--json"],
    ["session", "delete", "existing", "--json"],
    ["session", "clean", "--json"],
    ["session", "clean", "--dry-run", "--ttl", "1", "--json"],
    ["state", "update", "--command", "x", "--json"],
    ["metrics", "persist", str(JS_WRITTEN / "uap-metrics.json"), "--json"],
    ["config", "show", "--json"],
]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("args", JSON_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_json_output_is_plain_json_and_nothing_else(cli, project, args, debug):
    """``--json`` prints exactly one JSON document on stdout (even with --debug) and no colour codes."""
    write_session(project, "existing")
    result = cli(project, *(["--debug"] if debug else []), *args)
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)
    assert result.stdout.endswith("\n") and "\x1b[" not in result.stdout
    if not debug:
        assert result.stderr == ""


def test_state_lock_timeout_is_an_expected_failure(cli, project):
    """A held lock on .aios/session-state.json (in .synapse/cache/locks/) makes ``state update`` exit 1 with one line naming the lock."""
    assert cli(project, "state", "update", "--command", "a").exit_code == 0
    path = project / ".aios" / "session-state.json"
    before = path.read_bytes()
    lock = state_lock_path(project)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = cli(project, "state", "update", "--command", "b", env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "0.2"})
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert str(lock) in one_error_line(result.stderr)
    assert path.read_bytes() == before


def test_sessions_folder_that_is_a_file_is_an_io_failure(cli, project):
    """When .synapse/sessions is a file, ``session update`` exits 1 with one line and does not touch it."""
    sessions = project / ".synapse" / "sessions"
    sessions.rmdir()
    sessions.write_text("in the way")
    result = cli(project, "session", "update", "s1")
    assert result.exit_code == 1
    one_error_line(result.stderr)
    assert sessions.read_text() == "in the way"


def test_unexpected_exception_gives_one_line_and_a_logged_traceback(cli, project, monkeypatch):
    """An unexpected exception exits 1 with one ``synapse: unexpected error`` line; the traceback is in the log file."""

    def explode(self):
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(SessionStore, "list", explode)
    result = cli(project, "session", "list")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith("synapse: unexpected error: RuntimeError: kaboom")
    log_file = project / ".synapse" / "cache" / "synapse.log"
    assert str(log_file) in line
    log = log_file.read_text()
    assert "Traceback (most recent call last)" in log
    assert "in explode" in log and "RuntimeError: kaboom" in log
    assert result.stdout == ""


def test_unexpected_exception_outside_a_project_logs_to_the_user_cache(cli, tmp_path, monkeypatch):
    """Without a project log, the traceback goes to $XDG_CACHE_HOME/synapse/synapse.log, named in the one line."""

    import synapse_cli.cli.init_cmd as init_cmd

    def explode(root, fsync=True):
        raise RuntimeError("no project")

    # init is the command that runs outside a project (the others refuse to).
    monkeypatch.setattr(init_cmd, "init_project", explode)
    bare = tmp_path / "bare"
    bare.mkdir()
    result = cli(bare, "init")
    assert result.exit_code == 1
    fallback = Path(os.environ["XDG_CACHE_HOME"]) / "synapse" / "synapse.log"
    assert str(fallback) in one_error_line(result.stderr)
    assert "RuntimeError: no project" in fallback.read_text()


def test_unexpected_exception_under_hook_exits_0_and_stays_off_stdout_and_stderr(cli, project, monkeypatch):
    """Even an unexpected exception in the hook command exits 0 with empty stdout/stderr; the traceback is logged."""

    def explode(*args, **kwargs):
        raise RuntimeError("hook blew up")

    monkeypatch.setattr(SessionStore, "update", explode)
    result = cli(project, "hook", "prompt-submit", input=claude_payload(cwd=str(project)))
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    log = (project / ".synapse" / "cache" / "synapse.log").read_text()
    assert "RuntimeError: hook blew up" in log and "Traceback" in log
