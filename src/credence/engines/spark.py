"""Apache Spark engine: the same compiled scoring query, on a Parquet export of the store.

``credence score --engine spark [--master URL]`` calls :func:`score_with_spark`:

1. export the store's effective events and entities to Parquet (``credence.engines.parquet``);
2. start a SparkSession (``local[*]`` unless a master URL is given; session time zone UTC, so TIMESTAMP
   comparisons and DATE casts agree with DuckDB), register the export as the temp views
   ``effective_events`` and ``entities``;
3. run ``compile_scorecard(card, dialect="spark")`` with ``spark.sql`` once per scorecard, and let Spark
   write the scores as Parquet (nothing of the population passes through the Python driver);
4. load those files into the store's ``scores`` table with a ``snapshots`` row (``engine='spark'``), in one
   DuckDB transaction: the whole snapshot lands or none of it.

pyspark is an optional dependency (``pip install 'credence[spark]'``); it needs Java 17 or newer.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from credence.domain.catalogue import Catalogue
from credence.domain.scorecard import Scorecard
from credence.engines.parquet import Export, export_parquet, open_export
from credence.errors import ConfigError, CredenceError
from credence.sql.compiler import compile_scorecard

NAME = "spark"
DIALECT = "spark"
DEFAULT_MASTER = "local[*]"

Progress = Callable[[str], None]


def _pyspark():
    try:
        import pyspark.sql
    except ModuleNotFoundError:
        raise ConfigError(
            "the Spark engine needs pyspark", fix="pip install 'credence[spark]' (and Java 17+)"
        ) from None
    return pyspark.sql


def session(
    master: str | None = None,
    *,
    app_name: str = "credence",
    driver_memory: str | None = None,
    shuffle_partitions: int | None = None,
    conf: dict | None = None,
):
    """A SparkSession for scoring: UTC session time zone, no UI, quiet logs.

    ``master`` is a Spark master URL (``local[*]``, ``local[2]``, ``spark://host:7077``, ``yarn``...).
    ``driver_memory`` only takes effect if this call starts the JVM.
    """
    sql = _pyspark()
    builder = (
        sql.SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.parquet.compression.codec", "zstd")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
    )
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for k, v in (conf or {}).items():
        builder = builder.config(k, str(v))
    try:
        spark = builder.getOrCreate()
    except Exception as e:  # JVM missing or unreachable master: one clear line, not a py4j trace
        raise ConfigError(
            f"cannot start Spark ({master or DEFAULT_MASTER}): {str(e).splitlines()[0]}",
            fix="install Java 17+ (JAVA_HOME) and check the --master URL",
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    _quiet_codegen(spark)
    return spark


def _quiet_codegen(spark) -> None:
    """The final projection (four reasons, each a CASE over every feature's words) can exceed the JVM's 64 KB
    method limit in whole-stage code generation; Spark then falls back to evaluating that stage without it
    (same results) but logs the generated source at ERROR. That is expected here, so it is not logged."""
    try:
        jvm = spark.sparkContext._jvm
        jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
            "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator", jvm.org.apache.logging.log4j.Level.OFF
        )
    except Exception:  # a remote (Connect) session or another logging backend: keep the log as it is
        pass


def register(spark, export: Export | str | Path) -> Export:
    """Register an export as the temp views ``effective_events`` and ``entities``."""
    if not isinstance(export, Export):
        export = open_export(export)
    spark.read.parquet(str(export.path / "events")).createOrReplaceTempView("effective_events")
    spark.read.parquet(export.entities_file).createOrReplaceTempView("entities")
    return export


def scores_frame(
    spark, card: Scorecard, *, as_of: datetime | str, catalogue: Catalogue | None = None, detail: bool = False
):
    """The scoring query of ``card`` as a Spark DataFrame over the registered views (lazy)."""
    sql = compile_scorecard(card, dialect=DIALECT, as_of=as_of, catalogue=catalogue, detail=detail)
    return spark.sql(sql)


def score(
    spark, card: Scorecard, *, as_of: datetime | str, catalogue: Catalogue | None = None, detail: bool = False
) -> pa.Table:
    """Score every entity of ``card``'s kinds over the registered views; collected as Arrow (small data)."""
    return scores_frame(spark, card, as_of=as_of, catalogue=catalogue, detail=detail).toArrow()


def write_scores(
    spark, card: Scorecard, out_dir: str | Path, *, as_of: datetime | str, catalogue: Catalogue | None = None
) -> Path:
    """Score and let Spark write the result as Parquet files into ``out_dir`` (for populations)."""
    out = Path(out_dir)
    scores_frame(spark, card, as_of=as_of, catalogue=catalogue).write.mode("overwrite").parquet(str(out))
    return out


def score_with_spark(
    ws,
    cards: dict[str, Scorecard] | None = None,
    as_of: datetime | str | None = None,
    master: str | None = None,
    progress: Progress | None = None,
    *,
    spark=None,
    export_dir: str | Path | None = None,
    keep_export: bool = True,
):
    """Score the workspace's population on Spark and append the snapshot to its store (``engine='spark'``).

    ``cards`` maps entity kind -> scorecard (default: the workspace's); ``as_of`` defaults to now; ``master``
    is the Spark master URL (default ``local[*]``). ``progress`` gets one line per step. ``spark`` reuses a
    running session (it is then not stopped). The Parquet export is kept in ``export_dir`` (default
    ``<workspace>/exports/parquet``) for inspection and re-runs unless ``keep_export`` is false.
    Returns a ``credence.services.scoring.Snapshot``.
    """
    from credence.services.scoring import (
        SCORE_COLUMNS,
        Snapshot,
        band_counts,
        distinct_cards,
        parse_time,
        restrict,
        utcnow,
        workspace_catalogue,
        workspace_scorecards,
    )

    say = progress or (lambda _msg: None)
    store = ws.store
    cards = cards if cards is not None else workspace_scorecards(ws)
    if not cards:
        raise ConfigError("no scorecards are configured", fix="set 'scorecards' in credence.yaml")
    catalogue = workspace_catalogue(ws)
    as_of = parse_time(as_of)
    snapshot_id = f"S{as_of:%Y%m%d}-{uuid.uuid4().hex[:8]}"
    export_path = Path(export_dir) if export_dir else ws.root / "exports" / "parquet"

    say(f"exporting effective events to Parquet in {export_path}")
    export = export_parquet(store, export_path)
    say(f"exported {export.events:,} events of {export.entities:,} entities in {export.buckets} buckets")

    own_session = spark is None
    if own_session:
        say(f"starting Spark ({master or DEFAULT_MASTER})")
        spark = session(master, shuffle_partitions=max(8, export.buckets * 2))
    results = Path(tempfile.mkdtemp(prefix=f"scores-{snapshot_id}-", dir=export_path))
    try:
        register(spark, export)
        written: list[tuple[Scorecard, Path]] = []
        for card, kinds in distinct_cards(cards):
            say(f"scoring {', '.join(kinds)} with {card.ref} on Spark")
            out = write_scores(
                spark, restrict(card, kinds), results / f"card{len(written)}", as_of=as_of, catalogue=catalogue
            )
            written.append((card, out))
        say("writing the snapshot into the store")
        refs = {kind: card.ref for kind, card in cards.items()}
        cols = ", ".join(SCORE_COLUMNS[2:])
        with store.transaction() as con:
            for card, out in written:
                if not any(out.glob("*.parquet")):
                    continue  # no entity of these kinds: Spark wrote no part file
                con.execute(
                    f"INSERT INTO scores SELECT ? AS snapshot_id, entity_id, kind, ?::TIMESTAMP AS as_of, "
                    f"? AS scorecard, {cols} FROM read_parquet(?)",
                    [snapshot_id, as_of, card.ref, str(out / "*.parquet")],
                )
            scored, insufficient = con.execute(
                "SELECT count(score), count(*) - count(score) FROM scores WHERE snapshot_id = ?", [snapshot_id]
            ).fetchone()
            con.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, 'spark', ?, ?, ?)",
                [snapshot_id, as_of, utcnow(), json.dumps(refs), scored, insufficient],
            )
    except CredenceError:
        raise
    except Exception as e:
        raise CredenceError(
            f"Spark scoring failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}",
            fix="see the Spark log; the store is unchanged",
        ) from e
    finally:
        shutil.rmtree(results, ignore_errors=True)
        if own_session:
            spark.stop()
        if not keep_export:
            shutil.rmtree(export_path, ignore_errors=True)
    say(f"snapshot {snapshot_id}: {scored:,} scored, {insufficient:,} with insufficient data")
    return Snapshot(snapshot_id, as_of, "spark", scored, insufficient, band_counts(store, snapshot_id))


def java_available() -> bool:
    """Whether a Java runtime is on the machine (Spark's only system requirement)."""
    if os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java").exists():
        return True
    return shutil.which("java") is not None
