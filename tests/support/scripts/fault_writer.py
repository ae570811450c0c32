"""Run one atomic_write and report the outcome as JSON in RESULT_PATH.

Usage: fault_writer.py TARGET NEW_CONTENT RESULT_PATH [nofsync]
The result is written with os.pwrite (syscall pwrite64), so a fault injected into
``write`` does not also swallow the report. Run under strace by the fault tests.
"""

import json
import os
import sys

target, content, result_path = sys.argv[1], sys.argv[2], sys.argv[3]
fsync = not (len(sys.argv) > 4 and sys.argv[4] == "nofsync")
result_fd = os.open(result_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

from synapse_cli.core.atomic import atomic_write  # noqa: E402
from synapse_cli.core.errors import AtomicWriteError, SynapseError  # noqa: E402

try:
    atomic_write(target, content, fsync=fsync)
    result = {"ok": True}
except AtomicWriteError as exc:
    result = {
        "ok": False, "type": type(exc).__name__, "stage": exc.stage, "path": exc.path,
        "tmp_path": exc.tmp_path, "written": exc.written, "errno": exc.errno, "message": str(exc),
        "synapse_error": isinstance(exc, SynapseError),
    }
except BaseException as exc:  # the test asserts this never happens
    result = {"ok": False, "type": type(exc).__name__, "message": repr(exc), "synapse_error": False}
os.pwrite(result_fd, json.dumps(result).encode(), 0)
os.close(result_fd)
