"""Reading JSON that a user passes on the command line, from a file, or on stdin."""

from __future__ import annotations

import json
import sys
from typing import Any

from synapse_cli.core.errors import InvalidInputError


def parse_json_object(text: str, what: str, hint: str = "") -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(f"{what} is not valid JSON: {exc}{hint}") from exc
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


# A JSON object a person passes is small; a bound keeps /dev/zero or a huge file from filling memory.
MAX_INPUT_BYTES = 16 * 1024 * 1024


def _too_large(what: str, where: str) -> InvalidInputError:
    return InvalidInputError(f"{what}: {where} holds more than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")


def _decoded(data: bytes, what: str, where: str) -> str:
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(what, where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{what} is not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise InvalidInputError(f"{what}: {where} is empty (expected a JSON object)")
    return text


def read_stdin_text(what: str) -> str:
    if sys.stdin is None or sys.stdin.isatty():
        raise InvalidInputError(f"{what}: expected JSON on stdin, but stdin is a terminal")
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_INPUT_BYTES + 1) if stream is not None else sys.stdin.read(MAX_INPUT_BYTES + 1).encode("utf-8")
    return _decoded(data, what, "stdin")


def read_file_text(path: str, what: str) -> str:
    """A regular file's text, read with a bound (never a FIFO or a device that does not end)."""
    import errno

    from synapse_cli.core.files import FileTooLargeError, read_regular

    try:
        data = read_regular(path, MAX_INPUT_BYTES, follow_links=True)  # a path the user named: a link is theirs
    except FileTooLargeError:
        raise _too_large(what, path) from None
    except OSError as exc:
        if exc.errno in (errno.EISDIR, errno.ENXIO):
            raise InvalidInputError(f"{what}: {path} is not a regular file") from exc
        raise InvalidInputError(f"{what}: cannot read {path}: {exc.strerror or exc}") from exc
    return _decoded(data, what, path)


def read_patch(value: str | None, what: str = "--patch") -> dict[str, Any] | None:
    """``--patch JSON``, ``--patch @FILE`` or ``--patch -`` (JSON on stdin)."""
    if value is None:
        return None
    if value == "-":
        text = read_stdin_text(what)
    elif value.startswith("@"):
        text = read_file_text(value[1:], what)
    else:
        return parse_json_object(value, what, _file_hint(value))
    return parse_json_object(text, what)


def _file_hint(value: str) -> str:
    """`` (to read a file, write @patch.json)`` when inline text that is not JSON names an existing file."""
    import os

    stripped = value.strip()
    if not stripped or stripped[0] in "{[\"" or len(stripped) > 4096 or "\x00" in stripped:
        return ""  # JSON gone wrong, not a file name
    try:
        exists = os.path.exists(os.path.expanduser(stripped))
    except (OSError, ValueError):
        return ""
    return f" (to read a file, write @{stripped})" if exists else ""


PATCH_HELP = "inline JSON, @FILE to read it from a file, or - to read it from stdin"
