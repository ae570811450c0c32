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


def registered_commands(project_root: str, unreadable: list[tuple[str, SettingsFileError]] | None = None) -> list[Registration]:
    """Every synapse command registered for the project: all agents, all scopes, all events.

    Settings files that cannot be read are listed in ``unreadable`` as (path, why); so
    are the project's own reached through a link, which are not read.
    """
    found = []
    for agent, spec in AGENTS.items():
        for scope in spec.scopes:
            path = settings_path(agent, scope, project_root)
            try:
                settings, _text = read_settings(path, links_below=links_refused_below(agent, scope, project_root))
            except SettingsFileError as exc:
                if unreadable is not None:
                    unreadable.append((path, exc))
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


def check_registered_commands(report: DoctorReport, project_root: str) -> list[Registration]:
    """Add a problem for each registered synapse command that would not run where the editor runs it."""
    unreadable: list[tuple[str, SettingsFileError]] = []
    registrations = registered_commands(project_root, unreadable)
    for path, exc in unreadable:
        if isinstance(exc, LinkedSettingsError):
            _report_link(report, exc)
            continue
        report.add(NOTE, "settings", path, f"{str(exc).split(': ', 1)[-1]}; the editor may ignore the hooks in it")
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


def _report_link(report: DoctorReport, exc: LinkedSettingsError) -> None:
    """A project's editor folder or settings file that is a link: a problem, reported once per link.

    The editor may follow it, but ``hook install`` refuses to write through it and doctor
    does not read through it: a committed link can point anywhere. Not fixed by ``--fix``:
    whether the link or its target is the one to keep is the user's call.
    """
    if any(f.check == "symlink" and f.path == exc.link for f in report.findings):
        return  # .claude serves two scopes: one finding
    report.add(
        PROBLEM, "symlink", exc.link,
        f"is a symlink to {exc.target}: synapse does not read or write a project's editor settings through a link "
        f"(`hook install` refuses it); make it a real {exc.kind}, or register synapse with --scope user",
    )
