"""The checks of ``synapse selftest``, in the order a new project meets them."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
import uuid
from typing import TYPE_CHECKING

from synapse_cli.core.atomic import is_temp_name
from synapse_cli.core.errors import LockTimeoutError
from synapse_cli.core.jsonio import dumps_js
from synapse_cli.core.locking import LEGACY_LOCK_SUFFIX, FileLock, locks_folder
from synapse_cli.selftest.runner import (
    CURSOR_ANSWER,
    PROMPT_TEXT,
    _event,
    expect,
    hook_command_for,
    median_ms,
)

if TYPE_CHECKING:
    import subprocess

    from synapse_cli.selftest.runner import SelfTest


def _tail(data: bytes, limit: int = 300) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text[-limit:] if text else "(nothing)"


def _ran(result: subprocess.CompletedProcess[bytes], what: str) -> None:
    """A command of synapse's CLI exited 0."""
    expect(result.returncode == 0, f"`{what}` exited {result.returncode}: {_tail(result.stderr)}")


def check_init(t: SelfTest) -> str:
    result = t.synapse("init")
    _ran(result, "synapse init")
    expect(os.path.isdir(os.path.join(t.project, ".synapse", "sessions")), "no .synapse/sessions/ after init")
    return f"set up {t.project}/.synapse"


def fire(t: SelfTest, agent: str, command: str, event: dict, extra_env: dict | None = None) -> None:
    """One hook run that must look like success to the editor: exit 0, the agent's answer on stdout, nothing on stderr."""
    result = t.run_hook(command, event, agent, extra_env)
    expect(result.returncode != 127, f"`{command}`: not found by the editor's shell (exit 127): {_tail(result.stderr)}")
    expect(result.returncode == 0, f"`{command}` exited {result.returncode} (an editor shows a hook error): {_tail(result.stderr)}")
    wanted = CURSOR_ANSWER if agent == "cursor" else b""
    expect(result.stdout == wanted, f"`{command}` printed {result.stdout[:200]!r} on stdout, expected {wanted!r}")
    expect(result.stderr == b"", f"`{command}` wrote on stderr: {_tail(result.stderr)}")


def check_prompt(t: SelfTest, agent: str) -> str:
    command, source = t.commands[agent] = hook_command_for(agent)
    session_id = str(uuid.uuid4())
    t.sessions[agent] = session_id
    for _ in range(2):
        fire(t, agent, command, _event(agent, session_id, t.project))
    expect(os.path.isfile(t.session_file(session_id)), f"no session file {session_id}.json after two prompts")
    data = t.read_session(session_id)
    expect(data.get("prompt_count") == 2, f"prompt_count is {data.get('prompt_count')!r} after two prompts, expected 2")
    with open(t.session_file(session_id), "rb") as handle:
        expect(PROMPT_TEXT.encode() not in handle.read(), "the prompt text was stored in the session file")
    answer = 'answered {"continue": true}' if agent == "cursor" else "stdout empty"
    return f"`{command}` ({source}): exit 0, {answer}, prompt_count 2, prompt text not stored"


def check_session_end(t: SelfTest) -> str:
    command, source = hook_command_for("claude", "session-end")
    session_id = t.sessions["claude"]
    fire(t, "claude", command, _event("claude", session_id, t.project, "session-end"))
    data = t.read_session(session_id)
    expect(data.get("end_reason") == "prompt_input_exit" and bool(data.get("ended_at")), f"session-end not recorded: end_reason={data.get('end_reason')!r}")
    return f"`{command}` ({source}): ended_at and end_reason recorded"


def check_first_prompt_cleanup(t: SelfTest) -> str:
    agent = t.agents[0]
    stale = t.plant_stale_session()
    command, _source = t.commands[agent]
    # The cleanup runs beside the prompt; a longer grace lets this run see it finish.
    fire(t, agent, command, _event(agent, str(uuid.uuid4()), t.project), {"SYNAPSE_CLEANUP_GRACE_MS": "5000"})
    expect(not os.path.lexists(t.session_file(stale)), f"the stale session {stale} is still there after a new session's first prompt")
    return f"a session idle 30 days was removed by a new session's first prompt ({agent})"


def check_session_commands(t: SelfTest) -> str:
    session_id = str(uuid.uuid4())
    _ran(t.synapse("session", "update", session_id, "--title", "selftest"), "synapse session update")
    result = t.synapse("session", "show", session_id, "--json")
    _ran(result, "synapse session show --json")
    shown = json.loads(result.stdout)
    session = shown.get("session", shown) if isinstance(shown, dict) else {}
    expect(session.get("title") == "selftest" and session.get("prompt_count") == 1, f"session show printed {result.stdout[:300]!r}")
    stale = t.plant_stale_session()
    result = t.synapse("session", "clean", "--json")
    _ran(result, "synapse session clean --json")
    expect(stale in result.stdout.decode() and not os.path.lexists(t.session_file(stale)), f"session clean did not remove {stale}: {_tail(result.stdout)}")
    return "update created the session, show printed it, clean removed a stale one"


def check_metrics_and_state(t: SelfTest) -> str:
    result = t.synapse("metrics", "persist", "--kind", "hook", stdin=b'{"totalDuration": 12, "perLayer": {}}')
    _ran(result, "synapse metrics persist --kind hook")
    expect(os.path.isfile(os.path.join(t.project, ".synapse", "metrics", "hook-metrics.json")), "no hook-metrics.json written")
    result = t.synapse("state", "update", "--agent", "dev", "--agent-name", "Dex", "--command", "*develop")
    _ran(result, "synapse state update")
    expect(os.path.isfile(os.path.join(t.project, ".aios", "session-state.json")), "no .aios/session-state.json written")
    return "hook-metrics.json and .aios/session-state.json written"


def _data_files(t: SelfTest) -> list[str]:
    found = []
    for folder in (os.path.join(t.project, ".synapse", "sessions"), os.path.join(t.project, ".synapse", "metrics"), os.path.join(t.project, ".aios")):
        if os.path.isdir(folder):
            found += [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".json")]
    return found


def check_js_format(t: SelfTest) -> str:
    files = _data_files(t)
    expect(bool(files), "no data files to check")
    for path in files:
        with open(path, "rb") as handle:
            raw = handle.read()
        expected = dumps_js(json.loads(raw)).encode("utf-8")
        expect(raw == expected, f"{os.path.relpath(path, t.project)} is not written as JSON.stringify(value, null, 2) writes it")
    return f"{len(files)} file(s) byte-identical to JSON.stringify(value, null, 2)"


def check_doctor(t: SelfTest) -> str:
    result = t.synapse("doctor", "--json")
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    problems = [f for f in report.get("findings", []) if f.get("severity") == "problem"]
    expect(result.returncode == 0 and report.get("healthy") is True,
           f"doctor exited {result.returncode}: " + "; ".join(f"{p.get('check')}: {p.get('message')}" for p in problems)[:500])
    return f"healthy ({len(report.get('findings', []))} note(s))"


def check_leftovers(t: SelfTest) -> str:
    temps, stray, held, locks = [], [], [], 0
    locks_dir = locks_folder(os.path.join(t.project, ".synapse"))
    for folder, _dirs, names in os.walk(t.project):
        for name in names:
            path = os.path.join(folder, name)
            if is_temp_name(name):
                temps.append(os.path.relpath(path, t.project))
            elif name.endswith(LEGACY_LOCK_SUFFIX) and folder != locks_dir:
                stray.append(os.path.relpath(path, t.project))
    for name in sorted(os.listdir(locks_dir)) if os.path.isdir(locks_dir) else []:
        locks += 1
        lock = FileLock(os.path.join(t.project, ".synapse"), "", 0)
        lock.path = os.path.join(locks_dir, name)  # this very file, whatever key it serves
        try:
            lock.acquire()
            lock.release()
        except (LockTimeoutError, OSError):
            held.append(name)
    expect(not temps, f"temp files left behind: {', '.join(temps)}")
    expect(not stray, f"lock files outside .synapse/cache/locks/: {', '.join(stray)}")
    expect(not held, f"locks still held after every command ended: {', '.join(held)}")
    return f"no temp file; {locks} lock file(s) in .synapse/cache/locks/, each free"


def check_hook_time(t: SelfTest) -> str:
    agent = t.agents[0]
    command, _source = t.commands[agent]
    event = _event(agent, t.sessions[agent], t.project)
    bare = f"'{sys.executable}' -c pass" if os.name != "nt" else f'"{sys.executable}" -c pass'
    hook_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(t.timing_runs):  # interleaved, so that a busy moment hits both alike
        for samples, line in ((bare_times, bare), (hook_times, command)):
            started = time.perf_counter()
            result = t.run_hook(line, event, agent)
            samples.append(time.perf_counter() - started)
            expect(result.returncode == 0, f"`{line}` exited {result.returncode}")
    hook_ms, bare_ms = median_ms(hook_times), median_ms(bare_times)
    ratio = hook_ms / bare_ms if bare_ms else float("inf")
    detail = f"hook median {hook_ms:.1f} ms, bare interpreter start {bare_ms:.1f} ms: {ratio:.2f}x (limit {t.max_hook_ratio:g}x, {t.timing_runs} runs each)"
    expect(ratio <= t.max_hook_ratio, detail)
    return detail


def run_all(t: SelfTest) -> None:
    if not t.check("init", lambda: check_init(t)):
        return
    working = [agent for agent in t.agents if t.check(f"hook {agent} prompt-submit", functools.partial(check_prompt, t, agent))]
    if "claude" in working:
        t.check("hook claude session-end", lambda: check_session_end(t))
    if working:
        t.agents = tuple(working)
        t.check("first-prompt cleanup", lambda: check_first_prompt_cleanup(t))
    t.check("session update/show/clean", lambda: check_session_commands(t))
    t.check("metrics persist and state update", lambda: check_metrics_and_state(t))
    t.check("JS file format", lambda: check_js_format(t))
    t.check("doctor", lambda: check_doctor(t))
    t.check("no temp or lock file left", lambda: check_leftovers(t))
    if working:
        t.check("hook time", lambda: check_hook_time(t))
