"""Policy what-if over the latest scores: move a threshold, count who gains or loses the benefit.

"Qualifies" means ``score >= threshold`` for a benefit (``direction='at_least'``) and ``score < threshold``
for a restriction (``direction='below'``). Entities without a score (insufficient data) are counted apart.
Groups come from ``protected_attributes``, which is held apart for audits and never used in scoring.
"""

from __future__ import annotations

from credence.domain.bands import BAND_ORDER, INSUFFICIENT, MAX_SCORE, MIN_SCORE
from credence.errors import ValidationError
from credence.store import Store

DIRECTIONS = ("at_least", "below")


def _condition(direction: str, threshold: int) -> str:
    if direction not in DIRECTIONS:
        raise ValidationError(f"unknown direction '{direction}'", field="direction", fix="use at_least or below")
    if not MIN_SCORE <= threshold <= MAX_SCORE + 1:
        raise ValidationError(f"threshold {threshold} is outside {MIN_SCORE}-{MAX_SCORE}", field="threshold")
    return f"score >= {int(threshold)}" if direction == "at_least" else f"score < {int(threshold)}"


def _counts(before: str, after: str) -> str:
    return (
        f"count(*) AS n, count(*) FILTER ({before}) AS before, count(*) FILTER ({after}) AS after, "
        f"count(*) FILTER (({after}) AND NOT ({before})) AS gained, "
        f"count(*) FILTER (({before}) AND NOT ({after})) AS lost"
    )


def whatif(store: Store, *, baseline: int, threshold: int, direction: str = "at_least") -> dict:
    before, after = _condition(direction, baseline), _condition(direction, threshold)
    counts = _counts(before, after)
    total = store.query(f"SELECT {counts} FROM latest_scores WHERE score IS NOT NULL")[0]
    insufficient = store.scalar("SELECT count(*) FROM latest_scores WHERE score IS NULL")
    by_band = {
        r["band"]: r
        for r in store.query(f"SELECT band, {counts} FROM latest_scores WHERE score IS NOT NULL GROUP BY band")
    }
    groups = store.query(
        f"SELECT p.attribute, p.value, {counts} FROM latest_scores s "
        "JOIN (SELECT DISTINCT entity_id, attribute, value FROM protected_attributes) p USING (entity_id) "
        "WHERE s.score IS NOT NULL GROUP BY p.attribute, p.value ORDER BY p.attribute, p.value"
    )
    for g in groups:
        g["rate_before"] = round(g["before"] / g["n"], 4) if g["n"] else None
        g["rate_after"] = round(g["after"] / g["n"], 4) if g["n"] else None
    return {
        "baseline": baseline,
        "threshold": threshold,
        "direction": direction,
        "insufficient": insufficient,
        **total,
        "by_band": [{"band": b, **_zero(by_band.get(b))} for b in BAND_ORDER],
        "by_group": groups,
    }


def _zero(row: dict | None) -> dict:
    row = dict(row or {})
    row.pop("band", None)
    return {k: row.get(k, 0) for k in ("n", "before", "after", "gained", "lost")}


def distribution(store: Store, *, bucket: int = 25) -> dict:
    """Histogram of the latest scores in ``bucket``-point bins, band counts, and the snapshot they come from."""
    bins = store.query(
        f"SELECT (score // {bucket}) * {bucket} AS low, count(*) AS n FROM latest_scores "
        "WHERE score IS NOT NULL GROUP BY 1 ORDER BY 1"
    )
    bands = {r["band"]: r["n"] for r in store.query("SELECT band, count(*) AS n FROM latest_scores GROUP BY band")}
    return {
        "bucket": bucket,
        "histogram": [{"low": r["low"], "high": r["low"] + bucket - 1, "n": r["n"]} for r in bins],
        "bands": [{"band": b, "n": bands.get(b, 0)} for b in (*BAND_ORDER, INSUFFICIENT)],
        "scored": sum(n for b, n in bands.items() if b != INSUFFICIENT),
        "insufficient": bands.get(INSUFFICIENT, 0),
    }


def score_counts(store: Store) -> dict:
    """Counts per exact score, overall and per protected group: what the console's slider recomputes from."""
    overall = store.query("SELECT score, count(*) AS n FROM latest_scores WHERE score IS NOT NULL GROUP BY 1")
    grouped = store.query(
        "SELECT p.attribute || '=' || p.value AS grp, s.score, count(*) AS n FROM latest_scores s "
        "JOIN (SELECT DISTINCT entity_id, attribute, value FROM protected_attributes) p USING (entity_id) "
        "WHERE s.score IS NOT NULL GROUP BY 1, 2"
    )
    groups: dict[str, dict[int, int]] = {}
    for r in grouped:
        groups.setdefault(r["grp"], {})[r["score"]] = r["n"]
    return {"all": {r["score"]: r["n"] for r in overall}, "groups": groups}
