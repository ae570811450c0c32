"""Hold the lock of the session file DATA_PATH for HOLD_SECONDS (or until killed), reporting on stdout.

Usage: lock_holder.py DATA_PATH HOLD_SECONDS [TIMEOUT] [WRITE_PATH]
Prints "locked <time>" once it holds the lock; before releasing it appends
"<pid> <start> <end>" to WRITE_PATH (if given) and prints "releasing <time>".
HOLD_SECONDS < 0 holds until killed.
"""

import os
import sys
import time

from synapse_cli.core.errors import LockTimeoutError
from synapse_cli.core.sessions.store import SessionStore

data_path, hold = sys.argv[1], float(sys.argv[2])
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
write_path = sys.argv[4] if len(sys.argv) > 4 else None
lock = SessionStore(os.path.dirname(os.path.abspath(data_path))).lock_for(data_path, timeout)
try:
    lock.acquire()
except LockTimeoutError as exc:
    print(f"timeout {exc}", flush=True)
    sys.exit(3)
start = time.time()
print(f"locked {start!r}", flush=True)
if hold < 0:
    while True:
        time.sleep(1)
time.sleep(hold)
end = time.time()
if write_path:
    with open(write_path, "a") as handle:
        handle.write(f"{os.getpid()} {start!r} {end!r}\n")
print(f"releasing {end!r}", flush=True)
lock.release()
