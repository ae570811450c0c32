"""``.synapse/sessions/_active-agent.json``: which agent was activated last (the "bridge").

Other tools of the framework read this singleton; it is written exactly as the
JavaScript side writes it, with ``source: "uap"``.
"""

from __future__ import annotations

import os

from synapse_cli.core.atomic import atomic_write
from synapse_cli.core.errors import InvalidInputError
from synapse_cli.core.jsonio import dumps_js, iso_timestamp
from synapse_cli.core.sessions.store import ACTIVATION_QUALITIES, BRIDGE_FILE_NAME

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any


def bridge_path(sessions_dir: str) -> str:
    return os.path.join(sessions_dir, BRIDGE_FILE_NAME)


def write_active_agent(
    sessions_dir: str,
    agent_id: str,
    quality: str | None = "full",
    *,
    activated_at: str | None = None,
    fsync: bool = True,
) -> dict[str, Any]:
    """Record ``agent_id`` as the active agent; return what was written."""
    if not isinstance(agent_id, str) or not agent_id.strip():
        raise InvalidInputError("agent id must be a non-empty string")
    if quality is not None and quality not in ACTIVATION_QUALITIES:
        raise InvalidInputError(f"activation quality must be one of {', '.join(ACTIVATION_QUALITIES)}, got {quality!r}")
    record = {
        "id": agent_id,
        "activated_at": activated_at or iso_timestamp(),
        "activation_quality": quality,
        "source": "uap",
    }
    # A whole-file replacement, not a read-modify-write: the atomic rename is enough.
    atomic_write(bridge_path(sessions_dir), dumps_js(record), fsync=fsync)
    return record
