"""Setting aside: an unusable file is moved out of the way under a new name, never deleted.

``<name>.corrupt-<UTC time>`` (with ``-1``, ``-2``... when that name is taken) stays
in the same folder, where ``synapse doctor`` lists it and where the user can inspect
or restore it. Cleanup never sweeps these copies.
"""

from __future__ import annotations

import os
import time

from synapse_cli.core import log
from synapse_cli.core.errors import StateFileAccessError
from synapse_cli.core.folders import LinkedFolderError, refuse_linked

SET_ASIDE_MARKER = ".corrupt-"


def set_aside_name(path: str, now: float | None = None) -> str:
    """A free name for the set-aside copy of ``path``: ``<path>.corrupt-<time>[-N]``."""
    now = time.time() if now is None else now
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    candidate = f"{path}{SET_ASIDE_MARKER}{stamp}"
    suffix = 1
    while os.path.lexists(candidate):
        candidate = f"{path}{SET_ASIDE_MARKER}{stamp}-{suffix}"
        suffix += 1
    return candidate


def set_aside(path: str) -> str:
    """Move an unusable file out of the way (never delete it); return where it went."""
    target = set_aside_name(path)
    try:
        # A rename and a link are writes: never in a folder reached through a link
        # (``.aios`` committed as one), whatever the caller checked before.
        refuse_linked(os.path.dirname(path))
        if os.path.isdir(path) and not os.path.islink(path):
            os.rename(path, target)  # a folder cannot be hard-linked; rename does not replace a non-empty one
        else:
            # link + unlink, not rename: a rename would silently replace a set-aside copy
            # that appeared at the same name in the meantime.
            os.link(path, target, follow_symlinks=False)
            try:
                os.unlink(path)
            except OSError:
                # Windows: the file is open elsewhere and cannot go yet. Take the copy
                # back, or every later attempt would leave one more.
                os.unlink(target)
                raise
    except FileExistsError:
        return set_aside(path)  # another set-aside took that name this very millisecond
    except LinkedFolderError as exc:
        raise StateFileAccessError(str(exc.strerror), path=exc.filename) from exc
    except OSError as exc:
        raise StateFileAccessError(f"cannot move the unusable file aside to {target}: {exc.strerror or exc}", path=path) from exc
    log.warning(f"moved unusable file {path} aside to {target}")
    return target
