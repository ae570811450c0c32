"""Reading the editor's event from stdin: bounded in size and in time, never hanging.

Editors write one JSON object on the hook's stdin and close it. The reader takes at
most ``MAX_PAYLOAD_BYTES``, gives up after ``STDIN_TIMEOUT_SECONDS`` without EOF, and
uses a complete object at once even when stdin stays open. Whatever goes wrong is
returned as a ``problem``, never raised: the hook logs it and exits 0.
"""

from __future__ import annotations

import os
import time

MAX_PAYLOAD_BYTES = 8 * 1024 * 1024
"""A prompt may carry a large paste; anything beyond this is not an editor's event."""
STDIN_TIMEOUT_SECONDS = 2.0
"""Editors write the event and close stdin at once; never wait longer for a missing EOF."""

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any


class HookInput:
    """What the hook took from stdin: the event, or why there is none."""

    __slots__ = ("event", "problem")

    def __init__(self, event: dict[str, Any] | None, problem: str | None):
        self.event = event
        self.problem = problem


def parse_event(data: bytes) -> HookInput:
    """The event in ``data``, or why there is none."""
    from synapse_cli.core.jsonio import loads  # not json: it imports re, which the hook never needs

    if not data.strip():
        return HookInput(None, "empty payload on stdin")
    try:
        event = loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return HookInput(None, f"payload is not UTF-8 (byte {exc.start})")
    except ValueError as exc:  # nesting too deep for the parser included
        return HookInput(None, f"payload is not valid JSON ({exc})")
    if not isinstance(event, dict):
        return HookInput(None, f"payload is a JSON {type(event).__name__}, not an object")
    return HookInput(event, None)


def _complete_json(chunks: list[bytes]) -> bool:
    """Whether what arrived so far is already one whole JSON object (stdin left open)."""
    data = b"".join(chunks).rstrip()
    if not data.endswith(b"}"):
        return False
    return parse_event(data).event is not None


def read_event(fd: int = 0, *, limit: int = MAX_PAYLOAD_BYTES, timeout: float = STDIN_TIMEOUT_SECONDS) -> HookInput:
    """Read one JSON event from ``fd`` without ever hanging or reading without bound."""
    try:
        if os.isatty(fd):
            return HookInput(None, "stdin is a terminal, not an editor's event")
    except OSError:
        return HookInput(None, "no stdin")
    if os.name == "nt":  # pragma: no cover - pipes cannot be polled there
        return _read_event_with_thread(fd, limit, timeout)
    chunks: list[bytes] = []
    total = 0
    deadline = time.monotonic() + timeout
    try:
        was_blocking = os.get_blocking(fd)
        os.set_blocking(fd, False)
    except OSError:
        return HookInput(None, "stdin cannot be read")
    try:
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                if chunks and _complete_json(chunks):
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return HookInput(None, f"stdin sent no complete event within {timeout:g} s and did not close")
                import select

                select.select([fd], [], [], min(remaining, 0.1))
                continue
            except OSError as exc:
                return HookInput(None, f"stdin cannot be read ({exc.strerror or exc})")
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                return HookInput(None, f"payload is larger than {limit} bytes; ignored")
            chunks.append(chunk)
    finally:
        try:
            os.set_blocking(fd, was_blocking)
        except OSError:
            pass
    return parse_event(b"".join(chunks))


def _read_event_with_thread(fd: int, limit: int, timeout: float) -> HookInput:
    """Windows' reader (a pipe there cannot be polled): a thread reads, this one watches.

    Editors may leave stdin open after the event: what arrived is used as soon as it is
    one whole JSON object, as the POSIX reader does, instead of waiting for an EOF that
    never comes and then dropping a complete event. Runs on POSIX too, in tests.
    """
    import threading

    chunks: list[bytes] = []
    ended: list[bool] = []

    def reader() -> None:
        total = 0
        try:
            while total <= limit:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except OSError:
            pass
        ended.append(True)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not ended:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        thread.join(min(remaining, 0.05))
        if not ended and chunks and _complete_json(list(chunks)):
            break
    data = b"".join(list(chunks))
    if len(data) > limit:
        return HookInput(None, f"payload is larger than {limit} bytes; ignored")
    if not ended and not (data and _complete_json([data])):
        return HookInput(None, f"stdin sent no complete event within {timeout:g} s and did not close")
    return parse_event(data)
