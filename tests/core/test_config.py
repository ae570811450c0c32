"""The config loader: where values come from, what is refused, and that edits and the cache behave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from synapse_cli.core.config import CACHE_FILE_NAME, load_config
from synapse_cli.core.errors import ConfigError
from tests.support import files

TTL = "synapse.session.staleTTLHours"


def write_config(root: Path, body: str, folder: str = ".aios-core", *, age_seconds: float = 60) -> Path:
    """``files.write_config`` dated a minute back by default: a file edited moments ago is never cached."""
    return files.write_config(root, body, folder, age_seconds=age_seconds)


def ttl_yaml(value: str) -> str:
    return f"project:\n  name: shop\nsynapse:\n  session:\n    staleTTLHours: {value}\n"


def test_defaults_without_a_file(tmp_path: Path) -> None:
    """With no config file every value is its default and says so."""
    config = load_config(str(tmp_path), environ={})
    assert config.path is None
    assert config.stale_ttl_hours == 168
    assert config.auto_clean is True and config.fsync is True and config.lock_timeout == 5
    assert set(config.sources.values()) == {"default"}
    assert config.problems == []


def test_aios_core_file_found(tmp_path: Path) -> None:
    """.aios-core/core-config.yaml is found and its synapse values used."""
    path = write_config(tmp_path, ttl_yaml("24"))
    config = load_config(str(tmp_path), environ={})
    assert config.path == str(path)
    assert config.stale_ttl_hours == 24
    assert config.sources[TTL] == f"file {path}"


def test_aiox_core_file_found(tmp_path: Path) -> None:
    """.aiox-core/core-config.yaml is found when there is no .aios-core one."""
    path = write_config(tmp_path, ttl_yaml("12"), folder=".aiox-core")
    config = load_config(str(tmp_path), environ={})
    assert config.path == str(path) and config.stale_ttl_hours == 12


def test_aios_core_wins_over_aiox_core(tmp_path: Path) -> None:
    """When both project files exist, .aios-core's is read."""
    aios = write_config(tmp_path, ttl_yaml("24"))
    write_config(tmp_path, ttl_yaml("12"), folder=".aiox-core")
    config = load_config(str(tmp_path), environ={})
    assert config.path == str(aios) and config.stale_ttl_hours == 24


def test_explicit_path_and_env_var(tmp_path: Path) -> None:
    """SYNAPSE_CONFIG names a file that beats the project's; an explicit path argument beats both."""
    write_config(tmp_path, ttl_yaml("24"))
    from_env = tmp_path / "env.yaml"
    from_env.write_text(ttl_yaml("36"))
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text(ttl_yaml("48"))
    config = load_config(str(tmp_path), environ={"SYNAPSE_CONFIG": str(from_env)})
    assert config.path == str(from_env) and config.stale_ttl_hours == 36
    config = load_config(str(tmp_path), explicit_path=str(explicit), environ={"SYNAPSE_CONFIG": str(from_env)})
    assert config.path == str(explicit) and config.stale_ttl_hours == 48
    assert config.sources[TTL] == f"file {explicit}"


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    """An explicit config file that does not exist is a ConfigError naming it (strict), a problem otherwise."""
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(str(tmp_path), explicit_path=str(missing), environ={})
    assert str(missing) in str(info.value)
    config = load_config(str(tmp_path), explicit_path=str(missing), environ={}, strict=False)
    assert config.stale_ttl_hours == 168 and str(missing) in config.problems[0]


def test_precedence_flag_env_file_default(tmp_path: Path) -> None:
    """Flag overrides beat the environment, which beats the file, which beats the default; sources say which."""
    path = write_config(tmp_path, ttl_yaml("24"))
    env = {"SYNAPSE_STALE_TTL_HOURS": "12"}
    flag = {TTL: (6, "flag --ttl")}

    config = load_config(str(tmp_path), environ=env, overrides=flag)
    assert (config.stale_ttl_hours, config.sources[TTL]) == (6, "flag --ttl")
    config = load_config(str(tmp_path), environ=env)
    assert (config.stale_ttl_hours, config.sources[TTL]) == (12, "env SYNAPSE_STALE_TTL_HOURS")
    config = load_config(str(tmp_path), environ={})
    assert (config.stale_ttl_hours, config.sources[TTL]) == (24, f"file {path}")
    os.unlink(path)
    config = load_config(str(tmp_path), environ={})
    assert (config.stale_ttl_hours, config.sources[TTL]) == (168, "default")
    # Other keys keep their own sources.
    assert config.sources["synapse.session.autoClean"] == "default"


def test_env_booleans_and_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an explicit environ, os.environ is read; SYNAPSE_FSYNC=0 reads as false."""
    monkeypatch.setenv("SYNAPSE_FSYNC", "0")
    monkeypatch.setenv("SYNAPSE_STALE_TTL_HOURS", "1.5")
    config = load_config(str(tmp_path))
    assert config.fsync is False and config.sources["synapse.write.fsync"] == "env SYNAPSE_FSYNC"
    assert config.stale_ttl_hours == 1.5


@pytest.mark.parametrize(
    "value",
    ["abc", "-5", "0", "9999999", "true", '"24"', "[24]", ".nan"],
    ids=["non-numeric", "negative", "zero", "huge", "bool", "quoted-string", "list", "nan"],
)
def test_invalid_ttl_in_strict_mode_names_file_and_key(tmp_path: Path, value: str) -> None:
    """An invalid staleTTLHours raises ConfigError whose message names the file and the key."""
    path = write_config(tmp_path, ttl_yaml(value))
    with pytest.raises(ConfigError) as info:
        load_config(str(tmp_path), environ={})
    message = str(info.value)
    assert str(path) in message and TTL in message
    assert info.value.path == str(path) and info.value.key == TTL


@pytest.mark.parametrize("value", ["abc", "-5", "0", "true"])
def test_invalid_ttl_non_strict_falls_back_to_default(tmp_path: Path, value: str) -> None:
    """In non-strict mode an invalid staleTTLHours gives the default and a recorded problem naming file and key."""
    path = write_config(tmp_path, ttl_yaml(value))
    config = load_config(str(tmp_path), environ={}, strict=False)
    assert config.stale_ttl_hours == 168 and config.sources[TTL] == "default"
    assert len(config.problems) == 1
    assert str(path) in config.problems[0] and TTL in config.problems[0]


def test_invalid_env_value(tmp_path: Path) -> None:
    """A bad environment value is a ConfigError naming the variable (strict) and is ignored non-strict."""
    env = {"SYNAPSE_STALE_TTL_HOURS": "soon"}
    with pytest.raises(ConfigError) as info:
        load_config(str(tmp_path), environ=env)
    assert "SYNAPSE_STALE_TTL_HOURS" in str(info.value)
    config = load_config(str(tmp_path), environ=env, strict=False)
    assert config.stale_ttl_hours == 168 and "SYNAPSE_STALE_TTL_HOURS" in config.problems[0]


def test_invalid_override_is_refused(tmp_path: Path) -> None:
    """A bad flag value is a ConfigError naming the flag."""
    with pytest.raises(ConfigError) as info:
        load_config(str(tmp_path), environ={}, overrides={TTL: (-1, "flag --ttl")})
    assert "flag --ttl" in str(info.value)


def test_bad_yaml_reports_file_and_line(tmp_path: Path) -> None:
    """Invalid YAML is a ConfigError naming the file and the line of the problem."""
    path = write_config(tmp_path, "# comment\nsynapse:\n  session:\n    staleTTLHours: 24: 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(str(tmp_path), environ={})
    message = str(info.value)
    assert message.startswith(str(path) + ": invalid YAML: line 4, column "), message


def test_bad_yaml_non_strict_uses_defaults(tmp_path: Path) -> None:
    """Non-strict mode turns invalid YAML into defaults plus a problem naming the file."""
    path = write_config(tmp_path, "synapse: [\n")
    config = load_config(str(tmp_path), environ={}, strict=False)
    assert config.stale_ttl_hours == 168
    assert config.problems and str(path) in config.problems[0]


def test_other_tools_keys_are_ignored(tmp_path: Path) -> None:
    """Keys outside synapse: (other tools' config) neither fail nor change anything; an empty file is fine."""
    write_config(tmp_path, "project:\n  name: shop\nqa:\n  staleTTLHours: nope\n")
    config = load_config(str(tmp_path), environ={})
    assert config.stale_ttl_hours == 168 and config.problems == []
    write_config(tmp_path, "")
    assert load_config(str(tmp_path), environ={}).stale_ttl_hours == 168


def test_edit_takes_effect_on_next_load(tmp_path: Path) -> None:
    """Editing the file changes the value on the very next load."""
    path = write_config(tmp_path, ttl_yaml("24"))
    assert load_config(str(tmp_path), environ={}).stale_ttl_hours == 24
    path.write_text(ttl_yaml("48"))
    assert load_config(str(tmp_path), environ={}).stale_ttl_hours == 48


def test_edit_takes_effect_with_cache(tmp_path: Path) -> None:
    """With a cache, an in-place edit of the same size still gives the new value next time (the cache key changes)."""
    cache = tmp_path / "cache"
    path = write_config(tmp_path, ttl_yaml("24"))
    assert load_config(str(tmp_path), environ={}, cache_dir=str(cache)).stale_ttl_hours == 24
    assert (cache / CACHE_FILE_NAME).exists()
    # write_config dated the file a minute back, so the edit's mtime differs from the cached
    # one even where timestamps are coarse (no need to wait out a tick).
    with open(path, "r+", encoding="utf-8") as handle:  # same inode, same size
        handle.write(ttl_yaml("48"))
    assert load_config(str(tmp_path), environ={}, cache_dir=str(cache)).stale_ttl_hours == 48
    # Edited moments ago: not cached, so that a second same-size edit within the same
    # timestamp tick (coarse-mtime file systems) can never be hidden by a cache entry.
    cached = json.loads((cache / CACHE_FILE_NAME).read_text())
    assert cached["values"][TTL] == 24, "a file modified within the last 2 s was cached"
    path.write_text(ttl_yaml("-1"))
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), environ={}, cache_dir=str(cache))


def test_cache_is_used_without_importing_yaml(tmp_path: Path) -> None:
    """When the cache matches the file, a fresh process gets the file's values without importing yaml."""
    cache = tmp_path / "cache"
    write_config(tmp_path, ttl_yaml("30"))
    code = textwrap.dedent(
        f"""
        import sys
        from synapse_cli.core.config import load_config
        config = load_config({str(tmp_path)!r}, environ={{}}, cache_dir={str(cache)!r})
        print(config.stale_ttl_hours, "yaml" in sys.modules)
        """
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["30", "True"]  # no cache yet: parsed
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert second.stdout.split() == ["30", "False"]  # served from the cache


def test_tampered_cache_is_not_trusted(tmp_path: Path) -> None:
    """A cache holding a value the checks reject is ignored and the file is read again."""
    import json

    cache = tmp_path / "cache"
    write_config(tmp_path, ttl_yaml("30"))
    load_config(str(tmp_path), environ={}, cache_dir=str(cache))
    cache_file = cache / CACHE_FILE_NAME
    document = json.loads(cache_file.read_text())
    document["values"][TTL] = -7
    cache_file.write_text(json.dumps(document))
    assert load_config(str(tmp_path), environ={}, cache_dir=str(cache)).stale_ttl_hours == 30


def test_a_section_that_is_not_a_mapping_is_named_itself(tmp_path: Path) -> None:
    """``synapse: 5`` is reported against the key ``synapse``, not against a key the user never wrote."""
    write_config(tmp_path, "synapse: 5\n")
    with pytest.raises(ConfigError) as raised:
        load_config(str(tmp_path), environ={})
    assert "synapse: must be a mapping of settings, got 5" in str(raised.value)
    assert "staleTTLHours" not in str(raised.value)
