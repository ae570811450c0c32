"""synapse's in-process log: commands run in process configure it, so tests reset it around themselves."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def clean_log() -> Iterator[None]:
    """Run with the log unconfigured (warnings to stderr, no file), then put back what was there."""
    from synapse_cli.core import log

    sinks = log._sinks
    saved = (sinks.file_path, sinks.max_bytes, sinks.stderr_level, sinks.file_level)
    sinks.file_path, sinks.max_bytes = None, log.DEFAULT_MAX_BYTES
    sinks.stderr_level, sinks.file_level = log.WARNING, log.DEBUG
    try:
        yield
    finally:
        sinks.file_path, sinks.max_bytes, sinks.stderr_level, sinks.file_level = saved
