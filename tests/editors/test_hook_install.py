"""``synapse hook install`` / ``uninstall``: merging synapse's entries into each editor's settings file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.files import file_contents, read_json, snapshot
from tests.support.output import one_error_line
from tests.support.paths import PAYLOADS
from tests.support.run import LAUNCHER, run_synapse, synapse_executable
from tests.support.sessions import session_path

# What install writes by default here: the launcher beside the interpreter, by its quoted
# absolute path (the test environment's bin/ is not on the minimal PATH /usr/bin:/bin).
CONSOLE = Path(sys.executable).parent / "synapse"


def cmd(hook: str = "prompt-submit", agent: str | None = None) -> str:
    command = f"'{LAUNCHER}' {hook}"
    return f"{command} --agent {agent}" if agent else command


PROMPT_CMD = cmd()
OTHER_HANDLER = {"type": "command", "command": "npx other-tool check", "timeout": 5, "x-vendor": {"keep": [1, 2.5, None]}}
CLAUDE_ENTRY = {"type": "command", "command": PROMPT_CMD, "timeout": 10}

# agent -> (scope -> (base, path relative to the base)); base "project" or "home".
PATHS = {
    "claude": {"project": ("project", ".claude/settings.json"), "local": ("project", ".claude/settings.local.json"), "user": ("home", ".claude/settings.json")},
    "codex": {"project": ("project", ".codex/hooks.json"), "user": ("home", ".codex/hooks.json")},
    "gemini": {"project": ("project", ".gemini/settings.json"), "user": ("home", ".gemini/settings.json")},
    "cursor": {"project": ("project", ".cursor/hooks.json"), "user": ("home", ".cursor/hooks.json")},
}
PROMPT_EVENT = {"claude": "UserPromptSubmit", "codex": "UserPromptSubmit", "gemini": "BeforeAgent", "cursor": "beforeSubmitPrompt"}
PAYLOAD_FILE = {
    "claude": "claude-user-prompt-submit.json",
    "codex": "codex-user-prompt-submit.json",
    "gemini": "gemini-before-agent.json",
    "cursor": "cursor-before-submit-prompt.json",
}


def home() -> Path:
    return Path(os.environ["HOME"])


def claude_settings(project: Path) -> Path:
    return project / ".claude" / "settings.json"


def write(path: Path, data) -> bytes:
    """Write ``data`` (text, bytes or a JSON value) at ``path``; return the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data if isinstance(data, bytes) else data.encode("utf-8") if isinstance(data, str) else json.dumps(data, indent=2).encode()
    path.write_bytes(raw)
    return raw


def handlers(settings: dict, event: str, *, flat: bool = False) -> list[dict]:
    """Every handler of ``event`` (groups flattened)."""
    entries = settings.get("hooks", {}).get(event, [])
    if flat:
        return list(entries)
    return [h for group in entries for h in group.get("hooks", [])]


def own(settings: dict, event: str, *, flat: bool = False) -> list[dict]:
    return [h for h in handlers(settings, event, flat=flat) if re.search(r"(^|[/\s\"'\\])synapse(-hook[\"']?|(\.exe)?[\"']?\s+hook)\s", h.get("command", ""))]


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def ok(result) -> None:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)


def failed_with_one_line(result) -> str:
    """Exit 1 and exactly one ``synapse: ...`` line on stderr, nothing on stdout; return the line."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return one_error_line(result.stderr)


# -- creating and merging --------------------------------------------------------


def test_install_creates_missing_folder_and_file(cli, project):
    """With no .claude/ folder, install creates it and a settings file holding only synapse's prompt hook, and no backup."""
    result = cli(project, "hook", "install")
    ok(result)
    path = claude_settings(project)
    assert str(path) in result.stdout
    assert read_json(path) == {"hooks": {"UserPromptSubmit": [{"hooks": [CLAUDE_ENTRY]}]}}
    assert path.read_text().endswith("}\n")
    assert listing(path.parent) == {"settings.json"}


def test_install_creates_missing_file_in_existing_folder(cli, project):
    """An existing .claude/ folder without settings.json gets the file; its other files are untouched."""
    (project / ".claude").mkdir()
    write(project / ".claude" / "commands.md", "keep me")
    ok(cli(project, "hook", "install"))
    assert read_json(claude_settings(project)) == {"hooks": {"UserPromptSubmit": [{"hooks": [CLAUDE_ENTRY]}]}}
    assert (project / ".claude" / "commands.md").read_text() == "keep me"


def test_install_keeps_other_hooks_groups_and_unknown_keys(cli, project):
    """Other tools' handlers in the same event and in other events, and unknown top-level keys, stay exactly as they were."""
    original = {
        "$schema": "https://json.schemastore.org/claude-code-settings.json",
        "permissions": {"allow": ["Bash(npm test)"], "deny": []},
        "x-unknown": {"nested": [1, {"a": None}], "flag": False},
        "hooks": {
            "UserPromptSubmit": [{"matcher": "", "hooks": [OTHER_HANDLER]}],
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh", "unknown": 1}]}],
            "x-future-event": {"not": "a list"},
        },
        "model": "opus",
    }
    write(claude_settings(project), original)
    ok(cli(project, "hook", "install"))
    expected = json.loads(json.dumps(original))
    expected["hooks"]["UserPromptSubmit"].append({"hooks": [CLAUDE_ENTRY]})
    after = read_json(claude_settings(project))
    assert after == expected
    assert list(after) == list(original)  # key order kept too


def test_install_replaces_own_entry_inside_a_shared_group(cli, project):
    """An old synapse handler sharing a group with another tool's handler is updated in place; no new group is added."""
    write(claude_settings(project), {"hooks": {"UserPromptSubmit": [
        {"matcher": "*", "hooks": [OTHER_HANDLER, {"type": "command", "command": "/opt/venv/bin/synapse hook prompt-submit", "timeout": 60}]},
    ]}})
    ok(cli(project, "hook", "install"))
    # The user's command (an absolute path) and timeout are kept; no second entry is added.
    expected = {**CLAUDE_ENTRY, "timeout": 60}  # the path no longer exists: the command is replaced, the timeout kept
    assert read_json(claude_settings(project)) == {"hooks": {"UserPromptSubmit": [{"matcher": "*", "hooks": [OTHER_HANDLER, expected]}]}}


def test_install_collapses_duplicate_own_entries_to_one(cli, project):
    """Several synapse prompt handlers (copied by hand into several groups) become exactly one; emptied groups go, others stay."""
    write(claude_settings(project), {"hooks": {"UserPromptSubmit": [
        {"hooks": [{"type": "command", "command": "synapse hook prompt-submit"}]},
        {"hooks": [OTHER_HANDLER, {"type": "command", "command": "/usr/local/bin/synapse hook prompt-submit --debug"}]},
        {"hooks": [{"type": "command", "command": "synapse  hook  prompt-submit", "timeout": 3}]},
    ]}})
    ok(cli(project, "hook", "install"))
    assert read_json(claude_settings(project)) == {"hooks": {"UserPromptSubmit": [{"hooks": [CLAUDE_ENTRY]}, {"hooks": [OTHER_HANDLER]}]}}


@pytest.mark.parametrize(
    "command",
    ["/opt/venv/bin/synapse hook prompt-submit", '"/opt/my venv/bin/synapse" hook prompt-submit', r"C:\venv\Scripts\synapse.exe hook prompt-submit",
     "SYNAPSE_DEBUG=1 synapse hook prompt-submit"],
)
def test_old_absolute_path_entries_are_recognised_and_replaced(cli, project, command):
    """A synapse prompt entry written with a path to the executable is synapse's: install replaces it (it cannot run here), uninstall removes it."""
    write(claude_settings(project), {"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": command, "timeout": 60, "x-note": "mine"}]}]}})
    ok(cli(project, "hook", "install"))
    expected = {**CLAUDE_ENTRY, "timeout": 60, "x-note": "mine"}  # the user's timeout and keys are kept
    assert read_json(claude_settings(project)) == {"hooks": {"UserPromptSubmit": [{"hooks": [expected]}]}}
    write(claude_settings(project), {"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": command}]}]}, "k": 1})
    ok(cli(project, "hook", "uninstall"))
    assert read_json(claude_settings(project)) == {"k": 1}


@pytest.mark.parametrize("command", ["mysynapse hook prompt-submit", "echo synapse", "synapse-lint hook prompt-submit", "/usr/bin/notsynapse hook prompt-submit"])
def test_look_alike_commands_are_not_synapses(cli, project, command):
    """Commands that merely contain the word synapse are another tool's: install adds beside them, uninstall leaves them."""
    theirs = {"type": "command", "command": command}
    write(claude_settings(project), {"hooks": {"UserPromptSubmit": [{"hooks": [theirs]}]}})
    ok(cli(project, "hook", "install"))
    assert read_json(claude_settings(project)) == {"hooks": {"UserPromptSubmit": [{"hooks": [theirs]}, {"hooks": [CLAUDE_ENTRY]}]}}
    ok(cli(project, "hook", "uninstall"))
    assert read_json(claude_settings(project)) == {"hooks": {"UserPromptSubmit": [{"hooks": [theirs]}]}}


ODD_FILES = {
    "tabs": '{\n\t"hooks":\t{\n\t\t"PreToolUse": [ { "hooks": [ { "type": "command", "command": "lint" } ] } ]\n\t},\n\t"theme": "dark"\n}\n',
    "no-spaces": '{"hooks":{"UserPromptSubmit":[{"hooks":[{"type":"command","command":"other"}]}]},"n":[1,2,3]}',
    "weird-indent": '{\n      "a": 1,\n "hooks" :\n    {\n"Stop": [\n        {"hooks": [{"type": "command",\n "command": "x"}]}]}\n   }\n\n',
    "unicode": '{"título": "café ☕ 日本語", "escaped": "\\u00e9\\ud83d\\ude00", "hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "notify \\"ünï\\""}]}]}}\n',
    "crlf": '{\r\n  "hooks": {"Stop": []},\r\n  "keep": true\r\n}\r\n',
}



def backup_of(project: Path, settings: Path) -> Path:
    """Where hook install keeps a project settings file's previous bytes: synapse's git-ignored cache."""
    return project / ".synapse" / "cache" / "backups" / f"{settings.parent.name}_{settings.name}.bak"

@pytest.mark.parametrize("name", sorted(ODD_FILES))
def test_oddly_formatted_files_keep_their_content(cli, project, name):
    """Tabs, no spaces, odd indentation, CRLF and non-ASCII text: install adds one entry and keeps every value; uninstall gives the same values back."""
    text = ODD_FILES[name]
    raw = write(claude_settings(project), text)
    original = json.loads(text)
    ok(cli(project, "hook", "install"))
    after = read_json(claude_settings(project))
    expected = json.loads(text)
    expected.setdefault("hooks", {}).setdefault("UserPromptSubmit", []).append({"hooks": [CLAUDE_ENTRY]})
    assert after == expected
    assert backup_of(project, claude_settings(project)).read_bytes() == raw
    if name == "unicode":
        written = claude_settings(project).read_text(encoding="utf-8")
        assert "café ☕ 日本語" in written and "título" in written  # kept as text, not \u-escaped
        assert after["escaped"] == "é😀"
    ok(cli(project, "hook", "uninstall"))
    assert read_json(claude_settings(project)) == original


def test_install_twice_is_byte_identical_and_keeps_one_entry(cli, project):
    """A second install (with the session hooks) changes no byte, rewrites no backup and leaves one entry per event."""
    raw = write(claude_settings(project), {"hooks": {"UserPromptSubmit": [{"hooks": [OTHER_HANDLER]}]}, "x": "y"})
    args = ("hook", "install", "--with-session-start", "--with-session-end")
    ok(cli(project, *args))
    first = claude_settings(project).read_bytes()
    bak = backup_of(project, claude_settings(project))
    assert bak.read_bytes() == raw
    result = cli(project, *args)
    ok(result)
    assert "already installed" in result.stdout
    assert claude_settings(project).read_bytes() == first
    assert bak.read_bytes() == raw
    settings = read_json(claude_settings(project))
    for event in ("UserPromptSubmit", "SessionStart", "SessionEnd"):
        assert len(own(settings, event)) == 1, event
    assert listing(claude_settings(project).parent) == {"settings.json"}  # the backup is in .synapse/cache/backups/


def test_reinstall_in_a_hand_formatted_file_leaves_it_alone(cli, project):
    """A file that already holds synapse's exact entry, formatted by hand, is not rewritten (no reformatting, no backup)."""
    text = '{"hooks":{"UserPromptSubmit":[{"hooks":[{"type":"command","command":%s,"timeout":10}]}]}}' % json.dumps(PROMPT_CMD)
    raw = write(claude_settings(project), text)
    result = cli(project, "hook", "install")
    ok(result)
    assert claude_settings(project).read_bytes() == raw
    assert not (project / ".claude" / "settings.json.bak").exists()
    assert not backup_of(project, claude_settings(project)).exists()


def test_with_session_start_registers_an_async_session_start_hook(cli, project):
    """--with-session-start adds `synapse hook session-start` under SessionStart with "async": true; --with-session-end adds SessionEnd."""
    write(claude_settings(project), {"hooks": {"SessionStart": [{"matcher": "startup", "hooks": [OTHER_HANDLER]}]}})
    ok(cli(project, "hook", "install", "--with-session-start", "--with-session-end"))
    settings = read_json(claude_settings(project))
    assert settings["hooks"]["SessionStart"] == [
        {"matcher": "startup", "hooks": [OTHER_HANDLER]},
        {"hooks": [{"type": "command", "command": cmd("session-start"), "timeout": 10, "async": True}]},
    ]
    assert settings["hooks"]["SessionEnd"] == [{"hooks": [{"type": "command", "command": cmd("session-end"), "timeout": 10}]}]
    assert "async" not in own(settings, "UserPromptSubmit")[0]
    assert "async" not in own(settings, "SessionEnd")[0]


@pytest.mark.parametrize("agent,option", [("cursor", "--with-session-start"), ("cursor", "--with-session-end"), ("codex", "--with-session-end")])
def test_session_hook_for_an_agent_without_that_event_is_refused(cli, project, agent, option):
    """Asking for a lifecycle hook the agent has no event for exits 1 with a message and writes nothing."""
    before = snapshot(project.parent, skip_cache=False)
    line = failed_with_one_line(cli(project, "hook", "install", "--agent", agent, option))
    assert agent in line and option.removeprefix("--with-") in line
    assert snapshot(project.parent, skip_cache=False) == before


# -- uninstall -------------------------------------------------------------------


def test_uninstall_removes_only_own_entries_and_prunes_what_it_emptied(cli, project):
    """Uninstall drops synapse's handlers, prunes the groups and events it emptied, and keeps shared groups, pre-existing empty groups and everything else."""
    settings = {
        "hooks": {
            "UserPromptSubmit": [
                {"hooks": [OTHER_HANDLER]},
                {"matcher": "m", "hooks": [{"type": "command", "command": "synapse hook prompt-submit", "timeout": 10}, {"type": "command", "command": "audit"}]},
                {"hooks": [{"type": "command", "command": "synapse hook prompt-submit"}]},
                {"hooks": []},
                {"matcher": "never-touched", "hooks": []},
            ],
            "SessionStart": [{"hooks": [{"type": "command", "command": "synapse hook session-start", "async": True}]}],
            "SessionEnd": [{"hooks": [{"type": "command", "command": "synapse hook session-end"}]}, {"hooks": [{"type": "command", "command": "bye"}]}],
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard"}]}],
            "Stop": [],
        },
        "permissions": {"allow": []},
    }
    write(claude_settings(project), settings)
    ok(cli(project, "hook", "uninstall"))
    assert read_json(claude_settings(project)) == {
        "hooks": {
            "UserPromptSubmit": [
                {"hooks": [OTHER_HANDLER]},
                {"matcher": "m", "hooks": [{"type": "command", "command": "audit"}]},
                {"hooks": []},
                {"matcher": "never-touched", "hooks": []},
            ],
            "SessionEnd": [{"hooks": [{"type": "command", "command": "bye"}]}],
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard"}]}],
            "Stop": [],
        },
        "permissions": {"allow": []},
    }


def test_install_then_uninstall_gives_the_original_settings_back(cli, project):
    """Install with every hook, then uninstall: the settings are the original ones again (values and key order)."""
    original = {"hooks": {"UserPromptSubmit": [{"hooks": [OTHER_HANDLER]}], "Stop": [{"hooks": [{"type": "command", "command": "s"}]}]}, "z": [1]}
    write(claude_settings(project), original)
    ok(cli(project, "hook", "install", "--with-session-start", "--with-session-end"))
    ok(cli(project, "hook", "uninstall"))
    after = read_json(claude_settings(project))
    assert after == original and list(after["hooks"]) == list(original["hooks"])


def test_uninstall_of_only_synapse_removes_the_file_it_created(cli, project):
    """When synapse's entries were all the file held, uninstall removes the file (and the folder it left empty)."""
    ok(cli(project, "hook", "install", "--with-session-start"))
    result = cli(project, "hook", "uninstall")
    ok(result)
    assert "the file was removed" in result.stdout
    assert not claude_settings(project).exists() and not (project / ".claude").exists()


def test_uninstall_without_own_entries_leaves_the_file_untouched(cli, project):
    """A file that holds no synapse entry is not rewritten (formatting kept) and gets no backup."""
    raw = write(claude_settings(project), ODD_FILES["tabs"])
    result = cli(project, "hook", "uninstall")
    ok(result)
    assert "nothing to do" in result.stdout
    assert claude_settings(project).read_bytes() == raw
    assert listing(project / ".claude") == {"settings.json"}


def test_uninstall_with_no_settings_file_creates_nothing(cli, project):
    """Uninstall where there is no settings file creates no file or folder and says there is nothing to do (dry run: no change)."""
    before = snapshot(project.parent, skip_cache=False)
    result = cli(project, "hook", "uninstall")
    ok(result)
    assert "nothing to do" in result.stdout and "uninstalled (" not in result.stdout
    dry = cli(project, "hook", "uninstall", "--dry-run")
    ok(dry)
    assert "no change" in dry.stdout and "+" not in dry.stdout
    assert snapshot(project.parent, skip_cache=False) == before
    assert not (project / ".claude").exists()


# -- dry run and backup ----------------------------------------------------------


def test_dry_run_prints_the_diff_and_writes_nothing(cli, project):
    """--dry-run on an existing file prints a unified diff adding synapse's entry and leaves every file as it was."""
    write(claude_settings(project), {"hooks": {"UserPromptSubmit": [{"hooks": [OTHER_HANDLER]}]}})
    before = snapshot(project.parent, skip_cache=False)
    result = cli(project, "hook", "install", "--dry-run", "--with-session-start")
    ok(result)
    assert result.stdout.startswith(f"--- {claude_settings(project)}")
    added = [line for line in result.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any(f'"command": "{PROMPT_CMD}"' in line for line in added)
    assert any('"async": true' in line for line in added)
    assert not any(line.startswith("-") and not line.startswith("---") and "other-tool" in line for line in result.stdout.splitlines())
    assert snapshot(project.parent, skip_cache=False) == before


def test_dry_run_with_missing_file_creates_nothing(cli, project):
    """--dry-run where there is no settings file shows the whole new file as added and creates no folder."""
    result = cli(project, "hook", "install", "--dry-run")
    ok(result)
    assert "+    \"UserPromptSubmit\": [" in result.stdout
    assert not (project / ".claude").exists()


def test_dry_run_uninstall_shows_removal_and_writes_nothing(cli, project):
    """uninstall --dry-run shows synapse's lines as removed and changes nothing."""
    ok(cli(project, "hook", "install"))
    before = snapshot(project.parent, skip_cache=False)
    result = cli(project, "hook", "uninstall", "--dry-run")
    ok(result)
    removed = [line for line in result.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert any(PROMPT_CMD in line for line in removed)
    assert snapshot(project.parent, skip_cache=False) == before


def test_dry_run_json_reports_the_new_content(cli, project):
    """install --dry-run --json reports the file, the dry run and the would-be content, and writes nothing."""
    result = cli(project, "hook", "install", "--dry-run", "--json")
    ok(result)
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and report["changed"] is True and report["backup"] is None
    assert report["settings_file"] == str(claude_settings(project))
    assert json.loads(report["content"]) == {"hooks": {"UserPromptSubmit": [{"hooks": [CLAUDE_ENTRY]}]}}
    assert not (project / ".claude").exists()


def test_backup_holds_the_previous_bytes_each_time(cli, project):
    """The backup holds exactly the bytes before the last change: the original after install, the installed file after uninstall."""
    raw = write(claude_settings(project), ODD_FILES["weird-indent"])
    bak = backup_of(project, claude_settings(project))
    result = cli(project, "hook", "install")
    ok(result)
    assert str(bak) in result.stdout
    assert bak.read_bytes() == raw
    installed = claude_settings(project).read_bytes()
    ok(cli(project, "hook", "uninstall"))
    assert bak.read_bytes() == installed
    assert listing(project / ".claude") == {"settings.json"}


def test_install_keeps_a_private_file_private(cli, project):
    """A 0600 settings file (it may hold tokens in "env") stays 0600 after install, and its backup is 0600 too."""
    path = claude_settings(project)
    write(path, {"env": {"API_TOKEN": "secret"}})
    os.chmod(path, 0o600)
    ok(cli(project, "hook", "install"))
    assert path.stat().st_mode & 0o777 == 0o600
    assert backup_of(project, path).stat().st_mode & 0o777 == 0o600


# -- files synapse refuses to touch ----------------------------------------------


INVALID = {
    # name: (text, line of the error)
    "trailing-comma": ('{\n  "permissions": {"allow": ["Bash"],},\n  "hooks": {}\n}\n', 2),
    "line-comment": ('{\n  // my hooks\n  "hooks": {}\n}\n', 2),
    "block-comment": ('{\n  "hooks": {},\n  /* later */\n  "x": 1\n}\n', 3),
    "truncated": ('{\n  "hooks": {\n    "UserPromptSubmit": [\n', 4),
}


@pytest.mark.parametrize("name", sorted(INVALID))
@pytest.mark.parametrize("action", [("install",), ("install", "--with-session-start"), ("uninstall",), ("install", "--dry-run")])
def test_invalid_json_is_never_overwritten(cli, project, name, action):
    """A settings file that is not valid JSON: exit 1 naming the file, line and column; the file is byte-identical and no .bak or temp file appears."""
    text, line_no = INVALID[name]
    raw = write(claude_settings(project), text)
    line = failed_with_one_line(cli(project, "hook", *action))
    assert str(claude_settings(project)) in line
    assert re.search(rf"line {line_no}, column \d+", line), line
    assert claude_settings(project).read_bytes() == raw
    assert listing(project / ".claude") == {"settings.json"}


@pytest.mark.parametrize("text,kind", [("[]\n", "list"), ('"hooks"', "str"), ("null", "NoneType"), ("42", "int"), ("[{\"hooks\": {}}]", "list")])
def test_non_object_json_is_refused(cli, project, text, kind):
    """A settings file holding valid JSON that is not an object: exit 1 with the file and what it holds; left untouched."""
    raw = write(claude_settings(project), text)
    for action in ("install", "uninstall"):
        line = failed_with_one_line(cli(project, "hook", action))
        assert str(claude_settings(project)) in line and "JSON object" in line and kind in line
        assert claude_settings(project).read_bytes() == raw
    assert listing(project / ".claude") == {"settings.json"}


@pytest.mark.parametrize("hooks_value", [[], "UserPromptSubmit", 1, [{"hooks": []}]])
def test_hooks_that_is_not_an_object_is_refused(cli, project, hooks_value):
    """A "hooks" value that is not an object: install and uninstall exit 1 naming it and leave the file untouched."""
    raw = write(claude_settings(project), {"hooks": hooks_value, "other": True})
    for action in ("install", "uninstall"):
        line = failed_with_one_line(cli(project, "hook", action))
        assert '"hooks"' in line and str(claude_settings(project)) in line
        assert claude_settings(project).read_bytes() == raw
    assert listing(project / ".claude") == {"settings.json"}


def test_event_that_is_not_a_list_is_refused_by_install(cli, project):
    """hooks.UserPromptSubmit that is not a list: install exits 1 naming it and leaves the file untouched."""
    raw = write(claude_settings(project), {"hooks": {"UserPromptSubmit": {"hooks": []}}})
    line = failed_with_one_line(cli(project, "hook", "install"))
    assert "hooks.UserPromptSubmit" in line
    assert claude_settings(project).read_bytes() == raw
    assert listing(project / ".claude") == {"settings.json"}


def test_non_utf8_file_is_refused(cli, project):
    """A settings file that is not UTF-8 text is left byte-identical with exit 1."""
    raw = write(claude_settings(project), b'{"name": "caf\xe9"}')
    line = failed_with_one_line(cli(project, "hook", "install"))
    assert str(claude_settings(project)) in line
    assert claude_settings(project).read_bytes() == raw
    assert listing(project / ".claude") == {"settings.json"}


# -- agents and scopes -----------------------------------------------------------


CASES = [(agent, scope) for agent, scopes in PATHS.items() for scope in scopes]


@pytest.mark.parametrize("agent,scope", CASES)
def test_each_agent_and_scope_writes_its_own_file(cli, project, agent, scope):
    """Each agent × scope writes exactly its settings file (user scope under $HOME) with the agent's event and command."""
    base_name, relative = PATHS[agent][scope]
    base = project if base_name == "project" else home()
    path = base / relative
    before_project = file_contents(project)
    before_home = file_contents(home())
    ok(cli(project, "hook", "install", "--agent", agent, "--scope", scope))
    settings = read_json(path)
    flat = agent == "cursor"
    (entry,) = own(settings, PROMPT_EVENT[agent], flat=flat)
    assert entry["command"] == (PROMPT_CMD if agent == "claude" else f"{PROMPT_CMD} --agent {agent}")
    assert settings["hooks"].keys() == {PROMPT_EVENT[agent]}
    # synapse's own cache may change too: it notes the settings file install created (for uninstall).
    changed_project = {p for p in set(file_contents(project)) - set(before_project) if not p.startswith(".synapse/cache/")}
    changed_home = set(file_contents(home())) - set(before_home)
    assert (changed_project, changed_home) == (({relative}, set()) if base_name == "project" else (set(), {relative}))
    ok(cli(project, "hook", "uninstall", "--agent", agent, "--scope", scope))
    assert not path.exists()  # it held nothing but synapse's hooks: uninstall removes the file it created


def test_default_agent_and_scope_are_claude_project(cli, project):
    """Without --agent and --scope, install writes the Claude project file and nothing else."""
    ok(cli(project, "hook", "install"))
    assert own(read_json(claude_settings(project)), "UserPromptSubmit")
    assert not (project / ".claude" / "settings.local.json").exists()
    assert not (home() / ".claude").exists()


@pytest.mark.parametrize("agent", ["codex", "gemini", "cursor"])
@pytest.mark.parametrize("action", ["install", "uninstall"])
def test_local_scope_is_refused_for_other_agents(cli, project, agent, action):
    """--scope local for a non-Claude agent exits 1 with a message naming the agent, the scope and the choices, and writes nothing."""
    before = snapshot(project.parent, skip_cache=False), snapshot(home(), skip_cache=False)
    line = failed_with_one_line(cli(project, "hook", action, "--agent", agent, "--scope", "local"))
    assert agent in line and "local" in line and "project" in line and "user" in line
    assert (snapshot(project.parent, skip_cache=False), snapshot(home(), skip_cache=False)) == before


@pytest.mark.parametrize("bad", [("--agent", "vim"), ("--scope", "global")])
def test_unknown_agent_or_scope_is_a_usage_error(cli, project, bad):
    """An unknown --agent or --scope value is a usage error (exit 2) and writes nothing."""
    before = snapshot(project.parent, skip_cache=False)
    result = cli(project, "hook", "install", *bad)
    assert result.exit_code == 2
    assert snapshot(project.parent, skip_cache=False) == before


def test_timeouts_use_each_agents_unit(cli, project):
    """Claude and Codex get a timeout in seconds (a few, under their 30-60 s default); Gemini gets the same time in milliseconds."""
    for agent in ("claude", "codex", "gemini"):
        ok(cli(project, "hook", "install", "--agent", agent, "--with-session-start"))
    claude = own(read_json(project / ".claude/settings.json"), "UserPromptSubmit")[0]["timeout"]
    codex = own(read_json(project / ".codex/hooks.json"), "UserPromptSubmit")[0]["timeout"]
    gemini_settings = read_json(project / ".gemini/settings.json")
    gemini = own(gemini_settings, "BeforeAgent")[0]["timeout"]
    assert isinstance(claude, int) and 1 <= claude <= 30
    assert isinstance(codex, int) and 1 <= codex <= 30
    assert isinstance(gemini, int) and 1000 <= gemini <= 30_000
    assert gemini == claude * 1000
    assert own(gemini_settings, "SessionStart")[0]["timeout"] >= 1000
    assert "async" not in own(gemini_settings, "SessionStart")[0]


def test_cursor_file_gets_version_1_first(cli, project):
    """A new Cursor hooks file is {"version": 1, "hooks": {"beforeSubmitPrompt": [handler]}} with a flat handler list."""
    ok(cli(project, "hook", "install", "--agent", "cursor"))
    path = project / ".cursor" / "hooks.json"
    data = read_json(path)
    assert data == {"version": 1, "hooks": {"beforeSubmitPrompt": [{"command": cmd(agent="cursor")}]}}
    assert list(data) == ["version", "hooks"]


def test_cursor_existing_file_without_version_keeps_its_hooks(cli, project):
    """An existing Cursor file without "version" gets version 1 first; its other hooks and keys stay, an old synapse handler whose program is gone is replaced."""
    path = project / ".cursor" / "hooks.json"
    write(path, {"hooks": {"beforeSubmitPrompt": [{"command": "./audit.sh"}, {"command": "/x/bin/synapse hook prompt-submit"}], "afterFileEdit": [{"command": "fmt"}]}, "note": "é"})
    ok(cli(project, "hook", "install", "--agent", "cursor"))
    data = read_json(path)
    assert list(data) == ["version", "hooks", "note"]
    assert data == {"version": 1, "hooks": {"beforeSubmitPrompt": [{"command": "./audit.sh"}, {"command": cmd(agent="cursor")}], "afterFileEdit": [{"command": "fmt"}]}, "note": "é"}
    ok(cli(project, "hook", "uninstall", "--agent", "cursor"))
    assert read_json(path) == {"version": 1, "hooks": {"beforeSubmitPrompt": [{"command": "./audit.sh"}], "afterFileEdit": [{"command": "fmt"}]}, "note": "é"}


def test_cursor_existing_version_is_kept(cli, project):
    """A Cursor file that already states a version keeps it as it was."""
    path = project / ".cursor" / "hooks.json"
    write(path, {"version": 2, "hooks": {}})
    ok(cli(project, "hook", "install", "--agent", "cursor"))
    assert read_json(path)["version"] == 2


# -- the installed command, through a real shell ---------------------------------


def _payload_for(agent: str, project: Path) -> bytes:
    event = json.loads((PAYLOADS / PAYLOAD_FILE[agent]).read_text())
    if agent == "cursor":
        event["workspace_roots"] = [str(project)]
    else:
        event["cwd"] = str(project / "src")  # the agent has cd'ed into a subfolder
    return json.dumps(event).encode()


def _session_id(agent: str) -> str:
    event = json.loads((PAYLOADS / PAYLOAD_FILE[agent]).read_text())
    return event["conversation_id"] if agent == "cursor" else event["session_id"]


def _run_in_shell(command: str, payload: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``command`` via ``sh -c`` from an unrelated folder with a PATH holding nothing but ``synapse``."""
    only = tmp_path / "only-synapse-bin"
    only.mkdir(exist_ok=True)
    link = only / "synapse"
    if not link.exists():
        link.symlink_to(synapse_executable())
    unrelated = tmp_path / "unrelated"
    unrelated.mkdir(exist_ok=True)
    env = {"PATH": str(only), "HOME": os.environ["HOME"]}
    return subprocess.run(["/bin/sh", "-c", command], input=payload, cwd=unrelated, env=env, capture_output=True, timeout=30)


@pytest.mark.parametrize("agent", list(PATHS))
def test_installed_command_works_from_any_folder_with_only_synapse_on_path(project, tmp_path, agent):
    """Install (real subprocess), read the command from the settings file, run it through sh from an unrelated folder: the prompt is recorded."""
    (project / "src").mkdir()
    result = run_synapse(["--project-dir", str(project), "hook", "install", "--agent", agent], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    base, relative = PATHS[agent]["project"]
    (entry,) = own(read_json(project / relative), PROMPT_EVENT[agent], flat=agent == "cursor")
    ran = _run_in_shell(entry["command"], _payload_for(agent, project), tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == b""
    assert ran.stdout == (b'{"continue": true}\n' if agent == "cursor" else b"")
    session = read_json(session_path(project, _session_id(agent)))
    assert session["prompt_count"] == 1 and session["cwd"] == str(project)
    assert not (tmp_path / "unrelated" / ".synapse").exists()


def test_installed_session_commands_work_from_any_folder(project, tmp_path):
    """The installed Claude session-start and session-end commands, run through sh with only synapse on PATH, create and end the session."""
    result = run_synapse(["--project-dir", str(project), "hook", "install", "--with-session-start", "--with-session-end"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    settings = read_json(claude_settings(project))
    (start,) = own(settings, "SessionStart")
    (end,) = own(settings, "SessionEnd")
    for entry, fixture in ((start, "claude-session-start.json"), (end, "claude-session-end.json")):
        event = json.loads((PAYLOADS / fixture).read_text())
        event["cwd"] = str(project)
        ran = _run_in_shell(entry["command"], json.dumps(event).encode(), tmp_path)
        assert (ran.returncode, ran.stdout, ran.stderr) == (0, b"", b"")
    session = read_json(session_path(project, _session_id("claude")))
    assert session["prompt_count"] == 0 and session["end_reason"] == "prompt_input_exit"


def test_real_subprocess_invalid_file_exits_1_with_one_line(project, tmp_path):
    """The installed console script refuses an invalid settings file: exit 1, one stderr line with the position, nothing on stdout, file untouched."""
    raw = write(claude_settings(project), INVALID["line-comment"][0])
    result = run_synapse(["--project-dir", str(project), "hook", "install"], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == b""
    err = result.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("synapse: ") and "line 2, column 3" in err
    assert claude_settings(project).read_bytes() == raw
    assert listing(project / ".claude") == {"settings.json"}


def test_settings_file_behind_a_symlink_stays_a_symlink(cli, project, tmp_path):
    """A user-scope settings file linked from a dotfiles folder is changed where it lives; the link stays a link.

    (A project's linked settings file is refused: tests/editors/test_linked_editor_folder.py.)
    """
    real = tmp_path / "dotfiles" / "claude-settings.json"
    real.parent.mkdir()
    real.write_text('{"model": "opus"}\n')
    link = home() / ".claude" / "settings.json"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(real)
    ok(cli(project, "hook", "install", "--scope", "user"))
    assert link.is_symlink()
    assert read_json(real)["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"] == PROMPT_CMD
    assert read_json(real)["model"] == "opus"


def test_settings_file_with_a_byte_order_mark_is_accepted_and_keeps_it(cli, project):
    """A settings file saved with a UTF-8 byte-order mark is merged, and keeps its mark."""
    path = claude_settings(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\ufeff{\"model\": \"opus\"}\n".encode("utf-8"))
    ok(cli(project, "hook", "install"))
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    assert json.loads(raw.decode("utf-8-sig"))["model"] == "opus"


def test_entries_with_global_options_before_hook_are_recognised(cli, project):
    """``synapse --project-dir X hook prompt-submit`` written by hand (and runnable) is synapse's: install keeps it instead of adding a second."""
    mine = f"{CONSOLE} --project-dir /x hook prompt-submit"
    write(claude_settings(project), {"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": mine}]}]}})
    ok(cli(project, "hook", "install"))
    handlers = read_json(claude_settings(project))["hooks"]["UserPromptSubmit"]
    assert len(handlers) == 1 and handlers[0]["hooks"][0]["command"] == mine


def test_executable_option_writes_a_command_that_needs_no_path(project, tmp_path):
    """``--executable`` writes the full path, and that command records a prompt with an empty PATH."""
    exe = synapse_executable()
    result = run_synapse(["--project-dir", str(project), "hook", "install", "--executable", exe])
    assert result.returncode == 0, result.stderr
    command = read_json(claude_settings(project))["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]
    assert command.endswith(" hook prompt-submit") and exe in command
    unrelated = tmp_path / "elsewhere"
    unrelated.mkdir()
    payload = json.loads((PAYLOADS / "claude-user-prompt-submit.json").read_text())
    payload["cwd"] = str(project)
    env = {k: v for k, v in os.environ.items() if k not in ("PATH",)}
    env["PATH"] = "/nonexistent"
    ran = subprocess.run(["/bin/sh", "-c", command], input=json.dumps(payload).encode(), cwd=unrelated, env=env, capture_output=True, timeout=30)
    assert ran.returncode == 0 and ran.stdout == b"", ran.stderr
    assert read_json(session_path(project, payload["session_id"]))["prompt_count"] == 1
    # Installing again with the option keeps one entry; without it, the path written stays.
    run_synapse(["--project-dir", str(project), "hook", "install", "--executable", exe])
    run_synapse(["--project-dir", str(project), "hook", "install"])
    handlers = read_json(claude_settings(project))["hooks"]["UserPromptSubmit"]
    assert len(handlers) == 1 and handlers[0]["hooks"][0]["command"] == command


@pytest.mark.parametrize("bad", ["/bin/sh", "/nonexistent/synapse"])
def test_executable_option_refuses_what_is_not_a_synapse_program(cli, project, bad):
    """``--executable`` naming another program or a missing file exits 1 and writes nothing."""
    result = cli(project, "hook", "install", "--executable", bad)
    assert result.exit_code == 1 and result.stderr.startswith("synapse: --executable")
    assert not claude_settings(project).exists()
