"""Session ids as people type them: the whole id, or a unique prefix of at least four characters."""

from __future__ import annotations

import os

from synapse_cli.core.errors import SynapseError
from synapse_cli.core.sessions.store import session_id_of

MIN_PREFIX = 4
_SHOWN = 10


def existing_ids(sessions_dir: str) -> list[str]:
    """The ids of the session files in ``sessions_dir``, the ones ``session list`` shows (names only; nothing is opened)."""
    try:
        with os.scandir(sessions_dir) as entries:
            ids = [session_id_of(e.name) for e in entries]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(i for i in ids if i is not None)


def resolve_session_id(sessions_dir: str, given: str, *, creating: bool = False) -> str:
    """The id ``given`` stands for: itself when such a session exists, else the one session it is a prefix of.

    Several matches are refused, listing them. With ``creating`` (``session update``) an id
    that matches nothing is returned as it is, to be created, but never one that is a
    prefix of an existing id: the user most likely meant that session.
    """
    ids = existing_ids(sessions_dir)
    if given in ids or not given:
        return given
    matches = [i for i in ids if i.startswith(given)]
    if len(matches) > 1:
        listed = ", ".join(matches[:_SHOWN]) + (f" and {len(matches) - _SHOWN} more" if len(matches) > _SHOWN else "")
        raise SynapseError(f"{given!r} matches {len(matches)} sessions: {listed}; give more characters")
    if len(matches) == 1 and len(given) >= MIN_PREFIX:
        return matches[0]
    if matches and creating:
        raise SynapseError(
            f"{given!r} is the start of session {matches[0]}: give at least {MIN_PREFIX} characters of it, "
            "or a whole new id to create a session"
        )
    return given


def no_session(sessions_dir: str, given: str) -> SynapseError:
    """The error for an id that names no session, with a hint when it is a too-short start of an existing id."""
    short = 0 < len(given) < MIN_PREFIX and any(i.startswith(given) for i in existing_ids(sessions_dir))
    hint = f" (a prefix needs at least {MIN_PREFIX} characters)" if short else ""
    return SynapseError(f"no session {given!r} in {sessions_dir}{hint}")
