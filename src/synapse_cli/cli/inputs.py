"""Reading JSON that a user passes on the command line, from a file, or on stdin."""

from __future__ import annotations

import json
import sys
from typing import Any

from synapse_cli.core.errors import InvalidInputError


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(f"{what} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def read_stdin_text(what: str) -> str:
    if sys.stdin is None or sys.stdin.isatty():
        raise InvalidInputError(f"{what}: expected JSON on stdin, but stdin is a terminal")
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{what} is not UTF-8 text (byte {exc.start})") from exc


def read_patch(value: str | None, what: str = "--patch") -> dict[str, Any] | None:
    """``--patch JSON`` or ``--patch -`` (JSON on stdin)."""
    if value is None:
        return None
    text = read_stdin_text(what) if value == "-" else value
    return parse_json_object(text, what)
