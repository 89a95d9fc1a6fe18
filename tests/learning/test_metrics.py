"""Validation figures against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from credence.learning import metrics


def test_psi_matches_a_hand_computation():
    expected = [1, 1, 2, 2, 2, 3, 3, 3, 3, 3]  # shares by bin (-inf,1.5) [1.5,2.5) [2.5,inf): .2 .3 .5
    actual = [1, 1, 1, 1, 2, 2, 3, 3, 3, 3]  # .4 .2 .4
    hand = (0.4 - 0.2) * math.log(0.4 / 0.2) + (0.2 - 0.3) * math.log(0.2 / 0.3) + (0.4 - 0.5) * math.log(0.4 / 0.5)
    assert metrics.psi(expected, actual, edges=[1.5, 2.5]) == pytest.approx(hand, abs=1e-12)
    assert hand == pytest.approx(0.2015, abs=1e-4)  # 0.1386 + 0.0405 + 0.0223
    assert metrics.psi_status(hand) == "watch"
    assert metrics.psi(expected, expected, edges=[1.5, 2.5]) == 0.0


def test_psi_counts_missing_as_its_own_bin_and_survives_empty_bins():
    shares = metrics.bin_shares([1.0, np.nan, 3.0, 3.0], [2.0])
    assert shares.tolist() == [0.25, 0.5, 0.25]
    assert math.isfinite(metrics.psi([1, 1, 1, 1], [5, 5, 5, 5], edges=[2]))
    assert metrics.psi_status(0.3) == "act" and metrics.psi_status(0.05) == "stable"


def test_auc_ks_gini_brier_on_a_known_example():
    y = np.array([1, 1, 0, 0])  # bads score lower
    s = np.array([400, 600, 500, 800])
    # pairs (good, bad): (500,400) ok, (500,600) wrong, (800,400) ok, (800,600) ok -> AUC 3/4
    assert metrics.auc(y, s) == pytest.approx(0.75)
    assert metrics.gini(y, s) == pytest.approx(0.5)
    assert metrics.ks(y, s) == pytest.approx(0.5)
    assert metrics.brier(y, [1, 0.5, 0, 0]) == pytest.approx(0.25 / 4)


def test_calibration_table_groups_by_probability():
    y = np.array([0, 0, 1, 1, 0, 1])
    p = np.array([0.1, 0.2, 0.9, 0.8, 0.3, 0.7])
    rows = metrics.calibration_table(y, p, groups=2)
    assert [r["n"] for r in rows] == [3, 3]
    assert rows[0]["observed_bad_rate"] == 0 and rows[1]["observed_bad_rate"] == 1
    assert rows[0]["predicted_bad_rate"] == pytest.approx(0.2)


def test_repeated_folds_are_stratified_and_reproducible():
    y = np.array([0] * 70 + [1] * 30)
    a = metrics.folds(y, n_splits=5, n_repeats=2, seed=1)
    b = metrics.folds(y, n_splits=5, n_repeats=2, seed=1)
    assert len(a) == 10 and all(np.array_equal(x[1], z[1]) for x, z in zip(a, b, strict=True))
    assert all(y[test].sum() == 6 for _, test in a)
