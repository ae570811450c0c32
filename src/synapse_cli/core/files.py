"""Reading a file that may be anything a repository can carry.

A committed file can be a symlink out of the project, a FIFO (an open blocks until a
writer comes, forever), a device such as ``/dev/zero`` (reads never end), or simply
huge. Every file synapse reads goes through ``read_regular``: opened without blocking,
checked to be a regular file, read up to a size limit, the descriptor always closed.
"""

from __future__ import annotations

import errno
import os

from synapse_cli.core.folders import LinkedFolderError

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_S_IFMT, _S_IFREG, _S_IFDIR = 0o170000, 0o100000, 0o040000

DEFAULT_LIMIT = 16 * 1024 * 1024
"""Far above any state, settings or config file synapse writes or reads."""


UNUSABLE_FILE_ERRNOS = (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EFBIG)
"""The ``OSError`` codes ``read_regular`` raises for a file that is there but is none to use
(a symlink, a folder, a FIFO or device, one past the limit): a reader treats it as corrupt,
not as a file it could not read."""


class FileTooLargeError(OSError):
    """The file is larger than the reader's limit; nothing of it was used."""

    def __init__(self, path: str, limit: int):
        super().__init__(errno.EFBIG, f"larger than {limit} bytes", path)
        self.limit = limit


def not_regular_error(path: str, mode: int) -> OSError:
    code = errno.EISDIR if (mode & _S_IFMT) == _S_IFDIR else errno.ENXIO
    return OSError(code, "not a regular file", path)


def read_regular(path: str, limit: int = DEFAULT_LIMIT, *, follow_links: bool = False) -> bytes:
    """The whole content of the regular file ``path``, at most ``limit`` bytes.

    Raises ``OSError``: ``ELOOP`` for a symlink (unless ``follow_links``), ``EISDIR`` or
    ``ENXIO`` at once for a folder, FIFO, socket or device, ``FileTooLargeError``
    (``EFBIG``) past ``limit``, and whatever the open or read raised.
    """
    fd, st = _open_regular(path, follow_links)
    try:
        if st.st_size > limit:
            raise FileTooLargeError(path, limit)
        chunks = []
        total = 0
        while True:
            # One byte past the limit tells a file that grew while read from one that fits.
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise FileTooLargeError(path, limit)
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_head(path: str, size: int, *, follow_links: bool = True) -> bytes:
    """The first ``size`` bytes of the regular file ``path`` (a program's ``#!`` line, say);
    ``OSError`` for anything that is not a regular file, at once."""
    fd, _ = _open_regular(path, follow_links)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def _open_regular(path: str, follow_links: bool) -> tuple[int, os.stat_result]:
    """``path`` open for reading, never blocking (a FIFO), and checked to be a regular file;
    the descriptor is closed on every error."""
    flags = os.O_RDONLY | _O_CLOEXEC | _O_BINARY | _O_NONBLOCK | (0 if follow_links else _O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if (st.st_mode & _S_IFMT) != _S_IFREG:
            raise not_regular_error(path, st.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def describe_read_error(exc: OSError) -> str:
    """A short reason for a failed ``read_regular``, for messages."""
    if isinstance(exc, FileTooLargeError):
        return str(exc.strerror)
    if isinstance(exc, LinkedFolderError):
        return f"{exc.filename} {exc.strerror}"  # a folder above the file, not the file itself
    if exc.errno == errno.ELOOP:
        return "is a symlink, which synapse does not follow here"
    if exc.errno in (errno.EISDIR, errno.ENXIO):
        return "not a regular file"
    return str(exc.strerror or exc)
