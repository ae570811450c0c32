"""Which program an editor's hook entry runs, and whether it runs where the editor runs it.

Editors start hooks with ``sh -c`` and often with little more than ``PATH=/usr/bin:/bin``
(an editor started from the desktop never sees a virtual environment's ``bin/``). So the
command synapse registers names a program that resolves on that minimal PATH: the bare
name only when the program found there is this very installation's, otherwise its
absolute path.

The program is ``synapse-hook``, a plain script installed with the package whose
``#!python`` line pip rewrites to the installation's interpreter. It imports nothing but
synapse's hook fast path, while the generated ``synapse`` console script starts with
``import re`` (a third of the hook's cost). On Windows, where only a generated ``.exe``
wrapper can be started directly, the ``synapse.exe`` console script is registered.
"""

from __future__ import annotations

import os
import shlex
import sys

MINIMAL_PATH = "/usr/bin:/bin"
LAUNCHER = "synapse-hook"
CONSOLE_SCRIPT = "synapse"
# Names a hook entry's program may have: the launcher takes the hook name directly
# (``synapse-hook prompt-submit``), the console script after ``hook``.
LAUNCHER_NAMES = ("synapse-hook",)
CONSOLE_NAMES = ("synapse", "synapse.exe")
PROGRAM_NAMES = LAUNCHER_NAMES + CONSOLE_NAMES


class Program:
    """One installed synapse program that a hook entry can run."""

    def __init__(self, path: str, launcher: bool):
        self.path = path
        self.launcher = launcher

    def words(self, hook: str) -> list[str]:
        """The arguments after the program that run ``hook``."""
        return [hook] if self.launcher else ["hook", hook]


def _is_windows() -> bool:
    return os.name == "nt"


def _interpreter_of(path: str) -> str | None:
    """The interpreter named on a script's ``#!`` line, or None for a file without one."""
    from synapse_cli.core.files import read_head

    try:
        # Never blocking: the path comes from a settings file a repository may carry, and a
        # FIFO committed under the program's name would hang doctor.
        first = read_head(path, 4096).split(b"\n", 1)[0]
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    return words[0] if words else None


def _same_folder(a: str, b: str) -> bool:
    return os.path.normcase(os.path.abspath(os.path.dirname(a))) == os.path.normcase(os.path.abspath(os.path.dirname(b)))


def _candidate_folders() -> list[str]:
    """Where this installation's scripts may be: beside the running program first (pipx links, --user installs)."""
    import sysconfig

    folders = []
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if os.path.basename(argv0).lower() in PROGRAM_NAMES + ("synapse-script.py",):
        folders += [os.path.dirname(os.path.abspath(argv0)), os.path.dirname(os.path.realpath(argv0))]
    folders.append(os.path.dirname(os.path.abspath(sys.executable)))
    for scheme in (None, f"{os.name}_user"):
        try:
            folders.append(sysconfig.get_path("scripts") if scheme is None else sysconfig.get_path("scripts", scheme))
        except KeyError:
            continue
    unique = []
    for folder in folders:
        if folder and folder not in unique:
            unique.append(folder)
    return unique


def find_own_program() -> Program | None:
    """This installation's hook program: the ``synapse-hook`` launcher (POSIX) or the console script.

    A launcher counts only when its ``#!`` interpreter lives beside this process's
    interpreter, so a launcher of another installation on the same PATH is never taken.
    """
    folders = _candidate_folders()
    if not _is_windows():
        for folder in folders:
            path = os.path.join(folder, LAUNCHER)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                interpreter = _interpreter_of(os.path.realpath(path))
                if interpreter and (_same_folder(interpreter, sys.executable) or os.path.realpath(interpreter) == os.path.realpath(sys.executable)):
                    return Program(path, launcher=True)
    name = "synapse.exe" if _is_windows() else CONSOLE_SCRIPT
    for folder in folders:
        path = os.path.join(folder, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return Program(path, launcher=False)
    return None


def program_from_path(executable: str) -> Program:
    """The program an explicit ``--executable`` names (already checked to be a synapse program)."""
    return Program(executable, launcher=os.path.basename(executable).lower() in LAUNCHER_NAMES)


def quote_program(path: str) -> str:
    """``path`` quoted for the shell an editor runs the command in (forward slashes on Windows)."""
    if _is_windows():
        return '"' + path.replace("\\", "/") + '"'
    return "'" + path.replace("'", "'\"'\"'") + "'"


def which_minimal(name: str, search_path: str = MINIMAL_PATH) -> str | None:
    """What ``sh`` would run for a bare ``name`` with ``PATH=search_path``."""
    for folder in search_path.split(os.pathsep if _is_windows() else ":"):
        candidate = os.path.join(folder or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class Choice:
    """The program text to write into a hook entry, and why that form."""

    def __init__(self, program: Program | None, text: str, form: str, reason: str):
        self.program = program
        self.text = text          # as written in the command: a bare name or a quoted path
        self.form = form          # "bare", "absolute" or "executable"
        self.reason = reason

    def command(self, hook: str, agent: str) -> str:
        words = self.program.words(hook) if self.program else ["hook", hook]
        command = " ".join([self.text, *words])
        return command if agent == "claude" else f"{command} --agent {agent}"


def choose_program(executable: str | None = None, search_path: str = MINIMAL_PATH) -> Choice:
    """The program a hook entry should name, for an editor that runs it with ``PATH=search_path``."""
    if executable:
        return Choice(program_from_path(executable), quote_program(executable), "executable", "the path given with --executable")
    program = find_own_program()
    if program is None:
        return Choice(None, CONSOLE_SCRIPT, "bare", "this installation's synapse program was not found; the editor's PATH must have `synapse`")
    name = os.path.basename(program.path)
    if not _is_windows():
        found = which_minimal(name, search_path)
        if found and _same_file(found, program.path):
            return Choice(program, name, "bare", f"{found} on the minimal PATH {search_path} is this synapse")
        where = f"{found} there is another program" if found else f"{name} is not on the minimal PATH {search_path}"
        return Choice(program, quote_program(program.path), "absolute", f"{where}; editors may run hooks with only that PATH")
    return Choice(program, quote_program(program.path), "absolute", "Windows editors do not share your shell's PATH")


# -- checking a registered command -------------------------------------------------


def program_word(command: str) -> tuple[str | None, str | None]:
    """The word of ``command`` that names synapse's program, or None and why it cannot be told."""
    try:
        words = shlex.split(command, posix=not _is_windows())
    except ValueError as exc:
        return None, f"the command cannot be parsed as a shell command ({exc})"
    if not _is_windows() and "\\" in command:
        words += command.split()  # a Windows path (C:\\x\\synapse.exe) in a command run by sh
    for word in words:
        bare = word.strip("\"'")
        if os.path.basename(bare.replace("\\", "/")).lower() in PROGRAM_NAMES:
            return bare, None
    return None, "no synapse program is named in it"


# Variables editors set for hooks to their project's folder (Claude Code documents
# "$CLAUDE_PROJECT_DIR"/... for hook paths).
_PROJECT_VARIABLES = ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR", "CODEX_PROJECT_DIR")


def _expand(word: str, project_root: str) -> str:
    """``word`` with the project variables, ``$HOME`` and ``~`` replaced as the editor's shell would."""
    for name in _PROJECT_VARIABLES:
        word = word.replace("${" + name + "}", project_root).replace("$" + name, project_root)
    home = os.path.expanduser("~")
    word = word.replace("${HOME}", home).replace("$HOME", home)
    return os.path.expanduser(word)


RELATIVE_REASON = "it depends on the current folder, which moves when the agent changes folder (`cd src`)"


def check_command(command: str, project_root: str, search_path: str = MINIMAL_PATH) -> tuple[str | None, str | None]:
    """Where the program of a registered command resolves when an editor runs it, or None and why not.

    (None, None) when the program's path hangs on a variable only the editor sets.

    The command is judged from the project folder with ``PATH=search_path`` (Windows:
    this process's PATH). A script's ``#!`` interpreter must exist too: a virtual
    environment whose Python was removed leaves launchers that cannot start. A relative
    path with a folder in it (``.venv/bin/synapse-hook``) is refused even when it resolves
    from the project folder: editors run hooks in the session's current folder.
    """
    word, why = program_word(command)
    if word is None:
        return None, why
    word = _expand(word, project_root)
    if "$" in word:
        return None, None  # names a variable only the editor's environment knows: cannot be judged here
    relative = False
    if "/" in word or (_is_windows() and "\\" in word):
        relative = not os.path.isabs(word)
        path = os.path.join(project_root, word) if relative else word
        if not os.path.lexists(path):
            return None, f"{word}: no such file"
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return None, f"{word}: not an executable file"
    else:
        if _is_windows():
            import shutil

            found = shutil.which(word)
            if found is None:
                return None, f"{word} is not on PATH"
            path = found
        else:
            found = which_minimal(word, search_path)
            if found is None:
                return None, f"{word} is not found on PATH={search_path}"
            path = found
    interpreter = _interpreter_of(path)
    if interpreter is not None and not (os.path.isfile(interpreter) and os.access(interpreter, os.X_OK)):
        return None, f"{path}: its interpreter {interpreter} does not exist"
    if relative:
        # The editor runs hooks in the session's current folder, not the project's: once
        # the agent runs `cd src`, the path names nothing and every prompt's hook fails (127).
        return None, f"{word} is a relative path: {RELATIVE_REASON}"
    return path, None
