"""The learning loop through the command line: outcomes from events, train, score."""

from __future__ import annotations

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
