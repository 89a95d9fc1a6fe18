"""Explanations on one scale: every part of a score in score points, adding up to the score itself.

A scorecard maps its total points linearly onto the score: ``score = offset + factor × points`` (rounded half
up, kept within 350-950; see ``Scorecard.scale``). Multiplying each feature's points by ``factor`` puts them on
the score's own scale, so a subject reads "base 177 + 312 + 58 + … = 592" and a feature's loss in the same
points as the reason's "would add about N points". Whole numbers are shown; the remainders are handed out so
that the shown parts add up exactly (largest remainder).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.domain.catalogue import DIMENSION_LABELS, DIMENSIONS
from credence.domain.scorecard import Scorecard


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _apportion(values: list[float], total: int) -> list[int]:
    """Whole numbers, each within 1 of its value, that add up to ``total`` (largest remainder)."""
    floors = [math.floor(v) for v in values]
    short = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: values[i] - floors[i], reverse=True)
    for i in order[: max(0, short)]:
        floors[i] += 1
    for i in order[::-1][: max(0, -short)]:
        floors[i] -= 1
    return floors


def on_one_scale(card: Scorecard, parts: Iterable[tuple[str, float | None, float]]) -> dict:
    """``parts`` are (name, card points, card maximum); returns them in score points with the base and total.

    The result: ``base``, ``parts`` (name, points, max, lost, all whole score points), ``total`` (base plus
    parts, before the 350-950 limits), ``score``, ``clamped`` and ``rule`` (one sentence: how points make the
    score).
    """
    offset, factor = card.scale()
    parts = [(name, float(p or 0.0), float(m or 0.0)) for name, p, m in parts]
    raw = offset + factor * sum(p for _, p, _ in parts)
    total = _round_half_up(raw)
    shown = _apportion([offset] + [factor * p for _, p, _ in parts], total)
    base, points = shown[0], shown[1:]
    rows = []
    for (name, p, m), pts in zip(parts, points, strict=True):
        lost = _round_half_up(factor * (m - p))
        rows.append({"name": name, "points": pts, "max": pts + lost, "lost": lost})
    score = int(min(MAX_SCORE, max(MIN_SCORE, total)))
    rule = (
        f"Every score starts from a base of {base} and adds the points of each part; "
        f"the total is kept within {MIN_SCORE}-{MAX_SCORE}"
    )
    if total != score:
        rule += (
            f" (this total, {total}, is {'below' if total < score else 'above'} that range, so the score is {score})"
        )
    return {
        "base": base,
        "parts": rows,
        "total": total,
        "score": score,
        "clamped": total != score,
        "factor": factor,
        "rule": rule + ".",
    }


def by_dimension(card: Scorecard, features: list[dict]) -> dict:
    """A one-entity breakdown (``score_entity(detail=True)["features"]``) summed per dimension, on one scale."""
    sums = {d: [0.0, 0.0] for d in DIMENSIONS}
    for f in features:
        sums[f["dimension"]][0] += float(f["points"] or 0)
        sums[f["dimension"]][1] += float(f["max_points"] or 0)
    return on_one_scale(card, [(DIMENSION_LABELS[d], p, m) for d, (p, m) in sums.items()])


def by_feature(card: Scorecard, features: list[dict]) -> dict:
    """The same breakdown feature by feature; each part also carries its dimension, value and description."""
    out = on_one_scale(card, [(f["feature"], f["points"], f["max_points"]) for f in features])
    for part, f in zip(out["parts"], features, strict=True):
        part |= {"dimension": f["dimension"], "value": f["value"], "description": f.get("description", "")}
    return out


def from_snapshot(card: Scorecard, row: dict) -> dict:
    """A stored score's dimension points (``points_<dimension>``) on one scale, maxima from the card."""
    tops = {d: 0.0 for d in DIMENSIONS}
    for f in card.features:
        tops[f.dimension] += f.max_points
    return on_one_scale(card, [(DIMENSION_LABELS[d], row.get(f"points_{d}"), tops[d]) for d in DIMENSIONS])
