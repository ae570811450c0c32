"""Run one SessionStore operation and report the outcome as JSON in RESULT_PATH.

Usage: session_op.py SESSIONS_DIR OPERATION SESSION_ID RESULT_PATH
OPERATION: load, update, delete, list. Reports with os.pwrite (see fault_writer.py).
"""

import json
import os
import sys

sessions_dir, operation, session_id, result_path = sys.argv[1:5]
result_fd = os.open(result_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

from synapse_cli.core.errors import SynapseError  # noqa: E402
from synapse_cli.core.sessions.store import SessionStore  # noqa: E402

store = SessionStore(sessions_dir)
try:
    if operation == "load":
        value = store.load(session_id)
        result = {"ok": True, "prompt_count": None if value is None else value.get("prompt_count")}
    elif operation == "update":
        result = {"ok": True, "prompt_count": store.update(session_id, {}).session["prompt_count"]}
    elif operation == "delete":
        result = {"ok": True, "deleted": store.delete(session_id)}
    else:
        result = {"ok": True, "list": [[s.session_id, s.status, s.problem] for s in store.list()]}
except BaseException as exc:
    result = {"ok": False, "type": type(exc).__name__, "message": str(exc), "synapse_error": isinstance(exc, SynapseError)}
os.pwrite(result_fd, json.dumps(result).encode(), 0)
os.close(result_fd)
