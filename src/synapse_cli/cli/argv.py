"""Global options written after the command: ``synapse init --project-dir X`` as ``synapse --project-dir X init``.

click reads an option only at the level that defines it, so ``--project-dir``,
``--config`` and ``--debug`` worked only before the command, while the help examples
(and habit) put them after it. Before parsing, every global option found after the
command words is moved in front of them; an option the command itself defines (the
hook commands take their own ``--project-dir``) and anything after ``--`` stay where
they are. ``--json`` written before a command that takes it is moved onto the command.
The command's own options that take a value are skipped with their value, so
``--title --debug`` still sets the title to ``--debug``.
"""

from __future__ import annotations

from typing import Any

GLOBAL_WITH_VALUE = ("--project-dir", "--config")
GLOBAL_FLAGS = ("--debug",)
GLOBALS = GLOBAL_WITH_VALUE + GLOBAL_FLAGS


def _option_names(command: Any) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option":
            for name in (*param.opts, *param.secondary_opts):
                names[name] = param
    return names


def _takes_value(param: Any) -> bool:
    return not getattr(param, "is_flag", False) and not getattr(param, "count", False)


def hoist_global_options(root: Any, args: list[str]) -> list[str]:
    """``args`` with the global options after the command moved before it (see the module's docstring)."""
    command, index, first_word = root, 0, None
    moved: list[str] = []
    kept: list[str] = []
    json_before = False
    # The command words, and options between them.
    while index < len(args):
        token = args[index]
        if token == "--":
            return args
        name, equals, _ = token.partition("=")
        if token.startswith("-"):
            width = 2 if name in GLOBAL_WITH_VALUE and not equals and index + 1 < len(args) else 1
            if command is not root and name in GLOBALS:
                moved += args[index : index + width]  # `synapse session --debug list`
            elif token == "--json":
                json_before = True  # `synapse --json session list`
            else:
                kept += args[index : index + width]
            index += width
            continue
        commands = getattr(command, "commands", None)
        if commands is None:
            break  # the command reached: this is its first argument
        sub = commands.get(token)
        if sub is None:
            return args  # an unknown command: click says so, with the arguments as given
        first_word = len(kept) if first_word is None else first_word
        kept.append(token)
        command = sub
        index += 1
        if getattr(command, "commands", None) is None:
            break
    if getattr(command, "commands", None) is not None:
        return args  # no command reached (`synapse session`, `--help`): nothing to move
    own = _option_names(command)
    if json_before:
        if "--json" not in own:
            return args  # `--json` where it does not apply: click reports it
        kept.append("--json")
    while index < len(args):
        token = args[index]
        if token == "--":
            kept += args[index:]
            break
        name, equals, _ = token.partition("=")
        if name in GLOBALS and name not in own:
            width = 2 if name in GLOBAL_WITH_VALUE and not equals and index + 1 < len(args) else 1
            moved += args[index : index + width]
            index += width
            continue
        param = own.get(token)
        width = 2 if param is not None and _takes_value(param) and index + 1 < len(args) else 1
        kept += args[index : index + width]
        index += width
    if not moved:
        return kept
    at = first_word if first_word is not None else 0
    return kept[:at] + moved + kept[at:]
