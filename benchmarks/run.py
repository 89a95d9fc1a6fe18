"""Credence speed benchmarks: one command, one table. Not part of the test suite.

    .venv/bin/python benchmarks/run.py                      # everything, 1M / 10M / 100M events
    .venv/bin/python benchmarks/run.py --sizes 1e6,1e7      # smaller
    .venv/bin/python benchmarks/run.py --only a,d           # some sections

Sections (each a ratio measured in one run on the same data; see benchmarks/README.md):
    a  population scoring vs the engine's bare GROUP BY (count, sum per entity), per size   target <= 2x
    b  feature-table scoring, SQL core vs optbinning Scorecard.score(), 1M rows              target >= 20x
    c  ingest (CSV, Parquet) vs DuckDB's own read of the same file                           target >= 0.5x
    d  one-entity score latency, smallest vs largest store up to 10M events                  target < 2x
    e  peak memory of population scoring at the largest size (100M events / 10M entities)   must finish
    f  Spark local[1] vs local[2] throughput, and the cluster for 1.3 billion entities monthly

Every heavy step runs in a child process, so its peak memory (ru_maxrss) is its own. Results are also
written as JSON to <workdir>/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

AS_OF = "2026-01-01"
HERE = Path(__file__).resolve().parent


# ------------------------------------------------------------------------------------------ child steps
def step_generate(store_path: str, events: int, entities: int) -> dict:
    from credence.generators import synthetic
    from credence.store import Store

    t0 = time.perf_counter()
    with Store(store_path) as store:
        with store.transaction() as con:
            load = synthetic.generate(con, events=events, entities=entities, seed=1, as_of=AS_OF)
        store.con.execute("CHECKPOINT")
    return {"events": load.events, "entities": load.entities, "seconds": time.perf_counter() - t0}


def _timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def step_population(store_path: str, repeat: int) -> dict:
    """(a) bare GROUP BY vs full scoring, same store, same effective events; results written to tables.

    Also the stages between them, for the profile: the engine's own cost of the same number of aggregates
    with trivial conditions (``floor``), the card's real aggregation alone (``aggregate``), and the SQLGlot
    compile of the population query (Python, once per run).
    """
    from credence.services.scoring import distinct_cards, score_population
    from credence.sql.compiler import population_query
    from credence.store import Store
    from credence.workspace import DEFAULT_CONFIG, Workspace

    with Store(store_path) as store:
        ws = Workspace(Path(store_path).parent, dict(DEFAULT_CONFIG), store)
        cards = ws.scorecards
        con = store.con
        n = con.execute("SELECT count(*) FROM effective_events").fetchone()[0]
        as_of = datetime.fromisoformat(AS_OF)

        t0 = time.perf_counter()
        query = population_query([c.restrict(k) for c, k in distinct_cards(cards)], as_of=as_of)
        t_compile = time.perf_counter() - t0
        shared = [c for c in query.args["with_"].expressions if c.alias in ("event_types", "ev", "agg")]
        n_aggregates = len(shared[-1].this.expressions) - 1  # all but entity_id
        stage = "WITH " + ", ".join(f"{c.alias} AS ({c.this.sql('duckdb')})" for c in shared) + " SELECT * FROM agg"
        trivial = ", ".join(f"count(CASE WHEN amount > {k} THEN 1 END)" for k in range(n_aggregates - 2))

        def table(sql):
            return lambda: con.execute(f"CREATE OR REPLACE TABLE bench_stage AS {sql}")

        bare = table("SELECT entity_id, count(*) AS n, sum(amount) AS s FROM effective_events GROUP BY entity_id")
        floor = table(f"SELECT entity_id, count(*), sum(amount), {trivial} FROM effective_events GROUP BY entity_id")
        snaps = []

        def score():
            snaps.append(score_population(ws, as_of=as_of))

        t_bare = _timed(bare, repeat)
        t_floor = _timed(floor, repeat)
        t_aggregate = _timed(table(stage), repeat)
        t_score = _timed(score, repeat)
        t_bare = min(t_bare, _timed(bare, 1))  # bracket the scoring: the machine is shared and noisy
        con.execute("DROP TABLE bench_stage")
        snap = snaps[-1]
        # keep the store small for the next steps: only the last snapshot stays
        con.execute("DELETE FROM scores WHERE snapshot_id <> ?", [snap.snapshot_id])
        con.execute("DELETE FROM snapshots WHERE snapshot_id <> ?", [snap.snapshot_id])
        return {
            "effective_events": n,
            "aggregates": n_aggregates,
            "bare_s": t_bare,
            "floor_s": t_floor,
            "aggregate_s": t_aggregate,
            "compile_s": t_compile,
            "score_s": t_score,
            "scored": snap.scored,
            "insufficient": snap.insufficient,
            "ratio": t_score / t_bare,
        }


def step_latency(store_path: str, queries: int) -> dict:
    """(d) score_entity on random entities: median and p95 latency (after one warm-up)."""
    from credence.services.scoring import score_entity
    from credence.store import Store
    from credence.workspace import DEFAULT_CONFIG, Workspace

    with Store(store_path) as store:
        ws = Workspace(Path(store_path).parent, dict(DEFAULT_CONFIG), store)
        ids = [
            r[0]
            for r in store.con.execute(
                f"SELECT entity_id FROM entities USING SAMPLE {queries + 1} ROWS (reservoir, 7)"
            ).fetchall()
        ]
        score_entity(ws, ids[0], as_of=datetime.fromisoformat(AS_OF))
        times = []
        for eid in ids[1:]:
            t0 = time.perf_counter()
            score_entity(ws, eid, as_of=datetime.fromisoformat(AS_OF))
            times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))],
        "queries": len(times),
    }


def step_optbinning(rows: int, workdir: str) -> dict:
    """(b) a learned feature-table card: optbinning Scorecard.score() vs the compiled SQL on the same rows."""
    import duckdb
    import numpy as np
    import pandas as pd
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    from credence.learning.convert import card_from_model
    from credence.sql.compiler import compile_scorecard

    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.6, rows),
            "debt_ratio": rng.beta(2, 5, rows),
            "months_employed": rng.integers(0, 400, rows).astype(float),
            "open_loans": rng.poisson(2, rows).astype(float),
            "late_payments": rng.poisson(0.7, rows).astype(float),
            "savings": rng.exponential(5000, rows),
            "housing": rng.choice(["rent", "own", "mortgage", "other"], rows, p=[0.4, 0.2, 0.35, 0.05]),
            "purpose": rng.choice(["car", "education", "household", "business", "other"], rows),
        }
    )
    df.loc[rng.random(rows) < 0.03, "savings"] = np.nan
    logit = (
        -1.5
        - 0.6 * (np.log(df["income"]) - 10)
        + 2.5 * df["debt_ratio"]
        - 0.003 * df["months_employed"]
        + 0.5 * df["late_payments"]
        + 0.3 * (df["housing"] == "rent")
    )
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    variables = list(df.columns)
    fit_rows = min(rows, 100_000)
    model = Scorecard(
        binning_process=BinningProcess(variables, categorical_variables=["housing", "purpose"]),
        estimator=LogisticRegression(),
        scaling_method="min_max",
        scaling_method_params={"min": 350, "max": 950},
    )
    model.fit(df.iloc[:fit_rows], y[:fit_rows])
    card = card_from_model(model, card_id="bench-learned", id_column="row_id")
    df["row_id"] = np.arange(rows)

    t0 = time.perf_counter()
    opt = np.asarray(model.score(df[variables]), dtype=float)
    t_opt = time.perf_counter() - t0

    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count() or 1}")
    con.register("features_df", df)
    con.execute("CREATE TABLE features AS SELECT * FROM features_df")
    # Like for like: optbinning's score() gives scores only, so the timed SQL is the score-only form of the
    # same compiled card (reasons=False); the checked run below adds every feature's points.
    sql_df = compile_scorecard(card, table="features_df", reasons=False)
    sql_tbl = compile_scorecard(card, table="features", reasons=False)

    def run(sql):
        return con.execute(f"SELECT entity_id, score FROM ({sql})").fetchnumpy()

    t_sql_df = _timed(lambda: run(sql_df), 2)
    t_sql_tbl = _timed(lambda: run(sql_tbl), 2)
    checked = compile_scorecard(card, table="features", detail=True)
    out = con.execute(f"SELECT entity_id, score, total_points FROM ({checked}) ORDER BY entity_id").fetchnumpy()
    same_points = bool(np.allclose(out["total_points"], opt, rtol=0, atol=1e-9))
    same_scores = bool(np.array_equal(out["score"].astype(float), np.clip(np.floor(opt + 0.5), 350, 950)))
    return {
        "rows": rows,
        "optbinning_s": t_opt,
        "sql_from_dataframe_s": t_sql_df,
        "sql_from_table_s": t_sql_tbl,
        "speedup": t_opt / t_sql_df,
        "speedup_table": t_opt / t_sql_tbl,
        "same_points": same_points,
        "same_scores": same_scores,
        "features": len(card.features),
    }


def step_ingest(entities: int, workdir: str) -> dict:
    """(c) ingest_files on CSV and Parquet vs DuckDB's own CREATE TABLE AS read_csv / read_parquet."""
    import duckdb

    from credence.domain.catalogue import default_catalogue
    from credence.generators.simulate import simulate
    from credence.services.ingest import ingest_files
    from credence.store import Store

    root = Path(workdir) / "ingest"
    shutil.rmtree(root, ignore_errors=True)
    sim = simulate(root / "sim", entities=entities, months=24, seed=5, as_of=datetime(2026, 1, 1))
    one = root / "events.parquet"
    csv = root / "events.csv"
    c = duckdb.connect()
    c.execute(f"COPY (SELECT * FROM read_parquet('{sim.events_dir}/*.parquet')) TO '{one}' (FORMAT parquet)")
    c.execute(f"COPY (SELECT * FROM read_parquet('{one}')) TO '{csv}' (FORMAT csv, HEADER)")
    rows = c.execute(f"SELECT count(*) FROM read_parquet('{one}')").fetchone()[0]
    c.close()
    out = {"rows": rows}
    for fmt, path, reader in (("parquet", one, "read_parquet"), ("csv", csv, "read_csv")):
        store_path = root / f"store-{fmt}.duckdb"
        with Store(store_path) as store:
            ingest_files(store, [sim.providers_path, sim.entities_path], catalogue=default_catalogue())
            t0 = time.perf_counter()
            reports = ingest_files(store, [path], catalogue=default_catalogue())
            t_ingest = time.perf_counter() - t0
            accepted = sum(getattr(r, "accepted", 0) for r in reports)
        raw_path = root / f"raw-{fmt}.duckdb"
        con = duckdb.connect(str(raw_path))
        t0 = time.perf_counter()
        con.execute(f"CREATE TABLE raw AS SELECT * FROM {reader}('{path}')")
        con.execute("CHECKPOINT")
        t_raw = time.perf_counter() - t0
        con.close()
        out[fmt] = {
            "ingest_s": t_ingest,
            "duckdb_read_s": t_raw,
            "accepted": accepted,
            "ingest_rows_per_s": rows / t_ingest,
            "duckdb_rows_per_s": rows / t_raw,
            "relative_speed": t_raw / t_ingest,
        }
    return out


def step_spark(export_dir: str, cores: int) -> dict:
    """(f) score both expert cards on Spark local[cores] from the Parquet export, writing Parquet."""
    from credence.domain.scorecard import load_scorecard
    from credence.engines import spark as se
    from credence.engines.parquet import open_export

    export = open_export(export_dir)
    t0 = time.perf_counter()
    spark = se.session(f"local[{cores}]", driver_memory="3g", shuffle_partitions=max(4, 2 * export.buckets))
    startup = time.perf_counter() - t0
    se.register(spark, export)
    t0 = time.perf_counter()
    for name, kinds in (("person-expert", ("person",)), ("business-expert", ("business", "institution"))):
        card = load_scorecard(name).restrict(kinds)
        se.write_scores(spark, card, Path(export_dir) / "bench-out" / name, as_of=AS_OF)
    seconds = time.perf_counter() - t0
    spark.stop()
    return {
        "cores": cores,
        "events": export.events,
        "entities": export.entities,
        "seconds": seconds,
        "startup_s": startup,
        "events_per_s": export.events / seconds,
    }


def step_export(store_path: str, out_dir: str) -> dict:
    from credence.engines.parquet import export_parquet
    from credence.store import Store

    with Store(store_path) as store:
        e = export_parquet(store, out_dir)
    return {"events": e.events, "entities": e.entities, "buckets": e.buckets, "seconds": e.seconds}


STEPS = {
    "generate": step_generate,
    "population": step_population,
    "latency": step_latency,
    "optbinning": step_optbinning,
    "ingest": step_ingest,
    "spark": step_spark,
    "export": step_export,
}


# ------------------------------------------------------------------------------------------ driver
def child(step: str, *args, cpus: int | None = None) -> dict:
    """Run one step in a fresh interpreter; return its JSON result plus its peak RSS in MB.

    ``cpus`` pins the step (and the JVM it starts) to that many cores with ``taskset``: Spark's ``local[1]``
    otherwise also gets the other core for its JIT compiler and garbage collector threads.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", step, *[str(a) for a in args]]
    if cpus and shutil.which("taskset") and cpus <= (os.cpu_count() or 1):
        cmd = ["taskset", "-c", f"0-{cpus - 1}", *cmd]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"step {step} {args} failed:\n{stderr[-4000:]}")
    line = [x for x in stdout.splitlines() if x.startswith("RESULT ")][-1]
    result = json.loads(line[len("RESULT ") :])
    result["wall_s"] = time.perf_counter() - t0
    return result


def child_main(step: str, args: list[str]) -> None:
    import resource

    conv = [int(float(a)) if a.replace(".", "").replace("e", "").isdigit() else a for a in args]
    result = STEPS[step](*conv)
    # peak RSS of this process, plus the JVM it may have started (Spark runs in a child JVM)
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["peak_rss_mb"] = round(max(me, kids), 1)
    result["peak_rss_python_mb"] = round(me, 1)
    result["peak_rss_children_mb"] = round(kids, 1)
    print("RESULT " + json.dumps(result), flush=True)


def human(n: float) -> str:
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= div:
            return f"{n / div:g}{unit}"
    return f"{n:g}"


def machine() -> dict:
    mem = 0
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb

    try:
        import pyspark

        spark_version = pyspark.__version__
    except ModuleNotFoundError:
        spark_version = None
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pyspark": spark_version,
        "os": platform.platform(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e6,1e7,1e8", help="event counts for (a), (d), (e); entities = events/10")
    ap.add_argument("--only", default="a,b,c,d,e,f", help="sections to run")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "credence-bench"))
    ap.add_argument("--repeat", type=int, default=2, help="repetitions (best of) for sizes up to 10M")
    ap.add_argument("--optbinning-rows", default="1e6")
    ap.add_argument("--ingest-entities", default="1e5", help="simulated entities for (c) (~1M events)")
    ap.add_argument("--latency-queries", type=int, default=40)
    ap.add_argument("--spark-events", default="1e7", help="events for (f) (one of --sizes, or generated)")
    ap.add_argument("--keep", action="store_true", help="keep the generated stores for a re-run")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1:])
        return

    only = set(args.only.split(","))
    sizes = sorted(int(float(s)) for s in args.sizes.split(","))
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(), "started": datetime.now().isoformat(timespec="seconds"), "sizes": {}}
    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)  # noqa: E731

    def store_for(n: int) -> Path:
        path = work / f"store-{human(n)}.duckdb"
        if not path.exists():
            log(f"generating {human(n)} events / {human(n // 10)} entities")
            results["sizes"].setdefault(str(n), {})["generate"] = child("generate", path, n, n // 10)
        return path

    if only & {"a", "d", "e"}:
        for n in sizes:
            path = store_for(n)
            entry = results["sizes"].setdefault(str(n), {})
            if "a" in only or ("e" in only and n == sizes[-1]):
                log(f"(a) population scoring at {human(n)} events")
                entry["population"] = child("population", path, args.repeat if n <= 10_000_000 else 1)
            if "d" in only and n <= 10_000_000:
                log(f"(d) one-entity latency at {human(n)} events")
                entry["latency"] = child("latency", path, args.latency_queries)
    if "b" in only:
        log("(b) optbinning Scorecard.score() vs SQL")
        results["optbinning"] = child("optbinning", int(float(args.optbinning_rows)), work)
    if "c" in only:
        log("(c) ingest vs DuckDB read")
        results["ingest"] = child("ingest", int(float(args.ingest_entities)), work)
    if "f" in only:
        n = int(float(args.spark_events))
        path = store_for(n)
        export_dir = work / f"parquet-{human(n)}"
        log(f"(f) exporting {human(n)} events to Parquet")
        results["spark_export"] = child("export", path, export_dir)
        results["spark"] = []
        for cores in (1, 2):
            log(f"(f) Spark local[{cores}]")
            results["spark"].append(child("spark", export_dir, cores, cpus=cores))
        shutil.rmtree(export_dir, ignore_errors=True)
    (work / "results.json").write_text(json.dumps(results, indent=2))
    print(render(results))
    if not args.keep:
        for p in work.glob("store-*.duckdb*"):
            p.unlink()


# ------------------------------------------------------------------------------------------ report
def render(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"Machine: {m['cpus']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}, "
        f"DuckDB {m['duckdb']}, PySpark {m['pyspark']}",
        "",
    ]
    rows: list[tuple[str, str, str, str]] = []
    sizes = r.get("sizes", {})
    for n, e in sorted(sizes.items(), key=lambda kv: int(kv[0])):
        p = e.get("population")
        if p:
            rows.append(
                (
                    f"(a) score vs bare GROUP BY, {human(int(n))} events",
                    f"{p['score_s']:.2f}s vs {p['bare_s']:.2f}s",
                    f"{p['ratio']:.2f}x",
                    "<= 2x " + ("met" if p["ratio"] <= 2 else "MISSED"),
                )
            )
            if "floor_s" in p:
                rows.append(
                    (
                        f"    stages at {human(int(n))}: {p['aggregates']} aggregates, trivial / real",
                        f"{p['floor_s']:.2f}s / {p['aggregate_s']:.2f}s",
                        f"{p['floor_s'] / p['bare_s']:.1f}x / {p['aggregate_s'] / p['bare_s']:.1f}x",
                        f"compile {p['compile_s']:.2f}s",
                    )
                )
    b = r.get("optbinning")
    if b:
        rows.append(
            (
                f"(b) SQL vs optbinning score(), {human(b['rows'])} rows",
                f"{b['sql_from_dataframe_s']:.2f}s vs {b['optbinning_s']:.2f}s",
                f"{b['speedup']:.1f}x faster",
                ">= 20x "
                + ("met" if b["speedup"] >= 20 else "MISSED")
                + f"; identical scores: {b['same_scores']}, points: {b['same_points']}",
            )
        )
    c = r.get("ingest")
    if c:
        for fmt in ("csv", "parquet"):
            x = c[fmt]
            rows.append(
                (
                    f"(c) ingest {fmt} vs DuckDB read, {human(c['rows'])} rows",
                    f"{x['ingest_s']:.2f}s vs {x['duckdb_read_s']:.2f}s",
                    f"{x['relative_speed']:.2f}x its speed",
                    ">= 0.5x " + ("met" if x["relative_speed"] >= 0.5 else "MISSED"),
                )
            )
    lat = [(int(n), e["latency"]) for n, e in sizes.items() if e.get("latency")]
    if lat:
        lat.sort()
        for n, x in lat:
            rows.append(
                (
                    f"(d) one-entity latency, {human(n)} events",
                    f"median {x['median_ms']:.1f} ms",
                    f"p95 {x['p95_ms']:.1f} ms",
                    "",
                )
            )
        if len(lat) > 1:
            g = lat[-1][1]["median_ms"] / lat[0][1]["median_ms"]
            rows.append(
                (
                    f"(d) latency growth {human(lat[0][0])} -> {human(lat[-1][0])}",
                    "",
                    f"{g:.2f}x",
                    "< 2x " + ("met" if g < 2 else "MISSED"),
                )
            )
    if sizes:
        n, e = max(sizes.items(), key=lambda kv: int(kv[0]))
        p = e.get("population")
        if p:
            rows.append(
                (
                    f"(e) peak memory scoring {human(int(n))} events / {human(int(n) // 10)} entities",
                    f"{p['peak_rss_mb'] / 1024:.1f} GB",
                    f"{p['score_s'] / 60:.1f} min",
                    "finished",
                )
            )
    sp = r.get("spark")
    if sp:
        one, two = sp[0], sp[1]
        rows.append(
            (
                f"(f) Spark local[1] vs local[2], {human(one['events'])} events",
                f"{one['seconds']:.1f}s vs {two['seconds']:.1f}s",
                f"{two['events_per_s'] / one['events_per_s']:.2f}x",
                f"{one['events_per_s'] / 1e3:.0f}k events/s per core",
            )
        )
        rate = one["events_per_s"]
        per_entity = one["events"] / one["entities"]
        for epe in (per_entity, 100):
            total = 1.3e9 * epe
            core_hours = total / rate / 3600
            rows.append(
                (
                    f"(f) 1.3B entities x {epe:.0f} events, monthly",
                    f"{core_hours:,.0f} core-hours",
                    f"{core_hours / 6:,.0f} cores for a 6 h run",
                    "from the local[1] rate",
                )
            )
    w = [max(len(x[i]) for x in rows) for i in range(4)] if rows else [0] * 4
    head = ("benchmark", "measured", "ratio", "target")
    w = [max(w[i], len(head[i])) for i in range(4)]
    fmt = "  ".join(f"{{:<{x}}}" for x in w)
    lines += [fmt.format(*head), fmt.format(*["-" * x for x in w])] + [fmt.format(*x) for x in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    main()
