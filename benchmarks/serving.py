"""Served score in process (issue 11): ``current_score`` vs ``score_entity``, and flat history reads.

    python benchmarks/serving.py --workspace demo-workspace          # after `credence demo` (200,000 entities)
    python benchmarks/serving.py --workspace WS --entities 300 --snapshots 24

On a copy of the workspace (the original is not touched):

1. Current scores: the table is brought up to date (timed: the day's rebuild), then warm, for the same random
   entities in alternation, ``serving.current_score`` (served from ``current_scores``) and
   ``scoring.score_entity`` (the SQL online path) -- p50/p99 of each in the same run, and whether every
   served score, band, dimension points and reasons equal the fresh ones. Also one re-score of a small
   touched set in a write transaction (an ingest of one event) -- the cost a write pays.
2. History reads: ``scores`` filled to ``--snapshots`` snapshots (copies of the latest snapshot's rows under
   new snapshot ids: the row count a store has after that many population runs), then ``latest_score`` and
   ``history`` of random entities, with the ``scores(entity_id)`` index and with it dropped (before issue 11).

Figures are ratios measured in one process seconds apart (the machine is shared and noisy). Not a test.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from credence.clock import utcnow
from credence.services import scoring, serving
from credence.services.ingest import ingest_records
from credence.store import queries
from credence.workspace import open_workspace

DIMS = ("credit_history", "behaviour", "capacity", "identity", "connections")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


def key(row: dict) -> tuple:
    return row["score"], row["band"], row["reasons"], [row[f"points_{d}"] for d in DIMS]


def current_scores(ws, ids: list[str]) -> dict:
    t = time.perf_counter()
    s = serving.attach(ws)
    s.statements()
    compile_s = time.perf_counter() - t
    with ws.store.transaction(hooks=False) as con:
        con.execute("DELETE FROM current_state")  # force the day's rebuild, to time it
    t = time.perf_counter()
    serving.refresh(ws)
    rebuild_s = time.perf_counter() - t
    for e in ids[:5]:  # warm both paths (compiled statements, caches)
        serving.current_score(ws, e)
        scoring.score_entity(ws, e, detail=False)
    served, online, mismatches = [], [], 0
    for e in ids:
        t = time.perf_counter()
        a = serving.current_score(ws, e)
        served.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = scoring.score_entity(ws, e, as_of=a["as_of"], detail=False)
        online.append(time.perf_counter() - t)
        mismatches += key(a) != key(b)
    # a write: one event for one person, re-scored in the ingest's transaction (with its vouch neighbours)
    who = ids[0]
    row = ws.store.query("SELECT provider_id FROM events WHERE entity_id = ? LIMIT 1", [who])
    t = time.perf_counter()
    ingest_records(
        ws.store,
        [
            {
                "provider_id": row[0]["provider_id"] if row else "",
                "event_id": f"bench-{time.time_ns()}",
                "entity_id": who,
                "occurred_at": (utcnow() - timedelta(days=1)).isoformat(),
                "type": "purchase",
                "amount": 12.5,
            }
        ],
        catalogue=ws.catalogue,
    )
    write_s = time.perf_counter() - t
    after = serving.current_score(ws, who)
    fresh = scoring.score_entity(ws, who, as_of=after["as_of"], detail=False)
    return {
        "entities": len(ids),
        "compile_s": compile_s,
        "rebuild_s": rebuild_s,
        "served_p50_ms": pct(served, 0.5),
        "served_p99_ms": pct(served, 0.99),
        "online_p50_ms": pct(online, 0.5),
        "online_p99_ms": pct(online, 0.99),
        "mismatches": mismatches,
        "ingest_one_event_s": write_s,
        "after_write_identical": key(after) == key(fresh),
        "settles": serving.attach(ws).settles,
    }


def history_reads(ws, ids: list[str], snapshots: int) -> dict:
    store = ws.store
    if queries.latest_snapshot(store) is None:
        scoring.score_population(ws)
    latest = queries.latest_snapshot(store)
    have = store.scalar("SELECT count(*) FROM snapshots")

    def timed() -> tuple[float, float, float, float]:
        lat, his = [], []
        for e in ids:
            t = time.perf_counter()
            scoring.latest_score(store, e)
            lat.append(time.perf_counter() - t)
            t = time.perf_counter()
            scoring.history(store, e)
            his.append(time.perf_counter() - t)
        return pct(lat, 0.5), pct(lat, 0.99), pct(his, 0.5), pct(his, 0.99)

    timed()
    few = timed()
    with store.transaction(hooks=False) as con:
        for k in range(max(0, snapshots - have)):
            sid = f"{latest['snapshot_id']}-copy{k}"
            con.execute(
                "INSERT INTO scores SELECT ? AS snapshot_id, * EXCLUDE (snapshot_id) FROM scores WHERE snapshot_id = ?",
                [sid, latest["snapshot_id"]],
            )
            con.execute(
                "INSERT INTO snapshots SELECT ?, as_of, created_at - INTERVAL (?) SECOND, engine, scorecards, scored, "
                "insufficient FROM snapshots WHERE snapshot_id = ?",
                [sid, k + 1, latest["snapshot_id"]],
            )

    rows = store.count("scores")
    timed()
    indexed = timed()
    with store.transaction(hooks=False) as con:
        con.execute("DROP INDEX scores_entity")
    timed()
    scan = timed()
    return {
        "few": few,
        "few_snapshots": have,
        "snapshots": store.scalar("SELECT count(*) FROM snapshots"),
        "score_rows": rows,
        "indexed": indexed,
        "scan": scan,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", required=True, help="a workspace (e.g. ./demo-workspace); a copy is used")
    ap.add_argument("--entities", type=int, default=300, help="random entities timed")
    ap.add_argument("--snapshots", type=int, default=24, help="snapshots for the history reads")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="credence-serving-") as tmp:
        root = Path(tmp) / "ws"
        shutil.copytree(args.workspace, root)
        ws = open_workspace(root)
        ids = [r["entity_id"] for r in ws.store.query("SELECT DISTINCT entity_id FROM entities ORDER BY 1")]
        ids = random.Random(args.seed).sample(ids, min(args.entities, len(ids)))
        n = ws.store.count("entities")
        print(f"workspace {args.workspace}: {n:,} entities, {ws.store.count('events'):,} events", flush=True)
        c = current_scores(ws, ids)
        print(
            f"current scores: compile {c['compile_s']:.1f} s, day's rebuild {c['rebuild_s']:.1f} s; "
            f"served p50 {c['served_p50_ms']:.2f} ms p99 {c['served_p99_ms']:.2f} ms vs score_entity "
            f"p50 {c['online_p50_ms']:.1f} ms p99 {c['online_p99_ms']:.1f} ms "
            f"({c['online_p50_ms'] / c['served_p50_ms']:.0f}x at p50) over {c['entities']} entities; "
            f"mismatches {c['mismatches']}",
            flush=True,
        )
        print(
            f"a write: ingest of one event incl. its re-score {c['ingest_one_event_s'] * 1000:.0f} ms; "
            f"served after it identical to fresh: {c['after_write_identical']}",
            flush=True,
        )
        h = history_reads(ws, ids[:100], args.snapshots)
        (li50, li99, hi50, hi99), (ls50, ls99, hs50, hs99) = h["indexed"], h["scan"]
        f = h["few"]
        print(
            f"history reads, {h['few_snapshots']} snapshots, indexed, p50/p99 ms: latest_score {f[0]:.2f}/{f[1]:.2f}, "
            f"history {f[2]:.2f}/{f[3]:.2f}",
            flush=True,
        )
        print(
            f"history reads, {h['snapshots']} snapshots ({h['score_rows']:,} score rows), p50/p99 ms: "
            f"latest_score {li50:.2f}/{li99:.2f} indexed vs {ls50:.2f}/{ls99:.2f} scan; "
            f"history {hi50:.2f}/{hi99:.2f} indexed vs {hs50:.2f}/{hs99:.2f} scan",
            flush=True,
        )
        ws.close()


if __name__ == "__main__":
    main()
