"""JSON and timestamps exactly as the framework's JavaScript side writes them.

``JSON.stringify(obj, null, 2)``: 2-space indent, ``": "`` after keys, non-ASCII kept
as is, insertion order, no trailing newline. JavaScript has one number type, so an
integral float is written as an integer, and NaN or infinity as ``null``.
Timestamps are ISO-8601 UTC with milliseconds and a literal ``Z``.
"""

from __future__ import annotations

import json
import math
import os
import time
TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any


def _jsify(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if isinstance(value, dict):
        return {str(k): _jsify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsify(v) for v in value]
    return value


def dumps_js(obj: Any) -> str:
    """Serialise like ``JSON.stringify(obj, null, 2)``."""
    return json.dumps(_jsify(obj), indent=2, ensure_ascii=False, allow_nan=False)


def iso_timestamp(epoch_seconds: float | None = None) -> str:
    """``2026-11-26T15:16:38.911Z`` for now or the given time (what JS ``toISOString()`` gives)."""
    ms = int((time.time() if epoch_seconds is None else epoch_seconds) * 1000)
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".%03dZ" % millis


def epoch_ms(epoch_seconds: float | None = None) -> int:
    return int((time.time() if epoch_seconds is None else epoch_seconds) * 1000)


def parse_timestamp(value: Any) -> float | None:
    """Seconds since the epoch for an ISO-8601 string, or None when it is not one.

    A time without a zone is taken as UTC (as the framework writes UTC only).
    """
    if not isinstance(value, str) or not value:
        return None
    from datetime import datetime, timezone

    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
# Without it, opening a FIFO named like a state file blocks until a writer appears (forever).
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def read_bytes_nofollow(path: str) -> bytes:
    """Read a whole regular file, refusing to follow a symlink at ``path`` (``OSError`` ELOOP).

    Anything else that is not a regular file (a folder, a FIFO, a device) raises
    ``OSError`` EISDIR or ENXIO at once instead of blocking or reading without end.
    """
    fd = os.open(path, os.O_RDONLY | _O_CLOEXEC | _O_NOFOLLOW | _O_BINARY | _O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode & 0o170000
        if mode != 0o100000:
            import errno

            code = errno.EISDIR if mode == 0o040000 else errno.ENXIO
            raise OSError(code, "not a regular file", path)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def loads_text(data: bytes) -> Any:
    """Parse UTF-8 JSON (a trailing newline or a BOM is accepted). Raises ValueError."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return json.loads(text)
