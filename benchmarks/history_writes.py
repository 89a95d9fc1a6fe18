"""What one population run's history write costs at 2 and at 24 snapshots: schema V7's lists against V8's rows.

    python benchmarks/history_writes.py --workspace demo-workspace --entities 50000

Into a scratch store (the workspace is read, not touched): the latest snapshot's ``scores`` rows of
``--entities`` entities, copied under new snapshot ids and older creation times until ``scores`` holds S - 1
snapshots; then, for each layout, the history is made from those rows and one more snapshot is added as a
population run adds it (timed):

- V7 (``entity_scores`` with one list of every snapshot's entry per entity; the statement below is the one V7's
  ``store/history.py`` ran): the table is rewritten with every list one longer;
- V8 (``store/history.py`` now): the snapshot's rows appended to ``score_history``, ``entity_scores`` (one row
  per entity) made again.

Then p50/p99 of the reads (an entity's latest row and its history) for random entities, in each layout. S = 2
and S = ``--snapshots``. Figures are ratios within one run (the machine is shared). Not a test.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from credence.store import Store, history
from credence.store.schema import MIGRATIONS

V7_REBUILD = MIGRATIONS[6][0]
V7_INDEX = MIGRATIONS[6][1]
V7_ADD = """
CREATE OR REPLACE TABLE entity_scores AS
WITH new AS (
    SELECT s.entity_id, struct_pack(created_at := n.created_at, as_of := s.as_of, snapshot_id := s.snapshot_id,
                                    score := s.score, band := s.band, scorecard := s.scorecard) AS e, s AS rec
    FROM scores s JOIN snapshots n USING (snapshot_id) WHERE s.snapshot_id = $snapshot_id
)
SELECT coalesce(o.entity_id, new.entity_id) AS entity_id,
       CASE WHEN new.e IS NULL OR (o.history IS NOT NULL AND o.history[-1] > new.e) THEN o.latest
            ELSE new.rec END AS latest,
       CASE WHEN new.e IS NULL THEN o.history
            WHEN o.history IS NULL THEN [new.e]
            WHEN o.history[-1] < new.e THEN list_append(o.history, new.e)
            ELSE list_sort(list_append(o.history, new.e)) END AS history
FROM entity_scores o FULL JOIN new ON o.entity_id = new.entity_id
"""
V7_LATEST = "SELECT latest.* FROM entity_scores WHERE entity_id = $id"
V7_HISTORY = (
    "SELECT e.as_of, e.score, e.band, e.scorecard, e.snapshot_id, e.created_at "
    "FROM (SELECT unnest(history) AS e FROM entity_scores WHERE entity_id = $id)"
)


def fill(store: Store, source: Path, entities: int, snapshots: int) -> str:
    """``snapshots`` - 1 snapshots of ``entities`` entities in ``scores``; returns the id of one more, not added."""
    con = store.con
    con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
    sid, created = con.execute(
        "SELECT snapshot_id, created_at FROM src.snapshots ORDER BY created_at DESC LIMIT 1"
    ).fetchone()
    con.execute(
        "CREATE TABLE one AS SELECT * FROM src.scores WHERE snapshot_id = ? "
        "AND entity_id IN (SELECT entity_id FROM src.scores WHERE snapshot_id = ? ORDER BY hash(entity_id) LIMIT ?)",
        [sid, sid, entities],
    )
    con.execute("INSERT INTO snapshots SELECT * FROM src.snapshots WHERE snapshot_id = ?", [sid])
    con.execute("DETACH src")
    for k in range(snapshots):
        with store.transaction(hooks=False) as con:
            copy = f"{sid}-{k}"
            con.execute("INSERT INTO scores SELECT ? AS snapshot_id, * EXCLUDE (snapshot_id) FROM one", [copy])
            con.execute(
                "INSERT INTO snapshots SELECT ?, as_of, ?::TIMESTAMP - INTERVAL (?) DAY, engine, scorecards, scored, "
                "insufficient FROM snapshots WHERE snapshot_id = ?",
                [copy, created, snapshots - k, sid],
            )
    with store.transaction(hooks=False) as con:  # the original's rows are not part of the history measured
        con.execute("DELETE FROM snapshots WHERE snapshot_id = ?", [sid])
        con.execute("DROP TABLE one")
    return f"{sid}-{snapshots - 1}"


def reads(store: Store, ids: list[str], latest_sql: str, history_sql: str) -> dict:
    out = {}
    for name, sql in (("latest", latest_sql), ("history", history_sql)):
        for e in ids[:10]:
            store.query(sql, {"id": e})
        times = []
        for e in ids:
            t = time.perf_counter()
            store.query(sql, {"id": e})
            times.append(time.perf_counter() - t)
        times.sort()
        out[name] = (times[len(times) // 2] * 1000, times[int(0.99 * (len(times) - 1))] * 1000)
    return out


def measure(source: Path, entities: int, snapshots: int, ids_wanted: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="credence-history-") as tmp, Store(Path(tmp) / "s.duckdb") as store:
        last = fill(store, source, entities, snapshots)
        ids = [r["entity_id"] for r in store.query("SELECT DISTINCT entity_id FROM scores")]
        ids = random.Random(11).sample(ids, min(ids_wanted, len(ids)))
        result = {"rows": store.count("scores")}
        hide = "UPDATE snapshots SET snapshot_id = snapshot_id || '-hidden' WHERE snapshot_id = ?"
        show = "UPDATE snapshots SET snapshot_id = ? WHERE snapshot_id = ? || '-hidden'"
        for layout in ("V7", "V8"):
            with store.transaction(hooks=False) as con:  # the history of every snapshot but the last
                con.execute(hide, [last])
                if layout == "V7":
                    con.execute(V7_REBUILD)
                    con.execute(V7_INDEX)
                else:
                    history.rebuild(con)
                con.execute(show, [last, last])
            with store.transaction(hooks=False) as con:
                t = time.perf_counter()
                if layout == "V7":
                    con.execute(V7_ADD, {"snapshot_id": last})
                    con.execute(V7_INDEX)
                else:
                    history.add_snapshot(con, last)
                result[f"{layout} add"] = time.perf_counter() - t
            latest, hist = (V7_LATEST, V7_HISTORY) if layout == "V7" else (history.LATEST_SQL, history.HISTORY_SQL)
            result[f"{layout} reads"] = reads(store, ids, latest, hist)
            result[f"{layout} history rows"] = len(store.query(hist, {"id": ids[0]}))
        return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", required=True, help="a workspace with at least one snapshot (read only)")
    ap.add_argument("--entities", type=int, default=50_000, help="entities per snapshot")
    ap.add_argument("--snapshots", type=int, default=24, help="snapshots in the larger history")
    ap.add_argument("--reads", type=int, default=200, help="random entities read")
    args = ap.parse_args()
    source = Path(args.workspace) / "credence.duckdb"
    results = {s: measure(source, args.entities, s, args.reads) for s in (2, args.snapshots)}
    few, many = results[2], results[args.snapshots]
    for s, r in results.items():
        print(f"{s} snapshots ({r['rows']:,} score rows, {args.entities:,} entities):", flush=True)
        for layout in ("V7", "V8"):
            rd = r[f"{layout} reads"]
            print(
                f"  {layout}: one snapshot's history write {r[f'{layout} add']:.2f} s; reads p50/p99 ms: latest "
                f"{rd['latest'][0]:.2f}/{rd['latest'][1]:.2f}, history {rd['history'][0]:.2f}/{rd['history'][1]:.2f} "
                f"({r[f'{layout} history rows']} rows)"
            )
    for layout in ("V7", "V8"):
        print(
            f"{layout} at {args.snapshots} / at 2 snapshots: write {many[f'{layout} add'] / few[f'{layout} add']:.1f}x, "
            f"latest read {many[f'{layout} reads']['latest'][0] / few[f'{layout} reads']['latest'][0]:.1f}x, "
            f"history read {many[f'{layout} reads']['history'][0] / few[f'{layout} reads']['history'][0]:.1f}x"
        )
    print(f"at {args.snapshots} snapshots, V8 write / V7 write: {many['V8 add'] / many['V7 add']:.3f}")


if __name__ == "__main__":
    main()
