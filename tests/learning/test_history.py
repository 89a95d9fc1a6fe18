"""Outcomes from the bureau's own events, and point-in-time training tables (no event after T reaches a feature)."""

from __future__ import annotations

import shutil
from datetime import datetime

import numpy as np
import pytest

from credence.domain.performance import load_performance, parse_performance, parse_window
from credence.errors import ConfigError, DataError
from credence.generators.simulate import simulate
from credence.learning.history import history_query, history_table
from credence.services.ingest import ingest_files
from credence.store import Store
from credence.workspace import init_workspace

AS_OF = datetime(2026, 6, 1)
T = datetime(2025, 12, 1)
SIX = load_performance().with_window(6)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    ws = init_workspace(root / "ws")
    sim = simulate(root / "sim", entities=1500, seed=5, as_of=AS_OF)
    ingest_files(ws.store, [sim.providers_path, sim.entities_path, sim.events_dir], catalogue=ws.catalogue)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def card(ws):
    return ws.scorecards["person"].restrict(("person",))


@pytest.fixture(scope="module")
def table(ws, card):
    return history_table(ws.store, card, SIX, T)


def test_counts_add_up_and_statuses_follow_the_definition(ws, table):
    tab, counts = table
    persons = ws.store.scalar("SELECT count(DISTINCT entity_id) FROM entities WHERE kind = 'person'")
    assert counts.observed == persons
    assert counts.observed == counts.good + counts.bad + counts.indeterminate + counts.excluded + counts.insufficient
    assert counts.bad > 0 and counts.good > 0 and counts.excluded > 0
    assert len(tab.frame) == counts.good + counts.bad and int(tab.frame["defaulted"].sum()) == counts.bad
    # every bad entity has a defining event in (T, T + 6 months], checked independently in plain SQL
    bad = set(tab.frame.loc[tab.frame["defaulted"], "entity_id"])
    defining = {
        r["entity_id"]
        for r in ws.store.query(
            "SELECT DISTINCT entity_id FROM events WHERE occurred_at > ? AND occurred_at <= ? AND "
            "(type IN ('loan_default', 'bankruptcy', 'court_judgment_unfulfilled') OR "
            "(type = 'instalment_paid_late' AND days_late >= 90))",
            [T, datetime(2026, 6, 1)],
        )
    }
    assert bad <= defining


def _copy(ws, tmp_path) -> Store:
    ws.close()  # the next use of ws.store reopens it
    copy = tmp_path / "copy.duckdb"
    shutil.copy(ws.db_path, copy)
    return Store(copy)


def _same_features(a, b, feats) -> None:
    merged = a[["entity_id", *feats]].merge(b[["entity_id", *feats]], on="entity_id", suffixes=("", "_b"))
    assert len(merged) == len(a)
    for f in feats:
        x, y = merged[f].to_numpy(float), merged[f + "_b"].to_numpy(float)
        assert np.allclose(x, y, rtol=1e-9, atol=0, equal_nan=True), f"feature {f} differs"  # sums in any order


def test_no_event_after_t_reaches_a_feature(ws, card, table, tmp_path):
    """The same query on a copy of the store that holds no event after T gives identical features."""
    tab, _ = table
    store = _copy(ws, tmp_path)
    try:
        with store.transaction() as con:
            removed = con.execute("DELETE FROM events WHERE occurred_at > ?", [T]).fetchone()[0]
        assert removed > 1000
        cur = store.cursor()
        without = cur.execute(history_query(card, SIX, T).sql(dialect="duckdb")).df()
        cur.close()
    finally:
        store.close()
    _same_features(tab.frame, without, tab.features)
    # and without those events every labelled entity would have been good: the outcomes came from after T
    assert set(without["status"]) <= {"good", "excluded"}


def test_known_by_ingestion_counts_only_what_had_arrived_at_t(ws, card, table, tmp_path):
    tab, _ = table
    back_filled, counts = history_table(ws.store, card, SIX, T, known="ingested")  # all ingested today
    assert back_filled.frame.empty
    assert counts.good == counts.bad == 0 and counts.insufficient > 0
    store = _copy(ws, tmp_path)  # as if fed live: each event received when it occurred
    try:
        with store.transaction() as con:
            con.execute("UPDATE events SET ingested_at = occurred_at")
        live, _ = history_table(store, card, SIX, T, known="ingested")
    finally:
        store.close()
    _same_features(tab.frame, live.frame, tab.features)
    assert live.frame["defaulted"].tolist() == tab.frame["defaulted"].tolist()


def test_a_window_that_has_not_closed_is_refused(ws, card):
    with pytest.raises(DataError, match="not known yet") as e:
        history_table(ws.store, card, load_performance(), T)  # 12 months after T runs past June 2026
    assert "observe on or before 2025-06-01" in e.value.fix


def test_performance_definitions_are_checked():
    assert parse_window("12m") == 12 and parse_window("1y") == 12 and parse_window(6) == 6
    for bad in ("twelve", "0m", "200m"):
        with pytest.raises(ConfigError):
            parse_window(bad)
    with pytest.raises(ConfigError, match="not in the catalogue"):
        parse_performance({"id": "x", "bad": [{"types": ["no_such_type"]}]})
    with pytest.raises(ConfigError, match="match every event"):
        parse_performance({"id": "x", "bad": [{}]})
    with pytest.raises(ConfigError, match="at least one"):
        parse_performance({"id": "x", "bad": []})
