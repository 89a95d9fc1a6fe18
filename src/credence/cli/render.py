"""Rich renderings shared by the commands: score cards, explanations, band tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

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


def id_column(table: Table, header: str, **options) -> None:
    """A column of ids, which a user types: whole on one line (other columns wrap first), or, where the table
    cannot fit the terminal so, folded onto the next lines; never cut (see :func:`print_table`)."""
    table.add_column(header, no_wrap=True, overflow="fold", **options)


def print_table(console: Console, table: Table) -> None:
    """Print ``table`` with nothing cut: a word too long for its column folds (no ellipsis), and when the id
    columns cannot stay on one line within the terminal's width, they fold too (Rich crops a no-wrap cell)."""
    for c in table.columns:
        if c.overflow == "ellipsis":
            c.overflow = "fold"
    wide = console.options.update_width(1 << 16)  # each column's own minimum, not clamped to the terminal
    minimum = sum(table._measure_column(console, wide, c).minimum for c in table.columns) + table._extra_width
    if minimum > console.width:
        for column in table.columns:
            if column.no_wrap and column.overflow == "fold":
                column.no_wrap = False
    console.print(table)


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


def print_score(console: Console, row: dict, *, title: str | None = None, card=None) -> None:
    """Score, band, the five dimensions in score points (adding up to the score with the card's base), reasons.

    Without ``card`` (the scorecard that made the score is no longer configured) the dimensions are shown in
    the card's own points and say so.
    """
    band = row["band"]
    head = title or f"{row['entity_id']} ({row.get('kind', '')})"
    if row.get("score") is None:
        console.print(f"[bold]{head}[/]: [dim]insufficient data[/] — too little history to score, so no score")
        return
    console.print(
        f"[bold]{head}[/]: score [bold]{row['score']}[/] — [{BAND_STYLE[band]}]{band}[/]"
        f"  (as of {row.get('as_of')}, scorecard {row.get('scorecard', '')})"
    )
    if card is not None:
        from credence.services.explanation import by_dimension, from_snapshot

        ex = by_dimension(card, row["features"]) if row.get("features") else from_snapshot(card, row)
        console.print(sum_table(ex, "dimension"))
        console.print(ex["rule"], highlight=False)
    else:
        dims = Table(show_header=True, box=None, padding=(0, 2))
        dims.add_column("dimension")
        dims.add_column("card points", justify="right")
        for d in DIMENSIONS:
            v = row.get(f"points_{d}")
            dims.add_row(DIMENSION_LABELS[d], "—" if v is None else f"{v:g}")
        console.print(dims)
        console.print("(the scorecard that made this score is not configured now: points are the card's own)")
    reasons = row.get("reasons") or []
    if reasons:
        console.print("[bold]Top reasons[/] (points are score points, as above)")
        console.print(reason_list(reasons))


def reason_list(reasons: list[dict]) -> Table:
    """Numbered reasons; a long one wraps between words under its own first line, never under the number."""
    t = Table.grid(padding=(0, 1))
    t.add_column(justify="right", no_wrap=True)
    t.add_column(overflow="fold")
    for i, r in enumerate(reasons, 1):
        t.add_row(f"  {i}.", Text(r["text"]))
    return t


def sum_table(ex: dict, what: str, extra: list[str] | None = None) -> Table:
    """Parts of a score in score points, with the base first and the total (= the score) as the footer."""
    extra = extra or []
    t = Table(show_footer=True, box=None, padding=(0, 2))
    t.add_column(what, footer="score" if not ex["clamped"] else f"total {ex['total']} → score")
    for name in extra:
        t.add_column(name, justify="right")
    t.add_column("points", justify="right", footer=str(ex["score"]))
    t.add_column("of at most", justify="right")
    t.add_column("lost", justify="right")
    t.add_row("base", *["" for _ in extra], str(ex["base"]), "", "")
    for p in ex["parts"]:
        t.add_row(
            p["name"], *[p.get(f"_{name}", "") for name in extra], f"+{p['points']}", str(p["max"]), str(p["lost"])
        )
    return t


def _shown(v) -> str:
    if v is None:
        return "missing"
    if isinstance(v, float):
        return f"{v:.3g}" if not float(v).is_integer() else f"{v:g}"
    return str(v)


def feature_table(features: list[dict], card) -> Table:
    """Feature by feature in score points: base + every feature's points = the score; lost = what it could add."""
    from credence.services.explanation import by_feature

    ex = by_feature(card, features)
    for p in ex["parts"]:
        p["_dimension"] = DIMENSION_LABELS[p["dimension"]]
        p["_value"] = _shown(p["value"])
    t = sum_table(ex, "feature", ["dimension", "value"])
    t.title = "Feature by feature, in score points"
    t.caption = ex["rule"]
    t.caption_justify = "left"
    return t
