"""The command class synapse's commands with arguments use, so usage lines read as people write them."""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand


class SynapseCommand(TyperCommand):
    """Shows a required argument as ``SESSION_ID``, not Typer's ``{SESSION_ID}`` (which reads as a template).

    An argument named by its metavar is shown by that name alone: Typer's help would add the
    type's placeholder beside it (``SESSION_ID  <str>``), which tells a user nothing.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar and param.type.name == "str":  # a choice shows its choices: kept
                param.type = _shown_by_metavar(param.type)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [_unbrace(piece) for piece in super().collect_usage_pieces(ctx)]


def _shown_by_metavar(kind: Any) -> Any:
    """A type like ``kind`` with no placeholder of its own in help: the argument's metavar names the value."""
    return type(type(kind).__name__, (type(kind),), {"get_metavar": lambda self, param, ctx: ""})()


def _unbrace(piece: str) -> str:
    return piece[1:-1] if len(piece) > 2 and piece[0] == "{" and piece[-1] == "}" else piece
