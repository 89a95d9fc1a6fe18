"""Apache Spark engine: the same compiled scoring query, on a Parquet export of the store.

``credence score --engine spark [--master URL]`` goes through ``score_population`` (which owns the snapshot)
to :func:`population`:

1. export the store's effective events and entities to Parquet (``credence.engines.parquet``);
2. start a SparkSession (``local[*]`` unless a master URL is given; session time zone UTC, so TIMESTAMP
   comparisons and DATE casts agree with DuckDB), register the export as the temp views
   ``effective_events`` and ``entities``;
3. run each card's statement (compiled in the Spark dialect by the orchestration) with ``spark.sql``, and
   let Spark write the scores as Parquet (nothing of the population passes through the Python driver);
4. hand those files back as one ``read_parquet`` relation; ``score_population`` loads them into ``scores``
   with the ``snapshots`` row (``engine='spark'``) in one DuckDB transaction.

pyspark is an optional dependency (``pip install 'credence[spark]'``); it needs Java 17 or newer.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from credence.domain.catalogue import Catalogue
from credence.domain.scorecard import Scorecard
from credence.engines.base import Rows, Statement
from credence.engines.parquet import Export, export_parquet, open_export
from credence.errors import ConfigError, CredenceError
from credence.sql.compiler import compile_scorecard

NAME = "spark"
DIALECT = "spark"
ONE_STATEMENT = False  # one statement per card, each written as Parquet
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
    if not java_available():  # say so before pyspark's "Java gateway process exited"
        raise ConfigError(
            "cannot start Spark: no Java runtime (no java on PATH, no JAVA_HOME)",
            field="engine",
            fix=JAVA_FIX,
        )
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


@contextlib.contextmanager
def population(
    ws,
    statements: list[Statement],
    *,
    as_of: datetime,
    master: str | None = None,
    progress: Progress | None = None,
    spark=None,
    export_dir: str | Path | None = None,
    keep_export: bool = True,
) -> Iterator[Rows]:
    """Run each card's statement on Spark over a Parquet export of ``ws``'s store; yield the Parquet it wrote.

    ``master`` is the Spark master URL (default ``local[*]``); ``spark`` reuses a running session (it is then
    not stopped); ``progress`` gets one line per step. The export is kept in ``export_dir`` (default
    ``<workspace>/exports/parquet``) for inspection and re-runs unless ``keep_export`` is false. The scores'
    Parquet files live until the caller has read them (the end of the ``with`` block).
    """
    say = progress or (lambda _msg: None)
    export_path = Path(export_dir) if export_dir else ws.root / "exports" / "parquet"
    say(f"exporting effective events to Parquet in {export_path}")
    export = export_parquet(ws.store, export_path)
    say(f"exported {export.events:,} events of {export.entities:,} entities in {export.buckets} buckets")
    own_session = spark is None
    if own_session:
        say(f"starting Spark ({master or DEFAULT_MASTER})")
        spark = session(master, shuffle_partitions=max(8, export.buckets * 2))
    results = Path(tempfile.mkdtemp(prefix="scores-", dir=export_path))
    try:
        register(spark, export)
        parts = []
        for i, statement in enumerate(statements):
            say(f"scoring with {statement.scorecard} on Spark")
            out = results / f"card{i}"
            spark.sql(statement.sql).write.mode("overwrite").parquet(str(out))
            if any(out.glob("*.parquet")):  # no entity of these kinds: Spark wrote no part file
                parts.append(
                    f"SELECT '{statement.scorecard}' AS scorecard, * FROM read_parquet('{out.as_posix()}/*.parquet')"
                )
        say("writing the snapshot into the store")
        yield Rows(f"({' UNION ALL BY NAME '.join(parts)})" if parts else None)
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


JAVA_FIX = "install Java 17+ (Debian: apt-get install default-jre-headless; ./dev test does it) or set JAVA_HOME"


def java_available() -> bool:
    """Whether a Java runtime is on the machine (Spark's only system requirement)."""
    if os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java").exists():
        return True
    return shutil.which("java") is not None
