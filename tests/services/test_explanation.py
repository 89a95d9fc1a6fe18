"""Explanations on one scale: the base and every part, in score points, add up to the score exactly, and a
part's loss is what the reasons say it "would add" (issue 14)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from credence.domain.scorecard import load_scorecard
from credence.services.explanation import by_feature, from_snapshot

CARDS = [load_scorecard(name) for name in ("person-expert", "business-expert")]


def points_of(card, picks: list[int]) -> list[float]:
    return [f.bins[i % len(f.bins)].points for f, i in zip(card.features, picks, strict=False)]


@settings(max_examples=200, deadline=None)
@given(card=st.sampled_from(CARDS), picks=st.lists(st.integers(0, 20), min_size=20, max_size=20))
def test_base_and_parts_add_up_to_the_score_and_losses_match_the_reasons(card, picks):
    pts = points_of(card, picks)
    features = [
        {"feature": f.name, "dimension": f.dimension, "value": None, "points": p, "max_points": f.max_points}
        for f, p in zip(card.features, pts, strict=False)
    ]
    ex = by_feature(card, features)
    assert ex["score"] == card.score_of(sum(pts))  # the scorecard's own reference scaling
    assert ex["base"] + sum(p["points"] for p in ex["parts"]) == ex["total"]
    assert ex["clamped"] == (ex["total"] != ex["score"])
    _, factor = card.scale()
    for part, f, p in zip(ex["parts"], card.features, pts, strict=False):
        assert part["lost"] == math.floor((f.max_points - p) * factor + 0.5)  # the reason's "about N points"
        assert part["points"] + part["lost"] == part["max"]
        assert abs(part["points"] - p * factor) <= 1


def test_a_stored_scores_dimensions_add_up_too():
    card = CARDS[0]
    row = {"points_credit_history": 270, "points_behaviour": 50, "points_capacity": 5, "points_identity": 0}
    row |= {"points_connections": 35}
    ex = from_snapshot(card, row)
    assert ex["base"] + sum(p["points"] for p in ex["parts"]) == ex["score"] == card.score_of(360)
    assert [p["name"] for p in ex["parts"]][0] == "Credit history"
