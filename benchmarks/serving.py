"""Served score in process (issue 11): ``current_score`` vs ``score_entity``, and flat history reads.

    python benchmarks/serving.py --workspace demo-workspace          # after `credence demo` (200,000 entities)
    python benchmarks/serving.py --workspace WS --entities 300 --snapshots 24

On a copy of the workspace (the original is not touched):

1. Current scores: the table is brought up to date (timed: the day's rebuild), then warm, for the same random
   entities, ``serving.current_score`` (served from ``current_scores``, two passes) then ``scoring.score_entity``
   (the SQL online path, one pass, at the served row's time) -- p50/p99 of each in the same run, and whether
   every served score, band, dimension points and reasons equal the fresh ones. Also one re-score of a small
   touched set in a write transaction (an ingest of one event) -- the cost a write pays.
2. History reads (``store/history.py``: by entity, through an index): ``latest_score`` and ``history`` of random
   entities at the workspace's snapshots, then with ``scores`` filled to ``--snapshots`` snapshots (copies of
   the latest snapshot's rows under new ids and older times: the rows a store holds after that many
   population runs), and the ratio of the two (flat = 1x). Beside them, on ``--old-entities`` entities, the
   queries they replaced (one entity's rows out of every snapshot's), and whether both give the same rows.
   Also the writes: the history rebuilt from every row, one snapshot's history write at that size,
   and the first read after opening the store.

3. ``--only day``: ``--readers`` threads read served scores while the clock is set past midnight, once with
   nothing prepared (the day's first read runs the population statement; the others compute online while it
   runs) and once with ``NextDay`` as ``credence serve`` runs it (tomorrow's rows prepared ahead, brought in by
   its thread at midnight while the reads race it): the reads' latency in the ``--day-seconds`` after the turn, how many went online, and
   whether 50 served scores equal fresh ones after it.

4. ``--only rescore``: a write that touches ``--touch`` fractions of the entities (one event each, ingested
   with the serving hook detached, so the marks wait), then the re-score of those entities in one transaction,
   as served (``Serving.settle``: fresh rows into a temporary table, the differing rows updated in place) and,
   on another set of the same size, as it was written before (the marked rows deleted, the fresh ones
   inserted): the transaction's statements and COMMIT, and the slowest of the reads a concurrent reader makes
   every 5 ms on its own cursor meanwhile (DuckDB removes deleted rows from the table's index at COMMIT,
   holding its transaction lock: every read waits).

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
from credence.store import history, queries
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
    # Served reads in passes of their own: right after a parallel DuckDB query (the online path) the next
    # query of any cursor waits for DuckDB's worker threads (SELECT 1 took ~20 ms after score_entity on the
    # loaded machine, 1.5 ms with threads=1), which alternating would charge to the served read.
    # The first pass reads each row from the store (current_scores); the second finds it in the process's
    # served-row cache (kept until the next write), so the two are reported apart.
    store_reads, cached_reads, online, mismatches = [], [], [], 0
    rows = {}
    for served in (store_reads, cached_reads):
        for e in ids:
            t = time.perf_counter()
            rows[e] = serving.current_score(ws, e)
            served.append(time.perf_counter() - t)
    for e in ids:
        t = time.perf_counter()
        b = scoring.score_entity(ws, e, as_of=rows[e]["as_of"], detail=False)
        online.append(time.perf_counter() - t)
        mismatches += key(rows[e]) != key(b)
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
        "served_p50_ms": pct(store_reads, 0.5),
        "served_p99_ms": pct(store_reads, 0.99),
        "cached_p50_ms": pct(cached_reads, 0.5),
        "cached_p99_ms": pct(cached_reads, 0.99),
        "online_p50_ms": pct(online, 0.5),
        "online_p99_ms": pct(online, 0.99),
        "mismatches": mismatches,
        "ingest_one_event_s": write_s,
        "after_write_identical": key(after) == key(fresh),
        "settles": serving.attach(ws).settles,
    }


def rescore(ws, fractions: list[float]) -> list[dict]:
    """The re-score of a touched set, as served and as before, with a concurrent reader (part 4)."""
    import threading

    import pyarrow as pa

    from credence.store.current import PENDING_TABLE, ROW_SQL, SCORE_TABLE

    s = serving.attach(ws)
    serving.refresh(ws)
    sql = s.statements()
    persons = [r["entity_id"] for r in ws.store.query("SELECT entity_id FROM entities ORDER BY hash(entity_id)")]
    provider = ws.store.scalar("SELECT provider_id FROM events WHERE type = 'purchase' LIMIT 1")
    used = 0

    def touch(ids: list[str]) -> None:  # one purchase each, committed with its marks left pending
        now = utcnow() - timedelta(hours=1)
        table = pa.table(
            {
                "provider_id": [provider] * len(ids),
                "event_id": [f"bench-rescore-{time.time_ns()}-{i}" for i in range(len(ids))],
                "entity_id": ids,
                "occurred_at": [now] * len(ids),
                "type": ["purchase"] * len(ids),
                "amount": [1250.0] * len(ids),
            }
        )
        serving.detach(ws)
        ingest_records(ws.store, table, catalogue=ws.catalogue)
        serving.attach(ws)

    def as_before(con) -> None:  # the statements this replaced (services/serving.py before session 7)
        con.execute(f"DELETE FROM {SCORE_TABLE} WHERE entity_id IN (SELECT entity_id FROM {PENDING_TABLE})")
        con.execute(
            f"INSERT INTO {SCORE_TABLE} (entity_id, kind, as_of, scorecard, score, band, served) "
            f"{serving._ROWS_OF}({sql.pending})",
            {"as_of": utcnow()},
        )
        con.execute(f"DELETE FROM {PENDING_TABLE}")

    def timed(write) -> dict:
        reads, stop = [], threading.Event()

        def reader() -> None:
            cur = ws.store.con.cursor()
            while not stop.is_set():
                t = time.perf_counter()
                cur.execute(ROW_SQL, [persons[len(reads) % len(persons)]]).fetchall()
                reads.append(time.perf_counter() - t)
                time.sleep(0.005)
            cur.close()

        thread = threading.Thread(target=reader)
        thread.start()
        time.sleep(0.2)
        pending = ws.store.scalar(f"SELECT count(*) FROM {PENDING_TABLE}")
        con = ws.store.con.cursor()
        con.execute("BEGIN TRANSACTION")
        t = time.perf_counter()
        write(con)
        statements = time.perf_counter() - t
        con.execute("COMMIT")
        commit = time.perf_counter() - t - statements
        con.close()
        time.sleep(0.2)
        stop.set()
        thread.join()
        return {
            "pending": pending,
            "statements_s": statements,
            "commit_s": commit,
            "slowest_read_ms": max(reads) * 1000,
        }

    sizes = [max(1, min(int(f * len(persons)), len(persons) // 2)) for f in fractions]
    out = [{"touched": n} for n in sizes]
    # every size as served first, then as before: a deleted row's index entry may be removed after its COMMIT (by
    # the next transaction to end), which must not be charged to the served runs
    for name, write in (("served", lambda con: s.settle(con)), ("before", as_before)):
        for row in out:
            n = row["touched"]
            if used + n > len(persons):
                used = 0  # sets may repeat (each is touched by new events)
            touch(persons[used : used + n])
            used += n
            with ws.store.write_lock:
                row[name] = timed(write)
    for row in out:
        print(
            f"re-score of {row['served']['pending']:,} / {row['before']['pending']:,} marked entities: as served "
            f"{row['served']['statements_s']:.2f} s + COMMIT {row['served']['commit_s']:.3f} s, slowest concurrent "
            f"read {row['served']['slowest_read_ms']:.1f} ms; as before (delete + insert) "
            f"{row['before']['statements_s']:.2f} s + COMMIT {row['before']['commit_s']:.3f} s, slowest read "
            f"{row['before']['slowest_read_ms']:.1f} ms",
            flush=True,
        )
    return out


class Clock:
    """A settable clock for the serving layer (the day's turn is driven, not waited for)."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def day_turn(ws, ids: list[str], readers: int, seconds: float, prepare: bool) -> dict:
    """Reads by ``readers`` threads across midnight: the clock is set past it while they read, with or without
    ``NextDay`` (what ``credence serve`` runs: tomorrow's rows prepared 30 minutes before midnight, brought in
    by its thread at midnight, racing the reads). Latency of the reads in the ``seconds`` after the turn, the first read's, and how many went
    to the online path; then whether the rows served after the turn equal fresh computations."""
    import threading

    today = utcnow().replace(hour=23, minute=40, second=0, microsecond=0) - timedelta(days=1)
    clock = Clock(today)
    s = serving.attach(ws, clock=clock)
    serving.refresh(ws, today)
    for e in ids[:5]:
        serving.current_score(ws, e)
    prepare_s, job = None, None
    if prepare:  # as credence serve does it: NextDay prepares 30 minutes ahead and brings the day in at midnight
        from credence.services.next_day import NextDay

        job = NextDay(ws, clock=clock)
        t = time.perf_counter()
        job.step()
        prepare_s = time.perf_counter() - t
        assert job.prepared is not None
    before = (s.rebuilds, s.brought_in)
    stop, turned, lat = threading.Event(), threading.Event(), []
    online = {"n": 0}
    real_online = serving._online

    def counted(*a, **kw):
        online["n"] += 1
        return real_online(*a, **kw)

    def read(k: int) -> None:
        rnd = random.Random(k)
        while not stop.is_set():
            e = rnd.choice(ids)
            t = time.perf_counter()
            serving.current_score(ws, e)
            if turned.is_set():
                lat.append((t, time.perf_counter() - t))

    serving._online = counted
    threads = [threading.Thread(target=read, args=(k,)) for k in range(readers)]
    try:
        for th in threads:
            th.start()
        time.sleep(1.0)  # reading today's rows
        clock.now = today.replace(hour=0, minute=0, second=0, microsecond=1000) + timedelta(days=1)
        t0 = time.perf_counter()
        turned.set()
        if job is not None:  # its thread wakes at midnight, as the reads notice the new day
            threading.Thread(target=job.step).start()
        time.sleep(seconds)
        stop.set()
        for th in threads:
            th.join()
    finally:
        serving._online = real_online
    first = min(lat)[1] if lat else float("nan")
    mismatches = 0
    for e in ids[:50]:
        row = serving.current_score(ws, e)
        mismatches += key(row) != key(scoring.score_entity(ws, e, as_of=clock.now, detail=False))
    xs = [d for _, d in lat]
    slowest_after = max((t - t0 + d for t, d in lat), default=float("nan"))  # when the last slow read ended
    return {
        "prepared": prepare,
        "prepare_s": prepare_s,
        "reads": len(xs),
        "p50_ms": pct(xs, 0.5),
        "p99_ms": pct(xs, 0.99),
        "max_ms": max(xs) * 1000,
        "first_ms": first * 1000,
        "online": online["n"],
        "rebuilds": s.rebuilds - before[0],
        "brought_in": s.brought_in - before[1],
        "mismatches_of_50": mismatches,
        "window_s": slowest_after,
    }


def report_day(d: dict) -> None:
    how = f"prepared ahead in {d['prepare_s']:.1f} s (writes wait meanwhile)" if d["prepared"] else "not prepared"
    print(
        f"the day's turn, {how}: {d['reads']:,} reads in the window; p50 {d['p50_ms']:.2f} ms, p99 {d['p99_ms']:.1f} "
        f"ms, slowest {d['max_ms']:.0f} ms; {d['online']} computed online; population runs {d['rebuilds']}, "
        f"prepared rows brought in {d['brought_in']}; mismatches {d['mismatches_of_50']} of 50",
        flush=True,
    )


OLD_LATEST = (  # the queries history reads replaced (issue 11, V5): one entity's rows out of every snapshot's
    "WITH s AS MATERIALIZED (SELECT * FROM scores WHERE entity_id = ?) SELECT s.* FROM s "
    "JOIN snapshots n USING (snapshot_id) ORDER BY n.created_at DESC, s.as_of DESC LIMIT 1"
)
OLD_HISTORY = (
    "WITH s AS MATERIALIZED (SELECT * FROM scores WHERE entity_id = ?) SELECT s.as_of, s.score, s.band, "
    "s.scorecard, s.snapshot_id, n.created_at FROM s JOIN snapshots n USING (snapshot_id) ORDER BY n.created_at, s.as_of"
)


def _timed(store, ids: list[str], latest, hist) -> dict:
    lat, his = [], []
    for e in ids:
        t = time.perf_counter()
        latest(store, e)
        lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        hist(store, e)
        his.append(time.perf_counter() - t)
    return {"latest": (pct(lat, 0.5), pct(lat, 0.99)), "history": (pct(his, 0.5), pct(his, 0.99))}


def _reads(store, ids: list[str], old_ids: list[str]) -> dict:
    """p50/p99 of the keyed reads (``store.queries``), then of the replaced scan queries (fewer entities)."""
    _timed(store, ids[:10], queries.latest_score, queries.score_history)  # warm
    keyed = _timed(store, ids, queries.latest_score, queries.score_history)
    old = _timed(store, old_ids, lambda s, e: s.query(OLD_LATEST, [e]), lambda s, e: s.query(OLD_HISTORY, [e]))
    same = sum(
        queries.score_history(store, e) == store.query(OLD_HISTORY, [e])
        and queries.latest_score(store, e) == (store.query(OLD_LATEST, [e]) or [None])[0]
        for e in old_ids
    )
    return {"keyed": keyed, "old": old, "identical": same, "compared": len(old_ids)}


def history_reads(ws, ids: list[str], snapshots: int, old_entities: int) -> dict:
    """Keyed history reads at the workspace's snapshots and at ``snapshots`` (copies of the latest snapshot's
    rows under new ids and older creation times: the rows a store holds after that many population runs)."""
    store = ws.store
    if queries.latest_snapshot(store) is None:
        scoring.score_population(ws)
    latest = queries.latest_snapshot(store)
    have = store.scalar("SELECT count(*) FROM snapshots")
    few = _reads(store, ids, ids[:old_entities])
    few["snapshots"], few["rows"] = have, store.count("scores")
    copies = [f"{latest['snapshot_id']}-copy{k}" for k in range(max(0, snapshots - have))]

    def copy(con, k: int, sid: str) -> None:
        con.execute(
            "INSERT INTO scores SELECT ? AS snapshot_id, * EXCLUDE (snapshot_id) FROM scores WHERE snapshot_id = ?",
            [sid, latest["snapshot_id"]],
        )
        con.execute(
            "INSERT INTO snapshots SELECT ?, as_of, created_at - INTERVAL (?) SECOND, engine, scorecards, scored, "
            "insufficient FROM snapshots WHERE snapshot_id = ?",
            [sid, k + 1, latest["snapshot_id"]],
        )

    t = time.perf_counter()
    with store.transaction(hooks=False) as con:
        for k, sid in enumerate(copies[:-1]):
            copy(con, k, sid)
        history.rebuild(con)  # from every stored row
    rebuild_s = time.perf_counter() - t
    add_s = 0.0
    if copies:  # the last one as a population run adds it: the cost one snapshot pays at this size
        with store.transaction(hooks=False) as con:
            copy(con, len(copies) - 1, copies[-1])
            t = time.perf_counter()
            history.add_snapshot(con, copies[-1])
            add_s = time.perf_counter() - t
    many = _reads(store, ids, ids[:old_entities])
    many["snapshots"], many["rows"] = store.scalar("SELECT count(*) FROM snapshots"), store.count("scores")
    root = ws.root
    ws.close()  # the first read after opening: no index to load
    ws = open_workspace(root)
    t = time.perf_counter()
    queries.latest_score(ws.store, ids[-1])
    first_s = time.perf_counter() - t
    ws.close()
    return {"few": few, "many": many, "rebuild_s": rebuild_s, "add_snapshot_s": add_s, "first_read_s": first_s}


def _line(r: dict) -> str:
    k, o = r["keyed"], r["old"]
    return (
        f"{r['snapshots']} snapshots ({r['rows']:,} score rows), p50/p99 ms: keyed latest {k['latest'][0]:.2f}/"
        f"{k['latest'][1]:.2f}, history {k['history'][0]:.2f}/{k['history'][1]:.2f}; replaced scan latest "
        f"{o['latest'][0]:.1f}/{o['latest'][1]:.1f}, history {o['history'][0]:.1f}/{o['history'][1]:.1f}; "
        f"identical {r['identical']}/{r['compared']}"
    )


def report_current(c: dict) -> None:
    print(
        f"current scores: compile {c['compile_s']:.1f} s, day's rebuild {c['rebuild_s']:.1f} s; "
        f"served from the store p50 {c['served_p50_ms']:.2f} ms p99 {c['served_p99_ms']:.2f} ms "
        f"(again, from the process cache: p50 {c['cached_p50_ms']:.3f} ms) vs score_entity "
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", required=True, help="a workspace (e.g. ./demo-workspace); a copy is used")
    ap.add_argument("--entities", type=int, default=300, help="random entities timed")
    ap.add_argument("--snapshots", type=int, default=24, help="snapshots for the history reads")
    ap.add_argument("--old-entities", type=int, default=20, help="entities timed on the replaced scan queries")
    ap.add_argument("--only", choices=("current", "history", "day", "rescore"), help="run one of the parts")
    ap.add_argument(
        "--touch", type=float, nargs="+", default=[0.01, 0.1, 0.5], help="rescore: fractions of entities touched"
    )
    ap.add_argument("--readers", type=int, default=4, help="day: threads reading across midnight")
    ap.add_argument("--day-seconds", type=float, default=8.0, help="day: seconds of reads after midnight")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="credence-serving-") as tmp:
        root = Path(tmp) / "ws"
        shutil.copytree(args.workspace, root)
        ws = open_workspace(root)
        t = time.perf_counter()
        version = ws.store.schema_version()  # opening migrates an older store (V7 builds entity_scores)
        opened_s = time.perf_counter() - t
        ids = [r["entity_id"] for r in ws.store.query("SELECT DISTINCT entity_id FROM entities ORDER BY 1")]
        ids = random.Random(args.seed).sample(ids, min(args.entities, len(ids)))
        n = ws.store.count("entities")
        print(
            f"workspace {args.workspace}: {n:,} entities, {ws.store.count('events'):,} events; opened (migrated to "
            f"schema {version}) in {opened_s:.1f} s",
            flush=True,
        )
        if args.only == "day":
            for prepare in (False, True):  # one turn without, one with the next day prepared ahead
                report_day(day_turn(ws, ids, args.readers, args.day_seconds, prepare))
            ws.close()
            return
        if args.only == "rescore":
            rescore(ws, args.touch)
            ws.close()
            return
        if args.only != "history":
            report_current(current_scores(ws, ids))
        if args.only == "current":
            ws.close()
            return
        h = history_reads(ws, ids[:100], args.snapshots, args.old_entities)
        few, many = h["few"], h["many"]
        print(f"history reads, {_line(few)}", flush=True)
        print(f"history reads, {_line(many)}", flush=True)
        print(
            f"p50 at {many['snapshots']} / at {few['snapshots']} snapshots: keyed latest "
            f"{many['keyed']['latest'][0] / few['keyed']['latest'][0]:.2f}x, history "
            f"{many['keyed']['history'][0] / few['keyed']['history'][0]:.2f}x; replaced scan latest "
            f"{many['old']['latest'][0] / few['old']['latest'][0]:.1f}x, history "
            f"{many['old']['history'][0] / few['old']['history'][0]:.1f}x",
            flush=True,
        )
        print(
            f"writes: rebuild from every row {h['rebuild_s']:.1f} s; one snapshot's history write at "
            f"{many['snapshots']} snapshots {h['add_snapshot_s']:.1f} s; first read after opening "
            f"{h['first_read_s'] * 1000:.1f} ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
