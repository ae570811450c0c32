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


MARKER = "# personal editor settings (synapse hook install --scope local)"
# Written instead of MARKER when install had to end the file's last line first, so that
# uninstall can take that line break back too and leave the file as it found it.
MARKER_JOINED = "# personal editor settings (synapse hook install --scope local; it also ended the line above)"
_MAX_EXCLUDE_BYTES = 1024 * 1024


def _exclude_target(path: str) -> tuple[str, str, str] | None:
    """(work tree top, exclude file, pattern naming ``path``) for the git work tree holding ``path``, or None."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return None
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0 or not top.stdout.strip():
        return None
    top_dir = top.stdout.strip()
    exclude = _git(top_dir, "rev-parse", "--git-path", "info/exclude")
    if exclude is None or exclude.returncode != 0 or not exclude.stdout.strip():
        return None
    exclude_path = os.path.join(top_dir, exclude.stdout.strip())
    pattern = "/" + os.path.relpath(os.path.realpath(path), os.path.realpath(top_dir)).replace(os.sep, "/")
    return top_dir, exclude_path, pattern


def ensure_git_ignored(path: str) -> str | None:
    """Make git ignore ``path`` in its work tree; return the exclude file written to, or None.

    None when the file is already ignored, when it is not in a git work tree, or when git
    is not installed. Never edits a committed ``.gitignore``. The pattern goes under a
    marker line, which is how ``hook uninstall`` tells synapse's line from one the user wrote.
    """
    target = _exclude_target(path)
    if target is None:
        return None
    top_dir, exclude_path, pattern = target
    checked = _git(top_dir, "check-ignore", "-q", "--no-index", "--", os.path.abspath(path))
    if checked is None or checked.returncode != 1:
        return None  # ignored already (0), or git could not tell (128): leave it
    try:
        _append(exclude_path, pattern)
    except OSError:
        return None
    return exclude_path


def _synapse_block(content: bytes, pattern: str) -> tuple[int, int] | None:
    """The byte range of the last marker line plus ``pattern`` line install wrote, or None.

    A pattern line without synapse's marker right above it is the user's: never matched.
    A joined block (see ``MARKER_JOINED``) still at the very end also takes back the line
    break install put before it, so the file ends as it did.
    """
    lines = content.split(b"\n")
    wanted = pattern.encode()
    markers = (MARKER.encode(), MARKER_JOINED.encode())
    for i in range(len(lines) - 2, -1, -1):
        if lines[i] in markers and lines[i + 1] == wanted:
            start = sum(len(line) + 1 for line in lines[:i])
            end = min(start + len(lines[i]) + len(wanted) + 2, len(content))
            if lines[i] == markers[1] and end == len(content) and start > 0:
                start -= 1
            return start, end
    return None


def remove_git_ignored(path: str, *, dry_run: bool = False, fsync: bool = True) -> tuple[str, str] | None:
    """Take out the pattern ``ensure_git_ignored`` added for ``path``; return (exclude file, pattern), or None.

    Only synapse's own block (marker line and pattern) goes; everything else stays byte for
    byte. An exclude file that is a symlink, in a linked folder, not a regular file or over
    1 MiB is left alone (None). ``dry_run`` says what would go, changing nothing.
    """
    from synapse_cli.core.atomic import atomic_write
    from synapse_cli.core.files import read_regular

    target = _exclude_target(path)
    if target is None:
        return None
    _, exclude_path, pattern = target
    if os.path.islink(os.path.dirname(exclude_path)):
        return None
    try:
        content = read_regular(exclude_path, _MAX_EXCLUDE_BYTES)  # no link following, no blocking, bounded
    except OSError:
        return None
    found = _synapse_block(content, pattern)
    if found is None:
        return None
    if not dry_run:
        start, end = found
        try:
            atomic_write(exclude_path, content[:start] + content[end:], fsync=fsync)
        except OSError:
            return None
    return exclude_path, pattern


def _append(path: str, pattern: str) -> None:
    """Append the marker line and ``pattern`` to the regular file ``path`` (created if missing), on lines of their own.

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
        marker = MARKER
        if st.st_size:
            os.lseek(fd, -1, os.SEEK_END)
            marker = MARKER if os.read(fd, 1) == b"\n" else "\n" + MARKER_JOINED
        os.write(fd, f"{marker}\n{pattern}\n".encode())
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
