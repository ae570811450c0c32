"""Creating folders that are never world-writable, whatever the umask.

``os.makedirs`` creates every folder with mode 0777 less the umask, so under a umask
of 000 synapse's state folders would be writable by every user on the machine. Kept
apart from ``atomic`` so that the log module can use it without an import cycle.
"""

from __future__ import annotations

import os

FOLDER_MODE = 0o775  # less the umask; never o+w


def ensure_folder(path: str) -> None:
    """Create ``path`` and any missing parents, none of them writable by others."""
    if not path or os.path.isdir(path):
        return
    parent = os.path.dirname(path)
    if parent and parent != path:
        ensure_folder(parent)
    try:
        os.mkdir(path, FOLDER_MODE)
    except FileExistsError:
        if not os.path.isdir(path):
            raise
