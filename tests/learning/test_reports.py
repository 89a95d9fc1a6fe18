"""The validation report: JSON fields, and an HTML file that carries its own plots."""

from __future__ import annotations

import json
import math

from credence.learning.reports import write_validation
from credence.learning.train import validate


def test_validation_json_fields(german, tmp_path):
    r = german
    j, _ = write_validation(r.report, tmp_path, y=r.prepared.y[r.test_idx], scores=r.test_scores, prob=r.test_prob)
    rep = json.loads(j.read_text())
    assert rep["report"] == "validation" and rep["scorecard"]["ref"] == "german-test@1"
    assert rep["data"]["rows"] == 1000 and rep["data"]["bads"] == 300 and len(rep["data"]["excluded"]) == 3
    held = rep["holdout"]
    assert held["rows"] == 300 and held["train_rows"] == 700 and held["bads"] == 90
    for key in ("auc", "ks", "gini", "brier", "psi_train_test"):
        assert isinstance(held[key], float) and math.isfinite(held[key])
    assert 0.7 < held["auc"] < 0.9 and held["gini"] == 2 * held["auc"] - 1
    assert held["psi_status"] in ("stable", "watch", "act")
    assert len(held["calibration"]) == 10 and sum(row["n"] for row in held["calibration"]) == 300
    cv = rep["cv"]
    assert cv["folds"] == 3 and len(cv["per_fold"]) == 3
    assert set(cv["auc"]) == {"mean", "sd"} and 0.7 < cv["auc"]["mean"] < 0.85
    features = {row["feature"] for row in rep["points"]}
    assert features == {f.name for f in r.card.features}
    fair = rep["fairness"]
    attributes = {a["attribute"] for a in fair["attributes"]}
    assert {"sex", "age_in_years (band)", "foreign_worker"} <= attributes
    assert "out-of-fold" in fair["basis"]
    for a in fair["attributes"]:
        assert sum(g["n"] for g in a["groups"]) == 1000
        assert all("tpr_gap" in e and "disparate_impact" in e for e in a["by_cutoff"])


def test_html_report_exists_and_embeds_its_plots(german, tmp_path):
    r = german
    _, h = write_validation(r.report, tmp_path, y=r.prepared.y[r.test_idx], scores=r.test_scores, prob=r.test_prob)
    html = h.read_text()
    assert h.exists() and h.stat().st_size > 20_000
    # ROC, score distribution by outcome, calibration; per fairness attribute, scores and approval by group
    assert html.count('src="data:image/png;base64,') == 3 + 2 * len(r.report["fairness"]["attributes"])
    for caption in ("ROC curve", "Score distribution by outcome", "Calibration"):
        assert caption in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_validate_a_saved_card(german):
    rep, scores, prob = validate(german.card, german.prepared, source="test")
    ev = rep["evaluation"]
    assert ev["rows"] == 1000 and ev["auc"] > 0.75
    assert ev["psi_status"] == "stable"  # all rows against the card's own training scores
    assert len(scores) == 1000 and prob is not None and 0 < prob.min() < prob.max() < 1
