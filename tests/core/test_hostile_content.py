"""The core against content a repository can carry (issue 10): bounded reads, bounded search, no links."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import pytest

from synapse_cli.core.config import CACHE_FILE_NAME, load_config
from synapse_cli.core.errors import ConfigError
from synapse_cli.core.files import FileTooLargeError, read_regular
from synapse_cli.core.folders import LinkedFolderError, ensure_folder
from synapse_cli.core.project import nearest_project

pytestmark = pytest.mark.skipif(os.name == "nt", reason="FIFOs and /dev/zero are POSIX")


def test_read_regular_refuses_fifo_device_link_and_size(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(OSError) as caught:
        read_regular(str(fifo))
    assert caught.value.errno == errno.ENXIO and time.monotonic() - started < 1
    with pytest.raises(OSError) as caught:
        read_regular("/dev/zero", follow_links=True)
    assert caught.value.errno == errno.ENXIO
    link = tmp_path / "link"
    link.symlink_to("/etc/hostname")
    with pytest.raises(OSError) as caught:
        read_regular(str(link))
    assert caught.value.errno == errno.ELOOP
    big = tmp_path / "big"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(FileTooLargeError):
        read_regular(str(big), 1000)
    assert read_regular(str(big), 1001) == b"x" * 1001


def test_project_search_is_bounded_and_linear() -> None:
    """An 8 MiB path (the most an event can carry) is not a project and costs nothing."""
    started = time.monotonic()
    assert nearest_project("/a" * (4 * 1024 * 1024)) is None
    assert nearest_project("/x" * 3000) is None  # 6000 characters: longer than PATH_MAX
    assert time.monotonic() - started < 0.5


def test_ensure_folder_refuses_a_linked_state_folder_before_creating(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / ".synapse").symlink_to(outside)
    with pytest.raises(LinkedFolderError):
        ensure_folder(str(project / ".synapse" / "cache" / "locks"))
    assert list(outside.iterdir()) == []


def test_config_cache_key_holds_the_synapse_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache written by another release is not used: a new release may read new keys."""
    import synapse_cli

    config = tmp_path / ".aios-core" / "core-config.yaml"
    config.parent.mkdir()
    config.write_text("synapse:\n  session:\n    staleTTLHours: 30\n")
    past = time.time() - 60
    os.utime(config, (past, past))
    cache = tmp_path / "cache"
    assert load_config(str(tmp_path), environ={}, cache_dir=str(cache)).stale_ttl_hours == 30
    document = json.loads((cache / CACHE_FILE_NAME).read_text())
    document["values"]["synapse.session.staleTTLHours"] = 99  # what this release would serve from it
    (cache / CACHE_FILE_NAME).write_text(json.dumps(document))
    assert load_config(str(tmp_path), environ={}, cache_dir=str(cache)).stale_ttl_hours == 99
    monkeypatch.setattr(synapse_cli, "__version__", "99.0.0")
    assert load_config(str(tmp_path), environ={}, cache_dir=str(cache)).stale_ttl_hours == 30


def test_alias_bomb_is_refused_before_it_is_built(tmp_path: Path) -> None:
    levels = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 12)
    )
    config = tmp_path / "c.yaml"
    config.write_text(levels + "synapse: *a11\n")
    started = time.monotonic()
    with pytest.raises(ConfigError, match="aliases are expanded"):
        load_config(str(tmp_path), explicit_path=str(config), environ={})
    assert time.monotonic() - started < 2
    loaded = load_config(str(tmp_path), explicit_path=str(config), environ={}, strict=False)
    assert loaded.stale_ttl_hours == 168 and len(" ".join(loaded.problems)) < 500


def test_a_file_value_rescued_by_the_environment_is_no_error(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("synapse:\n  session:\n    staleTTLHours: -5\n")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), explicit_path=str(config), environ={})
    rescued = load_config(str(tmp_path), explicit_path=str(config), environ={"SYNAPSE_STALE_TTL_HOURS": "12"})
    assert rescued.stale_ttl_hours == 12 and rescued.problems == []
    flagged = load_config(str(tmp_path), explicit_path=str(config), environ={"SYNAPSE_STALE_TTL_HOURS": "soon"},
                          overrides={"synapse.session.staleTTLHours": (6, "flag --ttl")})
    assert flagged.stale_ttl_hours == 6


def test_cleanup_never_sweeps_a_write_in_progress(tmp_path: Path) -> None:
    """A temp file whose writer still runs is kept whatever its age and the setting (0); a dead writer's goes."""
    from synapse_cli.core.atomic import temp_path_for
    from synapse_cli.core.sessions.store import SessionStore
    from tests.support.sessions import dead_writer_temp

    sessions = tmp_path / ".synapse" / "sessions"
    sessions.mkdir(parents=True)
    in_flight = Path(temp_path_for(str(sessions / "s1.json")))  # this very process: alive
    left = dead_writer_temp(sessions / "s2.json")
    for path in (in_flight, left):
        path.write_text("{")
        os.utime(path, (time.time() - 86400,) * 2)
    result = SessionStore(sessions).clean_stale(24, temp_max_age_seconds=0)
    assert result.temp_files_removed == [left.name]
    assert in_flight.exists()


def test_cleanup_ages_temp_files_by_the_file_systems_clock(tmp_path: Path) -> None:
    """This machine's clock a day ahead of the file system's (NFS): a fresh temp file is not old."""
    from synapse_cli.core.sessions.store import SessionStore
    from tests.support.sessions import dead_writer_temp

    sessions = tmp_path / ".synapse" / "sessions"
    sessions.mkdir(parents=True)
    (tmp_path / ".synapse" / "cache" / "locks").mkdir(parents=True)
    fresh = dead_writer_temp(sessions / "s1.json")
    fresh.write_text("{")
    result = SessionStore(sessions).clean_stale(24, now=time.time() + 86400, temp_max_age_seconds=600)
    assert result.temp_files_removed == [] and fresh.exists()
