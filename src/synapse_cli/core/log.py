"""A tiny diagnostics log that costs nothing on the per-prompt path.

The standard ``logging`` package costs about 10 ms to import; the hook pays every
import on every prompt, so synapse keeps its own: lines go to a size-bounded file
under ``.synapse/cache/`` and, when asked, to stderr. Never to stdout: a hook's
stdout is injected into the model's context.

Until something configures it (a library user), warnings and errors go to stderr.
"""

from __future__ import annotations

import os
import sys
import time

DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
_LEVEL_NAMES = {DEBUG: "DEBUG", INFO: "INFO", WARNING: "WARNING", ERROR: "ERROR"}

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_MESSAGE_CHARS = 16 * 1024
"""One line never floods the log, whatever a message quotes."""
# The log lives in the project, which anyone can commit a symlink or FIFO into.
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class _Sinks:
    file_path: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    stderr_level: int | None = WARNING
    file_level: int = DEBUG


_sinks = _Sinks()


def current_settings() -> tuple[str | None, int, int | None, int]:
    """Where lines go now, to put back later with ``restore_settings`` (tests, embedding callers)."""
    return (_sinks.file_path, _sinks.max_bytes, _sinks.stderr_level, _sinks.file_level)


def restore_settings(saved: tuple[str | None, int, int | None, int]) -> None:
    _sinks.file_path, _sinks.max_bytes, _sinks.stderr_level, _sinks.file_level = saved


def reset() -> None:
    """Back to the unconfigured state: no file; warnings and errors on stderr."""
    restore_settings((None, DEFAULT_MAX_BYTES, WARNING, DEBUG))


def configure(
    *,
    file_path: str | None = None,
    stderr: bool = False,
    debug: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> None:
    """Send lines to ``file_path`` (all levels) and to stderr (``stderr``: warnings; ``debug``: all)."""
    _sinks.file_path = file_path
    _sinks.max_bytes = max_bytes
    if debug:
        _sinks.stderr_level = DEBUG
    elif stderr:
        _sinks.stderr_level = WARNING
    else:
        _sinks.stderr_level = None


def log_file_path() -> str | None:
    return _sinks.file_path


def format_line(level: int, message: str) -> str:
    """One log line: UTC time, pid, level, message (cut at ``MAX_MESSAGE_CHARS``)."""
    if len(message) > MAX_MESSAGE_CHARS:
        message = f"{message[:MAX_MESSAGE_CHARS]}... ({len(message) - MAX_MESSAGE_CHARS} more characters cut)"
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    return f"{stamp} pid={os.getpid()} {_LEVEL_NAMES.get(level, level)} {message}\n"


def append_line(path: str, line: bytes, max_bytes: int) -> None:
    """Append ``line`` to the log file ``path``, rotating it past ``max_bytes``; raises ``OSError``."""
    # One O_APPEND write per line: concurrent hooks interleave whole lines, not bytes.
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _O_CLOEXEC | _O_NOFOLLOW | _O_NONBLOCK
    from synapse_cli.core.folders import ensure_folder, refuse_linked

    refuse_linked(os.path.dirname(path))  # a .synapse/cache committed as a link to anywhere
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        ensure_folder(os.path.dirname(path))
        fd = os.open(path, flags, 0o600)
    try:
        st = os.fstat(fd)
        if (st.st_mode & 0o170000) != 0o100000:
            return  # a FIFO or device put in the log's place: write nothing there
        size = st.st_size
        os.write(fd, line)
    finally:
        os.close(fd)
    if size + len(line) > max_bytes:
        # Keep one previous generation; a concurrent rotation only loses the race, not data
        # that matters (diagnostics), and never blocks the prompt.
        try:
            os.replace(path, path + ".1")
        except OSError:
            pass


def log(level: int, message: str) -> None:
    """Record one diagnostic line; never raises (a broken log must not break a prompt)."""
    line = None
    if _sinks.file_path and level >= _sinks.file_level:
        line = format_line(level, message)
        try:
            append_line(_sinks.file_path, line.encode("utf-8", "replace"), _sinks.max_bytes)
        except OSError:
            pass
    if _sinks.stderr_level is not None and level >= _sinks.stderr_level:
        try:
            sys.stderr.write(line or format_line(level, message))
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass


def debug(message: str) -> None:
    log(DEBUG, message)


def warning(message: str) -> None:
    log(WARNING, message)


def error(message: str) -> None:
    log(ERROR, message)
