"""Cleanup deletes only files JavaScript's JSON.parse can read: stricter than the framework, never looser."""

from __future__ import annotations

import os
import time
from pathlib import Path

from synapse_cli.core.sessions.store import SessionStore
from tests.support.sessions import write_session


def test_stale_files_javascript_cannot_parse_are_reported_and_kept(sessions_dir: Path) -> None:
    """Stale sessions with a UTF-8 byte-order mark, NaN or -Infinity are corrupt to JavaScript: kept, reported, unchanged."""
    now = time.time()
    plain = write_session(sessions_dir, "plain", age_hours=900, now=now)
    originals = {}
    for name, change in (("bom", lambda raw: b"\xef\xbb\xbf" + raw),
                         ("nan", lambda raw: raw.replace(b'"prompt_count": 1', b'"prompt_count": NaN')),
                         ("infinity", lambda raw: raw.replace(b'"prompt_count": 1', b'"prompt_count": -Infinity'))):
        path = write_session(sessions_dir, name, age_hours=900, now=now, prompt_count=1)
        raw = change(path.read_bytes())
        assert raw != path.read_bytes()
        stat = path.stat()
        path.write_bytes(raw)
        os.utime(path, (stat.st_atime, stat.st_mtime))
        originals[name] = raw
    result = SessionStore(sessions_dir).clean_stale(168)
    assert result.removed == ["plain"] and not plain.exists()
    assert sorted(result.corrupt) == ["bom", "infinity", "nan"]
    for name, raw in originals.items():
        assert (sessions_dir / f"{name}.json").read_bytes() == raw
