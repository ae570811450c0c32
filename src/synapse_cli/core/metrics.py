"""``.synapse/metrics/uap-metrics.json`` and ``hook-metrics.json``: the last run's timings.

Input comes from other tools; it is checked and normalised to the fixed shape the
framework reads (unknown loader/layer keys such as ``start``/``end`` are dropped,
unknown statuses become ``"unknown"``) before the file is replaced, so bad input
never touches the existing file.
"""

from __future__ import annotations

import math
import os

from synapse_cli.core.atomic import atomic_write
from synapse_cli.core.errors import InvalidInputError
from synapse_cli.core.jsonio import dumps_js, iso_timestamp, parse_timestamp

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any

METRICS_KINDS = ("uap", "hook")
METRICS_FILE_NAMES = {"uap": "uap-metrics.json", "hook": "hook-metrics.json"}
STATUSES = ("ok", "timeout", "error", "skipped", "unknown")


def metrics_path(synapse_dir: str, kind: str) -> str:
    return os.path.join(synapse_dir, "metrics", METRICS_FILE_NAMES[kind])


def _number(data: dict[str, Any], key: str, where: str, default: float | None = 0) -> float | None:
    value = data.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInputError(f"{where}{key} must be a number, got {value!r}")
    if value < 0:
        raise InvalidInputError(f"{where}{key} must not be negative, got {value!r}")
    return value


def _text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise InvalidInputError(f"{where}{key} must be a string, got {value!r}")


def _status(value: Any) -> str:
    return value if value in STATUSES else "unknown"


def _entries(data: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInputError(f"{key} must be an object of name -> timings, got {type(value).__name__}")
    for name, entry in value.items():
        if not isinstance(entry, dict):
            raise InvalidInputError(f"{key}.{name} must be an object, got {type(entry).__name__}")
    return value


def _timestamp(data: dict[str, Any]) -> str:
    value = data.get("timestamp")
    if value is None:
        return iso_timestamp()
    if not isinstance(value, str) or parse_timestamp(value) is None:
        raise InvalidInputError(f"timestamp must be an ISO-8601 time, got {value!r}")
    return value


def _require_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInputError(f"metrics must be a JSON object, not {type(data).__name__}")
    return data


def normalise_uap_metrics(data: Any) -> dict[str, Any]:
    """The shape of ``uap-metrics.json``; raises ``InvalidInputError`` naming the bad field."""
    data = _require_object(data)
    loaders = {}
    for name, entry in _entries(data, "loaders").items():
        loaders[name] = {
            "duration": _number(entry, "duration", f"loaders.{name}."),
            "status": _status(entry.get("status")),
        }
    return {
        "agentId": _text(data, "agentId", ""),
        "quality": _text(data, "quality", ""),
        "totalDuration": int(round(_number(data, "totalDuration", "") or 0)),
        "requireChainMs": float(_number(data, "requireChainMs", "") or 0),
        "loaders": loaders,
        "timestamp": _timestamp(data),
    }


def _count(data: dict[str, Any], key: str, where: str = "") -> int:
    value = _number(data, key, where)
    return int(value or 0)


def normalise_hook_metrics(data: Any) -> dict[str, Any]:
    """The shape of ``hook-metrics.json``; raises ``InvalidInputError`` naming the bad field."""
    data = _require_object(data)
    layers = {}
    for name, entry in _entries(data, "perLayer").items():
        layers[name] = {
            "duration": _number(entry, "duration", f"perLayer.{name}."),
            "status": _status(entry.get("status")),
            "rules": _count(entry, "rules", f"perLayer.{name}."),
        }
    return {
        "totalDuration": _number(data, "totalDuration", ""),
        "hookBootMs": _number(data, "hookBootMs", ""),
        "bracket": _text(data, "bracket", ""),
        "layersLoaded": _count(data, "layersLoaded"),
        "layersSkipped": _count(data, "layersSkipped"),
        "layersErrored": _count(data, "layersErrored"),
        "totalRules": _count(data, "totalRules"),
        "perLayer": layers,
        "timestamp": _timestamp(data),
    }


_NORMALISERS = {"uap": normalise_uap_metrics, "hook": normalise_hook_metrics}


def persist_metrics(synapse_dir: str, kind: str, data: Any, *, fsync: bool = True) -> dict[str, Any]:
    """Validate and normalise ``data`` and replace the metrics file of ``kind``; return what was written."""
    if kind not in _NORMALISERS:
        raise InvalidInputError(f"metrics kind must be one of {', '.join(METRICS_KINDS)}, got {kind!r}")
    record = _NORMALISERS[kind](data)
    # A whole-file replacement, not a read-modify-write: the atomic rename is enough.
    atomic_write(metrics_path(synapse_dir, kind), dumps_js(record), fsync=fsync)
    return record
