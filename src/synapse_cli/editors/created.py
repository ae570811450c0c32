"""Which editor settings files ``hook install`` created, so that ``hook uninstall`` removes only those.

An uninstall that leaves a settings file with nothing in it (``{}``, Cursor's
``{"version": 1}``) removes the file only when ``hook install`` created it and git does not
track it. A file the user made, or one the repository carries, stays (emptied): removing
it would delete something that was not synapse's, or show up as a deletion in git.

The record is ``.synapse/cache/created-settings.json``, a JSON list of the absolute paths
install created, changed under a lock and written atomically. A project without
``.synapse/`` has no record, so there nothing is ever removed.
"""

from __future__ import annotations

import os

RECORD_NAME = "created-settings.json"
_RECORD_KEY = "cache/" + RECORD_NAME  # its lock, as a project-relative name
_MAX_RECORD_BYTES = 1024 * 1024
_LOCK_SECONDS = 10.0


class CreatedSettings:
    """The settings files ``hook install`` created for one project (``.synapse/`` at ``synapse_dir``)."""

    def __init__(self, synapse_dir: str, *, fsync: bool = True):
        self.synapse_dir = synapse_dir
        self.path = os.path.join(synapse_dir, "cache", RECORD_NAME)
        self.fsync = fsync

    def _read(self) -> list[str]:
        from synapse_cli.core.files import read_regular
        from synapse_cli.core.jsonio import loads_text

        try:
            data = loads_text(read_regular(self.path, _MAX_RECORD_BYTES), js=True)
        except (OSError, ValueError):
            return []  # no record (or an unreadable one): nothing counts as created, nothing is removed
        return [p for p in data if isinstance(p, str)] if isinstance(data, list) else []

    def __contains__(self, settings_path: str) -> bool:
        return os.path.abspath(settings_path) in self._read()

    def _change(self, settings_path: str, add: bool) -> None:
        from synapse_cli.core.atomic import atomic_write
        from synapse_cli.core.jsonio import dumps_js
        from synapse_cli.core.locking import FileLock

        key = os.path.abspath(settings_path)
        with FileLock(self.synapse_dir, _RECORD_KEY, _LOCK_SECONDS):  # two installs at once keep both entries
            paths = self._read()
            if (key in paths) == add:
                return
            paths = [*paths, key] if add else [p for p in paths if p != key]
            atomic_write(self.path, dumps_js(paths), fsync=self.fsync)

    def add(self, settings_path: str) -> None:
        self._change(settings_path, add=True)

    def discard(self, settings_path: str) -> None:
        self._change(settings_path, add=False)
