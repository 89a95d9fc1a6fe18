"""Rich renderings shared by the commands: score cards, explanations, band tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from credence.domain.bands import BAND_ORDER, INSUFFICIENT, band_range
from credence.domain.catalogue import DIMENSION_LABELS, DIMENSIONS

BAND_STYLE = {
    "poor": "red",
    "fair": "yellow",
    "good": "green",
    "excellent": "bold green",
    "extraordinary": "bold cyan",
    INSUFFICIENT: "dim",
}


def band_table(counts: dict[str, int], title: str = "Band distribution") -> Table:
    total = sum(counts.values()) or 1
    t = Table(title=title)
    t.add_column("band")
    t.add_column("scores", justify="right")
    t.add_column("count", justify="right")
    t.add_column("share", justify="right")
    for band in reversed(BAND_ORDER):
        lo, hi = band_range(band)
        n = counts.get(band, 0)
        t.add_row(f"[{BAND_STYLE[band]}]{band}[/]", f"{lo}-{hi}", f"{n:,}", f"{100 * n / total:.1f}%")
    n = counts.get(INSUFFICIENT, 0)
    t.add_row(f"[dim]{INSUFFICIENT}[/]", "no score", f"{n:,}", f"{100 * n / total:.1f}%")
    return t


def print_score(console: Console, row: dict, *, title: str | None = None) -> None:
    band = row["band"]
    head = title or f"{row['entity_id']} ({row.get('kind', '')})"
    if row.get("score") is None:
        console.print(f"[bold]{head}[/]: [dim]insufficient data[/] — too little history to score, so no score")
        return
    console.print(
        f"[bold]{head}[/]: score [bold]{row['score']}[/] — [{BAND_STYLE[band]}]{band}[/]"
        f"  (as of {row.get('as_of')}, scorecard {row.get('scorecard', '')})"
    )
    dims = Table(show_header=True, box=None, padding=(0, 2))
    dims.add_column("dimension")
    dims.add_column("points", justify="right")
    for d in DIMENSIONS:
        v = row.get(f"points_{d}")
        dims.add_row(DIMENSION_LABELS[d], "—" if v is None else f"{v:g}")
    console.print(dims)
    reasons = row.get("reasons") or []
    if reasons:
        console.print("[bold]Top reasons[/]")
        for i, r in enumerate(reasons, 1):
            console.print(f"  {i}. {r['text']}")


def feature_table(features: list[dict]) -> Table:
    t = Table(title="Feature by feature")
    for c, j in (
        ("dimension", "left"),
        ("feature", "left"),
        ("value", "right"),
        ("points", "right"),
        ("max", "right"),
        ("score points lost", "right"),
    ):
        t.add_column(c, justify=j)
    for f in features:
        v = f["value"]
        shown = (
            "missing"
            if v is None
            else (
                f"{v:.3g}"
                if isinstance(v, float) and not float(v).is_integer()
                else f"{v:g}"
                if isinstance(v, float)
                else str(v)
            )
        )
        t.add_row(
            DIMENSION_LABELS[f["dimension"]],
            f["feature"],
            shown,
            f"{f['points']:g}",
            f"{f['max_points']:g}",
            f"{f['score_points_lost']:g}",
        )
    return t
