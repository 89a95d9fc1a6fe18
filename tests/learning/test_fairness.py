"""Fairness figures on a tiny hand-made example with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credence.learning.fairness import attribute_report, fairness_report, group_columns


def test_disparate_impact_and_tpr_gap_known_answer():
    scores = [700, 650, 500, 450, 700, 500, 450, 400]
    groups = pd.Series(["A"] * 4 + ["B"] * 4)
    y = [0, 0, 0, 1, 0, 0, 1, 1]  # A goods: 700 650 500; B goods: 700 500
    rep = attribute_report("g", groups, scores, y, cutoffs=(600, 480), min_group=1)
    a, b = rep["groups"]
    assert a["approval"]["600"] == 0.5 and b["approval"]["600"] == 0.25
    at600 = rep["by_cutoff"][0]
    assert at600["disparate_impact"] == pytest.approx(0.5)
    assert at600["reference_group"] == "A" and at600["lowest_group"] == "B" and at600["flag"] is True
    # TPR: approved goods / goods. A: 2/3, B: 1/2 -> gap 1/6
    assert a["tpr"]["600"] == pytest.approx(2 / 3) and b["tpr"]["600"] == pytest.approx(0.5)
    assert at600["tpr_gap"] == pytest.approx(1 / 6)
    at480 = rep["by_cutoff"][1]  # A 3/4, B 2/4 -> 2/3: flagged
    assert at480["disparate_impact"] == pytest.approx(2 / 3) and at480["flag"]
    assert rep["flagged_cutoffs"] == [600, 480]
    assert a["bad_rate"] == 0.25 and b["bad_rate"] == 0.5


def test_no_flag_at_four_fifths_and_unscored_rows_are_counted():
    scores = [700, 700, 700, 700, 500, 700, 700, 700, 700, np.nan]
    groups = pd.Series(["A"] * 5 + ["B"] * 5)
    rep = attribute_report("g", groups, scores, None, cutoffs=(600,), min_group=1)
    # A 4/5 = 0.8, B 4/4 = 1.0 -> ratio 0.8: not below the threshold
    assert rep["by_cutoff"][0]["disparate_impact"] == pytest.approx(0.8)
    assert rep["by_cutoff"][0]["flag"] is False
    assert rep["unscored"] == 1 and "tpr_gap" not in rep["by_cutoff"][0]


def test_groups_from_german_credit_style_columns():
    prot = pd.DataFrame(
        {
            "personal_status_and_sex": [
                "male : single",
                "female : divorced/separated/married",
                "male : married/widowed",
            ],
            "age_in_years": [22, 40, 67],
            "foreign_worker": ["yes", "no", "yes"],
        }
    )
    g = group_columns(prot)
    assert g["sex"].tolist() == ["male", "female", "male"]
    assert g["age_in_years (band)"].tolist() == ["under 25", "35-49", "50 and over"]
    assert g["foreign_worker"].tolist() == ["yes", "no", "yes"]
    rep = fairness_report([600, 610, 620], g, None, cutoffs=(600,))
    assert {a["attribute"] for a in rep["attributes"]} == {
        "sex",
        "personal_status_and_sex",
        "age_in_years (band)",
        "foreign_worker",
    }
    assert rep["flags"] == []


def test_small_groups_are_uncertain_not_flagged_and_metricframe_gives_intervals():
    rng = np.random.default_rng(3)
    n_big, n_small = 400, 67  # the 67-row group that once drove a flag
    scores = np.concatenate([rng.normal(650, 40, n_big), rng.normal(560, 40, n_small)])
    groups = pd.Series(["big"] * n_big + ["small"] * n_small)
    y = (rng.random(n_big + n_small) < 0.2).astype(int)
    rep = attribute_report("g", groups, scores, y, cutoffs=(600,))
    small = next(g for g in rep["groups"] if g["group"] == "small")
    assert small["uncertain"] and small["approval"]["600"] < 0.5  # reported, clearly lower
    assert rep["uncertain_groups"] == ["small"] and rep["flagged_cutoffs"] == []  # but never flagged
    mf = rep["metricframe"]
    assert mf["library"] == "fairlearn MetricFrame" and mf["cutoff"] == 600
    for g in ("big", "small"):
        row = mf["groups"][g]
        for metric in ("selection_rate", "true_positive_rate", "false_positive_rate"):
            lo, hi = row["ci"][metric]
            assert lo <= row[metric] <= hi or np.isclose(lo, row[metric]) or np.isclose(hi, row[metric])
    assert mf["groups"]["small"]["selection_rate"] == pytest.approx(small["approval"]["600"])
    # with a second group of 100+ rows and the same gap, the flag is raised
    scores2 = np.concatenate([scores, rng.normal(560, 40, 150)])
    groups2 = pd.Series(groups.tolist() + ["large_low"] * 150)
    rep2 = attribute_report("g", groups2, scores2, None, cutoffs=(600,))
    assert rep2["flagged_cutoffs"] == [600] and rep2["by_cutoff"][0]["lowest_group"] == "large_low"
