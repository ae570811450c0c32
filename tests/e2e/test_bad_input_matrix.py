"""The bad-input matrix: one row per kind of bad input, each run against the installed ``synapse``.

Every row asserts the documented exit code, a clear message (``synapse: ...`` on stderr for
commands; for the hook an empty stdout and stderr and a line in ``.synapse/cache/synapse.log``)
and that no file was lost or damaged: the whole test folder (the project, a folder beside it,
symlinks and folders included) is snapshotted before and after, and only the files a row names
may be created, changed, moved aside (with their content) or removed.

``docs/reliability.md`` holds the table rendered from these rows; regenerate it with
``python -m tests.e2e.test_bad_input_matrix`` (a test checks that the two agree).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from tests.support.faults import read_only_prefix, strace_prefix
from tests.support.files import log_text, read_json, snapshot
from tests.support.paths import REPO_ROOT
from tests.support.run import claude_payload, run_synapse, synapse_executable
from tests.support.sessions import write_session

SESSIONS = "project/.synapse/sessions"
S1 = f"{SESSIONS}/s1.json"
METRICS = "project/.synapse/metrics/uap-metrics.json"
CONFIG = "project/.aios-core/core-config.yaml"
TTL_KEY = "synapse.session.staleTTLHours"
LOCK_TIMEOUT_ENV = {"SYNAPSE_LOCK_TIMEOUT_SECONDS": "0.3"}
DOC = REPO_ROOT / "docs" / "reliability.md"


# -- the test folder --------------------------------------------------------------------------


@dataclass
class Ctx:
    """One row's world: ``base`` holds ``project/`` (initialised, populated) and ``outside/``."""

    base: Path
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    mount: Path | None = None

    @property
    def project(self) -> Path:
        return self.base / "project"

    @property
    def sessions(self) -> Path:
        return self.project / ".synapse" / "sessions"

    def path(self, rel: str) -> Path:
        return self.base / rel


def populate(project: Path, outside: Path) -> None:
    """A project with two sessions, the bridge file, a metrics file and a file of its own; a canary outside."""
    from synapse_cli.core.project import init_project

    project.mkdir(parents=True)
    init_project(str(project))
    write_session(project, "s1", prompt_count=3)
    write_session(project, "other", prompt_count=9)
    sessions = project / ".synapse" / "sessions"
    (sessions / "_active-agent.json").write_text('{\n  "id": "dev",\n  "activated_at": "2026-11-26T15:16:42.939Z",\n  "activation_quality": "full",\n  "source": "uap"\n}')
    (project / ".synapse" / "metrics" / "uap-metrics.json").write_text('{\n  "agentId": "dev",\n  "totalDuration": 42\n}')
    (project / "README.md").write_text("# shop\n")
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "canary.json").write_text('{"canary": true}')


# -- how a row runs ------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    stdout: bytes
    stderr: bytes
    seconds: float


def _timed(run: Callable[[], subprocess.CompletedProcess]) -> Outcome:
    started = time.monotonic()
    result = run()
    return Outcome(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


def run_hook(payload: bytes | Callable[[Ctx], bytes], *, env: dict | None = None, prefix: Callable[[Ctx], list[str]] | None = None,
             where: str = "project") -> Callable[[Ctx], Outcome]:
    def act(ctx: Ctx) -> Outcome:
        data = payload(ctx) if callable(payload) else payload
        cmd = prefix(ctx) if prefix else []
        return _timed(lambda: run_synapse(["hook", "prompt-submit"], prefix=cmd, input=data, cwd=ctx.base / where, env=env))

    return act


def run_command(*args: str, stdin: bytes = b"", env: dict | None = None, prefix: Callable[[Ctx], list[str]] | None = None) -> Callable[[Ctx], Outcome]:
    def act(ctx: Ctx) -> Outcome:
        cmd = prefix(ctx) if prefix else []
        return _timed(lambda: run_synapse(args, prefix=cmd, input=stdin, cwd=ctx.project, env=env))

    return act


def run_in_process(*args: str) -> Callable[[Ctx], Outcome]:
    """For arguments no process can receive (a NUL in argv makes execve fail): the same app, invoked in process."""

    def act(ctx: Ctx) -> Outcome:
        from typer.testing import CliRunner

        from synapse_cli.cli.app import app

        started = time.monotonic()  # the log the app configures is put back by the autouse fixture
        result = CliRunner().invoke(app, ["--project-dir", str(ctx.project), *args], catch_exceptions=False)
        return Outcome(result.exit_code, result.stdout_bytes, result.stderr_bytes, time.monotonic() - started)

    return act


def run_hook_with_stdin_left_open(ctx: Ctx) -> Outcome:
    """The hook with a pipe on stdin that is never written to nor closed."""
    started = time.monotonic()
    proc = subprocess.Popen([synapse_executable(), "hook", "prompt-submit"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ctx.project)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    seconds = time.monotonic() - started
    out, err = proc.stdout.read(), proc.stderr.read()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        stream.close()
    return Outcome(proc.returncode, out, err, seconds)


def payload(**changes) -> Callable[[Ctx], bytes]:
    """The Claude Code prompt event for the row's project, with fields changed (``session_id=MISSING`` drops it)."""

    def build(ctx: Ctx) -> bytes:
        event = json.loads(claude_payload(cwd=str(ctx.project), session_id="s1"))
        for key, value in changes.items():
            if value is MISSING:
                event.pop(key, None)
            else:
                event[key] = value
        return json.dumps(event).encode()

    return build


MISSING = object()


# -- setups --------------------------------------------------------------------------------------


def put_session(content: bytes) -> Callable[[Ctx], None]:
    def setup(ctx: Ctx) -> None:
        ctx.path(S1).write_bytes(content)

    return setup


def session_is_folder(ctx: Ctx) -> None:
    path = ctx.path(S1)
    path.unlink()
    path.mkdir()
    (path / "notes.txt").write_text("kept inside the folder")


def session_is_symlink(ctx: Ctx) -> None:
    target = ctx.path("outside/target-session.json")
    target.write_bytes(ctx.path(S1).read_bytes())
    ctx.path(S1).unlink()
    ctx.path(S1).symlink_to(target)


def session_with(**fields) -> Callable[[Ctx], None]:
    def setup(ctx: Ctx) -> None:
        data = read_json(ctx.path(S1))
        data.update(fields)
        ctx.path(S1).write_text(json.dumps(data, indent=2))

    return setup


def config(text: str) -> Callable[[Ctx], None]:
    def setup(ctx: Ctx) -> None:
        path = ctx.path(CONFIG)
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)

    return setup


def config_with_sessions_to_clean(text: str) -> Callable[[Ctx], None]:
    """A bad config plus a 200-hour-old and a 100-hour-old session: the default TTL (168 h) removes only the first."""

    def setup(ctx: Ctx) -> None:
        config(text)(ctx)
        write_session(ctx.project, "stale-200h", age_hours=200)
        write_session(ctx.project, "recent-100h", age_hours=100)

    return setup


def default_ttl_was_used(ctx: Ctx) -> None:
    assert not (ctx.sessions / "stale-200h.json").exists(), "the default TTL (168 h) should have removed a 200 h old session"
    assert (ctx.sessions / "recent-100h.json").exists()
    assert read_json(ctx.sessions / "fresh-session.json")["prompt_count"] == 1


def hold_lock(ctx: Ctx) -> None:
    from tests.support.sessions import session_lock_path

    fd = os.open(session_lock_path(ctx.sessions, "s1"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    ctx.cleanups.append(lambda: os.close(fd))


def no_synapse_folder(ctx: Ctx) -> None:
    bare = ctx.base / "bare"
    bare.mkdir()
    (bare / "main.py").write_text("print('hi')\n")


def nothing_created_in_bare(ctx: Ctx) -> None:
    assert sorted(p.name for p in (ctx.base / "bare").iterdir()) == ["main.py"]


def full_disk(ctx: Ctx) -> None:
    """Move the project onto a 1 MiB tmpfs (mounted here, as root) and fill it to the last byte."""
    mount = ctx.base / "tiny-fs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill (needs root and mount rights): {done.stderr.decode(errors='replace').strip()}")
    ctx.cleanups.append(lambda: subprocess.run(["umount", "-l", str(mount)], capture_output=True))
    ctx.mount = mount
    # The project moves onto the small file system; ``project`` becomes a link to it (the
    # snapshot does not follow the link but walks ``tiny-fs/`` itself).
    import shutil

    shutil.copytree(ctx.project, mount / "project", symlinks=True)
    shutil.rmtree(ctx.project)
    ctx.project.symlink_to(mount / "project")
    for name, block in (("filler", 65536), ("filler2", 512), ("filler3", 1)):
        with open(mount / name, "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * block)
            except OSError:
                pass


def no_space_in(ctx: Ctx) -> None:
    """The file system was still full after the run (the row tested a full disk, not a nearly full one)."""
    import errno

    with pytest.raises(OSError) as raised:
        with open(ctx.mount / "probe", "wb", buffering=0) as handle:
            handle.write(b"x" * 4096)
    assert raised.value.errno == errno.ENOSPC
    os.unlink(ctx.mount / "probe")


def fresh_session_counted(ctx: Ctx) -> None:
    fresh = read_json(ctx.path(S1))
    assert fresh["schema_version"] == "2.0" and fresh["prompt_count"] == 1 and fresh["uuid"] == "s1"


# -- the rows ----------------------------------------------------------------------------------


@dataclass
class Row:
    id: str
    input: str  # the bad input, for the table
    command: str  # the command, for the table
    act: Callable[[Ctx], Outcome]
    exit: int
    message: tuple[str, ...] = ()  # substrings of the stderr line (commands) or of the log (hook)
    behaviour: str = ""  # what happens besides the message, for the table
    intact: str = "every file"  # what stays intact, for the table
    setup: Callable[[Ctx], None] | None = None
    may_change: tuple[str, ...] = ()  # created or rewritten on purpose
    set_aside: str | None = None  # moved to ``<path>.corrupt-*`` with its content
    may_remove: tuple[str, ...] = ()  # removed on purpose (stale sessions)
    check: Callable[[Ctx], None] | None = None
    max_seconds: float | None = None

    @property
    def is_hook(self) -> bool:
        return self.command.startswith("hook")

    def doc_behaviour(self) -> str:
        said = " … ".join(f"`{m}`" for m in self.message)
        if self.is_hook:
            text = "silent; log: " + said if said else "silent"
        elif said:
            text = f"`synapse: …` {said}" if self.exit == 1 else f"usage: {said}"
        else:
            text = ""
        return "; ".join(t for t in (text, self.behaviour) if t).replace("|", "\\|")


def hook_row(id: str, input: str, act, message: tuple[str, ...] | str = (), **kw) -> Row:
    return Row(id, input, kw.pop("command", "hook prompt-submit"), act, 0, (message,) if isinstance(message, str) else message, **kw)


def cmd_row(id: str, input: str, command: str, act, exit: int, message: tuple[str, ...] | str, **kw) -> Row:
    return Row(id, input, command, act, exit, (message,) if isinstance(message, str) else message, **kw)


def _big_payload() -> bytes:
    return b'{"session_id": "s1", "prompt": "' + b"x" * (20 * 1024 * 1024) + b'"}'


SESSION_INTACT = "s1.json and every other file"
MOVED = "the bad entry, moved to `s1.json.corrupt-*` as it was (bytes, folder contents or link target)"
ID_CASES = [
    # id suffix, table input, value, message
    ("empty", "session id `\"\"`", "", "session id is empty"),
    ("very-long", "session id of 5,000 characters", "a" * 5000, "characters long (at most 200)"),
    ("dotdot-slash-x", "session id `../x`", "../x", "contains a path separator"),
    ("a-slash-b", "session id `a/b`", "a/b", "contains a path separator"),
    ("a-backslash-b", "session id `a\\b`", "a\\b", "contains a path separator"),
    ("dotdot", "session id `..`", "..", "contains '..'"),
    ("nul", "session id with a NUL (`a\\0b`)", "a\x00b", "contains a NUL character"),
]
FILE_CASES = [
    # id suffix, table input, setup, message
    ("corrupt", "session file: torn JSON", put_session(b'{"uuid": "s1", "schema_versi'), "does not parse as JSON"),
    ("empty", "session file: empty (0 bytes)", put_session(b""), "does not parse as JSON"),
    ("directory", "session file: a directory", session_is_folder, "is not a regular file"),
    ("symlink", "session file: a symlink to a file outside", session_is_symlink, "is a symlink"),
    ("schema-1.0", "session file: `schema_version` 1.0", session_with(schema_version="1.0"), "schema_version '1.0' is not '2.0'"),
    ("wrong-field-types", "session file: `prompt_count` a string", session_with(prompt_count="seven"), "prompt_count should be a non-negative integer"),
]
CONFIG_CASES = [
    # id suffix, table input, file text, message for commands
    ("bad-yaml", "config: invalid YAML", "synapse: [unclosed\n", ("core-config.yaml", "invalid YAML: line 2")),
    ("ttl-not-a-number", "config: `staleTTLHours: soon`", "synapse:\n  session:\n    staleTTLHours: soon\n", ("core-config.yaml", TTL_KEY, "must be a number")),
    ("ttl-negative", "config: `staleTTLHours: -5`", "synapse:\n  session:\n    staleTTLHours: -5\n", ("core-config.yaml", TTL_KEY, "must be a positive number")),
    ("ttl-zero", "config: `staleTTLHours: 0`", "synapse:\n  session:\n    staleTTLHours: 0\n", ("core-config.yaml", TTL_KEY, "must be a positive number")),
    ("ttl-huge", "config: `staleTTLHours: 1e12`", "synapse:\n  session:\n    staleTTLHours: 1.0e+12\n", ("core-config.yaml", TTL_KEY, "must be at most 876000")),
]


def build_rows() -> list[Row]:
    rows: list[Row] = []
    add = rows.append

    # stdin
    add(hook_row("hook-stdin-malformed-json", "stdin: malformed JSON", run_hook(b'{"session_id": "s1", "prompt": '), "payload is not valid JSON"))
    add(hook_row("hook-stdin-empty", "stdin: empty", run_hook(b""), "empty payload on stdin"))
    add(hook_row("hook-stdin-binary", "stdin: binary (PNG header)", run_hook(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff"), "payload is not UTF-8"))
    add(hook_row("hook-stdin-non-utf8", "stdin: JSON in Latin-1", run_hook('{"session_id": "s1", "prompt": "café"}'.encode("latin-1")), "payload is not UTF-8 (byte 35)"))
    add(hook_row("hook-stdin-20mb", "stdin: 20 MB", run_hook(lambda ctx: _big_payload()), "payload is larger than 8388608 bytes"))
    add(hook_row("hook-stdin-never-closes", "stdin: pipe left open, nothing written", run_hook_with_stdin_left_open,
                 "stdin sent no complete event within 2 s and did not close", behaviour="ends after the 2 s read bound (< 3 s)", max_seconds=3.0))
    add(cmd_row("session-update-patch-stdin-empty", "`--patch -` with empty stdin", "session update", run_command("session", "update", "s1", "--patch", "-"),
                1, "--patch: stdin is empty (expected a JSON object)", intact=SESSION_INTACT))
    add(cmd_row("session-update-patch-stdin-non-utf8", "`--patch -` with Latin-1 stdin", "session update",
                run_command("session", "update", "s1", "--patch", "-", stdin='{"title": "café"}'.encode("latin-1")), 1, "--patch is not UTF-8 text", intact=SESSION_INTACT))
    add(cmd_row("metrics-persist-stdin-binary", "stdin: binary", "metrics persist", run_command("metrics", "persist", "-", stdin=b"\x89PNG\r\n\x1a\n\xff"),
                1, "metrics on stdin is not UTF-8 text", intact="uap-metrics.json"))
    add(cmd_row("metrics-persist-stdin-20mb-garbage", "stdin: 20 MB of garbage", "metrics persist",
                run_command("metrics", "persist", "-", stdin=b"x" * (20 * 1024 * 1024)), 1, "metrics on stdin: stdin holds more than 16 MiB", intact="uap-metrics.json"))

    # session ids
    add(hook_row("hook-id-missing", "no `session_id` field", run_hook(payload(session_id=MISSING)), "session id must be a string, not NoneType"))
    add(hook_row("hook-id-non-string", "`session_id` a number", run_hook(payload(session_id=12345)), "session id must be a string, not int"))
    for suffix, text, value, message in ID_CASES:
        add(hook_row(f"hook-id-{suffix}", text, run_hook(payload(session_id=value)), (message, "nothing recorded"),
                     intact="every file; nothing created anywhere"))
    for command in ("update", "show"):
        add(cmd_row(f"session-{command}-id-missing", "no session id argument", f"session {command}", run_command("session", command), 2,
                    "Missing argument 'SESSION_ID'"))
        for suffix, text, value, message in ID_CASES:
            act = run_in_process("session", command, value) if "\x00" in value else run_command("session", command, value)
            note = "run in process: execve cannot pass a NUL" if "\x00" in value else ""
            add(cmd_row(f"session-{command}-id-{suffix}", text, f"session {command}", act, 1, message, behaviour=note,
                        intact="every file; nothing created anywhere"))

    # session files
    for suffix, text, setup, message in FILE_CASES:
        add(hook_row(f"hook-session-file-{suffix}", text, run_hook(payload()), (message, "started afresh"), setup=setup,
                     behaviour="moved aside; a fresh session counts the prompt", intact=MOVED + "; every other file",
                     set_aside=S1, may_change=(S1,), check=fresh_session_counted))
    for suffix, text, setup, message in FILE_CASES:
        add(cmd_row(f"session-show-session-file-{suffix}", text, "session show", run_command("session", "show", "s1"), 1,
                    ("s1.json", message), setup=setup, behaviour="left in place", intact="the bad entry as it was; every other file"))

    # config
    for suffix, text, yaml_text, message in CONFIG_CASES:
        add(cmd_row(f"session-clean-config-{suffix}", text, "session clean", run_command("session", "clean"), 1, message,
                    setup=config_with_sessions_to_clean(yaml_text),
                    behaviour=("names file and line" if suffix == "bad-yaml" else "names file and key") + "; cleans nothing",
                    intact="every session, stale ones too"))
        add(hook_row(f"hook-config-{suffix}", text, run_hook(payload(session_id="fresh-session"), env={"SYNAPSE_CLEANUP_GRACE_MS": "5000"}),
                     ("core-config.yaml", "using the default"), setup=config_with_sessions_to_clean(yaml_text),
                     behaviour="default TTL used: 200 h session removed, 100 h kept", intact="every file but the 200 h session",
                     may_change=(f"{SESSIONS}/fresh-session.json",), may_remove=(f"{SESSIONS}/stale-200h.json",), check=default_ttl_was_used))

    # read-only, missing .synapse
    add(hook_row("hook-read-only-synapse-dir", "`.synapse/` read-only (bind mount)",
                 run_hook(payload(), prefix=lambda ctx: read_only_prefix(ctx.project / ".synapse", ctx.base.parent)),
                 behaviour="the log is read-only too, so nothing is logged"))
    add(hook_row("hook-read-only-sessions-dir", "`.synapse/sessions/` read-only (bind mount)",
                 run_hook(payload(), prefix=lambda ctx: read_only_prefix(ctx.sessions, ctx.base.parent)), ("Read-only file system", "session not updated")))
    add(cmd_row("session-update-read-only-synapse-dir", "`.synapse/` read-only (bind mount)", "session update",
                run_command("session", "update", "s1", prefix=lambda ctx: read_only_prefix(ctx.project / ".synapse", ctx.base.parent)), 1,
                "Read-only file system", intact=SESSION_INTACT))
    add(hook_row("hook-no-synapse-dir", "no `.synapse/` folder", run_hook(lambda ctx: claude_payload(cwd=str(ctx.base / "bare")), where="bare"),
                 setup=no_synapse_folder, behaviour="nothing created", intact="the folder, exactly", check=nothing_created_in_bare))

    # full disk
    add(hook_row("hook-disk-full-tmpfs", "disk full (1 MiB tmpfs filled)", run_hook(payload(), prefix=None), setup=full_disk,
                 behaviour="the log cannot be written either; no temp file left", intact=SESSION_INTACT, check=no_space_in))
    add(cmd_row("session-update-disk-full-tmpfs", "disk full (1 MiB tmpfs filled)", "session update", run_command("session", "update", "s1"), 1,
                "No space left on device", setup=full_disk, behaviour="no temp file left", intact=SESSION_INTACT, check=no_space_in))
    add(cmd_row("metrics-persist-disk-full-tmpfs", "disk full (1 MiB tmpfs filled)", "metrics persist",
                run_command("metrics", "persist", "-", stdin=b'{"agentId": "qa", "totalDuration": 7}'), 1, "No space left on device",
                setup=full_disk, behaviour="no temp file left", intact="uap-metrics.json", check=no_space_in))
    add(hook_row("hook-disk-full-fsync-strace", "ENOSPC on every fsync (strace)",
                 run_hook(payload(), prefix=lambda ctx: strace_prefix("-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC")),
                 ("No space left on device", "session not updated"), behaviour="no temp file left", intact=SESSION_INTACT))

    # held lock
    add(hook_row("hook-lock-held", "the lock of `s1.json` flocked by another process", run_hook(payload(), env=LOCK_TIMEOUT_ENV),
                 ("timed out after 0.3 s waiting for the lock", ".synapse/cache/locks/"), setup=hold_lock, behaviour="gives up after SYNAPSE_LOCK_TIMEOUT_SECONDS",
                 intact=SESSION_INTACT, max_seconds=3.0))
    add(cmd_row("session-update-lock-held", "the lock of `s1.json` flocked by another process", "session update",
                run_command("session", "update", "s1", env=LOCK_TIMEOUT_ENV), 1, ("timed out after 0.3 s waiting for the lock", ".synapse/cache/locks/"),
                setup=hold_lock, intact=SESSION_INTACT, max_seconds=5.0))

    # --patch
    add(cmd_row("session-update-patch-not-json", "`--patch '{title: x'`", "session update", run_command("session", "update", "s1", "--patch", "{title: x"),
                1, "--patch is not valid JSON", intact=SESSION_INTACT))
    add(cmd_row("session-update-patch-json-array", "`--patch '[1, 2]'`", "session update", run_command("session", "update", "s1", "--patch", "[1, 2]"),
                1, "--patch must be a JSON object, not list", intact=SESSION_INTACT))
    add(cmd_row("session-update-patch-changes-uuid", "`--patch '{\"uuid\": \"other\"}'`", "session update",
                run_command("session", "update", "s1", "--patch", '{"uuid": "other"}'), 1, "a session update may not change 'uuid'", intact=SESSION_INTACT))
    add(cmd_row("session-update-patch-wrong-type", "`--patch '{\"prompt_count\": \"x\"}'`", "session update",
                run_command("session", "update", "s1", "--patch", '{"prompt_count": "x"}'), 1, "the update would make the session invalid", intact=SESSION_INTACT))

    # metrics persist
    for suffix, text, data, message in [
        ("not-json", "metrics: not JSON", b"{agentId: dev", "metrics on stdin is not valid JSON"),
        ("json-array", "metrics: a JSON array", b'[{"agentId": "dev"}]', "metrics on stdin must be a JSON object, not list"),
        ("wrong-field-type", "metrics: `agentId` a number", b'{"agentId": 42}', "agentId must be a string, got 42"),
        ("negative-duration", "metrics: `totalDuration: -5`", b'{"agentId": "dev", "totalDuration": -5}', "totalDuration must not be negative, got -5"),
        ("bad-loader", "metrics: a loader that is not an object", b'{"loaders": {"a": 3}}', "loaders.a must be an object, got int"),
    ]:
        add(cmd_row(f"metrics-persist-{suffix}", text, "metrics persist", run_command("metrics", "persist", "-", stdin=data), 1, message,
                    intact="uap-metrics.json, byte for byte"))
    return rows


ROWS = build_rows()


# -- the test ------------------------------------------------------------------------------------


def _compare(row: Row, before: dict[str, tuple], after: dict[str, tuple]) -> None:
    """No entry lost or damaged, beyond what the row allows; a set-aside entry is found whole under its new name."""
    rename: dict[str, str] = {}
    if row.set_aside:
        asides = sorted(k for k in after if k.startswith(row.set_aside + ".corrupt-") and "/" not in k[len(row.set_aside):])
        assert len(asides) == 1, f"expected one set-aside copy of {row.set_aside}, found {asides}"
        rename = {row.set_aside: asides[0]}
    accounted = set()
    for key, value in before.items():
        target = key
        for old, new in rename.items():
            if key == old or key.startswith(old + "/"):
                target = new + key[len(old):]
        accounted.add(target)
        if key in row.may_remove or (key in row.may_change and target == key):
            continue
        assert after.get(target) == value, f"{key} was lost or damaged (now {target}: {str(after.get(target))[:120]})"
    created = set(after) - accounted
    unexpected = sorted(k for k in created if k not in row.may_change)
    assert unexpected == [], f"unexpected new entries: {unexpected}"


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input_matrix(tmp_path: Path, row: Row) -> None:
    """Each bad input gets its documented exit code and message, and no file is lost or damaged."""
    ctx = Ctx(tmp_path)
    populate(ctx.project, tmp_path / "outside")
    try:
        if row.setup:
            row.setup(ctx)
        before = snapshot(tmp_path)
        log_before = log_text(ctx.project)
        outcome = row.act(ctx)
        after = snapshot(tmp_path)
        stderr = outcome.stderr.decode("utf-8", "replace")
        assert outcome.code == row.exit, (outcome.code, stderr)
        if row.is_hook:
            assert outcome.stdout == b"", outcome.stdout
            assert outcome.stderr == b"", stderr
            new_log = log_text(ctx.project)[len(log_before):]
            for text in row.message:
                assert text in new_log, f"{text!r} not in the log: {new_log!r}"
        elif row.exit == 1:
            lines = stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("synapse: "), stderr
            assert outcome.stdout == b""
            for text in row.message:
                assert text in lines[0], f"{text!r} not in {lines[0]!r}"
        else:
            for text in row.message:
                assert text in stderr
        if row.max_seconds is not None:
            assert outcome.seconds < row.max_seconds, f"took {outcome.seconds:.2f} s"
        assert not [k for k in after if ".tmp." in k.rsplit("/", 1)[-1]], "a temp file was left behind"
        _compare(row, before, after)
        if row.check:
            row.check(ctx)
    finally:
        for cleanup in reversed(ctx.cleanups):
            cleanup()


# -- the table in docs/reliability.md --------------------------------------------------------------


def render_table() -> str:
    """The matrix as the markdown table of docs/reliability.md."""
    lines = ["| input | command | exit code | message / behaviour | what stays intact | test id |", "|---|---|---|---|---|---|"]
    for row in ROWS:
        cells = [row.input, f"`{row.command}`", str(row.exit), row.doc_behaviour(), row.intact, f"`{row.id}`"]
        lines.append("| " + " | ".join(c.replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


def test_matrix_is_large_enough_and_ids_are_unique():
    """The matrix has at least 30 rows and no two share an id."""
    ids = [row.id for row in ROWS]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


def test_every_row_is_documented_in_reliability_md():
    """docs/reliability.md names every row id and holds the table exactly as rendered from the rows."""
    text = DOC.read_text(encoding="utf-8")
    missing = [row.id for row in ROWS if f"`{row.id}`" not in text]
    assert missing == [], f"rows missing from {DOC}: {missing}"
    assert render_table() in text, "the matrix table in docs/reliability.md is out of date: python -m tests.e2e.test_bad_input_matrix"


if __name__ == "__main__":
    print(render_table())
