"""Export the store to Parquet for engines that run beside it (Spark, or another warehouse).

Layout of an export directory::

    manifest.json                    what was exported, when, row counts, bucket count
    entities.parquet                 entity_id, kind (nothing else: an engine needs no names)
    events/bucket=NNN/*.parquet      the *effective* events (superseded and disputed ones already removed),
                                     only the columns scoring reads, sorted by entity_id, occurred_at

**Why hash buckets of entity_id, not months.** Scoring is a GROUP BY entity over an entity's whole history
(tenure and serious delinquencies look back up to 10 years), so a month layout would scatter each entity
over ~120 directories, every scoring job would read all of them anyway, and every engine would have to
shuffle all events to bring an entity together. With ``bucket = hash(entity_id) % N`` each entity's
complete history lives in exactly one bucket: buckets can be scored independently (one task per bucket,
memory bounded by the bucket, not the population), files stay a few million rows each, and within a bucket
rows are sorted by entity_id so Parquet row-group statistics let a reader skip to one entity. Month
partitions would only pay off for incremental, window-only features, which the scorecards do not have.

The export is a snapshot: it applies the store's ``effective_events`` view (corrections, disputes) at the
time of export, so an engine never needs the dispute and correction tables.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from credence.errors import ConfigError
from credence.store import Store
from credence.store.schema import EVENT_FACT_COLUMNS

ROWS_PER_BUCKET = 4_000_000  # a bucket is one Spark task: a few million rows keeps tasks ~seconds long
MAX_BUCKETS = 1024
MANIFEST = "manifest.json"


@dataclass
class Export:
    path: Path
    events: int
    entities: int
    buckets: int
    seconds: float

    @property
    def events_glob(self) -> str:
        return str(self.path / "events" / "*" / "*.parquet")

    @property
    def entities_file(self) -> str:
        return str(self.path / "entities.parquet")

    def to_dict(self) -> dict:
        return {**self.__dict__, "path": str(self.path)}


def default_buckets(n_events: int) -> int:
    return max(1, min(MAX_BUCKETS, math.ceil(n_events / ROWS_PER_BUCKET)))


def export_parquet(
    store: Store,
    out_dir: str | Path,
    *,
    buckets: int | None = None,
    events: str = "effective_events",
    overwrite: bool = True,
) -> Export:
    """Write the store's effective events (hash-bucketed by entity) and entities as Parquet into ``out_dir``."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ConfigError(f"{out} is not empty", fix="choose an empty directory or allow overwriting")
        if not (out / MANIFEST).exists():
            raise ConfigError(
                f"{out} is not empty and is not a Credence Parquet export",
                fix="choose an empty directory; only a previous export is ever replaced",
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    con = store.cursor()
    try:
        n_events = int(con.execute(f"SELECT count(*) FROM {events}").fetchone()[0])
        n = buckets or default_buckets(n_events)
        cols = ", ".join(EVENT_FACT_COLUMNS)
        events_dir = (out / "events").as_posix()
        if n_events == 0:  # PARTITION_BY writes nothing for no rows; readers still need the schema
            (out / "events" / "bucket=0").mkdir(parents=True)
            con.execute(
                f"COPY (SELECT {cols} FROM {events} LIMIT 0) "
                f"TO '{_quote(events_dir)}/bucket=0/data_0.parquet' (FORMAT parquet)"
            )
        else:
            con.execute(
                f"COPY (SELECT {cols}, CAST(hash(entity_id) % {int(n)} AS INTEGER) AS bucket FROM {events} "
                f"ORDER BY bucket, entity_id, occurred_at) "
                f"TO '{_quote(events_dir)}' (FORMAT parquet, PARTITION_BY (bucket), COMPRESSION zstd, "
                f"ROW_GROUP_SIZE 122880, OVERWRITE_OR_IGNORE true)"
            )
        n_entities = int(con.execute("SELECT count(DISTINCT entity_id) FROM entities").fetchone()[0])
        con.execute(
            "COPY (SELECT entity_id, max(kind) AS kind FROM entities GROUP BY entity_id ORDER BY entity_id) "
            f"TO '{_quote((out / 'entities.parquet').as_posix())}' (FORMAT parquet, COMPRESSION zstd)"
        )
    finally:
        con.close()
    result = Export(out, n_events, n_entities, n, round(time.perf_counter() - t0, 3))
    (out / MANIFEST).write_text(json.dumps({"format": "credence-parquet/1", **result.to_dict()}, indent=2))
    return result


def open_export(path: str | Path) -> Export:
    p = Path(path)
    try:
        m = json.loads((p / MANIFEST).read_text())
    except FileNotFoundError:
        raise ConfigError(
            f"{p} is not a Credence Parquet export (no {MANIFEST})", fix="run 'credence export-parquet --out DIR' first"
        ) from None
    return Export(p, m["events"], m["entities"], m["buckets"], m["seconds"])


def _quote(path: str) -> str:
    return path.replace("'", "''")
