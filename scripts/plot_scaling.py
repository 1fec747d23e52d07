#!/usr/bin/env python3
"""Plots answer latency and memory against the number of facts, from the figures the
scaling benchmark writes (bench/results/scaling.json), as a hand-written SVG (no
plotting library needed).

    python3 scripts/plot_scaling.py [bench/results/scaling.json] [bench/results/scaling.svg]
"""

import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", "results", "scaling.json")
TARGET = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "bench", "results", "scaling.svg")

PANEL_W, PANEL_H = 420, 300
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 70, 20, 40, 50
WIDTH = 2 * (MARGIN_L + PANEL_W + MARGIN_R)
HEIGHT = MARGIN_T + PANEL_H + MARGIN_B + 80
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fmt(value):
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.2g}"


def log_ticks(lo, hi):
    """Powers of ten and 2x, 5x steps covering [lo, hi]."""
    ticks = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo * 0.9999 <= v <= hi * 1.0001:
                ticks.append(v)
        e += 1
    return ticks


def panel(x0, title, xlabel, ylabel, xs, series, guides=()):
    """One log-log panel at horizontal offset x0; series = [(label, [y...]), ...];
    guides = [(label, [y...])] drawn dashed and grey (references, not data)."""
    out = []
    values = [y for _, ys in list(series) + list(guides) for y in ys if y and y > 0]
    ylo, yhi = min(values), max(values)
    ylo, yhi = 10 ** math.floor(math.log10(ylo)), 10 ** math.ceil(math.log10(yhi))
    xlo, xhi = min(xs) / 1.5, max(xs) * 1.5
    left, top = x0 + MARGIN_L, MARGIN_T

    def px(x):
        return left + (math.log10(x) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo)) * PANEL_W

    def py(y):
        return top + PANEL_H - (math.log10(y) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)) * PANEL_H

    out.append(f'<rect x="{left}" y="{top}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{left + PANEL_W / 2}" y="{top - 14}" text-anchor="middle" font-size="15" font-weight="bold">{esc(title)}</text>')
    for v in log_ticks(ylo, yhi):
        y = py(v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + PANEL_W}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{fmt(v)}</text>')
    for v in xs:
        x = px(v)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + PANEL_H}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{top + PANEL_H + 16}" text-anchor="middle" font-size="11">{v:,}</text>')
    out.append(f'<text x="{left + PANEL_W / 2}" y="{top + PANEL_H + 36}" text-anchor="middle" font-size="12">{esc(xlabel)}</text>')
    out.append(f'<text transform="translate({x0 + 18},{top + PANEL_H / 2}) rotate(-90)" text-anchor="middle" font-size="12">{esc(ylabel)}</text>')
    for g, (label, ys) in enumerate(guides):
        points = [(px(x), py(y)) for x, y in zip(xs, ys) if y and y > 0]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="#999" stroke-width="1.2" stroke-dasharray="5,4"/>')
        if points:
            # Alternate label places so that guides' labels do not collide.
            (x, y), anchor, dy = (points[0], "start", -6) if g % 2 else (points[-2], "start", 16)
            out.append(f'<text x="{x + 4:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}" font-size="10" fill="#777">{esc(label)}</text>')
    for i, (label, ys) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        points = [(px(x), py(y)) for x, y in zip(xs, ys) if y and y > 0]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for (x, y), value in zip(points, [y for y in ys if y and y > 0]):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"><title>{esc(label)}: {fmt(value)}</title></circle>')
        ly = top + PANEL_H + 54 + 16 * (i // 2)
        lx = left + (i % 2) * (PANEL_W / 2)
        out.append(f'<line x1="{lx:.1f}" y1="{ly - 4}" x2="{lx + 18:.1f}" y2="{ly - 4}" stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{lx + 22:.1f}" y="{ly}" font-size="11">{esc(label)}</text>')
    return out


def main():
    with open(SOURCE) as f:
        data = json.load(f)
    rows = sorted(data["sizes"], key=lambda r: r["facts"])
    xs = [r["facts"] for r in rows]
    us = lambda key, system="firstkiss": [r[system][key] / 1e3 for r in rows]  # noqa: E731
    latency = [
        ("firstkiss median", us("median_ns")),
        ("firstkiss p99", us("p99_ns")),
        ("tantivy median", us("median_ns", "tantivy")),
    ]
    memory_rows = [r.get("memory") or {} for r in rows]
    mib = lambda v: v / (1024 * 1024) if v else None  # noqa: E731
    memory = [
        ("engine heap (kept)", [mib(m.get("engine_heap_bytes")) for m in memory_rows]),
        ("heap peak while loading", [mib(m.get("load_peak_heap_bytes")) for m in memory_rows]),
        ("process peak RSS", [mib(m.get("rss_peak_kib", 0) * 1024) for m in memory_rows]),
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    first = latency[0][1][0]
    guides = [
        ("proportional to facts", [first * x / xs[0] for x in xs]),
        ("1 ms target at 100,000 facts", [1000.0 for _ in xs]),
    ]
    parts += panel(0, "Answer latency per question", "facts in the base (log)", "microseconds (log)", xs, latency, guides)
    parts += panel(WIDTH // 2, "Memory", "facts in the base (log)", "MiB (log)", xs, memory)
    exponent = data.get("median_growth_exponent")
    note = f"firstkiss median latency grows as facts^{exponent:.2f}" if exponent is not None else ""
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11" fill="#555">{esc(note)} (seed {data.get("seed")}, {data.get("probes")} probes per size; bench/results/scaling.json)</text>')
    parts.append("</svg>")
    with open(TARGET, "w") as f:
        f.write("\n".join(parts) + "\n")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
