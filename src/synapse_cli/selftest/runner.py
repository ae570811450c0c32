"""``synapse selftest``: the installed synapse, run end to end as editors and scripts run it.

Everything happens in a throwaway project under the temp folder, never in the current
one. The hook is run as an editor runs it: the command registered in the current
project's (or the user's) editor settings, else the one ``hook install`` would write for
this installation, through ``sh -c`` with only ``PATH=/usr/bin:/bin`` and ``HOME``. The
other commands run as subprocesses of this installation's ``synapse``. Each check
reports its outcome, a detail and its duration; the run passes only if every check does.

Not part of the core: it starts subprocesses and removes folders.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from synapse_cli import __version__
from synapse_cli.core.jsonio import dumps_js
from synapse_cli.editors.program import MINIMAL_PATH, choose_program, find_own_program

AGENTS = ("claude", "codex", "gemini", "cursor")
PROMPT_TEXT = "synapse selftest prompt: never stored"
CURSOR_ANSWER = b'{"continue": true}\n'
PROJECT_ENV = {"claude": "CLAUDE_PROJECT_DIR", "gemini": "GEMINI_PROJECT_DIR"}
STALE_AGE_SECONDS = 30 * 24 * 3600
DEFAULT_MAX_HOOK_RATIO = 3.0
TIMING_RUNS = 11


class Check:
    """One named check: whether it passed, what was seen, how long it took."""

    def __init__(self, name: str, ok: bool, detail: str, ms: float):
        self.name = name
        self.ok = ok
        self.detail = detail
        self.ms = ms

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "ms": round(self.ms, 1)}


class CheckFailed(Exception):
    """A check's expectation that did not hold; its message is the check's detail."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _event(agent: str, session_id: str, project: str, name: str = "prompt") -> dict[str, Any]:
    """An editor's event as it arrives on stdin (the fields each agent sends)."""
    if agent == "cursor":
        return {"conversation_id": session_id, "generation_id": str(uuid.uuid4()), "hook_event_name": "beforeSubmitPrompt",
                "workspace_roots": [project], "prompt": PROMPT_TEXT, "attachments": []}
    event: dict[str, Any] = {"session_id": session_id, "transcript_path": None, "cwd": project}
    if name == "session-end":
        event.update(hook_event_name="SessionEnd", reason="prompt_input_exit")
    elif agent == "gemini":
        event.update(hook_event_name="BeforeAgent", timestamp="2026-01-01T00:00:00.000Z", prompt=PROMPT_TEXT)
    else:
        event.update(hook_event_name="UserPromptSubmit", permission_mode="default", prompt=PROMPT_TEXT)
    return event


def _cli_argv() -> list[str]:
    """How to run this installation's ``synapse`` command as a subprocess."""
    program = find_own_program()
    if program is not None:
        console = os.path.join(os.path.dirname(program.path), "synapse.exe" if os.name == "nt" else "synapse")
        if os.path.isfile(console):
            return [console]
    return [sys.executable, "-m", "synapse_cli"]


def _registered_prompt_command(agent: str) -> tuple[str | None, str]:
    """The prompt command registered for ``agent`` around the current folder, and where it was found."""
    from synapse_cli.core.project import resolve_setup_root
    from synapse_cli.editors.checks import Unreadable, linked_settings, prompt_registration, registered_commands

    try:
        root, _how = resolve_setup_root()
    except OSError:
        return None, "no current folder"
    unreadable: list[Unreadable] = []
    entry = prompt_registration(registered_commands(root, unreadable), agent)
    if entry is not None:
        if "--project-dir" in entry.command or "--config" in entry.command:
            return None, f"{entry.path} names its own project or config; not run outside it"
        return entry.command, f"registered in {entry.path}"
    links = linked_settings(unreadable, agent)
    if links:
        # As doctor says it: synapse cannot tell whether the hook is registered behind the link.
        return None, f"none registered where synapse reads; it may be registered behind {links[0].link} (a symlink), which synapse does not read"
    return None, "none registered"


class SelfTest:
    """One self-test run in its own throwaway project."""

    def __init__(self, agents: tuple[str, ...], *, max_hook_ratio: float = DEFAULT_MAX_HOOK_RATIO, timing_runs: int = TIMING_RUNS):
        self.agents = agents
        self.max_hook_ratio = max_hook_ratio
        self.timing_runs = timing_runs
        self.checks: list[Check] = []
        self.base = tempfile.mkdtemp(prefix="synapse-selftest-")
        self.project = os.path.join(self.base, "project")
        os.mkdir(self.project)
        self.cli = _cli_argv()
        self.commands: dict[str, tuple[str, str]] = {}  # agent -> (prompt command, where it came from)
        self.sessions: dict[str, str] = {}

    # -- running things ----------------------------------------------------------

    def editor_env(self, agent: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        if os.name == "nt":
            env = dict(os.environ)
        else:
            env = {"PATH": MINIMAL_PATH, "HOME": os.path.expanduser("~")}
        if agent in PROJECT_ENV:
            env[PROJECT_ENV[agent]] = self.project
        env.update(extra or {})
        return env

    def run_hook(self, command: str, event: dict[str, Any], agent: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        """``command`` run as the editor runs it: through the shell, the event on stdin, from the project."""
        argv = ["/bin/sh", "-c", command] if os.name != "nt" else command
        return subprocess.run(argv, input=json.dumps(event).encode(), cwd=self.project, env=self.editor_env(agent, extra_env),
                              capture_output=True, check=False, timeout=60, shell=os.name == "nt")

    def synapse(self, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*self.cli, "--project-dir", self.project, *args], input=stdin, capture_output=True, check=False, timeout=120)

    def check(self, name: str, body: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail, ok = body(), True
        except CheckFailed as exc:
            detail, ok = str(exc), False
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        self.checks.append(Check(name, ok, detail, (time.perf_counter() - started) * 1000))
        return ok

    def session_file(self, session_id: str) -> str:
        return os.path.join(self.project, ".synapse", "sessions", f"{session_id}.json")

    def read_session(self, session_id: str) -> dict[str, Any]:
        with open(self.session_file(session_id), "rb") as handle:
            session: dict[str, Any] = json.loads(handle.read())
        return session

    def plant_stale_session(self) -> str:
        """A session last active 30 days ago, as an abandoned one looks."""
        session_id = f"selftest-stale-{uuid.uuid4()}"
        when = time.time() - STALE_AGE_SECONDS
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(when))
        data = {"uuid": session_id, "schema_version": "2.0", "started": stamp, "last_activity": stamp, "cwd": self.project,
                "label": "project", "title": None, "prompt_count": 3}
        path = self.session_file(session_id)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dumps_js(data))
        os.utime(path, (when, when))
        return session_id

    # -- the run -----------------------------------------------------------------

    def run(self) -> list[Check]:
        from synapse_cli.selftest.checks import run_all

        try:
            run_all(self)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
        return self.checks

    def environment(self) -> dict[str, Any]:
        import platform

        return {
            "synapse": __version__,
            "python": sys.version.split()[0],
            "python_executable": sys.executable,
            "platform": platform.platform(),
            "cli": self.cli,
            "hook_commands": {agent: {"command": c, "source": s} for agent, (c, s) in self.commands.items()},
            "editor_path": MINIMAL_PATH if os.name != "nt" else "(this process's PATH)",
            "throwaway_project": self.project + " (removed)",
        }


def hook_command_for(agent: str, hook: str = "prompt-submit") -> tuple[str, str]:
    """The command to run for ``agent``: the registered one for prompts, else what ``hook install`` would write."""
    if hook == "prompt-submit":
        command, source = _registered_prompt_command(agent)
        if command is not None:
            return command, source
    else:
        source = "none registered"
    choice = choose_program()
    return choice.command(hook, agent), f"this installation's {choice.form} form; {source}"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
