"""Exported SQL on DuckDB, PostgreSQL, ClickHouse (chdb) and SQLite: the same population, side by side.

    nice .venv/bin/python benchmarks/warehouses.py                     # 1M events / 100k entities
    nice .venv/bin/python benchmarks/warehouses.py --events 1e5 --engines duckdb,postgres

One synthetic store (``generators/synthetic.py``: the same generator as ``benchmarks/run.py``), as of
2026-01-01. Each engine is loaded with the store's ``effective_events`` and ``entities`` (load time
reported apart), then runs the query ``credence export-sql`` prints for each shipped card in its dialect;
the time is the whole query with every row fetched into Python, the best of ``--repeat`` runs. Every
engine's rows are checked equal to DuckDB's (score, band, dimension points, reasons). Not a test: figures
go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from credence.domain.catalogue import DIMENSIONS
from credence.domain.scorecard import SHIPPED, load_scorecard
from credence.engines.warehouses import open_warehouse
from credence.generators import synthetic
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

    def cpu_seconds(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def close(self) -> None:
        self.con.close()


def best(engine, sql: str, repeat: int) -> tuple[list[dict], float, float]:
    """The rows, and the best wall and CPU seconds of ``repeat`` runs (CPU: the engine's, every thread)."""
    walls, cpus, rows = [], [], []
    for _ in range(repeat):
        cpu, started = engine.cpu_seconds(), time.perf_counter()
        rows = engine.rows(sql)
        walls.append(time.perf_counter() - started)
        cpus.append(engine.cpu_seconds() - cpu)
    return rows, min(walls), min(cpus)


def key(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(r[k] for k in FIELDS) for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, default=1e6)
    ap.add_argument("--entities", type=float, default=None, help="default: events / 10")
    ap.add_argument("--engines", default="duckdb,postgres,clickhouse,sqlite")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--store", type=Path, default=None, help="an existing store (e.g. a workspace's credence.duckdb)")
    ap.add_argument("--as-of", default=None, help="with --store: the as-of time (default 2026-01-01)")
    args = ap.parse_args()
    events = int(args.events)
    entities = int(args.entities or events // 10)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="credence-wh-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = args.store or work / f"store-{events}.duckdb"
    as_of = datetime.fromisoformat(args.as_of) if args.as_of else AS_OF
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
                sql = compile_scorecard(card, dialect=engine.dialect, as_of=as_of)
                rows, secs, cpu = best(engine, sql, args.repeat)
                got = key(rows)
                same = reference.setdefault(card.ref, got) == got
                out["cards"][card.ref] = {
                    "seconds": round(secs, 2),
                    "cpu_seconds": round(cpu, 2),
                    "rows": len(rows),
                    "equal_to_duckdb": same,
                }
                print(
                    f"{name:10s} {card.ref:20s} {secs:8.2f} s wall {cpu:8.2f} s CPU {len(rows):>7,} rows  "
                    f"equal: {same}",
                    flush=True,
                )
        finally:
            engine.close()
        out["total_s"] = round(sum(c["seconds"] for c in out["cards"].values()), 2)
        out["total_cpu_s"] = round(sum(c["cpu_seconds"] for c in out["cards"].values()), 2)
        results[name] = out
        print(f"{name:10s} load {load:.1f} s, both cards {out['total_s']:.2f} s", flush=True)
    con.close()
    load_avg = os.getloadavg()[0]
    summary = {"events": n_events, "entities": n_entities, "as_of": str(as_of), "load": load_avg, "engines": results}
    (work / "warehouses.json").write_text(json.dumps(summary, indent=2))
    duck = results.get("duckdb", {})
    print(f"\nload average at the end: {load_avg:.1f} (2 cores)")
    head = " | ".join(f"{c.ref} wall / CPU" for c in cards)
    print(f"\n| engine | load the data | {head} | both cards wall / CPU | vs DuckDB (wall, CPU) | rows equal |")
    print("|---|---|" + "---|" * len(cards) + "---|---|---|")
    for name, r in results.items():
        per = " | ".join(
            f"{r['cards'][c.ref]['seconds']:.2f} s / {r['cards'][c.ref]['cpu_seconds']:.2f} s" for c in cards
        )
        ratio = (
            f"{r['total_s'] / duck['total_s']:.1f}×, {r['total_cpu_s'] / duck['total_cpu_s']:.1f}×"
            if duck.get("total_s") and duck.get("total_cpu_s")
            else ""
        )
        equal = all(c["equal_to_duckdb"] for c in r["cards"].values())
        both = f"{r['total_s']:.2f} s / {r['total_cpu_s']:.2f} s"
        print(f"| {name} | {r['load_s']:.1f} s | {per} | {both} | {ratio} | {equal} |")
    print(f"\nresults: {work / 'warehouses.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
