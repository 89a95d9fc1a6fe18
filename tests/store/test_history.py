"""The history kept by entity (``store/history.py``) answers exactly what the scan of every snapshot answered.

The reference is the query it replaces (issue 11, V5): one entity's ``scores`` rows joined with their snapshots.
Snapshots arrive out of order and cover different entities; a snapshot appends to the history and leaves the
rows already there as they were; stores migrated from V5 and from V7 (the history as one list per entity) get
the same answers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from credence.services.retention import erase
from credence.services.scoring import score_population
from credence.store import Store, history, queries
from credence.store.schema import MIGRATIONS, SCHEMA_VERSION

OLD_LATEST = (
    "WITH s AS MATERIALIZED (SELECT * FROM scores WHERE entity_id = ?) SELECT s.* FROM s "
    "JOIN snapshots n USING (snapshot_id) ORDER BY n.created_at DESC, s.as_of DESC LIMIT 1"
)
OLD_HISTORY = (
    "WITH s AS MATERIALIZED (SELECT * FROM scores WHERE entity_id = ?) SELECT s.as_of, s.score, s.band, "
    "s.scorecard, s.snapshot_id, n.created_at FROM s JOIN snapshots n USING (snapshot_id) ORDER BY n.created_at, s.as_of"
)
T = datetime(2026, 3, 1)
# (snapshot, created at, as of, entities low..high): out of order, overlapping, one entity in one only
SNAPSHOTS = [
    ("S-b", T + timedelta(days=3), T + timedelta(days=2), range(0, 40)),
    ("S-a", T + timedelta(days=1), T, range(10, 60)),
    ("S-c", T + timedelta(days=9), T + timedelta(days=9), range(30, 45)),
    ("S-d", T + timedelta(days=5), T + timedelta(days=5), range(59, 61)),
]
IDS = [f"E{i}" for i in range(62)]


def _add(con, snapshot_id: str, created: datetime, as_of: datetime, ids: range) -> None:
    con.execute(
        "INSERT INTO scores SELECT ?, 'E' || i, 'person', ?, 'card@1', CASE WHEN i % 7 = 0 THEN NULL "
        "ELSE 400 + (i * 13 + hash(?) % 50)::INT END, 'good', i, 2, 3, 4, 5, 'r' || i, 'text ' || i, NULL, NULL, "
        "NULL, NULL, NULL, NULL FROM range(?, ?) t(i)",
        [snapshot_id, as_of, snapshot_id, ids.start, ids.stop],
    )
    con.execute("INSERT INTO snapshots VALUES (?, ?, ?, 'duckdb', '{}', 1, 0)", [snapshot_id, as_of, created])


def _same_as_the_scan(store: Store) -> None:
    for e in IDS:
        assert queries.latest_score(store, e) == (store.query(OLD_LATEST, [e]) or [None])[0], e
        assert queries.score_history(store, e) == store.query(OLD_HISTORY, [e]), e


def _tables(store: Store) -> tuple[list[dict], list[dict]]:
    return (
        store.query(f"SELECT * FROM {history.TABLE} ORDER BY entity_id"),
        store.query(f"SELECT * FROM {history.LOG} ORDER BY entity_id, created_at, as_of, snapshot_id"),
    )


def test_snapshot_by_snapshot_equals_the_scan_and_a_rebuild(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        for sid, created, as_of, ids in SNAPSHOTS:
            before = store.query(f"SELECT rowid, * FROM {history.LOG} ORDER BY rowid")
            with store.transaction() as con:
                _add(con, sid, created, as_of, ids)
                history.add_snapshot(con, sid)
            after = store.query(f"SELECT rowid, * FROM {history.LOG} ORDER BY rowid")
            # appended: the rows already there are untouched, one new row per entity of the snapshot
            assert after[: len(before)] == before and len(after) - len(before) == len(ids)
        _same_as_the_scan(store)
        assert len(queries.score_history(store, "E35")) == 3  # in S-b, S-a and S-c, in the snapshots' order
        assert [h["snapshot_id"] for h in queries.score_history(store, "E35")] == ["S-a", "S-b", "S-c"]
        assert queries.latest_score(store, "E61") is None and queries.score_history(store, "E61") == []
        incremental = _tables(store)
        with store.transaction() as con:
            history.rebuild(con)
        assert _tables(store) == incremental
        _same_as_the_scan(store)


def test_a_v5_store_migrates_to_the_same_answers(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
    for version, ddls in enumerate(MIGRATIONS[:5], start=1):
        for ddl in ddls:
            con.execute(ddl)
        con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [version])
    for sid, created, as_of, ids in SNAPSHOTS:
        _add(con, sid, created, as_of, ids)
    con.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        _same_as_the_scan(store)


def test_a_v7_store_migrates_its_history_lists_to_the_same_answers(tmp_path):
    """V7 kept each entity's history as a list in its ``entity_scores`` row; V8 moves it, as it is, to rows."""
    path = tmp_path / "v7.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
    for version, ddls in enumerate(MIGRATIONS[:7], start=1):
        for ddl in ddls:
            con.execute(ddl)
        con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [version])
    for sid, created, as_of, ids in SNAPSHOTS:
        _add(con, sid, created, as_of, ids)
    con.execute(MIGRATIONS[6][0])  # the V7 lists, made from every stored row as V7 made them
    lists = con.execute("SELECT sum(len(history)) FROM entity_scores").fetchone()[0]
    con.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.count(history.LOG) == lists == store.count("scores")
        _same_as_the_scan(store)
        migrated = _tables(store)
        with store.transaction() as con:
            history.rebuild(con)
        assert _tables(store) == migrated


def test_population_runs_keep_it_and_erasure_removes_it(ws):
    score_population(ws, as_of=T)
    score_population(ws, as_of=T + timedelta(days=30))
    store = ws.store
    ids = [r["entity_id"] for r in store.query("SELECT DISTINCT entity_id FROM scores ORDER BY 1")]
    assert ids
    for e in ids:
        assert len(queries.score_history(store, e)) == 2
        assert queries.latest_score(store, e) == store.query(OLD_LATEST, [e])[0]
        assert queries.score_history(store, e) == store.query(OLD_HISTORY, [e])
    erase(ws, ids[0])
    assert queries.latest_score(store, ids[0]) is None and queries.score_history(store, ids[0]) == []
    for table in (history.TABLE, history.LOG):
        assert store.scalar(f"SELECT count(*) FROM {table} WHERE entity_id = ?", [ids[0]]) == 0
    assert queries.score_history(store, ids[1]) == store.query(OLD_HISTORY, [ids[1]])
