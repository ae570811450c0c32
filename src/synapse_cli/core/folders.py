"""synapse's own folders: created never world-writable, never written through a link.

``os.makedirs`` creates every folder with mode 0777 less the umask, so under a umask
of 000 synapse's state folders would be writable by every user on the machine.

A repository can commit ``.synapse`` (or ``.synapse/cache``, ``.aios``...) as a
symlink to anywhere; a writer that followed it would create and replace files outside
the project. The one rule, applied by every writer before it creates anything: no
folder from ``.synapse`` or ``.aios`` down to the file written may be a symlink.
Folders above the project (a home folder that is a link, macOS's /tmp) are the user's
own choice and are not judged. Kept apart from ``atomic`` so that the log module can
use it without an import cycle.
"""

from __future__ import annotations

import errno
import os

FOLDER_MODE = 0o775  # less the umask; never o+w
OWN_FOLDER_NAMES = (".synapse", ".aios")


class LinkedFolderError(OSError):
    """A folder of synapse's state is a symlink: nothing is written through it."""

    def __init__(self, folder: str):
        super().__init__(errno.ELOOP, "is a symlink; synapse does not write through links in its state folders", folder)


def _own_chain(folder: str) -> list[str]:
    """``folder`` and its parents up to the nearest ``.synapse``/``.aios``; [] when it has none."""
    chain = []
    current = folder
    while True:
        chain.append(current)
        if os.path.basename(current) in OWN_FOLDER_NAMES:
            return chain
        parent = os.path.dirname(current)
        if parent == current or not parent:
            return []
        current = parent


def refuse_linked(folder: str) -> None:
    """Raise ``LinkedFolderError`` if ``folder`` or one of its parents up to ``.synapse``/``.aios`` is a symlink."""
    for path in _own_chain(os.path.abspath(folder)):
        try:
            linked = os.path.islink(path)
        except OSError:
            continue
        if linked:
            raise LinkedFolderError(path)


def ensure_folder(path: str) -> None:
    """Create ``path`` and any missing parents, none of them writable by others nor reached through a link."""
    if not path:
        return
    refuse_linked(path)
    _make(path)


def _make(path: str) -> None:
    if os.path.isdir(path):
        return
    parent = os.path.dirname(path)
    if parent and parent != path:
        _make(parent)
    try:
        os.mkdir(path, FOLDER_MODE)
    except FileExistsError:
        if not os.path.isdir(path):
            raise
