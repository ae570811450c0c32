"""In-process measurements, run in the venv's python (``Venv.worker``) so they use the synapse under test."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

from .config import TTL_HOURS
from .fixtures import SESSION_TEMPLATE, iso, refresh_from_manifest


def info(_args: dict) -> dict:
    """How synapse is installed in this venv: version, where, editable or not, bytecode present or not."""
    import sysconfig

    import synapse_cli
    import synapse_cli.entry as entry

    purelib = os.path.realpath(sysconfig.get_paths()["purelib"])
    file = os.path.realpath(synapse_cli.__file__)
    source = entry.__file__
    cached = os.path.join(os.path.dirname(source), "__pycache__",
                          f"{os.path.splitext(os.path.basename(source))[0]}.{sys.implementation.cache_tag}.pyc")
    return {"python_version": platform.python_version(), "python_build": " ".join(platform.python_build()),
            "synapse_version": getattr(synapse_cli, "__version__", None), "synapse_file": file,
            "editable": not file.startswith(purelib + os.sep), "bytecode_present": os.path.exists(cached),
            "dont_write_bytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))}


def _atomic_methods(folder: Path, text: str) -> tuple[dict, dict]:
    from synapse_cli.core.atomic import atomic_write

    paths = {name: str(folder / f"{name}.json") for name in ("plain", "atomic_nofsync", "atomic_fsync")}

    def plain(path=paths["plain"]):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)

    raw_path = str(folder / "raw.json")
    raw_bytes = text.encode()
    counter = [0]

    def raw_tmp_rename():
        # the file system's own cost of the recipe, without synapse's code: new temp inode + rename
        counter[0] += 1
        tmp = f"{raw_path}.tmp.{os.getpid()}.{counter[0]}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, raw_bytes)
        os.close(fd)
        os.replace(tmp, raw_path)

    paths["raw_tmp_rename"] = raw_path
    methods = {
        "plain": plain,
        "raw_tmp_rename": raw_tmp_rename,
        "atomic_nofsync": lambda path=paths["atomic_nofsync"]: atomic_write(path, text, fsync=False),
        "atomic_fsync": lambda path=paths["atomic_fsync"]: atomic_write(path, text, fsync=True),
    }
    return methods, paths


def atomic(args: dict) -> dict:
    """A 2 KB session document written plain, through a raw tmp+rename, and through atomic_write with and without fsync."""
    folder = Path(args["dir"])
    folder.mkdir(parents=True, exist_ok=True)
    doc = dict(SESSION_TEMPLATE, uuid="atomic-bench", started=iso(time.time()), last_activity=iso(time.time()))
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    doc["title"] = "x" * max(0, 2048 - len(text.encode()) + len(doc["title"].encode()))
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    methods, paths = _atomic_methods(folder, text)
    names = list(methods)
    times: dict[str, list[float]] = {name: [] for name in names}
    reps, warmup = args["reps"], args["warmup"]
    clock = time.perf_counter_ns
    for i in range(warmup + reps):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            fn = methods[name]
            t0 = clock()
            fn()
            t1 = clock()
            if i >= warmup:
                times[name].append((t1 - t0) / 1000.0)
    ok = all(Path(p).read_text(encoding="utf-8") == text for p in paths.values())
    return {"bytes": len(text.encode()), "times_us": times, "content_ok": ok}


def clean(args: dict) -> dict:
    """``SessionStore.clean_stale`` over a fixture folder, the stale files restored before each repetition."""
    try:
        from synapse_cli.core.sessions.store import SessionStore
    except ImportError:  # before the store moved into a package of its own
        from synapse_cli.core.sessions import SessionStore  # type: ignore[no-redef]

    manifest = json.loads(Path(args["manifest"]).read_text())
    store = SessionStore(manifest["sessions_dir"])  # fsync on, as the hook's default config
    times, removed_counts = [], []
    expected = len(manifest["stale_ids"])
    for rep in range(args["warmup"] + args["reps"]):
        refresh_from_manifest(manifest)
        t0 = time.perf_counter_ns()
        result = store.clean_stale(TTL_HOURS, temp_max_age_seconds=600)
        t1 = time.perf_counter_ns()
        if rep >= args["warmup"]:
            times.append((t1 - t0) / 1e6)
            removed_counts.append(len(result.removed))
    refresh_from_manifest(manifest)
    return {"times_ms": times, "removed_counts": removed_counts,
            "removed_ok": all(c == expected for c in removed_counts)}


TASKS = {"info": info, "atomic": atomic, "clean": clean}


def main(task: str, args_json: str) -> None:
    if task not in TASKS:
        raise SystemExit(f"unknown worker task {task!r}")
    print(json.dumps(TASKS[task](json.loads(args_json))))
