"""The typed errors the core raises.

The core never prints and never exits: it raises one of these, and the command layer
(``synapse_cli.cli.app``) is the single place that turns them into a message and an
exit code. Every message names what is wrong and where.
"""

from __future__ import annotations


class SynapseError(Exception):
    """An expected failure: bad input, bad config, a busy lock, an I/O error."""


class InvalidInputError(SynapseError):
    """Input given to synapse (a session id, a patch, a metrics object) is not acceptable."""


class InvalidSessionIdError(InvalidInputError):
    """A session id that is empty, too long, or could address a path outside the sessions folder."""


class ConfigError(SynapseError):
    """The configuration file cannot be read or holds an invalid value."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None):
        self.path = path
        self.key = key
        where = path or "configuration"
        if key:
            where = f"{where}: {key}"
        super().__init__(f"{where}: {message}")


class LockTimeoutError(SynapseError):
    """Another process held the lock for longer than the bounded wait."""

    def __init__(self, lock_path: str, timeout: float):
        self.lock_path = lock_path
        self.timeout = timeout
        super().__init__(
            f"timed out after {timeout:g} s waiting for the lock {lock_path} "
            "(another synapse process is holding it)"
        )


# The name the specification uses; both spellings refer to one class.
LockTimeout = LockTimeoutError


class AtomicWriteError(SynapseError, OSError):
    """A write failed; ``stage`` says where, and the target was left as it was.

    For ``stage == "fsync-dir"`` the new content *is* in place; only its durability
    across a power cut is unknown (``written`` is True).
    """

    def __init__(self, stage: str, path: str, tmp_path: str | None, cause: BaseException):
        self.stage = stage
        self.path = path
        self.tmp_path = tmp_path
        self.cause = cause
        self.written = stage == "fsync-dir"
        self.errno = getattr(cause, "errno", None)
        detail = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
        if self.written:
            message = f"{stage} failed for {path}: written, durability unknown ({detail})"
        else:
            message = f"{stage} failed for {path} (temp {tmp_path}): {detail}; target left unchanged"
        SynapseError.__init__(self, message)

    def __str__(self) -> str:  # OSError would otherwise format its own way
        message: str = self.args[0]
        return message


class StateFileError(SynapseError):
    """A state file exists but cannot be used (unreadable, corrupt, wrong schema)."""

    def __init__(self, message: str, *, path: str):
        self.path = path
        super().__init__(f"{path}: {message}")


class CorruptFileError(StateFileError):
    """A state file does not parse, is not a JSON object, or has fields of the wrong type."""


class UnsupportedSchemaError(StateFileError):
    """A session file whose ``schema_version`` is not the one synapse reads."""


class StateFileAccessError(StateFileError):
    """A state file could not be read, written or removed (permissions, I/O error)."""
