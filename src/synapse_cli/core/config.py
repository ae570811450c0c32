"""The effective configuration: built-in defaults < config file < environment < flags.

The config file is the framework's project config, ``.aios-core/core-config.yaml``
(or ``.aiox-core/core-config.yaml``), or an explicit file from ``--config`` or
``SYNAPSE_CONFIG``. synapse reads only the keys under ``synapse:``; everything else
in that file belongs to other tools and is ignored.

The file is read anew on every run, so an edit takes effect on the next run. The
hook (``cache_dir=``) keeps the parsed values in ``.synapse/cache/`` keyed by the
file's identity and modification time, because importing and running a YAML parser
would cost more than the whole rest of a prompt.
"""

from __future__ import annotations

import os
import time

from synapse_cli.core.errors import ConfigError

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

PROJECT_CONFIG_CANDIDATES = (
    os.path.join(".aios-core", "core-config.yaml"),
    os.path.join(".aiox-core", "core-config.yaml"),
)
CONFIG_ENV_VAR = "SYNAPSE_CONFIG"
CACHE_FILE_NAME = "config-cache.json"
_CACHE_FORMAT = 2
_RACY_SECONDS = 2.0
MAX_CONFIG_BYTES = 1024 * 1024
"""A project config is a few kilobytes; a repository may carry one of any size."""
MAX_YAML_NODES = 100_000
"""The most values the file may hold once its aliases are expanded (``*a`` repeats
what ``&a`` names: a few hundred bytes of nested aliases expand to billions)."""
MAX_QUOTED = 60
"""The most characters of a value quoted in a message."""


def describe_value(value: Any) -> str:
    """A value as YAML spells it (``spell``), cut to a few dozen characters whatever its size."""
    if isinstance(value, str) and len(value) > MAX_QUOTED:
        return spell(value[:MAX_QUOTED])[:-1] + "...'"  # never spell a megabyte to then cut it
    if isinstance(value, (dict, list, tuple)) and len(value) > 8:
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)} items"
    text = spell(value)
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."


def _finite(value: float) -> bool:
    """``math.isfinite`` without importing ``math``, an extension module every prompt would load (any int is finite)."""
    return value - value == 0


def spell(value: Any) -> str:
    """A value as YAML spells it: true, false, null, 0 (not 0.0), 'text', [1, 2]."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and _finite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list):
        return "[" + ", ".join(spell(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {spell(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _yaml_number(value: Any) -> Any:
    """``1e9`` is a string to a YAML 1.1 parser (it wants ``1.0e+9``) but a number to its writer: read it as one."""
    if isinstance(value, str):
        text = value.strip()
        if text and text[0] in "+-.0123456789" and any(c in text for c in "eE"):
            try:
                number = float(text)
            except ValueError:
                return value
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value


def _number(minimum: float, maximum: float, *, allow_zero: bool, unit: str) -> Callable[[Any], float | int]:
    """A check of a number of ``unit`` (hours, seconds...) in [minimum, maximum]; its messages name the unit."""

    def check(value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
            raise ValueError(f"must be a number of {unit}, got {describe_value(value)}")
        if value < 0 or (value == 0 and not allow_zero):
            raise ValueError(f"must be a {'non-negative' if allow_zero else 'positive'} number of {unit}, got {describe_value(value)}")
        if value < minimum:
            raise ValueError(f"must be at least {minimum:g} {unit}, got {describe_value(value)}")
        if value > maximum:
            raise ValueError(f"must be at most {maximum:g} {unit}, got {describe_value(value)}")
        return value

    return check


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, got {describe_value(value)}")


def _text_to_value(text: str) -> Any:
    """Environment variables are strings: read booleans and numbers out of them."""
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    for parse in (int, float):
        try:
            return parse(lowered)
        except ValueError:
            pass
    return text


class Setting:
    """One configuration key: its default, its environment variable and its check."""

    __slots__ = ("key", "default", "env", "check", "help")

    def __init__(self, key: str, default: Any, env: str, check: Callable[[Any], Any], help: str):
        self.key = key
        self.default = default
        self.env = env
        self.check = check
        self.help = help

    def coerce_env(self, text: str) -> Any:
        value = _text_to_value(text)
        if self.check is _boolean and type(value) is int and value in (0, 1):
            value = bool(value)  # SYNAPSE_FSYNC=0 reads as "off"
        if self.check is _boolean and not isinstance(value, bool):
            # The variable's own spellings, not the config file's: yes/no, on/off and 1/0 work too.
            raise ValueError(f"must be true or false (or yes/no, on/off, 1/0), got {describe_value(value)}")
        return self.check(value)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "synapse.session.staleTTLHours", 168, "SYNAPSE_STALE_TTL_HOURS",
        _number(0, 876_000, allow_zero=False, unit="hours"),
        "Hours without activity after which a session file is stale and may be removed.",
    ),
    Setting(
        "synapse.session.autoClean", True, "SYNAPSE_AUTO_CLEAN", _boolean,
        "Run the stale-session cleanup on the first prompt of every session.",
    ),
    Setting(
        "synapse.session.cleanupGraceMs", 50, "SYNAPSE_CLEANUP_GRACE_MS",
        _number(0, 5_000, allow_zero=True, unit="milliseconds"),
        "How long the hook waits at exit for the background cleanup to finish.",
    ),
    Setting(
        "synapse.session.startCleanupIntervalSeconds", 300, "SYNAPSE_START_CLEANUP_INTERVAL_SECONDS",
        _number(0, 31_536_000, allow_zero=True, unit="seconds"),
        "Least time between two cleanups run by `synapse hook session-start`, across sessions.",
    ),
    Setting(
        "synapse.session.tempMaxAgeSeconds", 600, "SYNAPSE_TEMP_MAX_AGE_SECONDS",
        _number(0, 31_536_000, allow_zero=True, unit="seconds"),
        "Age after which a temp file left by an interrupted write is swept by cleanup.",
    ),
    Setting(
        "synapse.lock.timeoutSeconds", 5, "SYNAPSE_LOCK_TIMEOUT_SECONDS",
        _number(0, 600, allow_zero=False, unit="seconds"),
        "Longest wait for another process's lock before giving up with an error.",
    ),
    Setting(
        "synapse.write.fsync", True, "SYNAPSE_FSYNC", _boolean,
        "Make state writes durable across power loss (fsync); off keeps them atomic only.",
    ),
    Setting(
        "synapse.log.maxBytes", 1_048_576, "SYNAPSE_LOG_MAX_BYTES",
        _number(1024, 1 << 34, allow_zero=False, unit="bytes"),
        "Size at which .synapse/cache/synapse.log is rotated (one old generation is kept).",
    ),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


class Config:
    """Effective values, and for each the place it came from."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str], path: str | None, problems: list[str],
                 errors: list[ConfigError] | None = None):
        self.values = values
        self.sources = sources
        self.path = path
        self.problems = problems
        self.errors = errors or []  # the problems as errors, without what was done instead

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def _number(self, key: str) -> float:
        value: float = self.values[key]  # validated when loaded
        return value

    def _flag(self, key: str) -> bool:
        value: bool = self.values[key]  # validated when loaded
        return value

    @property
    def stale_ttl_hours(self) -> float:
        return self._number("synapse.session.staleTTLHours")

    @property
    def auto_clean(self) -> bool:
        return self._flag("synapse.session.autoClean")

    @property
    def cleanup_grace_seconds(self) -> float:
        return self._number("synapse.session.cleanupGraceMs") / 1000.0

    @property
    def start_cleanup_interval_seconds(self) -> float:
        return self._number("synapse.session.startCleanupIntervalSeconds")

    @property
    def temp_max_age_seconds(self) -> float:
        return self._number("synapse.session.tempMaxAgeSeconds")

    @property
    def lock_timeout(self) -> float:
        return self._number("synapse.lock.timeoutSeconds")

    @property
    def fsync(self) -> bool:
        return self._flag("synapse.write.fsync")

    @property
    def log_max_bytes(self) -> int:
        return int(self.values["synapse.log.maxBytes"])


def find_config_file(project_root: str, explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The config file to read: ``explicit`` > ``$SYNAPSE_CONFIG`` > the project's own, if any."""
    environ = os.environ if environ is None else environ
    if explicit:
        return explicit
    if environ.get(CONFIG_ENV_VAR):
        return environ[CONFIG_ENV_VAR]
    for candidate in PROJECT_CONFIG_CANDIDATES:
        path = os.path.join(project_root, candidate)
        if os.path.isfile(path):
            return path
    return None


def _check_expansion(text: str, loader: Any, path: str) -> None:
    """Refuse a document whose values, aliases expanded, number more than ``MAX_YAML_NODES``.

    Counted on the parser's events, before anything is built: an alias counts as the
    whole value it names, so ``&a [*a, *a, ...]`` nested a few levels is caught at once.
    """
    import yaml

    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        stack[-1][1] += size
        if stack[-1][1] > MAX_YAML_NODES:
            raise ConfigError(f"holds more than {MAX_YAML_NODES} values once its aliases are expanded; not read", path=path)


def _parse_yaml_file(path: str) -> Any:
    import yaml

    from synapse_cli.core.files import describe_read_error, read_regular

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # A config may be a link to a shared file; never a FIFO, a device or a huge file.
        raw = read_regular(path, MAX_CONFIG_BYTES, follow_links=True)
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {describe_read_error(exc)}", path=path) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", path=path) from exc
    try:
        _check_expansion(text, loader, path)
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"invalid YAML: {where}{str(problem)[:200]}", path=path) from exc
    except RecursionError:
        raise ConfigError("nested too deeply to be read", path=path) from None


def _file_layer(path: str) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """The synapse values set in ``path`` and the problems found, each ``(key, message)``.

    Raises ``ConfigError`` only when the file cannot be read or parsed at all.
    """
    document = _parse_yaml_file(path)
    values: dict[str, Any] = {}
    problems: list[tuple[str | None, str]] = []
    if document is None:
        return values, problems
    if not isinstance(document, dict):
        problems.append((None, f"the file must hold a mapping of keys, not {type(document).__name__}"))
        return values, problems
    for setting in SETTINGS:
        node: Any = document
        present = True
        walked: list[str] = []
        for part in setting.key.split("."):
            if not isinstance(node, dict):
                present = False
                problem = (".".join(walked), f"must be a mapping of settings, got {describe_value(node)}")
                if problem not in problems:  # name the key that is wrong, once
                    problems.append(problem)
                break
            if part not in node:
                present = False
                break
            node = node[part]
            walked.append(part)
        if not present:
            continue
        if isinstance(setting.default, (int, float)) and not isinstance(setting.default, bool):
            node = _yaml_number(node)
        try:
            values[setting.key] = setting.check(node)
        except ValueError as exc:
            problems.append((setting.key, str(exc)))
    return values, problems


def unknown_keys(path: str) -> list[tuple[str, str | None]]:
    """Keys under ``synapse:`` in ``path`` that synapse does not know (typos are otherwise
    silently ignored), each with the closest known key, if one is close."""
    import difflib

    document = _parse_yaml_file(path)
    section = document.get("synapse") if isinstance(document, dict) else None
    found: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}"
            if isinstance(value, dict) and any(k.startswith(name + ".") for k in SETTINGS_BY_KEY):
                walk(value, name)
            elif name not in SETTINGS_BY_KEY:
                found.append(name)

    if isinstance(section, dict):
        walk(section, "synapse")
    known = list(SETTINGS_BY_KEY)
    return [(name, next(iter(difflib.get_close_matches(name, known, n=1, cutoff=0.8)), None)) for name in found]


def _read_cache(cache_path: str, identity: list[Any]) -> tuple[dict[str, Any], list[tuple[str | None, str]]] | None:
    from synapse_cli.core.files import read_regular
    from synapse_cli.core.jsonio import loads_text

    try:
        cached = loads_text(read_regular(cache_path, MAX_CONFIG_BYTES))  # never through a link, never a FIFO
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("format") != _CACHE_FORMAT or cached.get("identity") != identity:
        return None
    values, problems = cached.get("values"), cached.get("problems")
    if not isinstance(values, dict) or not isinstance(problems, list):
        return None
    # Re-validate: a cache is only a shortcut, never a source of values the checks reject.
    clean: dict[str, Any] = {}
    for key, value in values.items():
        setting = SETTINGS_BY_KEY.get(key)
        if setting is None:
            return None
        try:
            clean[key] = setting.check(value)
        except ValueError:
            return None
    return clean, [(p[0], p[1]) for p in problems if isinstance(p, list) and len(p) == 2]


def _write_cache(cache_path: str, identity: list[Any], values: dict[str, Any], problems: list[tuple[str | None, str]]) -> None:
    from synapse_cli.core.atomic import atomic_write
    from synapse_cli.core.jsonio import dumps_js

    document = {"format": _CACHE_FORMAT, "identity": identity, "values": values, "problems": [list(p) for p in problems]}
    try:
        atomic_write(cache_path, dumps_js(document), fsync=False)
    except OSError:
        pass  # a cache that cannot be written only costs the next run a parse


def load_config(
    project_root: str,
    *,
    explicit_path: str | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, tuple[Any, str]] | None = None,
    strict: bool = True,
    cache_dir: str | None = None,
) -> Config:
    """Build the effective configuration for the project at ``project_root``.

    ``overrides`` maps a key to ``(value, source)`` for values given as flags.
    Precedence applies before judgement: a bad value in the file or the environment
    that a higher layer replaces is no problem. ``strict=True`` raises ``ConfigError``
    naming the file and key of the first bad value that is still in effect, or of
    invalid YAML; ``strict=False`` (the hook, which must never fail, and ``config
    show``) uses the default for anything bad and lists it in ``Config.problems``.
    ``cache_dir`` lets the file layer be reused while the file is unchanged.
    """
    environ = os.environ if environ is None else environ
    values = {s.key: s.default for s in SETTINGS}
    sources = {s.key: "default" for s in SETTINGS}
    pending: list[tuple[str | None, ConfigError, str]] = []  # (key, error, what happens instead)

    path = find_config_file(project_root, explicit_path, environ)
    if path is not None:
        file_values, file_problems = _file_values(path, cache_dir, strict)
        for key, message in file_problems:
            pending.append((key, ConfigError(message, path=path, key=key), "; using the default" if key else "; using the defaults"))
        for key, value in file_values.items():
            values[key] = value
            sources[key] = f"file {path}"

    for setting in SETTINGS:
        text = environ.get(setting.env)
        if text is None or text == "" or setting.key in (overrides or {}):
            continue  # a flag wins over the environment, even over a variable that is invalid
        try:
            values[setting.key] = setting.coerce_env(text)
            sources[setting.key] = f"env {setting.env}"
        except ValueError as exc:
            # The variable's name says which setting: the internal key would only add noise.
            error = ConfigError(str(exc), path=f"environment variable {setting.env}")
            error.key = setting.key
            pending.append((setting.key, error, "; ignored"))

    for key, (value, source) in (overrides or {}).items():
        setting = SETTINGS_BY_KEY[key]
        try:
            values[key] = setting.check(value)
        except ValueError as exc:
            raise ConfigError(str(exc), path=source, key=key) from exc
        sources[key] = source

    problems: list[str] = []
    errors: list[ConfigError] = []
    for key, error, instead in pending:
        if key in sources and _outranks(sources[key], error):
            continue  # rescued: a higher layer sets this key
        if strict:
            raise error
        problems.append(str(error) + instead)
        errors.append(error)
    return Config(values, sources, path, problems, errors)


def _outranks(source: str, error: ConfigError) -> bool:
    """Whether the value from ``source`` comes from a layer above the one ``error`` is about."""
    if source == "default" or source.startswith("file "):
        return False
    if source.startswith("env ") and str(error.path).startswith("environment variable"):
        return False
    return True


def _file_values(path: str, cache_dir: str | None, strict: bool) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """The file layer: its values and problems, from the cache while the file is unchanged."""
    try:
        st = os.stat(path)
    except OSError as exc:
        error = ConfigError(f"cannot read the config file: {exc.strerror or exc}", path=path)
        if strict:
            raise error from exc
        return {}, [(None, str(error).split(": ", 1)[-1])]
    from synapse_cli import __version__

    # Everything that changes when the file or its reader does: an in-place edit that
    # restores the mtime still moves the ctime, and a new release may read new keys.
    # As text: nanosecond times and 64-bit inode numbers are past 2**53, which the JSON
    # writer rounds as JavaScript does, so as numbers they would never match again.
    identity = [os.path.abspath(path), *(str(n) for n in (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)), __version__]
    cache_path = os.path.join(cache_dir, CACHE_FILE_NAME) if cache_dir else None
    if cache_path:
        hit = _read_cache(cache_path, identity)
        if hit is not None:
            return hit
    try:
        file_values, file_problems = _file_layer(path)
    except ConfigError as exc:
        if strict:
            raise
        file_values, file_problems = {}, [(None, str(exc).split(": ", 1)[-1])]
    # A file modified within the last moments may be edited again within the same
    # timestamp tick and size; caching it then could hide that edit.
    if cache_path and time.time() - st.st_mtime > _RACY_SECONDS:
        _write_cache(cache_path, identity, file_values, file_problems)
    return file_values, file_problems
