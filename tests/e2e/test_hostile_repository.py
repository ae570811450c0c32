"""Content a repository can carry, run against the installed ``synapse``: the hook never hangs or runs away,
nothing is written outside the project, and no prompt is lost for good (issue 10).

Each test sets up what a stranger could commit (a FIFO, a symlink, an alias bomb, a huge file) or an odd
condition (a deleted working folder, two installs at once) and checks the three promises.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.files import log_text, read_json
from tests.support.paths import SID
from tests.support.run import assert_silent_success, claude_payload, hook, run_synapse, synapse_executable
from tests.support.sessions import session_path

pytestmark = pytest.mark.skipif(os.name == "nt", reason="FIFOs, symlinks and /dev/zero are POSIX")

ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
) + "synapse:\n  session: *a8\n"


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()


def timed_hook(project: Path, env: dict | None = None, **changes) -> float:
    """Run one prompt hook and return how long it took; it must exit 0 silently."""
    changes.setdefault("cwd", str(project))
    started = time.monotonic()
    result = hook(claude_payload(**changes), cwd=project, env=env, timeout=60)
    elapsed = time.monotonic() - started
    assert_silent_success(result)
    return elapsed


# -- item 2: the config is bounded -----------------------------------------------------------------


def test_yaml_alias_bomb_costs_nothing_and_writes_nothing_large(project: Path) -> None:
    """349 bytes of nested aliases: the hook still records the prompt quickly; cache and log stay small."""
    (project / ".aios-core").mkdir()
    config = project / ".aios-core" / "core-config.yaml"
    config.write_text(ALIAS_BOMB)
    past = time.time() - 60
    os.utime(config, (past, past))  # old enough to be cached
    for _ in range(2):
        assert timed_hook(project) < 3.0
    assert read_json(session_path(project, SID))["prompt_count"] == 2
    cache = project / ".synapse" / "cache" / "config-cache.json"
    assert cache.exists() and cache.stat().st_size < 4096
    assert (project / ".synapse" / "cache" / "synapse.log").stat().st_size < 8192
    assert "aliases are expanded" in log_text(project)
    shown = run_synapse(["config", "show", "--json"], cwd=project, timeout=20)
    assert shown.returncode == 1 and b"aliases" in shown.stderr
    assert any("aliases" in p for p in json.loads(shown.stdout)["problems"])


def test_huge_config_is_refused_at_once(project: Path) -> None:
    """A 100 MB config (sparse here) is not parsed: the prompt is recorded within the editor's budget."""
    (project / ".aios-core").mkdir()
    config = project / ".aios-core" / "core-config.yaml"
    with open(config, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    assert timed_hook(project) < 3.0
    assert read_json(session_path(project, SID))["prompt_count"] == 1
    assert "larger than" in log_text(project)


def test_values_quoted_in_messages_are_truncated(project: Path) -> None:
    """A 500 KB bad value is quoted in a few dozen characters, in the log and on stderr."""
    (project / ".aios-core").mkdir()
    (project / ".aios-core" / "core-config.yaml").write_text("synapse:\n  session:\n    staleTTLHours: '" + "x" * 500_000 + "'\n")
    assert timed_hook(project) < 3.0
    assert len(log_text(project)) < 4096
    result = run_synapse(["session", "list"], cwd=project)
    assert result.returncode == 1 and len(result.stderr) < 1024 and b"staleTTLHours" in result.stderr


# -- item 3: a long cwd ----------------------------------------------------------------------------


def test_megabyte_cwd_is_not_searched(project: Path) -> None:
    """A 640 KB cwd in the event (longer than any real path) costs nothing: it is not a project."""
    assert timed_hook(project, cwd="/a" * 320_000) < 3.0


# -- item 4: every file read is bounded, regular, not blocking -------------------------------------


def test_config_fifo_or_dev_zero_never_hangs(project: Path) -> None:
    """The project config as a FIFO, or SYNAPSE_CONFIG=/dev/zero: hook and `config show` return at once."""
    (project / ".aios-core").mkdir()
    os.mkfifo(project / ".aios-core" / "core-config.yaml")
    assert timed_hook(project) < 3.0
    assert timed_hook(project, env={"SYNAPSE_CONFIG": "/dev/zero"}) < 3.0
    shown = run_synapse(["config", "show"], cwd=project, env={"SYNAPSE_CONFIG": "/dev/zero"}, timeout=20)
    assert shown.returncode == 1 and b"not a regular file" in shown.stderr and b"staleTTLHours" in shown.stdout
    assert read_json(session_path(project, SID))["prompt_count"] == 2


def test_editor_settings_fifo_or_dev_zero_never_hang_doctor(project: Path) -> None:
    """`.codex/hooks.json` a FIFO and `.cursor/hooks.json` a link to /dev/zero: doctor finishes."""
    (project / ".codex").mkdir()
    os.mkfifo(project / ".codex" / "hooks.json")
    (project / ".cursor").mkdir()
    (project / ".cursor" / "hooks.json").symlink_to("/dev/zero")
    result = run_synapse(["doctor"], cwd=project, timeout=20)
    assert result.returncode in (0, 1), result.stderr
    install = run_synapse(["hook", "install", "--agent", "codex"], cwd=project, timeout=20)
    assert install.returncode == 1 and b"not a regular file" in install.stderr


# -- items 7-9: never written through a link, never outside ----------------------------------------


def test_symlinked_metrics_folder_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    metrics = project / ".synapse" / "metrics"
    metrics.rmdir()
    metrics.symlink_to(outside)
    result = run_synapse(["metrics", "persist", "--kind", "uap", "-"], input=b'{"agentId": "dev"}', cwd=project)
    assert result.returncode == 1, result.stderr
    assert b"symlink" in result.stderr
    assert files_under(outside) == set()


def test_symlinked_cache_folder_gets_no_log(project: Path, tmp_path: Path) -> None:
    """`.synapse/cache` committed as a link: neither a CLI command nor the hook writes through it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".synapse" / "cache").symlink_to(outside)
    session_path(project, "s1").write_text("{ not json")  # updating it logs that it was set aside
    assert run_synapse(["--debug", "session", "list"], cwd=project).returncode in (0, 1)
    assert run_synapse(["session", "update", "s1"], cwd=project).returncode in (0, 1)
    timed_hook(project)
    assert files_under(outside) == set()


def test_symlinked_synapse_folder_gets_nothing_created(tmp_path: Path) -> None:
    """A `.synapse` that is a link: `session update` refuses before creating .gitignore, sessions/ or metrics/."""
    project = tmp_path / "project"
    project.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".synapse").symlink_to(outside)
    result = run_synapse(["session", "update", "s1"], cwd=project)
    assert result.returncode == 1 and b"symlink" in result.stderr
    assert files_under(outside) == set()


def test_dangling_settings_link_is_not_followed(project: Path, tmp_path: Path) -> None:
    """`.claude/settings.json` a dangling link: hook install refuses and creates nothing where it points."""
    target = tmp_path / "elsewhere" / "settings.json"
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").symlink_to(target)
    result = run_synapse(["hook", "install"], cwd=project)
    assert result.returncode == 1 and b"does not exist" in result.stderr
    assert not target.parent.exists()
    assert os.readlink(project / ".claude" / "settings.json") == str(target)


def test_deleted_working_folder_does_not_fall_back_to_home(tmp_path: Path) -> None:
    """From a deleted folder the CLI says so and writes nothing in $HOME."""
    gone = tmp_path / "gone"
    gone.mkdir()
    home = Path(os.environ["HOME"])
    before = files_under(home)
    script = f"import os,subprocess,sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); " \
             f"r=subprocess.run([{synapse_executable()!r}, 'session', 'update', 's1'], capture_output=True); " \
             "sys.stderr.buffer.write(r.stderr); sys.exit(r.returncode)"
    result = subprocess.run(["python3", "-c", script], capture_output=True, timeout=30)
    assert result.returncode == 1, result.stderr
    assert b"deleted" in result.stderr
    assert files_under(home) == before


# -- items 14, 15: hook install keeps strict JSON, and a lock -------------------------------------


def test_install_keeps_number_spellings(project: Path) -> None:
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{\n  "a": 1E2,\n  "b": 0.10000000000000000001,\n  "c": 1e400,\n  "d": -0,\n  "e": 12345678901234567890\n}\n')
    result = run_synapse(["hook", "install"], cwd=project)
    assert result.returncode == 0, result.stderr
    text = settings.read_text()
    for spelling in ('"a": 1E2', '"b": 0.10000000000000000001', '"c": 1e400', '"d": -0', '"e": 12345678901234567890'):
        assert spelling in text
    assert "Infinity" not in text and "UserPromptSubmit" in text


@pytest.mark.parametrize(("content", "message"), [
    ('{"hooks": {}, "hooks": {"x": []}}', b"duplicate key 'hooks'"),
    ('{"a": NaN}', b"NaN is not JSON"),
    ('{"a": -Infinity}', b"-Infinity is not JSON"),
])
def test_install_refuses_what_is_not_strict_json(project: Path, content: str, message: bytes) -> None:
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(content)
    result = run_synapse(["hook", "install"], cwd=project)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert settings.read_text() == content and not Path(str(settings) + ".bak").exists()


def test_concurrent_installs_lose_nothing(project: Path) -> None:
    """Two installs at once into one file (session-start and session-end): both entries, every time."""
    settings = project / ".claude" / "settings.json"
    for trial in range(12):
        if settings.exists():
            settings.unlink()
        procs = [
            subprocess.Popen([synapse_executable(), "hook", "install", flag], cwd=project,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for flag in ("--with-session-start", "--with-session-end")
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
        hooks = json.loads(settings.read_text())["hooks"]
        assert {"UserPromptSubmit", "SessionStart", "SessionEnd"} <= set(hooks), (trial, sorted(hooks))


# -- items 18, 19: config layering and cache ------------------------------------------------------


def test_flag_or_env_rescues_an_invalid_file_value(project: Path) -> None:
    (project / ".aios-core").mkdir()
    (project / ".aios-core" / "core-config.yaml").write_text("synapse:\n  lock:\n    timeoutSeconds: -1\n")
    assert run_synapse(["session", "update", "s1"], cwd=project).returncode == 1
    rescued = run_synapse(["session", "update", "s1"], cwd=project, env={"SYNAPSE_LOCK_TIMEOUT_SECONDS": "2"})
    assert rescued.returncode == 0, rescued.stderr
    shown = run_synapse(["config", "show", "--json"], cwd=project)
    assert shown.returncode == 1 and b"timeoutSeconds" in shown.stderr  # shown, and named as a problem
    document = json.loads(shown.stdout)
    assert document["settings"]["synapse.lock.timeoutSeconds"]["value"] == 5
    assert any("timeoutSeconds" in p for p in document["problems"])


def test_cache_sees_an_edit_that_restores_the_mtime(project: Path) -> None:
    """An in-place edit of the same size with its mtime put back still takes effect (ctime is in the key)."""
    (project / ".aios-core").mkdir()
    config = project / ".aios-core" / "core-config.yaml"
    config.write_text("synapse:\n  session:\n    autoClean: true\n")
    past = time.time() - 60
    os.utime(config, (past, past))
    timed_hook(project)
    assert json.loads((project / ".synapse" / "cache" / "config-cache.json").read_text())["values"]["synapse.session.autoClean"] is True
    mtime = config.stat().st_mtime_ns
    time.sleep(0.05)
    with open(config, "r+") as handle:
        handle.write("synapse:\n  session:\n    autoClean: fals\n".replace("fals", "off "))
    os.utime(config, ns=(mtime, mtime))
    time.sleep(2.1)  # past the window in which a fresh change is not cached
    timed_hook(project)
    cached = json.loads((project / ".synapse" / "cache" / "config-cache.json").read_text())
    assert cached["values"]["synapse.session.autoClean"] is False


# -- items 1 and 6: lock files are never FIFOs waited on, never links followed ----------------------


def stale_session(project: Path, session_id: str) -> Path:
    from tests.support.sessions import write_session

    return write_session(project, session_id, age_hours=400)


def test_fifo_beside_a_session_blocks_nothing(project: Path) -> None:
    """FIFOs named like the old sidecar locks (`<id>.json.lock`): hook, cleanups and doctor all finish at once."""
    os.mkfifo(project / ".synapse" / "sessions" / f"{SID}.json.lock")
    stale_session(project, "old1")
    os.mkfifo(project / ".synapse" / "sessions" / "old1.json.lock")
    env = {"SYNAPSE_CLEANUP_GRACE_MS": "5000"}
    assert timed_hook(project, env=env) < 5.0
    assert read_json(session_path(project, SID))["prompt_count"] == 1
    for args in (["session", "clean"], ["doctor", "--fix"]):
        result = run_synapse(args, cwd=project, timeout=20)
        assert result.returncode in (0, 1), (args, result.stderr)
    start = run_synapse(["hook", "session-start"], input=claude_payload(cwd=str(project), session_id="s2"), cwd=project, timeout=20)
    assert_silent_success(start)
    assert not session_path(project, "old1").exists()  # the stale session went, FIFO or not


def test_fifo_in_the_lock_folder_is_refused_not_waited_on(project: Path) -> None:
    """A FIFO committed as the session's lock file: the prompt is not recorded but nothing hangs; doctor --fix repairs it."""
    from tests.support.sessions import session_lock_path

    lock = session_lock_path(project / ".synapse" / "sessions", SID)
    os.mkfifo(lock)
    assert timed_hook(project) < 3.0
    assert "not a regular file" in log_text(project)
    update = run_synapse(["session", "update", SID], cwd=project, timeout=20)
    assert update.returncode == 1 and b"not a regular file" in update.stderr
    fixed = run_synapse(["doctor", "--fix", "--json"], cwd=project, timeout=20)
    assert any(f["check"] == "lock-file" and f["fixed"] == "removed" for f in json.loads(fixed.stdout)["findings"])
    timed_hook(project)
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_symlinked_lock_files_create_nothing_outside(project: Path, tmp_path: Path) -> None:
    """Dangling links committed as lock files (old sidecar names and the lock folder's): nothing is created where they point."""
    from tests.support.sessions import session_lock_path, state_lock_path

    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".synapse" / "sessions" / f"{SID}.json.lock").symlink_to(outside / "a")
    stale_session(project, "old1")
    (project / ".synapse" / "sessions" / "old1.json.lock").symlink_to(outside / "b")
    (project / ".aios").mkdir()
    (project / ".aios" / "session-state.json.lock").symlink_to(outside / "c")
    session_lock_path(project / ".synapse" / "sessions", "s9").symlink_to(outside / "d")
    state_lock_path(project).symlink_to(outside / "e") if not state_lock_path(project).is_symlink() else None
    timed_hook(project)
    timed_hook(project, session_id="s9")
    run_synapse(["session", "clean"], cwd=project, timeout=20)
    run_synapse(["state", "update", "--command", "x"], cwd=project, timeout=20)
    run_synapse(["session", "update", "s9"], cwd=project, timeout=20)
    assert files_under(outside) == set()
    assert read_json(session_path(project, SID))["prompt_count"] == 1


def test_symlinked_aios_folder_is_refused(project: Path, tmp_path: Path) -> None:
    """`.aios` committed as a link: `state update` refuses and creates nothing (neither state nor lock) where it points."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".aios").symlink_to(outside)
    result = run_synapse(["state", "update", "--command", "x"], cwd=project, timeout=20)
    assert result.returncode == 1 and b"symlink" in result.stderr
    assert files_under(outside) == set()


# -- item 5: a hook stopped by a signal exits 0, quietly --------------------------------------------


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_hook_stopped_by_a_signal_exits_0_quietly(project: Path, signal_name: str) -> None:
    import signal

    proc = subprocess.Popen([synapse_executable(), "hook", "prompt-submit"], cwd=project, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)  # waiting for the event on stdin, which the editor never closes
    proc.send_signal(getattr(signal, signal_name))
    out, err = proc.communicate(timeout=20)
    proc.stdin.close()
    assert (proc.returncode, out, err) == (0, b"", b"")


# -- item 11: a cleanup that cannot start never costs the prompt -----------------------------------


def test_prompt_is_recorded_when_no_thread_can_start(project: Path) -> None:
    """Every clone fails (as in a pids cgroup at its limit): the first prompt's cleanup does not start, the prompt is recorded."""
    from tests.support.faults import strace_prefix

    prefix = strace_prefix("-e", "trace=clone,clone3", "-e", "inject=clone,clone3:error=EAGAIN")
    for _ in range(2):
        result = hook(claude_payload(cwd=str(project)), cwd=project, prefix=prefix, timeout=60)
        assert_silent_success(result)
    assert read_json(session_path(project, SID))["prompt_count"] == 2
    assert "cleanup not started" in log_text(project)


# -- item 12: what loads but cannot be written is set aside -----------------------------------------


@pytest.mark.parametrize("field", ['"prompt_count": ' + "9" * 311, '"overrides": ' + '{"a": ' * 600 + "1" + "}" * 600])
def test_session_that_cannot_be_written_back_is_set_aside(project: Path, field: str) -> None:
    path = session_path(project, SID)
    path.write_text('{"uuid": "%s", "schema_version": "2.0", %s}' % (SID, field))
    doctor = run_synapse(["doctor", "--json"], cwd=project)
    assert any(f["check"] == "corrupt" for f in json.loads(doctor.stdout)["findings"])
    timed_hook(project)
    assert read_json(path)["prompt_count"] == 1
    [aside] = list(path.parent.glob(f"{SID}.json.corrupt-*"))
    assert field.encode() in aside.read_bytes()
    timed_hook(project)
    assert read_json(path)["prompt_count"] == 2
    assert len(log_text(project)) < 8192  # no traceback per prompt


# -- item 13: state update on numbers JSON cannot hold -----------------------------------------------


def test_state_update_on_infinite_and_nan_numbers(project: Path) -> None:
    state = project / ".aios" / "session-state.json"
    state.parent.mkdir()
    state.write_text('{"sessionId": "session-1-a", "startTime": 1e400, "lastActivity": NaN, "lastCommands": [1e400]}')
    result = run_synapse(["state", "update", "--command", "x"], cwd=project)
    assert result.returncode == 0, result.stderr
    assert read_json(state)["lastCommands"][-1] == "x"


# -- item 16: a failure after the change is committed says so ---------------------------------------


def test_active_agent_folder_is_refused_before_anything_changes(project: Path) -> None:
    run_synapse(["session", "update", "s1"], cwd=project)
    (project / ".synapse" / "sessions" / "_active-agent.json").mkdir()
    result = run_synapse(["session", "update", "s1", "--agent", "dev"], cwd=project)
    assert result.returncode == 1 and b"nothing changed" in result.stderr
    assert read_json(session_path(project, "s1"))["prompt_count"] == 1


def test_output_failure_after_the_update_says_the_update_was_made(project: Path) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([synapse_executable(), "session", "update", "s1"], cwd=project, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1
    assert b"session s1 was created (prompt 1), but the output could not be written" in result.stderr
    assert read_json(session_path(project, "s1"))["prompt_count"] == 1


# -- item 17: a marker from the future does not switch cleanup off ----------------------------------


def test_future_dated_start_cleanup_marker_does_not_switch_cleanup_off(project: Path) -> None:
    from tests.support.sessions import write_session

    marker = project / ".synapse" / "cache" / "last-start-cleanup"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("")
    future = time.time() + 365 * 86400
    os.utime(marker, (future, future))
    stale = write_session(project, "old1", age_hours=400)
    start = run_synapse(["hook", "session-start"], input=claude_payload(cwd=str(project), session_id="s2"), cwd=project)
    assert_silent_success(start)
    assert not stale.exists()


# -- a move-aside that cannot finish leaves no copy -------------------------------------------------


def test_failed_move_aside_leaves_no_extra_copy(project: Path) -> None:
    """The corrupt file cannot be removed (as on Windows while another process has it open): no copy piles up per prompt."""
    from tests.support.faults import strace_prefix

    path = session_path(project, SID)
    path.write_text("{ corrupt")
    prefix = strace_prefix("-P", str(path), "-e", "inject=unlink,unlinkat:error=EBUSY")
    for _ in range(3):
        assert_silent_success(hook(claude_payload(cwd=str(project)), cwd=project, prefix=prefix, timeout=60))
    assert list(path.parent.glob(f"{SID}.json.corrupt-*")) == []
    assert path.read_text() == "{ corrupt"
