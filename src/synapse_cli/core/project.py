"""Where a project's state lives, and setting it up.

A project is the folder that holds ``.synapse/``. Only os.path is used here:
``pathlib`` alone costs the hook several milliseconds per prompt.
"""

from __future__ import annotations

import os

from synapse_cli.core.atomic import atomic_create
from synapse_cli.core.folders import ensure_folder, refuse_linked

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from collections.abc import Mapping

SYNAPSE_DIR_NAME = ".synapse"
GITIGNORE_TEXT = "# SYNAPSE runtime data (auto-generated)\nsessions/\ncache/\n"
PROJECT_DIR_ENV_VAR = "CLAUDE_PROJECT_DIR"
PATH_MAX = 4096
"""No real folder has a longer path (Linux's PATH_MAX; Windows and macOS allow less):
a longer ``cwd`` from an event is not a project, and is not searched."""
MAX_SEARCH_DEPTH = 256


class ProjectPaths:
    """The paths of one project's state, derived from its root folder."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.synapse_dir = os.path.join(self.root, SYNAPSE_DIR_NAME)
        self.sessions_dir = os.path.join(self.synapse_dir, "sessions")
        self.metrics_dir = os.path.join(self.synapse_dir, "metrics")
        self.cache_dir = os.path.join(self.synapse_dir, "cache")
        self.gitignore = os.path.join(self.synapse_dir, ".gitignore")
        self.log_file = os.path.join(self.cache_dir, "synapse.log")

    def is_initialised(self) -> bool:
        return os.path.isdir(self.synapse_dir)


def nearest_project(start: str | None) -> str | None:
    """The nearest folder at or above ``start`` that holds ``.synapse/``, or None.

    Bounded and linear: a path longer than ``PATH_MAX`` is not a real folder and is not
    searched, and at most ``MAX_SEARCH_DEPTH`` folders are looked at (an editor's event
    can carry a ``cwd`` of megabytes, and each step costs a system call on the whole path).
    """
    if not start or not isinstance(start, str) or len(start) > PATH_MAX or "\x00" in start:
        return None
    current = os.path.abspath(start)
    for _ in range(MAX_SEARCH_DEPTH):
        if os.path.isdir(os.path.join(current, SYNAPSE_DIR_NAME)):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None


def resolve_project_root(
    explicit: str | None = None,
    *,
    for_hook: bool = False,
    payload_cwd: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | None = None,
    project_env_vars: tuple[str, ...] = (PROJECT_DIR_ENV_VAR,),
) -> str:
    """The project to act on.

    ``explicit`` (``--project-dir``) > for hooks the nearest project at or above
    ``$CLAUDE_PROJECT_DIR`` (Gemini: ``$GEMINI_PROJECT_DIR``) when set, then the nearest
    project at or above the event's ``cwd`` (and when neither has one, the editor's
    project folder itself, which has not opted in) > the nearest project at or above
    the current folder > the current folder.

    Raises ``StateFileAccessError`` when the current folder is needed but was deleted:
    falling back to another folder (the home folder) would write state there.
    """
    if explicit:
        return os.path.abspath(explicit)
    environ = os.environ if environ is None else environ
    declared = None
    if for_hook:
        # The editor's project folder, or the folder the agent works in, may be a
        # subfolder of the project that holds .synapse/: look upward from each in turn.
        for name in project_env_vars:
            from_env = environ.get(name)
            if from_env and len(from_env) <= PATH_MAX:
                declared = declared or os.path.abspath(from_env)
                found = nearest_project(from_env)
                if found:
                    return found
        found = nearest_project(payload_cwd) if isinstance(payload_cwd, str) else None
        if found:
            return found
        if declared:
            return declared  # the editor's project, which has not opted in: nothing to do
    if cwd is None:
        try:
            cwd = os.getcwd()
        except OSError as exc:  # the current folder was deleted under us
            from synapse_cli.core.errors import StateFileAccessError

            raise StateFileAccessError(
                f"the current folder cannot be read ({exc.strerror or exc}); it may have been deleted: "
                "change to the project, or give --project-dir", path=".") from exc
    return nearest_project(cwd) or os.path.abspath(cwd)


def git_work_tree_top(start: str) -> str | None:
    """The top folder of the git work tree holding ``start`` (the nearest with a ``.git`` folder or file), or None."""
    current = os.path.abspath(start)
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def resolve_setup_root(explicit: str | None = None, *, cwd: str | None = None) -> tuple[str, str]:
    """The project that ``init`` and ``hook install`` set up, and how it was found.

    The hook looks for the nearest ``.synapse/`` at or above its folder, and editors look
    for their settings at the top of the repository. So, unless ``--project-dir``
    names it: the nearest project at or above the current folder, else the top of the
    git work tree, else the current folder. The second value says which
    ("--project-dir", ".synapse", "git" or "current folder").
    """
    if explicit:
        return os.path.abspath(explicit), "--project-dir"
    cwd = os.path.abspath(cwd or os.getcwd())
    found = nearest_project(cwd)
    if found:
        return found, ".synapse"
    top = git_work_tree_top(cwd)
    if top:
        return top, "git"
    return cwd, "current folder"


def init_project(root: str, *, fsync: bool = True) -> list[str]:
    """Create ``.synapse/`` with ``sessions/``, ``metrics/`` and the ``.gitignore``; idempotent.

    Returns the paths it created. An existing ``.gitignore`` is never overwritten.
    """
    from synapse_cli.core.errors import StateFileAccessError

    paths = ProjectPaths(root)
    created = []
    # Checked before anything is created: a .synapse committed as a symlink must not
    # get folders and a .gitignore made wherever it points.
    for folder in (paths.sessions_dir, paths.metrics_dir, paths.cache_dir):
        try:
            refuse_linked(folder)
        except OSError as exc:
            raise StateFileAccessError(str(exc.strerror), path=exc.filename or folder) from exc
    for folder in (paths.synapse_dir, paths.sessions_dir, paths.metrics_dir):
        if not os.path.isdir(folder):
            try:
                ensure_folder(folder)
            except OSError as exc:
                raise StateFileAccessError(f"cannot create the folder: {exc.strerror or exc}", path=folder) from exc
            created.append(folder)
    if atomic_create(paths.gitignore, GITIGNORE_TEXT, fsync=fsync):
        created.append(paths.gitignore)
    return created


def ensure_gitignore(synapse_dir: str, *, fsync: bool = True) -> bool:
    """Write ``.synapse/.gitignore`` unless one exists; return whether it was written."""
    return atomic_create(os.path.join(synapse_dir, ".gitignore"), GITIGNORE_TEXT, fsync=fsync)
