"""The run's figures (a flat map that --json, --tag and --compare use) and its targets, PASS or FAIL."""

from __future__ import annotations

import math

from .config import (
    GRACE_MS,
    T_ATOMIC_NOFSYNC_X_PLAIN,
    T_CLEAN10K_MS,
    T_COMMAND_X_FLOOR,
    T_FIRST1K_X_STEADY,
    T_FIRST10K_EXTRA_MS,
    T_FIRST10K_PROMPTS,
    T_PER_FILE_GROWTH,
    T_STEADY_X_FLOOR,
    Config,
)
from .stats import ratio_noise


class Figures:
    """Flat ``name -> {value, noise, unit, better}`` map."""

    def __init__(self):
        self.items: dict[str, dict] = {}

    def add(self, name: str, value, noise, unit: str, better: str = "lower", label: str | None = None) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        clean_noise = noise if noise is not None and not (isinstance(noise, float) and math.isnan(noise)) else 0.0
        self.items[name] = {"value": value, "noise": clean_noise, "unit": unit, "better": better, "label": label or name}

    def ratio(self, name: str, a: dict, b: dict, label: str) -> None:
        self.add(name, a["median"] / b["median"], ratio_noise(a["median"], a["noise"], b["median"], b["noise"]), "×",
                 label=label)


def _hook_figures(f: Figures, hook: dict) -> None:
    vs = hook["variants"]
    floor, floor_sh, steady_sh = vs["floor"]["summary"], vs["floor_sh"]["summary"], vs["steady_sh"]["summary"]
    for name, v in vs.items():
        s = v["summary"]
        f.add(f"hook.{name}.median_ms", s["median"], s["noise"], "ms", label=f"hook {name} median")
        f.add(f"hook.{name}.p90_ms", s["p90"], s.get("p90_noise"), "ms", label=f"hook {name} p90")
        f.add(f"hook.{name}.max_rss_mb", v["rss_summary"]["median"] / 1024, v["rss_summary"]["noise"] / 1024, "MB",
              label=f"hook {name} peak RSS")
        if name != "floor":
            f.ratio(f"hook.{name}.x_floor", s, floor, f"hook {name} ÷ floor")
        if v["argv"][:2] == ["/bin/sh", "-c"] and name != "floor_sh":
            f.ratio(f"hook.{name}.x_floor_sh", s, floor_sh, f"hook {name} ÷ floor through sh")
    for name in ("first0", "first1k", "first10k", "compare"):
        if name in vs:
            s = vs[name]["summary"]
            f.ratio(f"hook.{name}.x_steady", s, steady_sh, f"hook {name} ÷ steady (as registered)")
            f.add(f"hook.{name}.minus_steady_ms", s["median"] - steady_sh["median"],
                  math.hypot(s["noise"], steady_sh["noise"]), "ms", label=f"hook {name} − steady (as registered)")
    for name, c in hook["convergence"].items():
        f.add(f"hook.{name}.prompts_to_clean", c["worst_prompts_to_clean"], 0, "prompts",
              label=f"first prompts to remove the stale among {hook['folder_sizes'][name]:,}")


def _storage_figures(f: Figures, atomic: dict | None, clean: dict | None) -> None:
    if atomic:
        plain = atomic["summary"]["plain"]
        for name, s in atomic["summary"].items():
            f.add(f"atomic.{name}.median_us", s["median"], s["noise"], "µs", label=f"write {name} median")
            if name != "plain":
                f.ratio(f"atomic.{name}.x_plain", s, plain, f"write {name} ÷ plain")
    if clean:
        for key, c in clean["sizes"].items():
            s = c["summary"]
            what = f"{c['files']:,} files" + (" + sidecars" if c["sidecars"] else "")
            f.add(f"clean.{key}.median_ms", s["median"], s["noise"], "ms", label=f"clean_stale {what}")
            f.add(f"clean.{key}.per_file_us", c["per_file_us"], s["noise"] * 1000 / c["files"], "µs",
                  label=f"clean_stale per file, {what}")
            f.add(f"clean.{key}.cli_ms", c["cli_summary"]["median"], c["cli_summary"]["noise"], "ms",
                  label=f"`session clean` {what}")
        for suffix in ("", "+locks"):
            if "1000" + suffix in clean["sizes"] and "100000" + suffix in clean["sizes"]:
                a, b = clean["sizes"]["1000" + suffix], clean["sizes"]["100000" + suffix]
                f.add(f"clean.per_file_100k_x_1k{suffix}", b["per_file_us"] / a["per_file_us"],
                      ratio_noise(b["summary"]["median"], b["summary"]["noise"], a["summary"]["median"],
                                  a["summary"]["noise"]),
                      "×", label="per-file cost 100k ÷ 1k" + (" (sidecars)" if suffix else ""))


def build_figures(res: dict) -> dict[str, dict]:
    f = Figures()
    if res.get("hook"):
        _hook_figures(f, res["hook"])
    command = res.get("command")
    if command:
        cv = command["variants"]
        s = cv["session_show"]["summary"]
        f.add("command.session_show.median_ms", s["median"], s["noise"], "ms", label="`synapse session show ID` median")
        f.ratio("command.session_show.x_floor", s, cv["floor"]["summary"], "`synapse session show ID` ÷ floor")
    _storage_figures(f, res.get("atomic"), res.get("cleanup"))
    return f.items


class Targets:
    """Each target: kind 'timing' (ignored for the exit code in --quick), 'correctness' or 'info'."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, kind: str, ok, text: str) -> None:
        self.items.append({"kind": kind, "status": "SKIP" if ok is None else ("PASS" if ok else "FAIL"), "text": text})

    def info(self, text: str) -> None:
        self.items.append({"kind": "info", "status": "INFO", "text": text})


def _first_prompt_targets(t: Targets, hook: dict, cfg: Config) -> None:
    vs = hook["variants"]
    steady = vs["steady_sh"]["summary"]["median"]
    small, big = hook["folder_sizes"]["first1k"], hook["folder_sizes"]["first10k"]
    f1k = vs["first1k"]
    r1 = f1k["summary"]["median"] / steady
    t.add("timing", r1 <= T_FIRST1K_X_STEADY,
          f"first prompt among {small:,} sessions {f1k['summary']['median']:.1f} ms ≤ {T_FIRST1K_X_STEADY}× steady "
          f"{steady:.1f} ms: {r1:.2f}×")
    # A prompt its grace period cut off has not examined its whole part: a matter of timing, counted apart.
    whole_runs = [left for left, cut in zip(f1k["stale_left_at_exit"], f1k["cut_off"]) if not cut]
    cleared = sum(1 for x in whole_runs if x == 0)
    parts = sorted({"whole" if p is None else str(p) for p in f1k["part_examined"]})
    t.add("correctness", cleared == len(whole_runs),
          f"first prompt among {small:,} sessions removed, before it exited, every stale session of the part of the "
          f"folder it examined: {cleared}/{len(whole_runs)} runs not cut off by the grace period "
          f"({len(f1k['cut_off']) - len(whole_runs)} were; parts examined: {', '.join(parts)})")
    extra = vs["first10k"]["summary"]["median"] - steady
    t.add("timing", extra <= T_FIRST10K_EXTRA_MS,
          f"first prompt among {big:,} sessions adds {extra:.1f} ms to steady state ≤ {T_FIRST10K_EXTRA_MS:.0f} ms")
    for name, size in (("first1k", small), ("first10k", big)):
        conv = hook["convergence"][name]
        worst = conv["worst_prompts_to_clean"]
        # Correctness, but it hangs on the cleanup grace period: on a loaded machine a scan of 10,000
        # entries can outlast it on every prompt. Fatal in full runs; reported only in --quick.
        t.add("timing" if cfg.quick else "correctness", worst is not None and worst <= T_FIRST10K_PROMPTS,
              f"{conv['stale']} stale sessions among {size:,} gone within {T_FIRST10K_PROMPTS} first prompts"
              f"{' (grace-period dependent: not fatal in --quick)' if cfg.quick else ''}: worst of "
              f"{len(conv['trials'])} trials took {worst if worst is not None else 'more than ' + str(T_FIRST10K_PROMPTS + 2)} "
              f"(left after each: {[tr['stale_left_after_each'] for tr in conv['trials']]}; grace {GRACE_MS} ms)")


def _hook_targets(t: Targets, hook: dict, cfg: Config) -> None:
    vs = hook["variants"]
    floor_sh, steady_sh = vs["floor_sh"]["summary"]["median"], vs["steady_sh"]["summary"]["median"]
    r = steady_sh / floor_sh
    t.add("timing", r <= T_STEADY_X_FLOOR,
          f"steady prompt as registered, through sh, median {steady_sh:.1f} ms ≤ {T_STEADY_X_FLOOR}× "
          f"`/bin/sh -c \"python -c pass\"` {floor_sh:.1f} ms: {r:.2f}×")
    floor, steady = vs["floor"]["summary"]["median"], vs["steady"]["summary"]["median"]
    t.info(f"console script run directly {steady:.1f} ms = {steady / floor:.2f}× `python -c pass` {floor:.1f} ms")
    _first_prompt_targets(t, hook, cfg)
    bad_exit = sum(v["nonzero_exits"] for v in vs.values() if v["kind"] != "compare")
    created = sum(v.get("created_ok", 0) for v in vs.values() if "created_ok" in v)
    expected_created = sum(len(v["stale_left"]) for v in vs.values() if "stale_left" in v)
    ok = (bad_exit == 0 and hook["stdout_bytes"] == 0 and hook["steady_prompt_count"] == hook["steady_expected"]
          and created == expected_created)
    t.add("correctness", ok,
          f"every timed hook run did its work: exit 0 ({bad_exit} non-zero), stdout empty ({hook['stdout_bytes']} "
          f"bytes), steady prompt_count {hook['steady_prompt_count']} = {hook['steady_expected']} runs, "
          f"first prompts created their session {created}/{expected_created}")
    rss, rss_floor = vs["steady_sh"]["rss_summary"]["median"], vs["floor_sh"]["rss_summary"]["median"]
    t.info(f"peak memory of a steady hook run as registered {rss / 1024:.1f} MB, against {rss_floor / 1024:.1f} MB "
           f"for the bare interpreter through sh ({hook['rss_method']})")


def _command_targets(t: Targets, command: dict) -> None:
    cv = command["variants"]
    show, floor = cv["session_show"]["summary"]["median"], cv["floor"]["summary"]["median"]
    t.add("timing", show / floor <= T_COMMAND_X_FLOOR,
          f"`synapse session show ID` {show:.1f} ms ≤ {T_COMMAND_X_FLOOR:g}× `python -c pass` {floor:.1f} ms: "
          f"{show / floor:.2f}×")
    bad = cv["session_show"]["nonzero_exits"]
    t.add("correctness", bad == 0 and command["runs_showing_the_session"] == command["runs"],
          f"`synapse session show ID` exited 0 and showed the session in {command['runs_showing_the_session']}/"
          f"{command['runs']} runs ({bad} non-zero exits)")


def _storage_targets(t: Targets, atomic: dict, clean: dict) -> None:
    at = atomic["summary"]
    plain = at["plain"]["median"]
    rn, rf = at["atomic_nofsync"]["median"] / plain, at["atomic_fsync"]["median"] / plain
    t.add("timing", rn <= T_ATOMIC_NOFSYNC_X_PLAIN,
          f"atomic write, fsync off {at['atomic_nofsync']['median']:.0f} µs ≤ {T_ATOMIC_NOFSYNC_X_PLAIN}× plain "
          f"{plain:.0f} µs: {rn:.2f}×")
    t.info(f"durable atomic write (file + folder fsync) {at['atomic_fsync']['median']:.0f} µs = {rf:.2f}× plain")
    if "raw_tmp_rename" in at:
        raw = at["raw_tmp_rename"]["median"]
        t.info(f"the file system's own tmp+rename (no synapse code) {raw:.0f} µs = {raw / plain:.2f}× plain; "
               f"synapse's atomic_write adds {at['atomic_nofsync']['median'] - raw:+.0f} µs to it")
    t.add("correctness", atomic["content_ok"], "every write method left the exact 2 KB content")
    cl = clean["sizes"]
    if "10000" in cl:
        t10 = cl["10000"]["summary"]["median"]
        t.add("timing", t10 <= T_CLEAN10K_MS, f"clean_stale over 10,000 files {t10:.1f} ms ≤ {T_CLEAN10K_MS:.0f} ms")
    else:
        t.add("timing", None, "clean_stale over 10,000 files: not measured")
    for suffix, what in (("", ""), ("+locks", ", with a .lock sidecar per session (as synapse leaves them)")):
        if "1000" + suffix in cl and "100000" + suffix in cl:
            a, b = cl["1000" + suffix]["per_file_us"], cl["100000" + suffix]["per_file_us"]
            t.add("timing", b / a <= T_PER_FILE_GROWTH,
                  f"clean_stale per-file cost at 100,000 {b:.2f} µs ≤ {T_PER_FILE_GROWTH}× at 1,000 {a:.2f} µs{what}: "
                  f"{b / a:.2f}×")
        else:
            t.add("timing", None, f"clean_stale per-file growth 1,000 → 100,000{what}: not measured")
    all_removed = all(c["removed_ok"] and all(c["cli_ok"]) for c in cl.values())
    t.add("correctness", all_removed,
          "every cleanup (in-process and `synapse session clean`) removed exactly the stale sessions")


def check_targets(res: dict, cfg: Config) -> list[dict]:
    t = Targets()
    _hook_targets(t, res["hook"], cfg)
    _command_targets(t, res["command"])
    _storage_targets(t, res["atomic"], res["cleanup"])
    return t.items
