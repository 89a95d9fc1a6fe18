"""Drift between two snapshots: band migration matrix and score PSI on hand-made snapshots."""

from __future__ import annotations

from datetime import datetime

import pytest

from credence.errors import DataError
from credence.learning.drift import drift_report, migration_matrix
from credence.learning.reports import write_drift
from credence.store import Store

S1 = {
    "E1": (500, "poor"),
    "E2": (560, "fair"),
    "E3": (620, "good"),
    "E4": (660, "excellent"),
    "E5": (None, "insufficient data"),
}
S2 = {"E1": (570, "fair"), "E2": (580, "fair"), "E3": (400, "poor"), "E4": (720, "extraordinary"), "E6": (610, "good")}


def _snapshot(store: Store, sid: str, at: datetime, rows: dict) -> None:
    with store.transaction() as con:
        con.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, 'duckdb', '{\"person\": \"x@1\"}', ?, ?)",
            [sid, at, at, sum(s is not None for s, _ in rows.values()), sum(s is None for s, _ in rows.values())],
        )
        for entity, (score, band) in rows.items():
            con.execute(
                "INSERT INTO scores (snapshot_id, entity_id, kind, as_of, scorecard, score, band, "
                "points_credit_history) VALUES (?, ?, 'person', ?, 'x@1', ?, ?, ?)",
                [sid, entity, at, score, band, None if score is None else score / 10],
            )


@pytest.fixture()
def store():
    s = Store(":memory:")
    _snapshot(s, "S1", datetime(2026, 1, 1), S1)
    _snapshot(s, "S2", datetime(2026, 4, 1), S2)
    yield s
    s.close()


def test_band_migration_matrix(store):
    rep = drift_report(store)  # default: the last two snapshots
    assert rep["base"]["snapshot_id"] == "S1" and rep["current"]["snapshot_id"] == "S2"
    m = rep["migration"]
    assert m["bands"] == ["poor", "fair", "good", "excellent", "extraordinary", "insufficient data", "absent"]
    cell = {(m["bands"][i], m["bands"][j]): n for i, row in enumerate(m["matrix"]) for j, n in enumerate(row) if n}
    assert cell == {
        ("poor", "fair"): 1,
        ("fair", "fair"): 1,
        ("good", "poor"): 1,
        ("excellent", "extraordinary"): 1,
        ("insufficient data", "absent"): 1,
        ("absent", "good"): 1,
    }
    assert (m["moved_up"], m["moved_down"], m["same_band"]) == (2, 1, 1)


def test_migration_of_identical_snapshots_is_diagonal():
    import pandas as pd

    bands = pd.Series({"a": "poor", "b": "good", "c": "good"})
    m = migration_matrix(bands, bands)
    assert m["same_band"] == 3 and m["moved_up"] == m["moved_down"] == 0


def test_score_psi_and_report_files(store, tmp_path):
    rep = drift_report(store)
    assert rep["score"]["psi"] > 0 and rep["score"]["status"] in ("stable", "watch", "act")
    assert sum(rep["score"]["base_shares"]) == pytest.approx(1.0)
    assert rep["score"]["base_shares"][-1] == pytest.approx(0.2)  # E5 has no score: its own bin
    assert [d["dimension"] for d in rep["dimensions"]] == ["credit_history"]
    j, h = write_drift(rep, tmp_path / "audit")
    html = h.read_text()
    assert j.exists() and html.count("data:image/png;base64,") == 2
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_one_snapshot_is_not_enough():
    s = Store(":memory:")
    _snapshot(s, "S1", datetime(2026, 1, 1), S1)
    with pytest.raises(DataError, match="compares two score snapshots"):
        drift_report(s)


def test_audit_fairness_uses_the_protected_attributes_table(store):
    from credence.cli.learning import snapshot_fairness

    assert snapshot_fairness(store, "S2") is None  # nothing on record
    with store.transaction() as con:
        for entity, group in (("E1", "x"), ("E2", "x"), ("E3", "y"), ("E4", "y"), ("E6", "y")):
            con.execute("INSERT INTO protected_attributes VALUES (?, 'nationality', ?, 'test')", [entity, group])
        con.execute("INSERT INTO outcomes VALUES ('E1', '2026-04-01', 12, true, 'test')")
    fair = snapshot_fairness(store, "S2")
    (attr,) = fair["attributes"]
    assert attr["attribute"] == "nationality" and fair["outcomes_known"]
    by_group = {g["group"]: g for g in attr["groups"]}
    # S2 scores: x = E1 570, E2 580; y = E3 400, E4 720, E6 610. At 600: x 0/2, y 2/3 -> ratio 0
    assert by_group["x"]["approval"]["600"] == 0 and by_group["y"]["approval"]["600"] == pytest.approx(2 / 3)
    at600 = next(e for e in attr["by_cutoff"] if e["cutoff"] == 600)
    # groups of 2 and 3 rows are uncertain (under 100): reported above, never flagged
    assert at600["disparate_impact"] is None and not at600["flag"] and attr["uncertain_groups"] == ["x", "y"]
    assert attr["metricframe"]["groups"]["x"]["selection_rate"] == 0
