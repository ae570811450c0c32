"""A pass over one part of a large sessions folder: which names it examines, and the cursor that names the next part."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from synapse_cli.core.sessions.cleanup import Cursor, FolderPart, clean_stale, read_cursor, save_cursor
from synapse_cli.core.sessions.store import SessionStore
from tests.support.parts import PARTS, folder_part
from tests.support.sessions import write_session


def _stale(sessions: Path, ids: list[str], now: float) -> list[Path]:
    return [write_session(sessions, sid, age_hours=30 * 24, now=now) for sid in ids]


def test_three_passes_over_the_parts_remove_every_stale_session_while_files_come_and_go(sessions_dir: Path) -> None:
    """Each pass removes exactly the stale sessions of its part; with sessions added and removed between
    passes (as other prompts do), the three passes together remove every stale session there was."""
    rng = random.Random(13)
    now = time.time()
    fresh = [f"fresh-{rng.getrandbits(64):016x}" for _ in range(700)]
    for sid in fresh:
        write_session(sessions_dir, sid, age_hours=2, now=now)
    stale_ids = [f"stale-{rng.getrandbits(64):016x}" for _ in range(90)]
    stale = dict(zip(stale_ids, _stale(sessions_dir, stale_ids, now)))
    store = SessionStore(str(sessions_dir))

    for part in range(PARTS):
        result = clean_stale(store, 168, now=now, part=FolderPart(part, PARTS, 512))
        assert result.part == part
        assert sorted(result.removed) == sorted(sid for sid in stale if folder_part(sid) == part)
        # Only its part's files were examined: the kept ones are that part's fresh sessions.
        here = [name[:-5] for name in os.listdir(sessions_dir) if name.endswith(".json")]
        assert result.kept == sum(1 for sid in here if folder_part(sid) == part)
        for sid in list(stale):
            if folder_part(sid) == part:
                assert not stale.pop(sid).exists()
        # Between passes: new sessions come (some stale, from a restored backup) and fresh ones go.
        newcomers = [f"new-{rng.getrandbits(64):016x}" for _ in range(40)]
        for sid in newcomers:
            write_session(sessions_dir, sid, age_hours=1, now=now)
        for sid in rng.sample(fresh, 30):
            (sessions_dir / f"{sid}.json").unlink(missing_ok=True)

    assert not stale, f"stale sessions no pass examined: {sorted(stale)}"


def test_a_folder_of_at_most_whole_up_to_names_is_examined_whole(sessions_dir: Path) -> None:
    """At the threshold the whole folder is examined (every stale session goes at once); one name more, one part."""
    now = time.time()
    stale_ids = [f"stale-{n:03d}" for n in range(30)]
    _stale(sessions_dir, stale_ids, now)
    for n in range(512 - len(stale_ids)):
        write_session(sessions_dir, f"fresh-{n:03d}", age_hours=1, now=now)
    store = SessionStore(str(sessions_dir))

    whole = clean_stale(store, 168, now=now, part=FolderPart(1, PARTS, 512), dry_run=True)
    assert whole.part is None
    assert sorted(whole.removed) == stale_ids

    write_session(sessions_dir, "fresh-one-more", age_hours=1, now=now)
    one_part = clean_stale(store, 168, now=now, part=FolderPart(1, PARTS, 512), dry_run=True)
    assert one_part.part == 1
    assert sorted(one_part.removed) == [sid for sid in stale_ids if folder_part(sid) == 1]


def test_parts_split_names_without_overlap_and_leave_none_out() -> None:
    """Every name of a session or temp file is in exactly one part; names too short to be either are in none."""
    names = [f"{n:x}.json" for n in range(300)] + ["a.json", "x.json.tmp.12.34.9f3a", "ab", "", ".json"]
    parts = [FolderPart(k, PARTS, 0).names_in(names) for k in range(PARTS)]
    assert sorted(sum(parts, [])) == sorted(n for n in names if len(n) >= 6)
    assert all(parts), "a part of 300 numbered sessions is empty"
    with pytest.raises(ValueError):
        FolderPart(3, PARTS, 0)


@pytest.mark.parametrize(
    ("text", "part", "resume_at"),
    [
        ("1\n", 1, None),
        ("2\nsess-1234.json\n", 2, "sess-1234.json"),
        ("sess-1234.json", 0, "sess-1234.json"),  # the name alone, as synapse 0.2.0 wrote it
        ("7\n", 0, None),  # a part that does not exist: start again at the first
        ("-1\nx.json\n", 0, "-1"),  # not a part number: read as a 0.2.0 cursor, a resume hint only
        ("١\n", 0, "١"),  # a non-ASCII digit is no part number
        ("", 0, None),
    ],
)
def test_cursor_is_read_as_written_and_tolerates_what_it_cannot_use(tmp_path: Path, text: str, part: int,
                                                                      resume_at: str | None) -> None:
    path = tmp_path / "cleanup-cursor"
    path.write_text(text, encoding="utf-8")
    cursor = read_cursor(str(path), PARTS)
    assert (cursor.part, cursor.resume_at) == (part, resume_at)


def test_cursor_round_trips_and_a_missing_or_binary_one_starts_at_part_0(tmp_path: Path) -> None:
    path = tmp_path / "cleanup-cursor"
    assert (read_cursor(str(path), PARTS).part, read_cursor(str(path), PARTS).resume_at) == (0, None)
    assert save_cursor(str(path), Cursor(2, "z-stale-00012.json"))
    again = read_cursor(str(path), PARTS)
    assert (again.part, again.resume_at) == (2, "z-stale-00012.json")
    assert save_cursor(str(path), Cursor(1))
    assert path.read_text() == "1\n"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert read_cursor(str(path), PARTS).part == 0  # its first line is only a resume hint, as a 0.2.0 name


def test_a_file_name_that_is_not_utf8_round_trips_through_the_cursor(tmp_path: Path) -> None:
    """os.listdir gives such a name with surrogate escapes; the cursor keeps it as it is, and saving it never raises."""
    path = tmp_path / "cleanup-cursor"
    name = os.fsdecode(b"fresh-\xff-00012.json")
    assert save_cursor(str(path), Cursor(1, name))
    assert path.read_bytes() == b"1\nfresh-\xff-00012.json\n"
    assert read_cursor(str(path), PARTS).resume_at == name


def test_a_cursor_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    """A directory in the cursor's place: saving answers False (the hook then examines the whole folder)."""
    path = tmp_path / "cleanup-cursor"
    path.mkdir()
    assert save_cursor(str(path), Cursor(1)) is False
    assert path.is_dir() and not list(tmp_path.glob("cleanup-cursor.tmp.*"))


def test_a_part_is_examined_only_once_its_claim_succeeds(sessions_dir: Path) -> None:
    """The claim is asked only for a large folder; when it fails, the whole folder is examined instead."""
    now = time.time()
    stale_ids = [f"stale-{n:03d}" for n in range(30)]
    _stale(sessions_dir, stale_ids, now)
    for n in range(20):
        write_session(sessions_dir, f"fresh-{n:03d}", age_hours=1, now=now)
    store = SessionStore(str(sessions_dir))
    asked: list[bool] = []

    def claim(answer: bool):
        def ask() -> bool:
            asked.append(answer)
            return answer
        return ask

    small = clean_stale(store, 168, now=now, dry_run=True, part=FolderPart(0, PARTS, 512, claim=claim(True)))
    assert small.part is None and not asked  # 50 names: no part, nothing to claim

    refused = clean_stale(store, 168, now=now, dry_run=True, part=FolderPart(0, PARTS, 10, claim=claim(False)))
    assert refused.part is None and sorted(refused.removed) == stale_ids and asked == [False]

    claimed = clean_stale(store, 168, now=now, dry_run=True, part=FolderPart(0, PARTS, 10, claim=claim(True)))
    assert claimed.part == 0 and sorted(claimed.removed) == [s for s in stale_ids if folder_part(s) == 0]


def test_hex_ids_split_into_three_parts_within_two_percent_of_even() -> None:
    """Why two characters: hex ids' last character alone splits 6:5:5 (37.5 % in one part)."""
    rng = random.Random(3)
    names = [f"{rng.getrandbits(128):032x}.json" for _ in range(30_000)]
    shares = [len(FolderPart(k, PARTS, 0).names_in(names)) / len(names) for k in range(PARTS)]
    assert all(abs(share - 1 / 3) < 0.02 for share in shares), shares
