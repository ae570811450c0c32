"""What every command needs: the project, its configuration, and the log."""

from __future__ import annotations

import os
from typing import Any

from synapse_cli.core import log
from synapse_cli.core.config import Config, load_config
from synapse_cli.core.errors import SynapseError
from synapse_cli.core.project import ProjectPaths, init_project, resolve_project_root, resolve_setup_root
from synapse_cli.core.sessions.store import SessionStore


class CliContext:
    """Global options, resolved lazily so that ``--help`` touches nothing."""

    def __init__(self, project_dir: str | None = None, debug: bool = False, config_path: str | None = None):
        self.project_dir = project_dir
        self.debug = debug
        self.config_path = config_path
        self._paths: ProjectPaths | None = None

    def _given_folder(self) -> str | None:
        """``--project-dir`` as given (None without it), refused when it names no folder."""
        if self.project_dir and not os.path.isdir(self.project_dir):
            raise SynapseError(f"--project-dir {self.project_dir}: no such folder")
        return self.project_dir

    @property
    def paths(self) -> ProjectPaths:
        if self._paths is None:
            self._paths = ProjectPaths(resolve_project_root(self._given_folder()))
            self.configure_log()
        return self._paths

    def setup_paths(self) -> tuple[ProjectPaths, str]:
        """The project ``init`` and ``hook install`` set up (see ``resolve_setup_root``), and how it was found.

        Later calls of ``paths`` in this command return the same project.
        """
        root, how = resolve_setup_root(self._given_folder())
        self._paths = ProjectPaths(root)
        self.configure_log()
        return self._paths, how

    def project(self) -> ProjectPaths:
        """The initialised project a command acts on; a folder that never ran ``synapse init`` is refused.

        Treating any folder as a project would create ``.synapse/`` or ``.aios/`` where nobody
        opted in (and a stray ``~/.synapse`` would collect every unconfigured project's hooks).
        """
        paths = self.paths
        if not paths.is_initialised():
            raise SynapseError(f"no .synapse/ at or above {paths.root}: run `synapse init`")
        return paths

    def configure_log(self) -> None:
        paths = self._paths
        log_file = paths.log_file if paths is not None and paths.is_initialised() else None
        log.configure(file_path=log_file, debug=self.debug)

    def config(self, overrides: dict[str, tuple[Any, str]] | None = None, *, strict: bool = True) -> Config:
        config = load_config(self.paths.root, explicit_path=self.config_path, overrides=overrides, strict=strict)
        log.configure(
            file_path=self.paths.log_file if self.paths.is_initialised() else None,
            debug=self.debug,
            max_bytes=config.log_max_bytes,
        )
        return config

    def ensure_initialised(self, config: Config) -> ProjectPaths:
        """Writing commands restore a missing ``.synapse/.gitignore`` before writing into the project."""
        paths = self.project()
        if not os.path.lexists(paths.gitignore):
            init_project(paths.root, fsync=config.fsync)
            self.configure_log()
        return paths

    def store(self, config: Config) -> SessionStore:
        return SessionStore(self.paths.sessions_dir, fsync=config.fsync, lock_timeout=config.lock_timeout)
