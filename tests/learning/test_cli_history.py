"""The learning loop through the command line: outcomes from events, train, score."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from credence.cli import app
from credence.workspace import open_workspace

runner = CliRunner()


def invoke(*args: str, ok: bool = True):
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-history") / "ws"
    invoke("init", str(root))
    invoke("simulate", "--entities", "1500", "--as-of", "2026-06-01", "--seed", "5", "-w", str(root))
    sim = root / "simulated"
    invoke("ingest", str(sim / "providers.csv"), str(sim / "entities.parquet"), str(sim / "events"), "-w", str(root))
    return root


def test_train_from_events_then_score_with_the_card(ws):
    out = invoke(
        "train", "--from-workspace", "--observe", "2025-06-01", "--window", "6m", "--repeats", "0", "--c", "0.1",
        "--id", "person-history", "--use", "-w", str(ws),
    ).output  # fmt: skip
    assert "Outcomes from events: default-90dpd" in out and "over 6 months" in out
    assert "entities observed =" in out and "indeterminate" in out and "excluded" in out
    card = yaml.safe_load((ws / "scorecards" / "person-history.yaml").read_text())
    assert card["source"] == "events"
    learned = card["metadata"]["learned"]
    assert learned["observe"] == "2025-06-01" and learned["window_months"] == 6
    assert learned["performance"] == "default-90dpd"
    invoke("score", "--as-of", "2026-06-01", "-w", str(ws))
    w = open_workspace(ws)
    try:
        used = w.store.query("SELECT scorecard, count(score) AS n FROM latest_scores WHERE kind = 'person' GROUP BY 1")
    finally:
        w.close()
    assert [r["scorecard"] for r in used] == ["person-history@1"] and used[0]["n"] > 1000


def test_a_window_still_open_is_refused(ws):
    result = invoke("train", "--observe", "2026-01-01", "--window", "12m", "-w", str(ws), ok=False)
    assert result.exit_code != 0 and "not known yet" in str(result.exception)


def test_observe_with_data_is_refused(ws, tmp_path):
    result = invoke("train", "--data", str(tmp_path / "x.csv"), "--observe", "2025-01-01", "-w", str(ws), ok=False)
    assert result.exit_code != 0 and "--observe" in str(result.exception)


@pytest.fixture(scope="module")
def candidate(ws):
    """A challenger trained on an earlier window than the one it is compared on (out of time)."""
    invoke(
        "train", "--observe", "2025-06-01", "--window", "6m", "--repeats", "0", "--c", "0.1", "--id", "person-next",
        "-w", str(ws),
    )  # fmt: skip
    return "scorecards/person-next.yaml"


def test_validate_out_of_time_says_so(ws, candidate):
    out = invoke("validate", candidate, "--observe", "2025-12-01", "--window", "6m", "-w", str(ws)).output
    assert "out of time: trained on outcomes (2025-06-01, 2025-12-01], measured from 2025-12-01" in out
    out = invoke("validate", candidate, "--observe", "2025-09-01", "--window", "6m", "-w", str(ws)).output
    assert "NOT out of time" in out


def test_promotion_needs_the_report_then_records_who_and_when(ws, candidate):
    refused = invoke("promote", candidate, "-w", str(ws), ok=False)
    assert refused.exit_code != 0 and "no champion/challenger report" in str(refused.exception)
    out = invoke("compare", candidate, "--observe", "2025-12-01", "--window", "6m", "-w", str(ws)).output
    for word in ("champion", "challenger person-next@1", "AUC", "KS", "Brier", "Band migration", "out of time"):
        assert word in out
    rep = json.loads((ws / "reports" / "challenger-person-next-v1" / "challenger.json").read_text())
    assert rep["champion"]["ref"] == "person-history@1" and rep["guardrails"]["ok"]
    assert rep["rows"] > 500 and rep["challenger"]["calibration"] and rep["band_migration"]["matrix"]
    out = invoke("promote", candidate, "--by", "alice", "-w", str(ws)).output
    assert "Promoted person-next@1 for kind 'person' (replacing person-history@1) by alice" in out
    cfg = yaml.safe_load((ws / "credence.yaml").read_text())
    assert cfg["scorecards"]["person"] == "scorecards/promoted/person-next-v1.yaml"
    entry = cfg["promotions"][-1]
    assert entry["promoted_by"] == "alice" and entry["promoted_at"] and entry["replaced"] == "person-history@1"


def test_a_card_changed_after_its_report_is_refused(ws, candidate, tmp_path):
    invoke("compare", candidate, "--observe", "2025-12-01", "--window", "6m", "--kind", "person", "-w", str(ws))
    path = ws / candidate
    path.write_text(path.read_text().replace("title:", "title: edited", 1))
    refused = invoke("promote", candidate, "-w", str(ws), ok=False)
    assert "changed since the report was made" in str(refused.exception)


def test_promotion_is_refused_on_a_guardrail_breach(ws, tmp_path):
    """A candidate that scores by purchase category (guardrail 8) or by age (guardrail 1) is never promoted."""
    card = yaml.safe_load((ws / "scorecards" / "person-history.yaml").read_text())
    card["id"] = "person-breach"
    feature = dict(card["features"][0])
    for breach in ({"name": "age_in_years"}, {"name": "games_bought", "where": {"purchase_categories": ["games"]}}):
        card["features"] = [*card["features"][1:], {**feature, **breach}]
        path = ws / "scorecards" / "person-breach.yaml"
        path.write_text(yaml.safe_dump(card, sort_keys=False))
        refused = invoke("promote", "scorecards/person-breach.yaml", "-w", str(ws), ok=False)
        assert refused.exit_code != 0 and "guardrail" in str(refused.exception)
        refused = invoke("compare", "scorecards/person-breach.yaml", "--observe", "2025-12-01", "--window", "6m",
                         "-w", str(ws), ok=False)  # fmt: skip
        assert "guardrail" in str(refused.exception)
    cfg = yaml.safe_load((ws / "credence.yaml").read_text())
    assert "breach" not in cfg["scorecards"]["person"]
