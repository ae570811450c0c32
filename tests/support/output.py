"""What synapse prints when a command fails."""

from __future__ import annotations


def one_error_line(stderr: str | bytes) -> str:
    """Assert ``stderr`` is exactly one ``synapse: ...`` line (newline-terminated) and return it."""
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    lines = text.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {text!r}"
    assert lines[0].startswith("synapse: "), lines[0]
    assert text.endswith("\n")
    return lines[0]
