"""Reading import statements with ``ast``, for the layout guards of src/ and tests/."""

from __future__ import annotations

import ast


def imported_names(node: ast.AST, package: str = "") -> list[str]:
    """The absolute module names an import statement names; relative ones resolved against ``package``.

    ``from a.b import c`` names a.b and a.b.c (c may be a module); ``from ..cli import app``
    in synapse_cli.hooks names synapse_cli.cli and synapse_cli.cli.app. Anything else names nothing.
    """
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1])
            module = f"{base}.{node.module}" if node.module else base
        else:
            module = node.module or ""
        return [module] + [f"{module}.{alias.name}" for alias in node.names]
    return []
