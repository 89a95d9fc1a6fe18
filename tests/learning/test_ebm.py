"""The EBM card: SQL scores = the EBM's own predictions in points, reasons = its largest shortfalls, readable
bins that keep declared trends, and the same guardrails as every learned card."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from credence.domain.scorecard import dump_scorecard, load_scorecard
from credence.learning import ebm
from credence.learning.convert import card_scores, round_score, score_frame
from credence.learning.data import prepare

FAST = {"outer_bags": 2, "learning_rate": 0.05, "max_rounds": 1000}


@pytest.fixture(scope="module")
def german_ebm(german_frame, tmp_path_factory):
    """German Credit's EBM card, readable (at most 6 bins, a declared trend), saved and loaded back."""
    prepared = prepare(german_frame, "creditability")
    options = ebm.EBMOptions(max_bins=6, monotone={"duration_in_month": "down"}, **FAST)
    fitted, card = ebm.fit_card(prepared.X, prepared.y, card_id="german-ebm", options=options, seed=3)
    path = tmp_path_factory.mktemp("ebm") / "card.yaml"
    dump_scorecard(card, path)
    return prepared, fitted, load_scorecard(path)


def test_sql_scores_equal_the_models_own_predictions_on_every_row(german_ebm):
    prepared, fitted, card = german_ebm
    X = prepared.X
    detail = score_frame(card, X, detail=True)
    model_points = fitted.scores(X)  # 350 + A * (hi - the readable EBM's logit)
    assert np.allclose(detail["total_points"], model_points, rtol=0, atol=1e-9)
    assert np.array_equal(detail["score"].to_numpy(dtype=float), round_score(model_points))
    assert np.array_equal(card_scores(card, X, engine="numpy"), detail["score"].to_numpy(dtype=float))
    # the stored score -> probability map gives the EBM's own probability
    p = fitted.model.predict_proba(X)[:, 1]
    m = card.metadata["learned"]["pd"]
    assert np.allclose(1 / (1 + np.exp(-(m["intercept"] + m["slope"] * model_points))), p, atol=1e-9)


def test_unseen_missing_and_edge_values_score_like_the_model(german_ebm):
    prepared, fitted, card = german_ebm
    X = prepared.X.head(12).copy()
    X.loc[0, "purpose"] = "space travel"  # never seen in training
    X.loc[1, "housing"] = None
    X.loc[2, "duration_in_month"] = np.nan
    X.loc[3, "credit_amount"] = 10**9
    X.loc[4, "credit_amount"] = -5
    X.loc[5, "status_of_existing_checking_account"] = "a brand new kind of account"
    assert np.allclose(score_frame(card, X, detail=True)["total_points"], fitted.scores(X), atol=1e-9)
    cuts = [b.min for b in card.feature("credit_amount").bins[1:]]
    X = prepared.X.head(len(cuts)).copy()
    X["credit_amount"] = cuts  # exactly on each edge: the bin above, in the card and in the EBM
    assert np.allclose(score_frame(card, X, detail=True)["total_points"], fitted.scores(X), atol=1e-9)


def test_unmerged_card_equals_the_fitted_ebm(german_frame):
    prepared = prepare(german_frame, "creditability")
    X, y = prepared.X.head(400), prepared.y[:400]
    fitted, card = ebm.fit_card(X, y, options=ebm.EBMOptions(max_bins=None, **FAST), seed=1)
    raw = fitted.model.decision_function(X)
    assert np.allclose(raw, fitted.full.decision_function(X), atol=1e-12)  # nothing merged away
    assert np.allclose(score_frame(card, X, detail=True)["total_points"], fitted.scores(X, full=True), atol=1e-9)
    assert max(len(f.bins) for f in card.features) > 12


def test_the_four_reasons_are_the_models_four_largest_shortfalls(german_ebm):
    prepared, fitted, card = german_ebm
    X = prepared.X
    out = score_frame(card, X)
    contrib = fitted.contributions(X)  # the readable EBM's own log-odds contribution per feature and row
    best = np.array([s.lowest for s in fitted.shapes])  # each feature's most favourable contribution
    shortfall = contrib - best
    names = [s.name for s in fitted.shapes]
    assert [f.name for f in card.features] == names
    checked = 0
    for r in range(len(X)):
        order = sorted(range(len(names)), key=lambda j: (-shortfall[r, j], j))
        expected = [names[j] for j in order[:4] if shortfall[r, j] > 1e-12]
        got = [out.loc[r, f"reason{k}_code"] for k in range(1, 5) if pd.notna(out.loc[r, f"reason{k}_code"])]
        gaps = np.diff(sorted(shortfall[r], reverse=True)[:5])
        if np.all(np.abs(gaps) > 1e-9):  # no near-tie for a place among the first four
            assert got == expected, r
            checked += 1
        else:
            assert np.allclose(
                sorted(shortfall[r, [names.index(g) for g in got]], reverse=True), shortfall[r, order[:4]]
            )
    assert checked > 0.9 * len(X)
    # the words say the shortfall in points
    text = out.loc[0, "reason1_text"]
    j = names.index(out.loc[0, "reason1_code"])
    assert f"about {int(np.floor(shortfall[0, j] * fitted.scale + 0.5))} points" in text


def test_readable_bins_keep_the_declared_trend_and_the_limit(german_ebm):
    _, fitted, card = german_ebm
    assert max(len(f.bins) for f in card.features) <= 6
    assert fitted.bins_before["credit_amount"] > 6 >= fitted.bins_after["credit_amount"]
    pts = [b.points for b in card.feature("duration_in_month").bins]
    assert all(a >= b for a, b in zip(pts, pts[1:], strict=False))  # declared "down": longer loans, fewer points
    # merging keeps each feature's weighted mean contribution, so the model's intercept still centres it
    for s in fitted.shapes:
        assert np.isclose(np.average(s.values, weights=s.weights), 0, atol=1e-6)


@pytest.mark.parametrize("trend", ["up", "down"])
def test_merge_enforces_a_declared_trend_on_a_jagged_shape(trend):
    rng = np.random.default_rng(0)
    values = np.sin(np.linspace(0, 3, 40)) + rng.normal(0, 0.3, 40)
    shape = ebm.Shape("x", False, np.arange(39) + 0.5, [], values, rng.integers(1, 30, 40).astype(float), 0.0, 0.0)
    merged, new_values = ebm.readable(shape, 5, trend)
    assert len(merged.values) <= 5 and len(merged.cuts) == len(merged.values) - 1
    step = np.diff(merged.values)
    assert (step <= 1e-12).all() if trend == "up" else (step >= -1e-12).all()  # log-odds of bad vs points
    assert np.isclose(np.average(new_values, weights=shape.weights), np.average(merged.values, weights=merged.weights))


def test_segmentation_is_the_least_squares_optimum():
    rng = np.random.default_rng(1)
    v, w = rng.normal(size=9), rng.integers(1, 5, 9).astype(float)

    def sse(seg):
        return sum(
            np.sum(w[seg == s] * (v[seg == s] - np.average(v[seg == s], weights=w[seg == s])) ** 2)
            for s in np.unique(seg)
        )

    best = min(
        sse(np.cumsum(np.isin(np.arange(9), cuts)))
        for k in range(0, 3)
        for cuts in itertools.combinations(range(1, 9), k)
    )
    seg = ebm.segment(v, w, 3)
    assert seg.max() + 1 <= 3 and np.isclose(sse(seg), best)


def test_protected_columns_never_reach_an_ebm_card(german_frame):
    from credence.learning.train import train

    prepared = prepare(german_frame.head(400), "creditability")
    result = train(
        prepared, learner="ebm", ebm_options=ebm.EBMOptions(**FAST), n_repeats=0, holdout=0.3, card_id="g-ebm"
    )
    names = {f.name for f in result.card.features}
    assert not names & {"personal_status_and_sex", "age_in_years", "foreign_worker"}
    assert {a["attribute"] for a in result.report["fairness"]["attributes"]} >= {"sex", "foreign_worker"}
    read = result.report["holdout"]["readability"]
    assert read["auc_cost"] == pytest.approx(read["auc_unmerged"] - read["auc_readable"])
    assert result.card.metadata["learned"]["method"].startswith("InterpretML")


def test_auto_chooses_by_inner_cross_validation():
    from credence.learning.train import train

    rng = np.random.default_rng(5)
    n = 500
    x = rng.uniform(-3, 3, n)
    z = rng.normal(size=n)
    risk = 1.5 * np.abs(x) - 2 + 0.5 * z  # a U-shape: boosted steps follow it as well as optimal bins do
    y = (rng.random(n) < 1 / (1 + np.exp(-risk))).astype(int)
    frame = pd.DataFrame({"x": x, "z": z, "outcome": np.where(y == 1, "bad", "good")})
    prepared = prepare(frame, "outcome", allow_leaky=["x"])  # x is strong enough (IV >= 1) to be screened as a leak
    result = train(prepared, learner="auto", ebm_options=ebm.EBMOptions(**FAST), n_repeats=0, c=1.0)
    choice = result.report["learner_choice"]
    assert choice["chosen"] in ("optbinning", "ebm")
    means = {k: v["mean"] for k, v in choice["auc"].items()}
    assert choice["chosen"] == max(means, key=lambda k: (means[k], k == "optbinning"))
    assert result.card.metadata["learned"]["auto"]["chosen"] == choice["chosen"]


def test_train_learner_ebm_through_the_command_line(tmp_path, monkeypatch, capsys):
    import json
    import sys

    import yaml
    from typer.testing import CliRunner

    from credence.cli import app, main

    rng = np.random.default_rng(2)
    n = 400
    frame = pd.DataFrame({"balance": rng.normal(size=n), "plan": rng.choice(["a", "b", "c"], n)})
    risk = -1.2 * frame["balance"] + (frame["plan"] == "c") - 1
    frame["outcome"] = np.where(rng.random(n) < 1 / (1 + np.exp(-risk)), "bad", "good")
    data = tmp_path / "table.csv"
    frame.to_csv(data, index=False)
    args = ["train", "--data", str(data), "--target", "outcome", "--repeats", "0", "--learner", "ebm"]
    args += ["--max-bins", "4", "--out", str(tmp_path / "c.yaml"), "--monotone", "balance=up"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, (result.output, result.exception)
    assert "readability: hold-out AUC" in result.output
    card = yaml.safe_load((tmp_path / "c.yaml").read_text())
    pts = [b["points"] for b in card["features"][0]["bins"] if "missing" not in b]
    assert len(pts) <= 4 and pts == sorted(pts)  # declared "up": more balance, more points
    report = json.loads((tmp_path / "c-report" / "validation.json").read_text())
    assert report["learner"].startswith("InterpretML") and "readability" in report["holdout"]
    monkeypatch.setattr(sys, "argv", ["credence", *args[:-2], "--monotone", "balance=sideways"])
    with pytest.raises(SystemExit):
        main()
    assert "--monotone 'balance=sideways' is not FEATURE=up or FEATURE=down" in capsys.readouterr().err


def test_an_ebm_events_card_from_the_workspace_is_scored_by_the_sql_core(tmp_path):
    """Outcomes from events, an EBM events card keeping the base card's features, then `credence score`."""
    import yaml
    from typer.testing import CliRunner

    from credence.cli import app
    from credence.workspace import open_workspace

    def invoke(*args):
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
        assert result.exit_code == 0, (result.output, result.exception)
        return result.output

    root = tmp_path / "ws"
    invoke("init", str(root))
    invoke("simulate", "--entities", "1500", "--as-of", "2026-06-01", "--seed", "5", "-w", str(root))
    sim = root / "simulated"
    invoke("ingest", str(sim / "providers.csv"), str(sim / "entities.parquet"), str(sim / "events"), "-w", str(root))
    out = invoke(
        "train", "--observe", "2025-06-01", "--window", "6m", "--repeats", "0", "--learner", "ebm",
        "--max-bins", "5", "--id", "person-ebm", "--use", "-w", str(root),
    )  # fmt: skip
    assert "readability: hold-out AUC" in out
    card = yaml.safe_load((root / "scorecards" / "person-ebm.yaml").read_text())
    assert card["source"] == "events" and card["metadata"]["learned"]["method"].startswith("InterpretML")
    assert all(len([b for b in f["bins"] if "missing" not in b]) <= 5 for f in card["features"])
    invoke("score", "--as-of", "2026-06-01", "-w", str(root))
    w = open_workspace(root)
    try:
        rows = w.store.query(
            "SELECT scorecard, count(score) AS n, count(reason1_code) AS r FROM latest_scores "
            "WHERE kind = 'person' GROUP BY 1"
        )
    finally:
        w.close()
    assert [r["scorecard"] for r in rows] == ["person-ebm@1"] and rows[0]["n"] > 1000 and rows[0]["r"] > 0
