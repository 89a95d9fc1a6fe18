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
    """A half-circle gauge from 350 to 950 coloured by band, with a needle at the score."""
    cx, cy, r = 150, 150, 120
    arcs = []
    for _, name in reversed(BANDS):
        low, high = band_range(name)
        x1, y1 = _polar(cx, cy, r, low)
        x2, y2 = _polar(cx, cy, r, min(high + 1, MAX_SCORE))
        arcs.append(f'<path class="arc {BAND_CLASS[name]}" d="M{x1:.1f},{y1:.1f} A{r},{r} 0 0 1 {x2:.1f},{y2:.1f}"/>')
    ticks = "".join(
        f'<text class="tick" x="{_polar(cx, cy, r + 16, s)[0]:.0f}" y="{_polar(cx, cy, r + 16, s)[1]:.0f}" '
        f'text-anchor="middle">{s}</text>'
        for s in (350, 550, 650, 950)
    )
    if score is None:
        label = "No score yet: insufficient data"
        needle = '<text class="gauge-score" x="150" y="135" text-anchor="middle">—</text>'
    else:
        label = f"Score {score} on a scale of {MIN_SCORE} to {MAX_SCORE}: band {band}"
        nx, ny = _polar(cx, cy, r - 18, score)
        needle = (
            f'<line class="needle" x1="{cx}" y1="{cy}" x2="{nx:.1f}" y2="{ny:.1f}"/>'
            f'<circle class="hub" cx="{cx}" cy="{cy}" r="6"/>'
            f'<text class="gauge-score" x="150" y="118" text-anchor="middle">{score}</text>'
        )
    body = (
        "".join(arcs)
        + ticks
        + needle
        + f'<text class="gauge-band" x="150" y="178" text-anchor="middle">{escape(band)}</text>'
    )
    return _svg(300, 190, label, body, "chart gauge")


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
    """Score over time on the 350-950 scale; gaps where there was no score."""
    pts = [(t, s) for t, s in points if s is not None]
    w, h, pad = 560, 220, 40
    if not pts:
        return _svg(w, 60, f"{title}: no scores yet", '<text x="10" y="30">No scores yet.</text>', "chart line")
    t0, t1 = min(t for t, _ in pts), max(t for t, _ in pts)
    span = (t1 - t0).total_seconds() or 1.0

    def xy(t: datetime, s: int) -> tuple[float, float]:
        x = pad + (w - 2 * pad) * ((t - t0).total_seconds() / span if len(pts) > 1 else 0.5)
        y = h - pad - (h - 2 * pad) * (s - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)
        return x, y

    grid = "".join(
        f'<line class="grid" x1="{pad}" x2="{w - pad}" y1="{xy(t0, s)[1]:.1f}" y2="{xy(t0, s)[1]:.1f}"/>'
        f'<text class="tick" x="{pad - 6}" y="{xy(t0, s)[1] + 4:.1f}" text-anchor="end">{s}</text>'
        for s in (350, 550, 600, 650, 700, 950)
    )
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy(t, s) for t, s in pts))
    dots = "".join(
        f'<circle class="dot" cx="{xy(t, s)[0]:.1f}" cy="{xy(t, s)[1]:.1f}" r="4"><title>{t:%Y-%m-%d}: {s}</title></circle>'
        for t, s in pts
    )
    dates = (
        f'<text class="tick" x="{pad}" y="{h - 12}">{t0:%Y-%m-%d}</text>'
        f'<text class="tick" x="{w - pad}" y="{h - 12}" text-anchor="end">{t1:%Y-%m-%d}</text>'
    )
    label = f"{title}: " + ", ".join(f"{t:%Y-%m-%d} {s}" for t, s in pts)
    return _svg(w, h, label, grid + f'<path class="series" d="{path}"/>' + dots + dates, "chart line")


def histogram(bins: list[dict], title: str = "Score distribution") -> Markup:
    """Columns for score bins (``low``, ``high``, ``n``), coloured by the band of the bin's low edge."""
    from credence.domain.bands import band_of

    w, h, pad = 600, 240, 36
    if not bins:
        return _svg(w, 60, f"{title}: no scores yet", '<text x="10" y="30">No scores yet.</text>', "chart histogram")
    top = max(b["n"] for b in bins) or 1
    step = (w - 2 * pad) / ((MAX_SCORE - MIN_SCORE + 1) / max(1, bins[0]["high"] - bins[0]["low"] + 1))
    cols = []
    for b in bins:
        x = pad + (w - 2 * pad) * (b["low"] - MIN_SCORE) / (MAX_SCORE - MIN_SCORE + 1)
        bh = (h - 2 * pad) * b["n"] / top
        cls = BAND_CLASS[band_of(max(MIN_SCORE, min(MAX_SCORE, b["low"])))]
        cols.append(
            f'<rect class="col {cls}" x="{x:.1f}" y="{h - pad - bh:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bh:.1f}"><title>{b["low"]}-{b["high"]}: {b["n"]}</title></rect>'
        )
    axis = "".join(
        f'<text class="tick" x="{pad + (w - 2 * pad) * (s - MIN_SCORE) / (MAX_SCORE - MIN_SCORE + 1):.0f}" '
        f'y="{h - pad + 16}" text-anchor="middle">{s}</text>'
        for s in (350, 550, 600, 650, 700, 950)
    )
    label = f"{title}: " + ", ".join(f"{b['low']}-{b['high']}: {b['n']}" for b in bins)
    return _svg(w, h, label, "".join(cols) + axis, "chart histogram")
