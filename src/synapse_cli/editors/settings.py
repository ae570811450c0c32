"""Registering synapse in an editor's hook settings, without disturbing anything else there.

Each agent keeps its hooks in a JSON file: an event name maps to a list of groups,
each holding a list of handlers (Cursor: a flat list of handlers). synapse recognises
its own handlers by their command text (editors strip unknown marker keys), so
installing twice leaves one entry and uninstalling removes only synapse's entries,
pruning only the groups and events it left empty. Every other key, hook and group is
kept as it was. A settings file that is not strict JSON (``NaN``, duplicate keys...) is
never overwritten, numbers keep the user's spelling (``1E2``, ``0.10``, ``1e400``: Node
reads them as written), and synapse never writes anything Node's ``JSON.parse`` refuses.
Two installs at once are serialised by a lock, so neither loses the other's entry.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

from synapse_cli.core.atomic import atomic_write
from synapse_cli.core.errors import InvalidInputError, SynapseError
from synapse_cli.editors.created import CreatedSettings
from synapse_cli.editors.program import PROGRAM_NAMES, Choice, check_command, choose_program

PROMPT = "prompt-submit"
SESSION_START = "session-start"
SESSION_END = "session-end"


class AgentSpec:
    """Where one agent keeps its hook settings and how its entries look."""

    def __init__(self, name: str, events: dict[str, str], scopes: dict[str, str], *, timeout: int | None, flat: bool = False, async_key: bool = False):
        self.name = name
        self.events = events          # synapse hook -> the agent's event name
        self.scopes = scopes          # scope -> settings path; "~" is the user's home, else project-relative
        self.timeout = timeout        # in the agent's unit (Gemini: milliseconds)
        self.flat = flat              # Cursor: event -> [handler], no groups
        self.async_key = async_key    # Claude Code runs handlers with "async": true in the background


AGENTS: dict[str, AgentSpec] = {
    "claude": AgentSpec(
        "claude",
        {PROMPT: "UserPromptSubmit", SESSION_START: "SessionStart", SESSION_END: "SessionEnd"},
        {"project": ".claude/settings.json", "local": ".claude/settings.local.json", "user": "~/.claude/settings.json"},
        timeout=10,
        async_key=True,
    ),
    "codex": AgentSpec(
        "codex",
        {PROMPT: "UserPromptSubmit", SESSION_START: "SessionStart"},
        {"project": ".codex/hooks.json", "user": "~/.codex/hooks.json"},
        timeout=10,
    ),
    "gemini": AgentSpec(
        "gemini",
        {PROMPT: "BeforeAgent", SESSION_START: "SessionStart", SESSION_END: "SessionEnd"},
        {"project": ".gemini/settings.json", "user": "~/.gemini/settings.json"},
        timeout=10_000,
    ),
    "cursor": AgentSpec(
        "cursor",
        {PROMPT: "beforeSubmitPrompt"},
        {"project": ".cursor/hooks.json", "user": "~/.cursor/hooks.json"},
        timeout=None,
        flat=True,
    ),
}

# "synapse hook <name>", also as a path to the executable ("/x/bin/synapse", "synapse.exe")
# and with global options before "hook" ("synapse --debug hook ...", "--project-dir X"),
# or the hook launcher "synapse-hook <name>" (also as a quoted path).
_OWN_COMMAND = re.compile(
    r"""(?:^|[\s/\\"'])(?:synapse(?:\.exe)?["']?(?:\s+-[^\s]+(?:\s+[^\s-][^\s]*)?)*?\s+hook|synapse-hook["']?)"""
    r"""\s+(prompt-submit|session-start|session-end)\b"""
)
_BOM = "\ufeff"
MAX_SETTINGS_BYTES = 4 * 1024 * 1024
INSTALL_LOCK_SECONDS = 10.0


class SettingsFileError(SynapseError):
    """A settings file that synapse will not touch (invalid JSON, wrong shape, unreadable)."""


class LinkedSettingsError(SettingsFileError):
    """A project's settings file, or a folder between the project and it, is a symlink.

    A repository can commit ``.claude`` (or ``.claude/settings.json``) as a link to
    anywhere; following it would create or change files outside the project.
    """

    def __init__(self, link: str, settings_file: str):
        self.link = link
        try:
            target = os.readlink(link)
        except OSError:
            target = "?"
        self.target = target
        gone = "" if os.path.exists(link) else ", which does not exist"
        self.kind = "file" if os.path.abspath(link) == os.path.abspath(settings_file) else "folder"
        super().__init__(
            f"{link} is a symlink to {target}{gone}: synapse does not read or write a project's editor settings "
            f"through a link (the repository may point it anywhere); make it a real {self.kind} "
            "(only --scope user follows links); nothing was changed"
        )


def settings_path(agent: str, scope: str, project_root: str) -> str:
    spec = agent_spec(agent)
    if scope not in spec.scopes:
        raise InvalidInputError(f"{agent} has no {scope!r} scope (choose from: {', '.join(spec.scopes)})")
    relative = spec.scopes[scope]
    if relative.startswith("~/"):
        return os.path.join(os.path.expanduser("~"), *relative[2:].split("/"))
    return os.path.join(project_root, *relative.split("/"))


def links_refused_below(agent: str, scope: str, project_root: str) -> str | None:
    """The folder below which a scope's settings are never reached through a link, or None.

    Project and local scopes: the project, whose content a stranger may have committed.
    User scope: None. Files under the user's home are the user's own, and dotfiles
    managers link ``~/.claude`` and the like on purpose, so those links are followed.
    """
    relative = agent_spec(agent).scopes.get(scope, "~/")
    if relative.startswith("~/"):
        return None
    # A project that is the home folder itself: its editor folders are the user-scope ones, the user's own links.
    home = os.path.abspath(os.path.expanduser("~"))
    return None if os.path.abspath(project_root) == home else project_root


def linked_part(path: str, root: str) -> str | None:
    """The first folder between ``root`` and ``path``, or ``path`` itself, that is a symlink; None when none is.

    ``root`` itself, and the folders above it, are not judged: the user chose them.
    """
    root = os.path.abspath(root)
    relative = os.path.relpath(os.path.abspath(path), root)
    if relative == os.curdir or relative.split(os.sep, 1)[0] == os.pardir:
        return None
    current = root
    for part in relative.split(os.sep):
        current = os.path.join(current, part)
        if os.path.islink(current):
            return current
    return None


def refuse_linked_settings(path: str, root: str | None) -> None:
    """Raise ``LinkedSettingsError`` when ``path`` is reached through a link below ``root`` (None: nothing refused)."""
    if root is None:
        return
    link = linked_part(path, root)
    if link is not None:
        raise LinkedSettingsError(link, path)


def agent_spec(agent: str) -> AgentSpec:
    try:
        return AGENTS[agent]
    except KeyError:
        raise InvalidInputError(f"unknown agent {agent!r} (choose from: {', '.join(AGENTS)})") from None


def check_executable(executable: str) -> str:
    """An absolute path to a synapse program (``synapse``, ``synapse-hook``), for editors whose PATH lacks it."""
    name = os.path.basename(executable).lower()
    if name not in PROGRAM_NAMES:
        raise InvalidInputError(f"--executable must name the synapse program itself, not {os.path.basename(executable)!r}")
    absolute = os.path.abspath(os.path.expanduser(executable))
    if not (os.path.isfile(absolute) and os.access(absolute, os.X_OK)):
        raise InvalidInputError(f"--executable {absolute}: not an executable file")
    return absolute


def is_own_command(command: Any) -> bool:
    return isinstance(command, str) and _OWN_COMMAND.search(command) is not None


class _RawNumber:
    """A JSON number kept as the user wrote it (``1E2`` is not rewritten as ``100.0``)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _RawNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _keep_int(text: str) -> Any:
    return int(text) if text != "-0" else _RawNumber(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (editors cannot read it)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key[:60]!r} (an editor would keep only one of them; remove the other)")
        result[key] = value
    return result


def _parse_strict(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_unique_keys, parse_float=_RawNumber, parse_int=_keep_int,
                      parse_constant=_refuse_constant)


def read_settings(path: str, *, links_below: str | None = None) -> tuple[dict[str, Any], str | None]:
    """The settings object and the file's text (None when there is no file).

    The file must be a regular file of bounded size: a FIFO or ``/dev/zero`` committed in
    its place is refused at once. It may be reached through a link (a dotfiles folder)
    except below ``links_below`` (a project: see ``links_refused_below``), where a link
    raises ``LinkedSettingsError`` before anything is opened.
    """
    from synapse_cli.core.files import describe_read_error, read_regular

    refuse_linked_settings(path, links_below)
    try:
        raw = read_regular(path, MAX_SETTINGS_BYTES, follow_links=True)
    except FileNotFoundError:
        if os.path.islink(path):
            raise SettingsFileError(f"{path}: a symlink to {os.readlink(path)}, which does not exist; "
                                    "create that file or remove the link; left untouched") from None
        return {}, None
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot read: {describe_read_error(exc)}; left untouched") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsFileError(f"{path}: not UTF-8 text (byte {exc.start}); left untouched") from exc
    if not text.strip():
        return {}, text
    try:
        data = _parse_strict(text[1:] if text.startswith(_BOM) else text)
    except json.JSONDecodeError as exc:
        raise SettingsFileError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; left untouched"
        ) from exc
    except ValueError as exc:
        raise SettingsFileError(f"{path}: not strict JSON: {exc}; left untouched") from exc
    except RecursionError:
        raise SettingsFileError(f"{path}: JSON nested too deeply; left untouched") from None
    if not isinstance(data, dict):
        raise SettingsFileError(f"{path}: the settings must be a JSON object, not {type(data).__name__}; left untouched")
    return data, text


def _handler(spec: AgentSpec, hook: str, choice: Choice) -> dict[str, Any]:
    handler: dict[str, Any] = {} if spec.flat else {"type": "command"}
    handler["command"] = choice.command(hook, spec.name)
    if spec.timeout is not None:
        handler["timeout"] = spec.timeout
    if hook == SESSION_START and spec.async_key:
        handler["async"] = True  # cleanup need not delay the session's start
    return handler


def _hooks_table(settings: dict[str, Any], path: str, *, create: bool) -> dict[str, Any] | None:
    table = settings.get("hooks")
    if table is None:
        if not create:
            return None
        table = settings["hooks"] = {}
    if not isinstance(table, dict):
        raise SettingsFileError(f"{path}: \"hooks\" must be a JSON object; left untouched")
    return table


def _event_list(table: dict[str, Any], event: str, path: str) -> list[Any]:
    entries = table.get(event)
    if entries is None:
        entries = table[event] = []
    if not isinstance(entries, list):
        raise SettingsFileError(f"{path}: hooks.{event} must be a list; left untouched")
    return entries


class CommandPolicy:
    """Whether install keeps a command already registered, and what it did about each one."""

    def __init__(self, project_root: str | None, force: bool):
        self.project_root = project_root
        self.force = force                                # --executable: always write the new command
        self.replaced: list[tuple[str, str]] = []         # (old command, why it was replaced)
        self.kept: list[str] = []
        self.registered: dict[str, str] = {}              # the command install would write -> the one now registered

    def keeps(self, command: Any, new_command: str) -> bool:
        keep = self._keeps(command, new_command)
        self.registered[new_command] = command if keep else new_command
        return keep

    def _keeps(self, command: Any, new_command: str) -> bool:
        if not isinstance(command, str) or command == new_command:
            return False
        if self.force:
            self.replaced.append((command, "--executable given"))
            return False
        if self.project_root is None:
            return True
        _path, why = check_command(command, self.project_root)
        if why is not None:
            self.replaced.append((command, why))
            return False
        self.kept.append(command)
        return True


def _updated_handler(old: dict[str, Any], new: dict[str, Any], policy: CommandPolicy) -> dict[str, Any]:
    """synapse's existing handler, completed with what it lacks; what the user set on it is kept.

    A hand-edited command that runs where the editor runs it (an absolute path, an added
    ``--debug``), a longer timeout and any other key stay as they are. A command that
    cannot run with the editor's minimal PATH is replaced: keeping it would leave a hook
    that never fires.
    """
    merged = dict(old)
    if "type" in new:
        merged["type"] = new["type"]
    if not policy.keeps(old.get("command"), new["command"]):
        merged["command"] = new["command"]
    agent = new["command"].partition(" --agent ")[2]
    if agent and "--agent" not in str(merged.get("command")):
        # Other agents' events are only recognised for sure when named; add it, keep the rest.
        merged["command"] = f"{merged['command']} --agent {agent}"
    for key, value in new.items():
        merged.setdefault(key, value)
    return merged


def _filter_handlers(
    handlers: list[Any], replacement: dict[str, Any] | None, placed: bool, policy: CommandPolicy | None = None
) -> tuple[list[Any], bool, bool]:
    """``handlers`` without synapse's, the first of them updated to ``replacement`` if given.

    Returns the kept handlers, whether any of synapse's was found, and whether the
    replacement has been placed (here or earlier).
    """
    kept = []
    found = False
    for handler in handlers:
        if isinstance(handler, dict) and is_own_command(handler.get("command")):
            found = True
            if replacement is not None and not placed:
                kept.append(_updated_handler(handler, replacement, policy or CommandPolicy(None, False)))
                placed = True
            continue
        kept.append(handler)
    return kept, found, placed


def _remove_own(entries: list[Any], flat: bool, keep_first: dict[str, Any] | None, policy: CommandPolicy | None = None) -> bool:
    """Drop synapse's handlers from one event's list (updating the first to ``keep_first``).

    Returns whether a handler was put in place of an old one. Groups left empty by the
    removal are pruned; groups that were already empty are not synapse's to judge.
    """
    if flat:
        entries[:], _found, placed = _filter_handlers(entries, keep_first, False, policy)
        return placed
    placed = False
    kept_groups = []
    for group in entries:
        handlers = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(handlers, list):
            kept_groups.append(group)
            continue
        kept, found, placed = _filter_handlers(handlers, keep_first, placed, policy)
        if found and not kept:
            continue  # a group synapse left empty
        group["hooks"] = kept
        kept_groups.append(group)
    entries[:] = kept_groups
    return placed


def plan_install(
    settings: dict[str, Any],
    agent: str,
    path: str,
    hooks: list[str],
    executable: str | None = None,
    *,
    choice: Choice | None = None,
    policy: CommandPolicy | None = None,
) -> dict[str, Any]:
    """``settings`` with synapse's handlers for ``hooks`` in place (in place: the object is changed)."""
    spec = agent_spec(agent)
    choice = choice or choose_program(executable)
    policy = policy or CommandPolicy(None, force=choice.form == "executable")
    if spec.flat and "version" not in settings:
        # Cursor's file starts with its format version; keep everything else in order after it.
        rest = list(settings.items())
        settings.clear()
        settings["version"] = 1
        settings.update(rest)
    table = _hooks_table(settings, path, create=True)
    assert table is not None
    for hook in hooks:
        event = spec.events.get(hook)
        if event is None:
            raise InvalidInputError(f"{agent} has no event for synapse hook {hook}")
        entries = _event_list(table, event, path)
        handler = _handler(spec, hook, choice)
        if not _remove_own(entries, spec.flat, handler, policy):
            entries.append(handler if spec.flat else {"hooks": [handler]})
    return settings


def plan_uninstall(settings: dict[str, Any], agent: str, path: str) -> dict[str, Any]:
    """``settings`` without any synapse handler; events left empty by that are removed."""
    spec = agent_spec(agent)
    table = _hooks_table(settings, path, create=False)
    if table is None:
        return settings
    removed_any = False
    for event in list(table):
        entries = table[event]
        if not isinstance(entries, list) or not _contains_own(entries, spec.flat):
            continue
        removed_any = True
        _remove_own(entries, spec.flat, None)
        if not entries:
            del table[event]
    if removed_any and not table:
        del settings["hooks"]
    return settings


def handlers_of(entries: Any, flat: bool) -> Iterator[dict[str, Any]]:
    """The handlers in one event's list: Cursor's flat list, or every group's ``hooks`` (anything malformed skipped)."""
    for entry in entries if isinstance(entries, list) else []:
        if flat:
            if isinstance(entry, dict):
                yield entry
        elif isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
            yield from (h for h in entry["hooks"] if isinstance(h, dict))


def _contains_own(entries: Any, flat: bool) -> bool:
    return any(is_own_command(h.get("command")) for h in handlers_of(entries, flat))


def render_settings(settings: dict[str, Any], original_text: str | None) -> str:
    """2-space strict JSON, keeping the original's number spellings, byte-order mark and final newline."""
    token = "\x00" + os.urandom(6).hex() + ":"
    raw: list[str] = []

    def placeholders(value: Any) -> Any:
        if isinstance(value, _RawNumber):
            raw.append(value.text)
            return f"{token}{len(raw) - 1}"
        if isinstance(value, dict):
            return {key: placeholders(item) for key, item in value.items()}
        if isinstance(value, list):
            return [placeholders(item) for item in value]
        return value

    text = json.dumps(placeholders(settings), indent=2, ensure_ascii=False, allow_nan=False)
    if raw:
        escaped = json.dumps(token)[1:-1]
        for index, number in enumerate(raw):
            text = text.replace(f'"{escaped}{index}"', number, 1)
    # A lone surrogate (half an emoji) cannot be written as UTF-8: write it escaped, as JSON allows.
    text = re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)
    if original_text is None or original_text.endswith("\n"):
        text += "\n"
    if original_text is not None and original_text.startswith(_BOM):
        text = _BOM + text
    return text


class SettingsChange:
    """The outcome of an install or uninstall: the file, its old and new text, whether it changed."""

    def __init__(self, path: str, old_text: str | None, new_text: str | None, backup_path: str | None = None):
        self.path = path
        self.old_text = old_text
        self.new_text = new_text
        self.backup_path = backup_path
        self.removed = False  # an uninstall that left the file empty removed it
        self.kept_empty: str | None = None             # uninstall: why a file left empty was not removed
        self.kept_because: str | None = None           # ... as a code: NOT_RECORDED or GIT_TRACKS
        self.choice: Choice | None = None              # install: the program written, and why that form
        self.policy: CommandPolicy | None = None       # install: the old commands kept or replaced

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    def diff(self) -> str:
        import difflib

        old = (self.old_text or "").splitlines(keepends=True)
        new = (self.new_text or "").splitlines(keepends=True)
        label = self.path
        after = "/dev/null" if self.removed else f"{label} (after)"  # as git writes a deletion: `patch` removes the file
        return "".join(difflib.unified_diff(old, new, f"{label} (before)", after))


def change_settings(
    path: str,
    agent: str,
    *,
    install: bool,
    hooks: list[str] | None = None,
    dry_run: bool = False,
    fsync: bool = True,
    executable: str | None = None,
    backup_dir: str | None = None,
    project_root: str | None = None,
    created: CreatedSettings | None = None,
    links_below: str | None = None,
) -> SettingsChange:
    """Install (or uninstall) synapse's hooks in the settings file at ``path``.

    The previous file is kept as ``<path>.bak``, or in ``backup_dir`` when given (out of
    the repository's shared folders), and the new one written atomically. An install
    that creates the file notes it in ``created``; an uninstall that leaves nothing in
    the file removes it only when ``created`` lists it and git does not track it.
    Raises ``SettingsFileError`` (file left untouched) for invalid JSON or a wrong shape,
    and ``LinkedSettingsError``, before anything is created, dry run or not, when the file
    or a folder between ``links_below`` (the project, for its own scopes) and it is a link.
    """
    refuse_linked_settings(path, links_below)
    # Elsewhere (the user's home), a settings file linked from a dotfiles folder stays
    # linked: change the real file. A dangling link is refused (read_settings): following
    # it would create a file wherever the link points.
    if os.path.islink(path) and os.path.exists(path):
        path = os.path.realpath(path)
    if dry_run or (not install and not os.path.lexists(path)):
        change = _plan_change(path, agent, install, hooks, executable, project_root)  # writes nothing: no lock, no folder
        if dry_run and not install and _removes_emptied(change, agent, path, created):
            change.new_text, change.removed = None, True  # the dry run says what the real run would do: remove it
        return change
    with _InstallLock(path):
        refuse_linked_settings(path, links_below)  # again, now that the folder is made and locked
        change = _plan_change(path, agent, install, hooks, executable, project_root)
        if not change.changed:
            return change
        if change.old_text is not None:
            change.backup_path = backup_path(path, backup_dir)
            # No more readable than the file it copies: settings may hold tokens.
            atomic_write(change.backup_path, change.old_text, fsync=fsync, mode=os.stat(path).st_mode & 0o7777)
        if not install and _removes_emptied(change, agent, path, created):
            _remove_emptied(path, change)
            assert created is not None
            created.discard(path)
            return change
        atomic_write(path, change.new_text or "", fsync=fsync)
        if install and change.old_text is None and created is not None:
            created.add(path)  # after the write: a crash in between leaves a file uninstall keeps, never one it removes
    return change


def _removes_emptied(change: SettingsChange, agent: str, path: str, created: CreatedSettings | None) -> bool:
    """Whether this uninstall removes the file: it leaves nothing in it and it is synapse's (else ``kept_empty`` says why not)."""
    if not change.changed or change.new_text != render_settings(_left_by_install(agent, path), change.old_text):
        return False
    change.kept_because, change.kept_empty = _why_kept(path, created)
    return change.kept_empty is None


NOT_RECORDED = "not-recorded"
GIT_TRACKS = "git-tracks"


def _why_kept(path: str, created: CreatedSettings | None) -> tuple[str | None, str | None]:
    """Why a settings file that uninstall left empty stays, as (code, sentence), or (None, None) when it is synapse's to remove.

    Without a record synapse cannot tell a file ``hook install`` created from one the user
    made, so it keeps it, and says it has no record rather than that install did not create it:
    install may well have, where it could not record it.
    """
    if created is None or path not in created:
        return NOT_RECORDED, f"synapse has no record that hook install created it ({_why_no_record(path, created)})"
    from synapse_cli.editors.gitignore import git_tracks

    if git_tracks(path):
        return GIT_TRACKS, "git tracks it"
    return None, None


def _why_no_record(path: str, created: CreatedSettings | None) -> str:
    if created is None:
        return "there is no .synapse/ here to keep one in, as when hook install ran before `synapse init`"
    project = os.path.dirname(created.synapse_dir)
    if not os.path.abspath(path).startswith(project + os.sep):
        return (f"hook install records a --scope user file only in the .synapse/ of the project it ran in, "
                f"which may be another one than {project}; or you made it")
    return "you may have made it, or hook install ran before `synapse init`, when there was no .synapse/ to record it in"


def _plan_change(
    path: str, agent: str, install: bool, hooks: list[str] | None, executable: str | None, project_root: str | None = None
) -> SettingsChange:
    settings, old_text = read_settings(path)
    if not install and old_text is None:
        return SettingsChange(path, None, None)  # no file: nothing to uninstall, nothing to create
    before = render_settings(settings, old_text)
    choice = policy = None
    if install:
        choice = choose_program(executable)
        policy = CommandPolicy(project_root, force=executable is not None)
        plan_install(settings, agent, path, hooks or [PROMPT], choice=choice, policy=policy)
    else:
        plan_uninstall(settings, agent, path)
    new_text = render_settings(settings, old_text)
    if old_text is not None and new_text == before:
        new_text = old_text  # same settings: leave the file (and its formatting) alone
    change = SettingsChange(path, old_text, new_text)
    change.choice, change.policy = choice, policy
    return change


class _InstallLock:
    """Serialises read-modify-write of one settings file across processes (two installs at once).

    POSIX: a lock on the settings' folder itself, so nothing is created beside the
    user's file. Windows cannot lock a folder: a ``<file>.lock`` beside it, never removed.
    """

    def __init__(self, path: str):
        self.path = path
        self.fd = -1

    def __enter__(self) -> _InstallLock:
        import time

        from synapse_cli.core.errors import LockTimeoutError
        from synapse_cli.core.folders import ensure_folder

        folder = os.path.dirname(os.path.abspath(self.path))
        ensure_folder(folder)
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            target = self.path + ".lock"
            self.fd = os.open(target, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOINHERIT", 0), 0o644)

            def attempt() -> bool:
                try:
                    os.lseek(self.fd, 0, os.SEEK_SET)
                    msvcrt.locking(self.fd, msvcrt.LK_NBLCK, 1)
                    return True
                except OSError:
                    return False
        else:
            import fcntl

            target = folder
            self.fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_DIRECTORY", 0))

            def attempt() -> bool:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    return False

        deadline = time.monotonic() + INSTALL_LOCK_SECONDS
        while not attempt():
            if time.monotonic() >= deadline:
                os.close(self.fd)
                self.fd = -1
                raise LockTimeoutError(target, INSTALL_LOCK_SECONDS)
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing drops the lock
            self.fd = -1


def backup_path(path: str, backup_dir: str | None) -> str:
    """``<path>.bak``, or ``<backup_dir>/<folder>_<name>.bak`` (``.claude_settings.json.bak``)."""
    if backup_dir is None:
        return path + ".bak"
    name = os.path.basename(os.path.dirname(os.path.abspath(path))) + "_" + os.path.basename(path)
    return os.path.join(backup_dir, name + ".bak")


def _left_by_install(agent: str, path: str) -> dict[str, Any]:
    """What an install into no file, then an uninstall, leaves: nothing (Cursor: its ``version`` key)."""
    bare = Choice(None, "synapse", "bare", "")  # which program is written does not matter here: no lookup
    return plan_uninstall(plan_install({}, agent, path, [PROMPT], choice=bare), agent, path)


def _remove_emptied(path: str, change: SettingsChange) -> None:
    """Remove a settings file that held only synapse's hooks, and its folder if that is left empty."""
    os.unlink(path)
    change.new_text = None
    change.removed = True
    try:
        os.rmdir(os.path.dirname(os.path.abspath(path)))  # fails, harmlessly, unless empty
    except OSError:
        pass

