"""Checks of what is registered in editors' settings, for ``synapse doctor``.

A hook entry that names a program the editor cannot start fails on every prompt, and
the editor usually says nothing (or a notice the user learns to ignore). So each of
synapse's registered commands, in every agent's settings and scope, must resolve to an
executable with the minimal PATH editors may run hooks with, from whatever folder the
session is in (a relative path such as ``venv/bin/synapse-hook`` does not).
"""

from __future__ import annotations

import os

from synapse_cli.core.doctor import NOTE, PROBLEM, DoctorReport
from synapse_cli.editors.program import MINIMAL_PATH, RELATIVE_REASON, check_command
from synapse_cli.editors.settings import (
    AGENTS,
    PROMPT,
    LinkedSettingsError,
    SettingsFileError,
    handlers_of,
    is_own_command,
    links_refused_below,
    read_settings,
    settings_path,
)


class Registration:
    """One synapse handler found in an editor's settings."""

    def __init__(self, agent: str, scope: str, path: str, event: str, command: str):
        self.agent = agent
        self.scope = scope
        self.path = path
        self.event = event
        self.command = command


class Unreadable:
    """A settings file doctor could not read, or (a project's, through a link) would not."""

    def __init__(self, agent: str, scope: str, path: str, error: SettingsFileError):
        self.agent = agent
        self.scope = scope
        self.path = path
        self.error = error


def registered_commands(project_root: str, unreadable: list[Unreadable] | None = None) -> list[Registration]:
    """Every synapse command registered for the project: all agents, all scopes, all events.

    Settings files that cannot be read are listed in ``unreadable``; so are the project's
    own reached through a link, which are not read.
    """
    found = []
    for agent, spec in AGENTS.items():
        for scope in spec.scopes:
            path = settings_path(agent, scope, project_root)
            try:
                settings, _text = read_settings(path, links_below=links_refused_below(agent, scope, project_root))
            except SettingsFileError as exc:
                if unreadable is not None:
                    unreadable.append(Unreadable(agent, scope, path, exc))
                continue
            table = settings.get("hooks")
            if not isinstance(table, dict):
                continue
            for event, entries in table.items():
                for handler in handlers_of(entries, spec.flat):
                    command = handler.get("command")
                    if isinstance(command, str) and is_own_command(command):
                        found.append(Registration(agent, scope, path, event, command))
    return found


def prompt_registration(registrations: list[Registration], agent: str) -> Registration | None:
    """Where ``agent``'s prompt hook is registered among ``registrations`` (the first scope that has it), or None."""
    event = AGENTS[agent].events[PROMPT]
    return next((r for r in registrations if r.agent == agent and r.event == event), None)


def linked_settings(unreadable: list[Unreadable], agent: str | None = None) -> list[LinkedSettingsError]:
    """The project's editor folders or settings files (of ``agent``, or any) not read because they are links, once each."""
    links: dict[str, LinkedSettingsError] = {}
    for entry in unreadable:
        if isinstance(entry.error, LinkedSettingsError) and agent in (None, entry.agent):
            links.setdefault(entry.error.link, entry.error)  # .claude serves two scopes: one link
    return list(links.values())


def check_registered_commands(report: DoctorReport, project_root: str) -> list[Registration]:
    """Note whether the prompt hook is registered, report linked settings, and add a problem for each
    registered synapse command that would not run where the editor runs it."""
    unreadable: list[Unreadable] = []
    registrations = registered_commands(project_root, unreadable)
    _note_unregistered(report, registrations, unreadable)
    for unread in unreadable:
        if isinstance(unread.error, LinkedSettingsError):
            _report_link(report, unread.error, prompt_registration(registrations, unread.agent))
            continue
        report.add(NOTE, "settings", unread.path, f"{str(unread.error).split(': ', 1)[-1]}; the editor may ignore the hooks in it")
    for entry in registrations:
        _resolved, reason = check_command(entry.command, project_root)
        if reason is None:
            continue
        fix = f"run `synapse hook install --agent {entry.agent} --scope {entry.scope}` to write a command that does"
        if reason.endswith(RELATIVE_REASON):
            # It starts from the project folder, so "cannot start" would be untrue there.
            message = f"{entry.agent} {entry.event} runs `{entry.command}`, which fails once the agent leaves the project folder: {reason}; {fix}"
        else:
            where = "PATH" if os.name == "nt" else f"PATH={MINIMAL_PATH}"
            message = f"{entry.agent} {entry.event} runs `{entry.command}`, which an editor cannot start (from {project_root}, {where}): {reason}; {fix}"
        report.add(PROBLEM, "hook-command", entry.path, message)
    return registrations


def _note_unregistered(report: DoctorReport, registrations: list[Registration], unreadable: list[Unreadable]) -> None:
    """A note when no editor's settings that synapse reads register the prompt hook.

    Behind a project's linked editor folder it may well be registered: synapse cannot tell,
    and `hook install` there would be refused, so the note says so instead of suggesting it.
    """
    if any(prompt_registration(registrations, agent) for agent in AGENTS):
        return
    links = linked_settings(unreadable)
    if not links:
        report.add(
            NOTE, "hook", None,
            "the prompt hook is not registered for any editor (Claude Code, Codex, Gemini CLI, Cursor): "
            "run `synapse hook install` (--agent for the others)",
        )
        return
    names = ", ".join(link.link for link in links)
    report.add(
        NOTE, "hook", None,
        f"the prompt hook is not registered in any editor settings synapse reads; it may be registered behind {names} "
        "(a symlink), which synapse does not read; `synapse hook install --scope user` registers it where synapse can read it",
    )


def _report_link(report: DoctorReport, exc: LinkedSettingsError, registered: Registration | None) -> None:
    """A project's editor folder or settings file that is a link, reported once per link.

    The editor may follow it, but ``hook install`` refuses to write through it and doctor
    does not read through it: a committed link can point anywhere. It is a problem while
    that editor's prompt hook is registered nowhere synapse reads, since then nothing shows
    that the hook runs; once it is (``--scope user``), a team that links the folder on
    purpose is fine, and the link is a note. Not fixed by ``--fix``: whether the link or its
    target is the one to keep is the user's call.
    """
    if any(f.check == "symlink" and f.path == exc.link for f in report.findings):
        return  # .claude serves two scopes: one finding
    if registered is not None:
        report.add(
            NOTE, "symlink", exc.link,
            f"is a symlink to {exc.target}; synapse does not read or write through it; "
            f"the hook is registered at {registered.scope} scope ({registered.path})",
        )
        return
    report.add(
        PROBLEM, "symlink", exc.link,
        f"is a symlink to {exc.target}: synapse does not read or write a project's editor settings through a link "
        f"(`hook install` refuses it); make it a real {exc.kind}, or register synapse with --scope user",
    )
