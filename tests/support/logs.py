"""synapse's in-process log: commands run in process configure it, so tests reset it around themselves."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def clean_log() -> Iterator[None]:
    """Run with the log unconfigured (warnings to stderr, no file), then put back what was there."""
    from synapse_cli.core import log

    saved = log.current_settings()
    log.reset()
    try:
        yield
    finally:
        log.restore_settings(saved)
