"""Summary statistics of timing samples: medians, percentiles and a noise estimate for each."""

from __future__ import annotations

import math
import statistics


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    data = sorted(values)
    if not data:
        return float("nan")
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def summarize(samples: list[float]) -> dict:
    """Median, p90, max, and a noise estimate for the median.

    noise = the larger of (a) the gap between the medians of the even- and odd-indexed
    halves (interleaved halves, so slow drift does not count as noise) and (b) the
    notch half-width 1.57 * IQR / sqrt(n) (an approximate 95 % interval of a median).
    """
    n = len(samples)
    if n == 0:
        return {"n": 0, "median": float("nan"), "p90": float("nan"), "max": float("nan"), "min": float("nan"),
                "iqr": float("nan"), "noise": float("nan")}
    med = statistics.median(samples)
    iqr = percentile(samples, 75) - percentile(samples, 25)
    if n >= 4:
        halves = abs(statistics.median(samples[0::2]) - statistics.median(samples[1::2]))
        noise = max(halves, 1.57 * iqr / math.sqrt(n))
    else:  # too few samples to measure the noise: assume at least 10 %
        noise = max(max(samples) - min(samples), 0.1 * abs(med))
    noise = max(noise, 0.01 * abs(med))  # quantised figures (RSS pages, clock ticks) never vary by less
    p90 = percentile(samples, 90)
    p90_noise = abs(percentile(samples[0::2], 90) - percentile(samples[1::2], 90)) if n >= 4 else noise
    return {"n": n, "median": med, "p90": p90, "max": max(samples), "min": min(samples), "iqr": iqr,
            "noise": noise, "p90_noise": p90_noise}


def ratio_noise(a: float, na: float, b: float, nb: float) -> float:
    """Noise of a / b from the noise of a and b (relative errors added in quadrature)."""
    if not a or not b:
        return float("nan")
    return abs(a / b) * math.sqrt((na / a) ** 2 + (nb / b) ** 2)


def fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def md_table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)
