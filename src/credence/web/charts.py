"""Charts drawn on the server as inline SVG: no script, no fetch, readable by screen readers.

Each chart is an ``<svg role="img">`` with a ``<title>`` and an ``aria-label`` that says what it shows in
words; the page also shows the same numbers as text or a table.
"""

from __future__ import annotations

import math
from datetime import datetime
from html import escape

from markupsafe import Markup

from credence.domain.bands import BANDS, INSUFFICIENT, MAX_SCORE, MIN_SCORE, band_range

BAND_CLASS = {name: f"band-{name}" for _, name in BANDS} | {INSUFFICIENT: "band-none"}


def _svg(width: int, height: int, label: str, body: str, cls: str = "chart") -> Markup:
    label = escape(label)
    return Markup(
        f'<svg class="{cls}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{body}</svg>'
    )


def _polar(cx: float, cy: float, r: float, score: float) -> tuple[float, float]:
    """Point on the gauge's half circle: 350 at the left, 950 at the right."""
    angle = math.pi * (1 - (score - MIN_SCORE) / (MAX_SCORE - MIN_SCORE))
    return cx + r * math.cos(angle), cy - r * math.sin(angle)


def gauge(score: int | None, band: str) -> Markup:
    """A half-circle gauge from 350 to 950 coloured by band, a marker on the arc at the score, the score inside.

    The marker crosses only the arc (never the number), and the end labels sit below the arc's ends.
    """
    cx, cy, r = 150, 146, 110
    arcs = []
    for _, name in reversed(BANDS):
        low, high = band_range(name)
        x1, y1 = _polar(cx, cy, r, low)
        x2, y2 = _polar(cx, cy, r, min(high + 1, MAX_SCORE))
        arcs.append(f'<path class="arc {BAND_CLASS[name]}" d="M{x1:.1f},{y1:.1f} A{r},{r} 0 0 1 {x2:.1f},{y2:.1f}"/>')
    ticks = "".join(
        f'<text class="tick" x="{_polar(cx, cy, r + 24, s)[0]:.0f}" y="{_polar(cx, cy, r + 24, s)[1] + 4:.0f}" '
        f'text-anchor="middle">{s}</text>'
        for s in (550, 650, 700)
    )
    ends = (
        f'<text class="tick" x="{cx - r}" y="{cy + 26}" text-anchor="middle">{MIN_SCORE}</text>'
        f'<text class="tick" x="{cx + r}" y="{cy + 26}" text-anchor="middle">{MAX_SCORE}</text>'
    )
    if score is None:
        label = "No score yet: insufficient data"
        marker = f'<text class="gauge-score" x="{cx}" y="{cy - 12}" text-anchor="middle">—</text>'
    else:
        label = f"Score {score} on a scale of {MIN_SCORE} to {MAX_SCORE}: band {band}"
        x1, y1 = _polar(cx, cy, r - 17, score)
        x2, y2 = _polar(cx, cy, r + 17, score)
        mx, my = _polar(cx, cy, r, score)
        marker = (
            f'<line class="needle" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
            f'<circle class="hub" cx="{mx:.1f}" cy="{my:.1f}" r="5"/>'
            f'<text class="gauge-score" x="{cx}" y="{cy - 12}" text-anchor="middle">{score}</text>'
        )
    body = (
        "".join(arcs)
        + ticks
        + ends
        + marker
        + f'<text class="gauge-band" x="{cx}" y="{cy + 14}" text-anchor="middle">{escape(band)}</text>'
    )
    return _svg(300, 180, label, body, "chart gauge")


def bars(items: list[tuple[str, float, float]], unit: str = "points") -> Markup:
    """Horizontal bars: (label, value, maximum) each, value drawn against its maximum."""
    row, width, left = 30, 420, 150
    parts = []
    for i, (name, value, top) in enumerate(items):
        y = i * row + 6
        frac = 0 if not top else max(0.0, min(1.0, value / top))
        parts.append(
            f'<text class="bar-label" x="0" y="{y + 14}">{escape(name)}</text>'
            f'<rect class="bar-bg" x="{left}" y="{y}" width="{width - left - 70}" height="18" rx="3"/>'
            f'<rect class="bar" x="{left}" y="{y}" width="{(width - left - 70) * frac:.1f}" height="18" rx="3"/>'
            f'<text class="bar-value" x="{width - 64}" y="{y + 14}">{value:.0f} / {top:.0f}</text>'
        )
    label = "; ".join(f"{n}: {v:.0f} of {t:.0f} {unit}" for n, v, t in items)
    return _svg(width, len(items) * row + 8, label, "".join(parts), "chart bars")


def line(points: list[tuple[datetime, int | None]], title: str = "Score history") -> Markup:
    """Score over time on the 350-950 scale; one score is drawn as one labelled point, not a line."""
    pts = [(t, s) for t, s in points if s is not None]
    w, h, pad = 560, 220, 40
    if not pts:
        return _svg(w, 60, f"{title}: no scores yet", '<text x="10" y="30">No scores yet.</text>', "chart line")
    t0, t1 = min(t for t, _ in pts), max(t for t, _ in pts)
    span = (t1 - t0).total_seconds()
    single = len(pts) == 1 or span == 0

    def xy(t: datetime, s: int) -> tuple[float, float]:
        x = w / 2 if single else pad + (w - 2 * pad) * ((t - t0).total_seconds() / span)
        y = h - pad - (h - 2 * pad) * (s - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)
        return x, y

    grid = "".join(
        f'<line class="grid" x1="{pad}" x2="{w - pad}" y1="{xy(t0, s)[1]:.1f}" y2="{xy(t0, s)[1]:.1f}"/>'
        f'<text class="tick" x="{pad - 6}" y="{xy(t0, s)[1] + 4:.1f}" text-anchor="end">{s}</text>'
        for s in (350, 550, 600, 650, 700, 950)
    )
    dots = "".join(
        f'<circle class="dot" cx="{xy(t, s)[0]:.1f}" cy="{xy(t, s)[1]:.1f}" r="5"><title>{t:%Y-%m-%d}: {s}</title></circle>'
        for t, s in pts
    )
    if single:
        t, s = pts[-1]
        x, y = xy(t, s)
        series = f'<text class="point-label" x="{x + 10:.1f}" y="{y + 4:.1f}">{s}</text>'
        dates = f'<text class="tick" x="{w / 2}" y="{h - 12}" text-anchor="middle">{t:%Y-%m-%d}</text>'
        label = f"{title}: one score so far, {s} on {t:%Y-%m-%d}"
    else:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy(t, s) for t, s in pts))
        series = f'<path class="series" d="{path}"/>'
        dates = (
            f'<text class="tick" x="{pad}" y="{h - 12}">{t0:%Y-%m-%d}</text>'
            f'<text class="tick" x="{w - pad}" y="{h - 12}" text-anchor="end">{t1:%Y-%m-%d}</text>'
        )
        label = f"{title}: " + ", ".join(f"{t:%Y-%m-%d} {s}" for t, s in pts)
    return _svg(w, h, label, grid + series + dots + dates, "chart line")


def histogram(bins: list[dict], title: str = "Score distribution") -> Markup:
    """Columns for score bins (``low``, ``high``, ``n``), coloured by the band of the bin's low edge."""
    from credence.domain.bands import band_of

    w, h, pad, left = 600, 250, 36, 56
    if not bins:
        return _svg(w, 60, f"{title}: no scores yet", '<text x="10" y="30">No scores yet.</text>', "chart histogram")
    top = _nice(max(b["n"] for b in bins))
    plot_w = w - left - pad
    step = plot_w / ((MAX_SCORE - MIN_SCORE + 1) / max(1, bins[0]["high"] - bins[0]["low"] + 1))
    yaxis = "".join(
        f'<line class="grid" x1="{left}" x2="{w - pad}" y1="{h - pad - (h - 2 * pad) * k / 4:.1f}" '
        f'y2="{h - pad - (h - 2 * pad) * k / 4:.1f}"/>'
        f'<text class="tick" x="{left - 6}" y="{h - pad - (h - 2 * pad) * k / 4 + 4:.1f}" text-anchor="end">'
        f"{top * k // 4:,}</text>"
        for k in range(5)
    ) + (
        f'<text class="tick" x="12" y="{h / 2:.0f}" text-anchor="middle" transform="rotate(-90 12 {h / 2:.0f})">'
        "entities</text>"
    )
    cols = []
    for b in bins:
        x = left + plot_w * (b["low"] - MIN_SCORE) / (MAX_SCORE - MIN_SCORE + 1)
        bh = (h - 2 * pad) * b["n"] / top
        cls = BAND_CLASS[band_of(max(MIN_SCORE, min(MAX_SCORE, b["low"])))]
        cols.append(
            f'<rect class="col {cls}" x="{x:.1f}" y="{h - pad - bh:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bh:.1f}"><title>{b["low"]}-{b["high"]}: {b["n"]:,}</title></rect>'
        )
    axis = "".join(
        f'<text class="tick" x="{left + plot_w * (s - MIN_SCORE) / (MAX_SCORE - MIN_SCORE + 1):.0f}" '
        f'y="{h - pad + 16}" text-anchor="middle">{s}</text>'
        for s in (350, 550, 600, 650, 700, 950)
    )
    label = f"{title}: " + ", ".join(f"{b['low']}-{b['high']}: {b['n']:,}" for b in bins)
    return _svg(w, h, label, yaxis + "".join(cols) + axis, "chart histogram")


def _nice(n: int) -> int:
    """The smallest 'round' number at or above ``n`` that divides by 4 (1, 2 or 5 times a power of ten, x4)."""
    n = max(int(n), 1)
    mag = 1
    while True:
        for m in (1, 2, 5):
            top = 4 * m * mag
            if top >= n:
                return top
        mag *= 10
