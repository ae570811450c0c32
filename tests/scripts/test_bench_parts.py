"""The bench's own reading of which part of a sessions folder a first prompt examined."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from synapse_cli.core.sessions.cleanup import part_of as synapse_part_of

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def bench_hook():
    sys.path.insert(0, str(SCRIPTS))
    try:
        from bench.sections import hook
    finally:
        sys.path.remove(str(SCRIPTS))
    return hook


def test_the_bench_applies_the_same_part_rule_as_synapse(bench_hook) -> None:
    """The bench spells the rule out on its own; it must agree with synapse on every kind of id it creates."""
    rng = random.Random(5)
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(2000)] + [f"bench-first1k-{n}-{rng.getrandbits(48):012x}"
                                                                   for n in range(500)] + ["a", "ab", "stale-0001"]
    assert [bench_hook.part_of(sid) for sid in ids] == [synapse_part_of(f"{sid}.json", 3) for sid in ids]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1\n", (0, False)),  # part 1 comes next: part 0 was examined
        ("0\n", (2, False)),
        ("1\n0123abcd.json\n", (1, True)),  # cut off in part 1 at that name
        ("", (None, False)),
        (None, (None, False)),  # no cursor: the whole folder was examined
    ],
)
def test_the_examined_part_is_read_from_the_cursor(bench_hook, tmp_path: Path, text: str | None, expected) -> None:
    cursor = tmp_path / ".synapse" / "cache" / "cleanup-cursor"
    cursor.parent.mkdir(parents=True)
    if text is not None:
        cursor.write_text(text)
    assert bench_hook.examined_part(tmp_path) == expected
