"""The saved YAML card, scored by the SQL core, gives optbinning's own Scorecard.score() on the same rows."""

from __future__ import annotations

import numpy as np
import pytest

from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.domain.scorecard import dump_scorecard, load_scorecard
from credence.learning.convert import card_scores, round_score, score_frame


@pytest.fixture(scope="module")
def saved(german, tmp_path_factory):
    path = tmp_path_factory.mktemp("card") / "german.yaml"
    dump_scorecard(german.card, path)
    return load_scorecard(path)


def test_sql_scores_equal_optbinning_on_every_row(german, saved):
    X = german.prepared.X
    sql = card_scores(saved, X)
    # optbinning's score rounded the way Credence rounds (half up, clamped to 350-950). min-max scaling maps
    # the sum of every variable's lowest / highest points (missing and special rows included) to 350 / 950,
    # so no row, seen or unseen, can score outside the range: the clamp never acts.
    raw = german.model.score(X)
    assert MIN_SCORE <= raw.min() and raw.max() <= MAX_SCORE
    assert np.array_equal(sql, round_score(raw))
    assert np.array_equal(card_scores(saved, X, engine="numpy"), sql)


def test_hold_out_rows_and_the_range_of_the_card(german, saved):
    X = german.prepared.X.iloc[german.test_idx]
    assert np.array_equal(card_scores(saved, X), round_score(german.model.score(X)))
    lo, hi = saved.total_range
    assert lo == pytest.approx(MIN_SCORE) and hi == pytest.approx(MAX_SCORE)


def test_unseen_categories_and_missing_values_score_like_optbinning(german, saved):
    X = german.prepared.X.head(12).copy()
    X.loc[0, "purpose"] = "space travel"  # a category never seen in training
    X.loc[1, "housing"] = None  # missing category
    X.loc[2, "duration_in_month"] = np.nan  # missing number
    X.loc[3, "credit_amount"] = 10**9  # beyond the highest split
    X.loc[4, "credit_amount"] = -5  # below the lowest split
    X.loc[5, "status_of_existing_checking_account"] = "a brand new kind of account"
    raw = german.model.score(X)
    assert np.array_equal(card_scores(saved, X), round_score(raw))
    purpose = saved.feature("purpose")
    assert purpose.other_points == purpose.missing_points  # optbinning scores unseen with the Missing row


def test_splits_are_half_open_like_optbinning(german, saved):
    f = saved.feature("duration_in_month")
    edges = [b.min for b in f.bins[1:]]
    X = german.prepared.X.head(len(edges)).copy()
    X["duration_in_month"] = edges  # exactly on each split: belongs to the bin above
    assert np.array_equal(card_scores(saved, X), round_score(german.model.score(X)))


def test_card_keeps_the_learned_points_and_detail(german, saved):
    detail = score_frame(saved, german.prepared.X.head(5), detail=True)
    table = german.model.table()
    for i, f in enumerate(saved.features):
        pts = detail[f"points_{i}"].to_numpy()
        assert set(np.round(pts, 9)) <= set(np.round(table[table["Variable"] == f.name]["Points"], 9))
    assert saved.scaling.method == "sum"
    assert saved.metadata["learned"]["pd"]["slope"] < 0  # a higher score means a lower probability of default


def test_missing_values_seen_in_training_get_their_own_learned_points():
    import pandas as pd

    from credence.learning.train import fit_card

    rng = np.random.default_rng(4)
    n = 600
    x = rng.normal(size=n)
    unknown = rng.random(n) < 0.15  # a missing balance carries risk of its own
    risk = -x + 1.5 * unknown - 1
    frame = pd.DataFrame(
        {
            "balance": np.where(unknown, np.nan, x * 100),
            "channel": np.where(rng.random(n) < 0.1, None, rng.choice(["web", "branch", "phone"], n)).astype(object),
        }
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-risk))).astype(int)
    model, card = fit_card(frame, y, card_id="synthetic", c=1.0)
    table = model.table()
    missing_row = table[(table["Variable"] == "balance") & (table["Bin"] == "Missing")]
    assert card.feature("balance").missing_points == pytest.approx(float(missing_row["Points"].iloc[0]))
    assert np.array_equal(card_scores(card, frame), round_score(model.score(frame)))
