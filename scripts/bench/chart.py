"""One SVG chart of the hook's latency distributions, written by hand (no plotting dependency).

A row per variant: every timed run as a dot (a strip, spread vertically so dots do not
hide each other), a box from the 25th to the 75th percentile with the median marked,
whiskers to the 5th and 95th percentiles; a dashed vertical line marks the reference
(the JavaScript hook's median).
"""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import escape

from .stats import percentile

WIDTH, LEFT, RIGHT, TOP, ROW, BOTTOM = 820, 210, 40, 100, 62, 78
COLORS = {"floor_sh": "#7f7f7f", "steady_sh": "#1f77b4", "first1k": "#2ca02c", "first10k": "#d62728",
          "compare": "#9467bd"}


def chart_rows(res: dict) -> list[tuple[str, tuple[str, str], list[float]]]:
    """(key, (label, smaller second line), samples) for each row, from the hook section of a run's results."""
    vs = res["hook"]["variants"]
    sizes = res["hook"]["folder_sizes"]
    rows = [("floor_sh", ("bare interpreter", 'sh -c "python -c pass"')),
            ("steady_sh", ("steady prompt", "as registered, through sh")),
            ("first1k", ("first prompt", f"among {sizes['first1k']:,} sessions")),
            ("first10k", ("first prompt", f"among {sizes['first10k']:,} sessions"))]
    if "compare" in vs:
        rows.append(("compare", ("compare command", res["settings"]["compare_cmd"][-34:])))
    return [(key, label, vs[key]["times_ms"]) for key, label in rows if key in vs and vs[key]["times_ms"]]


def _ticks(hi: float) -> list[float]:
    raw = hi / 6
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(hi / step) + 1)]


def _row(key: str, label: tuple[str, str], samples: list[float], y: float, x) -> list[str]:
    color = COLORS.get(key, "#444")
    p5, q1, med, q3, p95 = (percentile(samples, q) for q in (5, 25, 50, 75, 95))
    out = [f'<text x="{LEFT - 14}" y="{y - 2:.1f}" text-anchor="end" class="label">{escape(label[0])}</text>',
           f'<text x="{LEFT - 14}" y="{y + 13:.1f}" text-anchor="end" class="sub">{escape(label[1])}</text>',
           f'<line x1="{x(p5):.1f}" y1="{y:.1f}" x2="{x(q1):.1f}" y2="{y:.1f}" stroke="{color}" stroke-width="1.5"/>',
           f'<line x1="{x(q3):.1f}" y1="{y:.1f}" x2="{x(p95):.1f}" y2="{y:.1f}" stroke="{color}" stroke-width="1.5"/>',
           f'<rect x="{x(q1):.1f}" y="{y - 11:.1f}" width="{max(1.0, x(q3) - x(q1)):.1f}" height="22" fill="{color}" '
           f'fill-opacity="0.18" stroke="{color}" stroke-width="1.5"/>']
    for i, value in enumerate(samples):
        jitter = ((i * 0.618034) % 1.0 - 0.5) * 30  # golden-ratio spread: deterministic, even
        out.append(f'<circle cx="{x(value):.1f}" cy="{y + jitter:.1f}" r="2.2" fill="{color}" fill-opacity="0.45"/>')
    out.append(f'<line x1="{x(med):.1f}" y1="{y - 15:.1f}" x2="{x(med):.1f}" y2="{y + 15:.1f}" stroke="{color}" '
               f'stroke-width="3"/>')
    out.append(f'<text x="{x(med):.1f}" y="{y - 19:.1f}" text-anchor="middle" class="median">{med:.1f} ms</text>')
    return out


def render_svg(rows: list[tuple[str, tuple[str, str], list[float]]], reference: tuple[float, str] | None, title: str,
               subtitle: str) -> str:
    every = [v for _key, _label, samples in rows for v in samples]
    hi = max([percentile(every, 99)] + ([reference[0]] if reference else [])) * 1.12
    height = TOP + ROW * len(rows) + BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def x(value: float) -> float:
        return LEFT + min(max(value, 0.0), hi) / hi * plot_w

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
           'font-family="Helvetica, Arial, sans-serif" role="img">',
           f"<title>{escape(title)}</title>",
           "<style>.label{font-size:13px;fill:#222}.median{font-size:11px;fill:#222}.tick{font-size:11px;fill:#555}"
           ".title{font-size:16px;font-weight:bold;fill:#111}.sub{font-size:11.5px;fill:#555}"
           ".ref{font-size:11.5px;fill:#c85a00}</style>",
           f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
           f'<text x="16" y="26" class="title">{escape(title)}</text>',
           f'<text x="16" y="46" class="sub">{escape(subtitle)}</text>']
    axis_y = TOP + ROW * len(rows) - ROW / 2 + 24
    for tick in _ticks(hi):
        out.append(f'<line x1="{x(tick):.1f}" y1="{TOP - 18}" x2="{x(tick):.1f}" y2="{axis_y:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{axis_y + 16:.1f}" text-anchor="middle" class="tick">{tick:g}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{axis_y + 36:.1f}" text-anchor="middle" class="tick">'
               "milliseconds, spawn to exit (dots: every timed run; box: 25–75 %; whiskers: 5–95 %)</text>")
    if reference:
        rx = x(reference[0])
        out.append(f'<line x1="{rx:.1f}" y1="{TOP - 18}" x2="{rx:.1f}" y2="{axis_y:.1f}" stroke="#ff7f0e" '
                   'stroke-width="2" stroke-dasharray="6 4"/>')
        out.append(f'<text x="{rx - 6:.1f}" y="{TOP - 24}" text-anchor="end" class="ref">'
                   f"{escape(reference[1])}: {reference[0]:.0f} ms</text>")
    for i, (key, label, samples) in enumerate(rows):
        out += _row(key, label, samples, TOP + ROW * i + ROW / 2 - 6, x)
    beyond = sum(1 for v in every if v > hi)
    if beyond:
        out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{axis_y + 52:.1f}" text-anchor="middle" class="tick">'
                   f"({beyond} runs beyond {hi:.0f} ms are drawn at the right edge)</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_chart(res: dict, path: Path) -> Path:
    hook, machine, settings = res["hook"], res["machine"], res["settings"]
    if "compare" in hook["variants"] and hook["variants"]["compare"]["times_ms"]:
        reference = (hook["variants"]["compare"]["summary"]["median"], f"`{settings['compare_cmd']}` median")
    else:
        reference = (settings["reference_ms"], settings["reference_label"])
    title = f"synapse hook latency — {hook['iterations']} interleaved runs each"
    load = (res.get("load") or {}).get("1. hook latency", {})
    loadavg = max(load.get(side, {}).get("loadavg1", 0) for side in ("before", "after")) if load else None
    subtitle = (f"{machine['cpu_model']}, {machine['cores']} cores, Python {machine['python']}, "
                f"{machine['date']}, commit {machine['git_commit']}"
                + (f", load average {loadavg:g}" if loadavg is not None else "") + (" (--quick)" if settings["quick"] else ""))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_svg(chart_rows(res), reference, title, subtitle))
    return path
