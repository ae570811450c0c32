"""Windows' stdin reader (a thread, as pipes cannot be polled there), run here on a POSIX pipe."""

from __future__ import annotations

import os
import time

from synapse_cli.hooks.events import _read_event_with_thread


def test_a_complete_event_is_used_while_stdin_stays_open() -> None:
    """The editor writes the event and leaves stdin open: the event is taken at once, not dropped at the timeout."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b'{"session_id": "s1", "cwd": "/x"}')
        started = time.monotonic()
        received = _read_event_with_thread(read_end, 1 << 20, 2.0)
        assert received.event == {"session_id": "s1", "cwd": "/x"}, received.problem
        assert time.monotonic() - started < 1.0
    finally:
        os.close(write_end)
        os.close(read_end)


def test_an_incomplete_event_on_an_open_stdin_times_out() -> None:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b'{"session_id": "s1", ')
        received = _read_event_with_thread(read_end, 1 << 20, 0.3)
        assert received.event is None and "no complete event" in str(received.problem)
    finally:
        os.close(write_end)
        os.close(read_end)


def test_a_closed_stdin_gives_its_event() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b'{"session_id": "s1"}\n')
    os.close(write_end)
    try:
        assert _read_event_with_thread(read_end, 1 << 20, 2.0).event == {"session_id": "s1"}
    finally:
        os.close(read_end)
