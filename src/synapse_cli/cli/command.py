"""The command class synapse's commands with arguments use, so usage lines read as people write them."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


class SynapseCommand(TyperCommand):
    """Shows a required argument as ``SESSION_ID``, not Typer's ``{SESSION_ID}`` (which reads as a template)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [_unbrace(piece) for piece in super().collect_usage_pieces(ctx)]


def _unbrace(piece: str) -> str:
    return piece[1:-1] if len(piece) > 2 and piece[0] == "{" and piece[-1] == "}" else piece
