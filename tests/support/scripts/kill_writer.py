"""Write {"n": i, ...} to a file in a loop, printing each i once its write has returned.

Usage: kill_writer.py PATH START MODE PADDING
MODE: atomic (atomic_write), atomic-nofsync (fsync=False), naive (open/truncate + two
raw writes), naive-pause (naive, but stops forever between the two chunks after
printing "half", so a parent can kill it there deterministically).
Prints "ready" once imports are done, so the parent's kills land inside the loop.
"""

import json
import os
import sys
import time

path, start, mode, padding = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if mode.startswith("atomic"):
    from synapse_cli.core.atomic import atomic_write

fsync = mode == "atomic"
out = sys.stdout


def naive_write(data: bytes, pause: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        half = len(data) // 2
        os.write(fd, data[:half])
        if pause:
            out.write("half\n")
            out.flush()
            while True:
                time.sleep(1)
        os.write(fd, data[half:])
    finally:
        os.close(fd)


out.write("ready\n")
out.flush()
i = start
while True:
    i += 1
    data = json.dumps({"n": i, "padding": "x" * padding, "tail": i}).encode()
    if mode.startswith("atomic"):
        atomic_write(path, data, fsync=fsync)
    else:
        naive_write(data, pause=(mode == "naive-pause"))
    out.write(f"{i}\n")
    out.flush()
