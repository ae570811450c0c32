"""Commands loaded only when used: ``synapse session show`` imports the session commands and nothing else.

Building every command group on every run imported the hook runner, the editors'
settings code, the doctor and the selftest for each command (issue 12 item 17: a
typical command must start within 8x a bare interpreter). The top-level group knows
each command's module by name and builds a command the first time it is asked for:
running one command loads one module; ``--help`` at the top loads them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import typer

# name -> (module, attribute): a Typer app (a command group), or a function (one command).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("synapse_cli.cli.init_cmd", "init"),
    "doctor": ("synapse_cli.cli.doctor_cmd", "doctor"),
    "selftest": ("synapse_cli.cli.selftest_cmd", "selftest"),
    "hook": ("synapse_cli.cli.hook_cmd", "app"),
    "session": ("synapse_cli.cli.session_cmd", "app"),
    "state": ("synapse_cli.cli.state_cmd", "app"),
    "metrics": ("synapse_cli.cli.metrics_cmd", "app"),
    "config": ("synapse_cli.cli.config_cmd", "app"),
}


def build(name: str) -> Any:
    """The click command for ``name``, built from its module."""
    module_name, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    command: Any
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)  # a group even with one command (`config show`)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyCommands(dict):
    """A group's ``commands`` mapping whose values are built on first access (click reads it as a dict)."""

    def __init__(self, loaders: dict[str, Callable[[], Any]], loaded: Mapping[str, Any] | None = None):
        super().__init__(loaded or {})
        self._loaders = loaders

    def _load(self, name: Any) -> None:
        if name in self._loaders and not dict.__contains__(self, name):
            dict.__setitem__(self, name, self._loaders[name]())

    def __getitem__(self, name: Any) -> Any:
        self._load(name)
        return dict.__getitem__(self, name)

    def get(self, name: Any, default: Any = None) -> Any:
        self._load(name)
        return dict.get(self, name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._loaders or dict.__contains__(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter([*self._loaders, *(k for k in dict.keys(self) if k not in self._loaders)])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def keys(self) -> list[str]:  # type: ignore[override]
        return list(iter(self))

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[name] for name in self]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(name, self[name]) for name in self]


def lazy_commands(existing: Mapping[str, Any]) -> LazyCommands:
    return LazyCommands({name: _loader(name) for name in COMMANDS}, existing)


def _loader(name: str) -> Callable[[], Any]:
    return lambda: build(name)
