"""The Markdown report, the comparison with a journey snapshot, and the snapshot itself."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .config import JOURNEY_DIR
from .stats import fmt, md_table

SNAPSHOT_KEYS = ("machine", "settings", "load", "figures", "targets", "all_passed", "duration_s")
CANARIES = {"hook.floor.median_ms": "the bare interpreter's start-up",
            "atomic.raw_tmp_rename.median_us": "the file system's own create + rename",
            "atomic.plain.median_us": "a plain in-place write"}


def _machine(res: dict) -> list[str]:
    m = res["machine"]
    out = ["## Machine", "",
           f"- CPU: {m['cpu_model']} — {m['cores']} cores ({m['cores_available']} available), {m['memory_gb']} GB RAM",
           f"- OS: {m['platform']}; state files on {m['filesystem']}",
           f"- Python {m['python']} ({m['python_executable']})",
           f"- synapse {m['synapse_version']} from {m['synapse_installed_at']} — "
           f"{'EDITABLE install (not representative)' if m['editable_install'] else 'installed (non-editable)'}, "
           f"bytecode {'present' if m['bytecode_present'] else 'MISSING'}, children write bytecode: "
           f"{'no (PYTHONDONTWRITEBYTECODE still set!)' if m['child_dont_write_bytecode'] else 'yes'}",
           f"- venv: {m['venv']} ({'built by this run' if m['venv_built_by_bench'] else 'given with --venv'})",
           f"- repo commit {m['git_commit']}{' (with uncommitted changes)' if m['git_dirty'] else ''}; date {m['date']}",
           ""]
    if res.get("load"):
        out += ["Machine load around each section (1-min load average; Linux PSI: % of the last 10 s some task "
                "stalled on CPU / I/O). High figures mean other work shared the machine.", ""]
        rows = []
        for name, ld in res["load"].items():
            b, a = ld["before"], ld["after"]
            rows.append([name, f"{ld['seconds']:.1f}", f"{b.get('loadavg1', '—')} → {a.get('loadavg1', '—')}",
                         f"{b.get('cpu_some_avg10', '—')} → {a.get('cpu_some_avg10', '—')}",
                         f"{b.get('io_some_avg10', '—')} → {a.get('io_some_avg10', '—')}"])
        out += [md_table(["section", "seconds", "load avg", "CPU pressure %", "I/O pressure %"], rows), ""]
    return out


def _stale_note(hook: dict, name: str, v: dict) -> str:
    stale = hook["stale_per_folder"].get(name)
    if "stale_left" not in v or not stale:
        return ""
    runs = len(v["stale_left"])
    whole = sum(1 for p in v["part_examined"] if p is None)
    cleared = sum(1 for x in v["stale_left_at_exit"] if x == 0)
    cut = sum(1 for c in v["cut_off"] if c)
    cut_note = f"; {cut} cut off by the grace period" if cut else ""
    if whole == runs:
        return f"{stale} stale; folder examined whole, all stale gone at exit in {cleared}/{runs} runs{cut_note}"
    return (f"{stale} stale; one part of three examined per prompt (whole in {whole}), "
            f"its stale gone at exit in {cleared}/{runs} runs{cut_note}")


def _hook(res: dict) -> list[str]:
    hook = res["hook"]
    vs = hook["variants"]
    floor, floor_sh = vs["floor"]["summary"]["median"], vs["floor_sh"]["summary"]["median"]
    steady = vs["steady_sh"]["summary"]["median"]
    out = [f"## 1. Hook latency — spawn to exit, {hook['iterations']} interleaved iterations (+{hook['warmup']} warm-up)",
           "", f"`synapse hook install` registers `{hook['registered_command']}`; editors run it through `/bin/sh -c`.",
           ""]
    rows = []
    for name, v in vs.items():
        s = v["summary"]
        through_sh = v["argv"][:2] == ["/bin/sh", "-c"]
        note = _stale_note(hook, name, v)
        if v["kind"] == "compare":
            note = f"{s['median'] / steady:.2f}× synapse steady" + (
                f"; {v['nonzero_exits']} non-zero exits" if v["nonzero_exits"] else "")
        rows.append([v["label"], fmt(s["median"]), fmt(s["p90"]), fmt(s["max"]), f"±{s['noise']:.1f}",
                     f"{s['median'] / floor:.2f}×", f"{s['median'] / floor_sh:.2f}×" if through_sh else "—",
                     "—" if v["kind"] == "floor" else f"{s['median'] / steady:.2f}×",
                     fmt(v["rss_summary"]["median"] / 1024), note])
    out.append(md_table(["variant", "median ms", "p90 ms", "max ms", "noise", "× floor", "× floor through sh",
                         "× steady", "peak RSS MB", "notes"], rows))
    out += ["", f"- Peak RSS: median of {hook['rss_runs']} untimed runs each, measured through {hook['rss_method']} "
                f"(its own {hook['rss_spawner_kb'] / 1024:.1f} MB is the smallest figure it can report)."]
    for name, c in hook["convergence"].items():
        out.append(f"- Consecutive first prompts to remove all {c['stale']} stale sessions among "
                   f"{hook['folder_sizes'][name]:,}: {[t['prompts_to_clean'] for t in c['trials']]} "
                   f"(stale left after each prompt: {[t['stale_left_after_each'] for t in c['trials']]})")
    if hook["stderr_excerpt"].strip():
        out.append(f"- hook stderr (should be empty): `{hook['stderr_excerpt'][-300:]!r}`")
    return out + [""]


def _command(res: dict) -> list[str]:
    c = res["command"]
    cv = c["variants"]
    floor = cv["floor"]["summary"]["median"]
    out = [f"## 2. A typical command — {c['iterations']} interleaved runs (+{c['warmup']} warm-up)", ""]
    out.append(md_table(["command", "median ms", "p90 ms", "noise", "× floor"],
                        [[v["label"], fmt(v["summary"]["median"]), fmt(v["summary"]["p90"]),
                          f"±{v['summary']['noise']:.1f}", f"{v['summary']['median'] / floor:.2f}×"]
                         for v in cv.values()]))
    return out + [""]


def _atomic(res: dict) -> list[str]:
    at = res["atomic"]
    s = at["summary"]
    labels = {"plain": "plain `open('w')` + write, in place",
              "raw_tmp_rename": "raw os.open(tmp, O_EXCL) + write + os.replace (no synapse code; reference)",
              "atomic_nofsync": "atomic_write(fsync=False)",
              "atomic_fsync": "atomic_write(fsync=True): file + folder fsync"}
    out = [f"## 3. Atomic write — {at['bytes']} bytes of JSON, in-process, {at['reps']} interleaved writes each", ""]
    out.append(md_table(["method", "median µs", "p90 µs", "max µs", "noise", "× plain"],
                        [[labels[k], fmt(v["median"], 0), fmt(v["p90"], 0), fmt(v["max"], 0), f"±{v['noise']:.0f}",
                          f"{v['median'] / s['plain']['median']:.2f}×"] for k, v in s.items()]))
    return out + [""]


def _cleanup(res: dict) -> list[str]:
    cl = res["cleanup"]
    out = ["## 4. Cleanup scaling — `SessionStore.clean_stale` in-process (ttl 168 h, 1 % stale, fsync on)", ""]
    rows = []
    for key in sorted(cl["sizes"], key=lambda k: (cl["sizes"][k]["sidecars"], cl["sizes"][k]["files"])):
        c = cl["sizes"][key]
        base = cl["sizes"].get("1000+locks" if c["sidecars"] else "1000")
        rows.append([f"{c['files']:,}", "yes" if c["sidecars"] else "no", c["stale"], fmt(c["summary"]["median"], 2),
                     fmt(c["summary"]["p90"], 2), f"±{c['summary']['noise']:.2f}", fmt(c["per_file_us"], 2),
                     f"{c['per_file_us'] / base['per_file_us']:.2f}×" if base else "—",
                     fmt(c["cli_summary"]["median"], 1), f"{c['generate_s']:.1f}"])
    out.append(md_table(["session files", ".lock sidecars", "stale", "median ms", "p90 ms", "noise", "per file µs",
                         "per file × 1k", "`synapse session clean` ms", "generated in s"], rows))
    for sidecars in (False, True):
        slopes = ", ".join(f"{a['from']:,}→{a['to']:,}: {a['slope']:.2f}" for a in cl["loglog_slopes"]
                           if a["slope"] is not None and a["sidecars"] == sidecars)
        if slopes:
            out.append(f"- Growth{' with sidecars' if sidecars else ''}, log-log slope of time vs files "
                       f"(1.00 = linear): {slopes}")
    return out + [""]


def render(res: dict, compare_text: str | None) -> str:
    out = ["# synapse benchmark" + (" (--quick)" if res["settings"]["quick"] else ""), ""]
    out += _machine(res) + _hook(res) + _command(res) + _atomic(res) + _cleanup(res)
    if compare_text:
        out += [compare_text, ""]
    out += ["## Targets", ""]
    for t in res["targets"]:
        tag = t["status"]
        if res["settings"]["quick"] and t["kind"] == "timing" and tag == "FAIL":
            tag = "FAIL (timing; not fatal in --quick)"
        out.append(f"{tag}: {t['text']}")
    if res.get("chart"):
        out += ["", f"Chart: {res['chart']}"]
    return "\n".join(out) + "\n"


def _load_summary(load: dict | None) -> str:
    if not load:
        return "not recorded"
    worst = {k: max((ld[side].get(k, 0) for ld in load.values() for side in ("before", "after")), default=0)
             for k in ("loadavg1", "cpu_some_avg10", "io_some_avg10")}
    return (f"peak load avg {worst['loadavg1']}, CPU pressure {worst['cpu_some_avg10']} %, "
            f"I/O pressure {worst['io_some_avg10']} %")


def snapshot_path(name: str) -> Path:
    return Path(name) if (name.endswith(".json") or os.sep in name) else JOURNEY_DIR / f"{name}.json"


def _compare_row(now: dict, old: dict) -> tuple[list, bool]:
    delta = now["value"] - old["value"]
    threshold = now["noise"] + old["noise"]
    pct = (delta / old["value"] * 100) if old["value"] else float("nan")
    beyond = abs(delta) > threshold and delta != 0
    if beyond:
        worse = delta > 0 if now["better"] == "lower" else delta < 0
        verdict = "**worse** (beyond noise)" if worse else "**better** (beyond noise)"
    else:
        verdict = "within noise"
    change = f"{delta:+.3g} ({pct:+.1f} %)" if not math.isnan(pct) else f"{delta:+.3g}"
    return [now["label"], f"{old['value']:.3g} {now['unit']}", f"{now['value']:.3g} {now['unit']}", change,
            f"±{threshold:.2g}", verdict], beyond


def compare_with(res: dict, name: str) -> str:
    path = snapshot_path(name)
    if not path.exists():
        raise SystemExit(f"bench: --compare: no snapshot {path}")
    snap = json.loads(path.read_text())
    base_figs, machine = snap.get("figures", {}), snap.get("machine", {})
    lines = [f"## Change against snapshot `{path.name}` ({machine.get('date', '?')}, "
             f"commit {machine.get('git_commit', '?')})", ""]
    if machine.get("cpu_model") != res["machine"]["cpu_model"]:
        lines.append(f"- note: snapshot machine CPU {machine.get('cpu_model')!r} differs from this one")
    if snap.get("settings", {}).get("quick") != res["settings"]["quick"]:
        lines.append("- note: one of the two runs is --quick; sample sizes and folder sizes differ")
    lines.append(f"- load during the snapshot: {_load_summary(snap.get('load'))}; during this run: "
                 f"{_load_summary(res.get('load'))}")
    rows, beyond, moved_canaries = [], 0, []
    for key, now in res["figures"].items():
        if key not in base_figs:
            continue
        row, moved = _compare_row(now, base_figs[key])
        rows.append(row)
        beyond += moved
        if moved and key in CANARIES:
            moved_canaries.append(f"{CANARIES[key]} ({row[3]})")
    lines.append(md_table(["figure", "snapshot", "now", "change", "noise (both runs)", "verdict"], rows))
    lines += ["", f"- {beyond} of {len(rows)} figures changed beyond the run-to-run noise measured in the two runs."]
    new = [k for k in res["figures"] if k not in base_figs]
    if new:
        lines.append(f"- {len(new)} figures are new since the snapshot (not compared): {', '.join(new[:12])}"
                     + (" …" if len(new) > 12 else ""))
    if moved_canaries:
        lines.append(f"- Caution: figures that do not depend on synapse moved too — {', '.join(moved_canaries)}: the "
                     "machine or its load changed between the runs, so changes of the same kind are not evidence "
                     "about synapse.")
    return "\n".join(lines)


def save_snapshot(res: dict, tag: str) -> Path:
    JOURNEY_DIR.mkdir(parents=True, exist_ok=True)
    path = JOURNEY_DIR / f"{tag}.json"
    path.write_text(json.dumps({k: res.get(k) for k in SNAPSHOT_KEYS}, indent=1) + "\n")
    return path
