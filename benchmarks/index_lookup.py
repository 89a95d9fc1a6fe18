"""Whether ``current_scores`` keeps its index (issue 11): one served row read with and without it.

    python benchmarks/index_lookup.py --workspace demo-workspace     # after `credence demo` (200,000 entities)

On a copy of the store file (the workspace is not touched), for the same random entities, p50/p99 of the served
read (``store/current.py``'s ``ROW_SQL``): with the index, then with the scan form the served path falls back to
when the index misses (``ROW_SCAN_SQL``), then with the index dropped (an equality filter on a table scan).
Each in a pass of its own, after a warm-up. Not a test: figures for docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from credence.store.current import INDEX, ROW_SCAN_SQL, ROW_SQL, SCORE_TABLE


def timed(cur: duckdb.DuckDBPyConnection, sql: str, ids: list[str]) -> tuple[float, float]:
    for e in ids[:20]:
        cur.execute(sql, [e]).fetchone()
    times = []
    for e in ids:
        t = time.perf_counter()
        found = cur.execute(sql, [e]).fetchone()
        times.append(time.perf_counter() - t)
        assert found is not None, e
    times.sort()
    return times[len(times) // 2] * 1000, times[min(len(times) - 1, int(0.99 * len(times)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", required=True, help="a workspace whose current scores are computed")
    ap.add_argument("--entities", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="credence-index-") as tmp:
        path = Path(tmp) / "credence.duckdb"
        shutil.copyfile(Path(args.workspace) / "credence.duckdb", path)
        con = duckdb.connect(str(path))
        rows = con.execute(f"SELECT count(*) FROM {SCORE_TABLE}").fetchone()[0]
        ids = [r[0] for r in con.execute(f"SELECT entity_id FROM {SCORE_TABLE}").fetchall()]
        ids = random.Random(args.seed).sample(ids, min(args.entities, len(ids)))
        cur = con.cursor()
        figures = {"index": timed(cur, ROW_SQL, ids), "scan fallback (index kept)": timed(cur, ROW_SCAN_SQL, ids)}
        con.execute(f"DROP INDEX {INDEX}")
        figures["no index (equality, table scan)"] = timed(cur, ROW_SQL, ids)
        con.close()
    print(f"{SCORE_TABLE}: {rows:,} rows, {len(ids)} random entities, DuckDB {duckdb.__version__}")
    for name, (p50, p99) in figures.items():
        print(f"  {name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
