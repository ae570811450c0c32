"""Keeping personal settings files out of git: ``--scope local`` files are ignored by the clone.

A local-scope settings file (Claude Code's ``.claude/settings.local.json``) is personal:
committing it would hand one person's hook paths to everyone. When git does not
already ignore it, a pattern is added to the clone's own ``info/exclude``, which is
never committed and changes nothing for anyone else.
"""

from __future__ import annotations

import os
import stat
import subprocess

_GIT_SECONDS = 10
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _git(folder: str, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", folder, *args], capture_output=True, text=True, timeout=_GIT_SECONDS, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git here: nothing can be committed by it either


def ensure_git_ignored(path: str) -> str | None:
    """Make git ignore ``path`` in its work tree; return the exclude file written to, or None.

    None when the file is already ignored, when it is not in a git work tree, or when git
    is not installed. Never edits a committed ``.gitignore``.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return None
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0 or not top.stdout.strip():
        return None
    top_dir = top.stdout.strip()
    checked = _git(top_dir, "check-ignore", "-q", "--no-index", "--", os.path.abspath(path))
    if checked is None or checked.returncode != 1:
        return None  # ignored already (0), or git could not tell (128): leave it
    exclude = _git(top_dir, "rev-parse", "--git-path", "info/exclude")
    if exclude is None or exclude.returncode != 0 or not exclude.stdout.strip():
        return None
    exclude_path = os.path.join(top_dir, exclude.stdout.strip())
    pattern = "/" + os.path.relpath(os.path.realpath(path), os.path.realpath(top_dir)).replace(os.sep, "/")
    line = f"# personal editor settings (synapse hook install --scope local)\n{pattern}\n"
    try:
        _append(exclude_path, line)
    except OSError:
        return None
    return exclude_path


def _append(path: str, text: str) -> None:
    """Append ``text`` to the regular file ``path`` (created if missing) on a line of its own.

    Never through a link (of the file or its folder), and never into a FIFO or device: the
    file is opened without following or blocking and checked before anything is written.
    Only its last byte is read, so its size does not matter.
    """
    from synapse_cli.core.files import not_regular_error
    from synapse_cli.core.folders import LinkedFolderError, ensure_folder

    folder = os.path.dirname(path)
    if os.path.islink(folder):
        raise LinkedFolderError(folder)
    ensure_folder(folder)
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_CLOEXEC | _O_NOFOLLOW | _O_NONBLOCK
    fd = os.open(path, flags, 0o644)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise not_regular_error(path, st.st_mode)
        prefix = b""
        if st.st_size:
            os.lseek(fd, -1, os.SEEK_END)
            prefix = b"" if os.read(fd, 1) == b"\n" else b"\n"
        os.write(fd, prefix + text.encode("utf-8"))
    finally:
        os.close(fd)


def git_tracks(path: str) -> bool:
    """Whether git tracks ``path`` (committed or staged); False outside a work tree or without git.

    Runs git only when asked: ``hook uninstall`` asks just before removing a file.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return False
    listed = _git(folder, "ls-files", "--error-unmatch", "--", os.path.basename(path))
    return listed is not None and listed.returncode == 0
