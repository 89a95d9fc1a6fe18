"""The learning commands through the command line."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from credence.cli import app
from credence.learning.data import german_credit_path

runner = CliRunner()
PROTECTED = ("personal_status_and_sex", "age_in_years", "foreign_worker")


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_train_on_german_credit_excludes_protected_columns_and_says_so(tmp_path):
    out = invoke(
        "train",
        "--data",
        str(german_credit_path()),
        "--target",
        "creditability",
        "--repeats",
        "0",
        "--c",
        "0.1",
        "--out",
        str(tmp_path / "german.yaml"),
        "--report",
        str(tmp_path / "report"),
    )
    for col in PROTECTED:
        assert f"excluded {col}: protected" in out
    assert "3 column(s) held apart" in out and "fairness audit" in out
    assert "guardrail 1: protected characteristics are never scoring inputs" in out
    card = yaml.safe_load((tmp_path / "german.yaml").read_text())
    assert not {f["column"] for f in card["features"]} & set(PROTECTED)
    assert card["scaling"] == {"method": "sum"}
    rep = json.loads((tmp_path / "report" / "validation.json").read_text())
    assert rep["holdout"]["auc"] > 0.7 and (tmp_path / "report" / "validation.html").exists()
    assert "hold-out" in out and "AUC" in out


def test_a_bad_target_is_one_clear_line(tmp_path, capsys, monkeypatch):
    from credence.cli import main

    data = tmp_path / "one_class.csv"
    pd.DataFrame({"x": range(100), "outcome": ["good"] * 100}).to_csv(data, index=False)
    for target, message in (
        ("outcome", "target 'outcome' has a single class"),
        ("nope", "target column 'nope' is not in the data"),
    ):
        monkeypatch.setattr(sys, "argv", ["credence", "train", "--data", str(data), "--target", target])
        with pytest.raises(SystemExit) as exit_info:
            main()
        assert exit_info.value.code == 1
        err = capsys.readouterr().err
        assert err.startswith("error:") and message in err and "Traceback" not in err


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-learn") / "ws"
    invoke("init", str(root))
    invoke("simulate", "--entities", "2500", "--as-of", "2026-06-01", "--seed", "5", "-w", str(root))
    sim = root / "simulated"
    invoke("ingest", str(sim / "providers.csv"), str(sim / "entities.parquet"), str(sim / "events"), "-w", str(root))
    return root


def test_train_from_the_workspace_then_score_and_audit(ws):
    out = invoke("train", "--use", "--repeats", "0", "--c", "0.1", "-w", str(ws))
    assert "hold-out" in out and "person-expert@2 (same rows)" in out
    assert "Configured scorecards/person-learned.yaml for kind 'person'" in out
    cfg = yaml.safe_load((ws / "credence.yaml").read_text())
    assert cfg["scorecards"]["person"] == "scorecards/person-learned.yaml"
    rep = json.loads((ws / "scorecards" / "person-learned-report" / "validation.json").read_text())
    assert rep["holdout"]["auc"] > 0.6
    invoke("score", "--as-of", "2026-03-01", "-w", str(ws))
    invoke("score", "--as-of", "2026-06-01", "-w", str(ws))
    out = invoke("audit", "-w", str(ws))
    assert "Band migration" in out
    learned = {"on_time_payment_share", "late_payments_12m", "verified_income"}  # recomputed as of both snapshots
    assert all(f"feature: {name}" in out for name in learned)
    reports = list((ws / "reports").glob("audit-*/drift.html"))
    assert len(reports) == 1 and "data:image/png;base64," in reports[0].read_text()
    out = invoke("validate", "scorecards/person-learned.yaml", "--report", str(ws / "val"), "-w", str(ws))
    assert "evaluation" in out and (ws / "val" / "validation.json").exists()
    assert "Conformance of person-learned@1 on" in out and "reasons follow points" in out and ": passed" in out
