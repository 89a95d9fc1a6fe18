"""Exported SQL on DuckDB, PostgreSQL, ClickHouse (chdb) and SQLite: the same population, side by side.

    nice .venv/bin/python benchmarks/warehouses.py                     # 1M events / 100k entities
    nice .venv/bin/python benchmarks/warehouses.py --events 1e5 --engines duckdb,postgres

One synthetic store (``engines/synthetic.py``: the same generator as ``benchmarks/run.py``), as of
2026-01-01. Each engine is loaded with the store's ``effective_events`` and ``entities`` (load time
reported apart), then runs the query ``credence export-sql`` prints for each shipped card in its dialect;
the time is the whole query with every row fetched into Python, the best of ``--repeat`` runs. Every
engine's rows are checked equal to DuckDB's (score, band, dimension points, reasons). Not a test: figures
go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from credence.domain.catalogue import DIMENSIONS
from credence.domain.scorecard import SHIPPED, load_scorecard
from credence.engines import synthetic
from credence.engines.warehouses import open_warehouse
from credence.sql.compiler import MAX_REASONS, compile_scorecard
from credence.store import Store

AS_OF = datetime(2026, 1, 1)
FIELDS = (
    ["entity_id", "score", "band"]
    + [f"points_{d}" for d in DIMENSIONS]
    + [f"reason{k}_{p}" for k in range(1, MAX_REASONS + 1) for p in ("code", "text")]
)


class DuckDBEngine:
    name = dialect = "duckdb"

    def __init__(self, path: Path):
        self.con = duckdb.connect(str(path), read_only=True)

    def rows(self, sql: str) -> list[dict]:
        return self.con.execute(sql).to_arrow_table().to_pylist()

    def close(self) -> None:
        self.con.close()


def best(run, repeat: int) -> tuple[list[dict], float]:
    times, rows = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
    return rows, min(times)


def key(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(r[k] for k in FIELDS) for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, default=1e6)
    ap.add_argument("--entities", type=float, default=None, help="default: events / 10")
    ap.add_argument("--engines", default="duckdb,postgres,clickhouse,sqlite")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    events = int(args.events)
    entities = int(args.entities or events // 10)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="credence-wh-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"store-{events}.duckdb"
    if not path.exists():
        store = Store(path)
        with store.transaction() as con:
            synthetic.generate(con, events=events, entities=entities, seed=16, as_of=AS_OF)
        store.close()
    con = duckdb.connect(str(path), read_only=True)
    n_events = con.execute("SELECT count(*) FROM effective_events").fetchone()[0]
    n_entities = con.execute("SELECT count(DISTINCT entity_id) FROM entities").fetchone()[0]
    print(f"{n_events:,} effective events, {n_entities:,} entities; {platform.processor() or platform.machine()}")

    cards = [load_scorecard(name) for name in SHIPPED]
    results: dict[str, dict] = {}
    reference: dict[str, list[tuple]] = {}
    for name in args.engines.split(","):
        started = time.perf_counter()
        engine = DuckDBEngine(path) if name == "duckdb" else open_warehouse(name)
        if name != "duckdb":
            engine.load(con)
        load = time.perf_counter() - started
        out = {"load_s": round(load, 2), "cards": {}}
        try:
            for card in cards:
                sql = compile_scorecard(card, dialect=engine.dialect, as_of=AS_OF)
                rows, secs = best(lambda sql=sql, engine=engine: engine.rows(sql), args.repeat)
                got = key(rows)
                same = reference.setdefault(card.ref, got) == got
                out["cards"][card.ref] = {"seconds": round(secs, 2), "rows": len(rows), "equal_to_duckdb": same}
                print(f"{name:10s} {card.ref:20s} {secs:8.2f} s  {len(rows):>7,} rows  equal: {same}", flush=True)
        finally:
            engine.close()
        out["total_s"] = round(sum(c["seconds"] for c in out["cards"].values()), 2)
        results[name] = out
        print(f"{name:10s} load {load:.1f} s, both cards {out['total_s']:.2f} s", flush=True)
    con.close()
    summary = {"events": n_events, "entities": n_entities, "as_of": str(AS_OF), "engines": results}
    (work / "warehouses.json").write_text(json.dumps(summary, indent=2))
    duck = results.get("duckdb", {}).get("total_s")
    print("\n| engine | load | " + " | ".join(c.ref for c in cards) + " | both cards | vs DuckDB | rows equal |")
    print("|---|---|" + "---|" * len(cards) + "---|---|---|")
    for name, r in results.items():
        per = " | ".join(f"{r['cards'][c.ref]['seconds']:.2f} s" for c in cards)
        ratio = f"{r['total_s'] / duck:.1f}×" if duck else ""
        equal = all(c["equal_to_duckdb"] for c in r["cards"].values())
        print(f"| {name} | {r['load_s']:.1f} s | {per} | {r['total_s']:.2f} s | {ratio} | {equal} |")
    print(f"\nresults: {work / 'warehouses.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
