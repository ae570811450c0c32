"""Wait for GO_FILE to appear, then run COUNT SessionStore.update calls on one session.

Usage: update_worker.py SESSIONS_DIR SESSION_ID COUNT GO_FILE
Prints "ready" before waiting and "done <count>" at the end; any error exits non-zero.
"""

import os
import sys
import time

from synapse_cli.core.sessions.store import SessionStore

sessions_dir, session_id, count, go_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
store = SessionStore(sessions_dir, lock_timeout=60)
print("ready", flush=True)
deadline = time.monotonic() + 30
while not os.path.exists(go_file):
    if time.monotonic() > deadline:
        sys.exit("GO_FILE never appeared")
    time.sleep(0.001)
for i in range(count):
    store.update(session_id, {"history": {"agents_activated": [f"w{os.getpid()}"]}})
print(f"done {count}", flush=True)
