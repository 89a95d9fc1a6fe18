"""Ingest: providers, entities and events from files (CSV, JSON Lines, Parquet) or API records.

Every submitted record is either stored or quarantined with its record number, field and reason, or
counted as a duplicate of one already stored (a no-op), so ``received == accepted + duplicates +
quarantined``. A file is one batch in one transaction: a crash leaves nothing of it, and running it
again is safe.

The work is columnar: a file is read by DuckDB (CSV as text, so a malformed value is caught per record),
checked by one SQL CASE chain over a whole chunk of rows (:mod:`credence.services.ingest_checks`) and stored
with ``INSERT ... SELECT``. Big inputs are processed in chunks of rows inside the one transaction.
"""

from __future__ import annotations

import csv
import glob
import gzip
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from credence.domain.catalogue import Catalogue
from credence.errors import ValidationError
from credence.services import ingest_checks as v
from credence.services import metrics
from credence.store import Store, current, supersessions
from credence.store.cache import INGEST

Progress = Callable[[int, int], None]
CHUNK_ROWS = 8_000_000
CSV_DIRECT_BYTES = 1 << 30
SAMPLES = 5
CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz")
JSON_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
_READ_ERRORS = (duckdb.IOException, duckdb.InvalidInputException)


@dataclass
class IngestReport:
    """What happened to one batch. ``received == accepted + duplicates + quarantined``."""

    batch_id: str
    source: str
    kind: str
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    sample_reasons: list[str] = field(default_factory=list)  # the first few: "record 3 (p1/e3): field ..."
    quarantined_fields: dict[str, int] = field(default_factory=dict, repr=False)  # for metrics, not reported

    def to_dict(self) -> dict:
        out = asdict(self)
        del out["quarantined_fields"]
        return out


@dataclass(frozen=True)
class Chunk:
    """A slice of the input: a FROM item, SQL for the 1-based record number, and its row count."""

    relation: str
    rn: str
    rows: int
    unnumbered: str | None = None  # the same rows without record numbers, when numbering costs (CSV)


@dataclass
class Source:
    """A staged input: its columns (SQL over each chunk's relation), chunks, and malformed-record SQL."""

    label: str
    columns: list[v.Column]
    chunks: list[Chunk]
    tabular: bool  # columns are fixed by a header/schema (not per-record JSON keys)
    whole: str  # a FROM item for all records at once (no record numbers needed), for the key check
    bad: str = "NULL::VARCHAR"  # SQL: why a record could not be read at all
    line: str = "NULL::VARCHAR"  # SQL: the raw text of such a record
    recheck: Callable[[duckdb.DuckDBPyConnection], Source | None] | None = None  # after the first read

    @property
    def total(self) -> int:
        return sum(c.rows for c in self.chunks)


# ------------------------------------------------------------------------------------------- public API
def ingest_files(
    store: Store,
    paths: str | Path | Iterable[str | Path],
    *,
    catalogue: Catalogue,
    kind: str | None = None,
    progress: Progress | None = None,
    submitted_by: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[IngestReport]:
    """Ingest files, each one batch (a directory or glob of Parquet parts is one batch).

    ``kind`` (events | entities | providers) is detected from the columns when None. ``progress`` is called
    with (rows done, rows in this batch) after each chunk.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    inputs = [item for p in paths for item in resolve(p)]
    return [
        _run_batch(
            store,
            label,
            opener,
            kind=kind,
            catalogue=catalogue,
            progress=progress,
            submitted_by=submitted_by,
            chunk_rows=chunk_rows,
        )
        for label, opener in inputs
    ]


def ingest_records(
    store: Store,
    records: list[dict] | pa.Table,
    *,
    kind: str = "events",
    source: str = "api",
    catalogue: Catalogue,
    submitted_by: str | None = None,
    allowed_provider: str | None = None,
) -> IngestReport:
    """Ingest one batch of records (dicts, or a pyarrow Table) from the HTTP API.

    With ``allowed_provider`` (a provider's API key) a record for another provider_id is quarantined.
    """
    lines = None if isinstance(records, pa.Table) else [json.dumps(r, default=str) for r in records]

    def opener(cur: duckdb.DuckDBPyConnection, chunk_rows: int) -> Source:
        if lines is None:
            return _arrow_source(cur, source, records)
        cur.register("__records_in", pa.table({"line": pa.array(lines, pa.string())}))
        cur.execute("CREATE OR REPLACE TEMP TABLE __lines AS SELECT line FROM __records_in")
        return _json_source(cur, source, chunk_rows)

    return _run_batch(
        store,
        source,
        opener,
        kind=kind,
        catalogue=catalogue,
        submitted_by=submitted_by,
        allowed_provider=allowed_provider,
    )


# ------------------------------------------------------------------------------------------ the batch
def _run_batch(
    store: Store,
    label: str,
    opener: Callable,
    *,
    kind: str | None,
    catalogue: Catalogue,
    progress: Progress | None = None,
    submitted_by: str | None = None,
    allowed_provider: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> IngestReport:
    """Stage, validate and store one batch in one transaction."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.transaction(touches=INGEST) as cur:  # cached keys, grants and subscriptions stay valid
        cur.execute("SET TimeZone = 'UTC'")
        try:
            report = _run_checks(cur, label, opener, kind, catalogue, now, progress, allowed_provider, chunk_rows)
            if report.kind == "events" and report.accepted:
                supersessions.record(cur, "e.batch_id = ?", [report.batch_id])
            if report.kind in ("events", "entities") and report.accepted:
                current.mark(cur, *_touched(report))
        except _READ_ERRORS as e:
            raise ValidationError(
                f"cannot read {label}: {_first_line(e)}",
                fix="check that the file is complete and in the format its name says",
            ) from None
        cur.execute(
            "INSERT INTO batches (batch_id, kind, source, submitted_by, committed_at, received, accepted, duplicates, quarantined) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.batch_id,
                report.kind,
                label,
                submitted_by,
                _tick(None),
                report.received,
                report.accepted,
                report.duplicates,
                report.quarantined,
            ],
        )
    metrics.count_ingest(report.kind, report.accepted, report.duplicates, report.quarantined, report.quarantined_fields)
    return report


def _touched(report: IngestReport) -> tuple[str, list]:
    """The entities a batch touched (for ``current_scores``): its own, and those of the events it corrects."""
    if report.kind == "entities":
        return "SELECT entity_id FROM entities WHERE batch_id = ?", [report.batch_id]
    return (
        "SELECT entity_id FROM events WHERE batch_id = ? UNION SELECT x.entity_id FROM events x "
        "JOIN superseded_events s ON s.provider_id = x.provider_id AND s.event_id = x.event_id "
        "JOIN events c ON c.provider_id = s.provider_id AND c.event_id = s.superseded_by WHERE c.batch_id = ?",
        [report.batch_id, report.batch_id],
    )


def _run_checks(
    cur: duckdb.DuckDBPyConnection,
    label: str,
    opener: Callable,
    kind: str | None,
    catalogue: Catalogue,
    now: datetime,
    progress: Progress | None,
    allowed_provider: str | None,
    chunk_rows: int,
) -> IngestReport:
    """Read the input, pick the plan, and check and store it chunk by chunk."""
    src = opener(cur, chunk_rows)
    names = {c.name for c in src.columns}
    kind = kind or v.detect_kind(names, label)
    if kind not in v.PLANS:
        raise ValidationError(f"unknown kind '{kind}'", fix=f"use one of {', '.join(v.PLANS)}")
    if src.tabular:  # a header or schema must have every required column; JSON records are checked one by one
        v.require_columns(names, kind, src.label)
    # as the src layer of the check names them: __c0, __c1, ... (text trimmed, '' as NULL)
    named = {c.name: replace(c, sql=f"__c{i}", clean=c.is_text) for i, c in enumerate(src.columns)}
    ctx = v.Context(named, catalogue, now, allowed_provider, _table_columns(cur, "events"))
    _create_lookups(cur, ctx, kind)
    report = IngestReport(f"{kind}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", label, kind)
    record_copy = v.record_copy_sql(src.columns, v.withheld_labels(ctx, kind))
    src, unique_rows = _unique_keys(cur, ctx, kind, src, report.batch_id)
    if progress is not None:
        progress(0, max(src.total, unique_rows or 0))
    for chunk in src.chunks:
        ctx.stamp = _tick(ctx.stamp)
        rows = None if unique_rows is None else (unique_rows if len(src.chunks) == 1 else chunk.rows)
        _run_chunk(cur, ctx, kind, src, chunk, report, record_copy, rows)
        if progress is not None:
            progress(report.received, max(src.total, report.received))
    return report


def _tick(previous: datetime | None) -> datetime:
    """Now (naive UTC), strictly after ``previous``: each chunk's events carry their own ingested_at."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now if previous is None or now > previous else previous + timedelta(microseconds=1)


def _unique_keys(
    cur: duckdb.DuckDBPyConnection, ctx: v.Context, kind: str, src: Source, batch_id: str
) -> tuple[Source, int | None]:
    """Read every key of an events batch once: when none repeats (the usual case), the batch's record count.

    Then no record can duplicate another of the same batch, so the duplicate check looks only at events
    stored before it (skipping this batch's row groups), and chunks need no check of their own. Also the
    first read of a file: a CSV with malformed lines comes back staged.
    """
    stored = cur.execute("SELECT EXISTS (SELECT 1 FROM events)").fetchone()[0]
    ctx.duplicates_among = "" if stored else None
    plan = v.PLANS[kind](ctx)
    whole = Chunk(src.whole, "NULL::BIGINT", src.total)
    hashes = cur.execute(f"{_check(cur, plan, src, whole)} SELECT hash({', '.join(plan.key)}) AS h FROM p")
    hashes = hashes.fetchnumpy()["h"]
    rows = len(hashes)
    hashes.sort()  # sorting 8-byte hashes is cheaper than a distinct count in SQL; equal keys sit side by side
    repeats = bool((hashes[1:] == hashes[:-1]).any())
    del hashes
    if src.recheck is not None and (restaged := src.recheck(cur)) is not None:
        return _unique_keys(cur, ctx, kind, restaged, batch_id)
    if kind != "events" or repeats:  # a key may repeat: later chunks must see earlier chunks' inserts
        ctx.duplicates_among = ""
        return src, None
    ctx.duplicates_among = f"batch_id <> {v.lit(batch_id)}" if stored else None
    return src, rows


def _run_chunk(
    cur: duckdb.DuckDBPyConnection,
    ctx: v.Context,
    kind: str,
    src: Source,
    chunk: Chunk,
    report: IngestReport,
    record_copy: str,
    rows: int | None = None,
) -> None:
    """Check one chunk, store its good records and quarantine its bad ones, and count them.

    Fast path (events whose keys are known not to repeat: ``rows`` given, or checked here): good records go
    straight from the check into ``events``; only if some were not accepted is the check run again (this
    chunk's own inserts hidden) to keep the bad ones. Otherwise the checked chunk is materialised and the
    first good occurrence of a repeated key wins.
    """
    plan = v.PLANS[kind](ctx)
    fast = _check(cur, plan, src, chunk, numbered=False)  # record numbers are needed only to quarantine
    keys = ", ".join(plan.key)
    distinct = rows
    if rows is None:
        rows, distinct = cur.execute(f"{fast} SELECT count(*), count(DISTINCT hash({keys})) FROM p").fetchone()
    head = f"INSERT INTO {plan.target} ({', '.join([*plan.output, 'batch_id'])}) SELECT " + ", ".join(
        [*plan.output.values(), v.lit(report.batch_id)]
    )
    # Events and entities land clustered by entity: zone maps then let one entity's lookup (the online
    # path) skip the rest of the batch, so its cost does not grow with the store.
    order = f" ORDER BY {plan.output['entity_id']}" if "entity_id" in plan.output else ""
    if plan.fused and rows == distinct:
        accepted = cur.execute(f"{head} FROM ({fast} SELECT * FROM k WHERE __v IS NULL){order}").fetchone()[0]
        if accepted < rows:  # check again, without this chunk's own inserts, to quarantine the rest
            again = v.PLANS[kind](
                ctx.hiding(f"batch_id = {v.lit(report.batch_id)} AND ingested_at = {v.ts_sql(ctx.stamp)}")
            )
            cur.execute(v.materialise_sql(again, _check(cur, again, src, chunk), record_copy, "__v IS NOT NULL"))
            if kind == "events":
                _conflicts(cur, repeats=False)
    else:
        cur.execute(v.materialise_sql(plan, _check(cur, plan, src, chunk), record_copy))
        insert = f"{head} FROM __chk c"
        if rows != distinct:  # some key repeats in this chunk: the first good occurrence wins
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE __dup AS SELECT {keys}, min(__rn) AS __first FROM __chk "
                "WHERE __status IS NULL GROUP BY ALL HAVING count(*) > 1"
            )
            on = " AND ".join(f"c.{k} = d.{k}" for k in plan.key)
            insert += f" ANTI JOIN __dup d ON {on} AND c.__rn > d.__first"
        accepted = cur.execute(insert + " WHERE c.__status IS NULL" + order.replace("BY ", "BY c.")).fetchone()[0]
        if kind == "events" and accepted < rows:
            _conflicts(cur, repeats=rows != distinct)
    quarantined = 0 if accepted == rows else _quarantine(cur, plan, report, ctx.stamp)
    report.received += rows
    report.accepted += accepted
    report.quarantined += quarantined
    report.duplicates += rows - accepted - quarantined


_CONTENT = ("__entity", "__type", "__ts", "__amount")
_CONFLICT_RECORD = (
    "to_json(struct_pack(provider_id := c.__pid, event_id := c.__eid, entity_id := c.__entity, type := c.__type, "
    "occurred_at := c.__ts, amount := c.__amount))::VARCHAR"
)
_WHICH = (
    "CASE WHEN s.__entity IS DISTINCT FROM c.__entity THEN 'entity_id' WHEN s.__type IS DISTINCT FROM c.__type "
    "THEN 'type' WHEN s.__ts IS DISTINCT FROM c.__ts THEN 'occurred_at' ELSE 'amount' END"
)


def _conflict_reason(what: str) -> str:
    return (
        f"concat('field ''', {_WHICH}, ''': conflicts with {what} ', c.__pid, '/', c.__eid, ' (same provider and event "
        "id, different content); not stored: to correct an event, send a new event_id with supersedes = ', c.__eid)"
    )


def _conflicts(cur: duckdb.DuckDBPyConnection, *, repeats: bool) -> None:
    """Turn duplicates that differ from the event they repeat into quarantined conflicts, with the reason.

    A duplicate (same provider and event id) is a no-op only when it says the same thing; one that says
    something else (entity, type, time or amount) is a conflict: it is quarantined naming the field that
    differs, and the first event stands (a correction is a new event with ``supersedes``). ``repeats``: the
    chunk repeats keys, so a later occurrence is also compared with the first one in the chunk (``__dup``).
    """
    differs = " OR ".join(f"s.{c} IS DISTINCT FROM c.{c}" for c in _CONTENT)
    set_conflict = f"SET __status = '{v.QUARANTINED}', __field = {_WHICH}, __record = {_CONFLICT_RECORD}, __reason = "
    cur.execute(
        f"UPDATE __chk c {set_conflict}{_conflict_reason('the stored event')} FROM (SELECT provider_id AS __pid, "
        "event_id AS __eid, entity_id AS __entity, type AS __type, occurred_at AS __ts, amount AS __amount "
        f"FROM events) s WHERE c.__status = '{v.DUPLICATE}' AND s.__pid = c.__pid AND s.__eid = c.__eid "
        f"AND ({differs})"
    )
    if repeats:
        cur.execute(
            f"UPDATE __chk c {set_conflict}{_conflict_reason('an earlier record of this batch,')} "
            "FROM __dup d, __chk s WHERE c.__status IS NULL AND c.__pid = d.__pid AND c.__eid = d.__eid "
            f"AND c.__rn > d.__first AND s.__rn = d.__first AND ({differs})"
        )


def _check(cur: duckdb.DuckDBPyConnection, plan: v.Plan, src: Source, chunk: Chunk, numbered: bool = True) -> str:
    """The check's CTEs over one chunk (without record numbers when ``numbered`` is False and that is cheaper)."""
    relation, rn = chunk.relation, chunk.rn
    if not numbered and chunk.unnumbered is not None:
        relation, rn = chunk.unnumbered, "NULL::BIGINT"
    present = _relation_columns(cur, relation) if src.tabular else None
    return v.check_ctes(plan, src.columns, relation, rn, src.bad, src.line, present, cast=src.tabular)


def _quarantine(cur: duckdb.DuckDBPyConnection, plan: v.Plan, report: IngestReport, stamp: datetime) -> int:
    """Copy the chunk's bad records from ``__chk`` to ``quarantine``; keep a few reasons for the report."""
    quarantined = cur.execute(
        "INSERT INTO quarantine (batch_id, source, record_no, record_key, field, reason, record, quarantined_at) "
        f"SELECT {v.lit(report.batch_id)}, {v.lit(report.source)}, __rn, {plan.record_key}, __field, __reason, "
        f"__record, {v.ts_sql(stamp)} FROM __chk WHERE __status = '{v.QUARANTINED}'"
    ).fetchone()[0]
    if quarantined:
        for name, n in cur.execute(
            f"SELECT __field, count(*) FROM __chk WHERE __status = '{v.QUARANTINED}' GROUP BY ALL"
        ).fetchall():
            report.quarantined_fields[name or ""] = report.quarantined_fields.get(name or "", 0) + n
    if quarantined and len(report.sample_reasons) < SAMPLES:
        sample = cur.execute(
            f"SELECT __rn, {plan.record_key}, __reason FROM __chk WHERE __status = '{v.QUARANTINED}' "
            f"ORDER BY __rn LIMIT {SAMPLES - len(report.sample_reasons)}"
        ).fetchall()
        report.sample_reasons += [
            f"record {rn}" + (f" ({key})" if key else "") + f": {reason}" for rn, key, reason in sample
        ]
    return quarantined


def _create_lookups(cur: duckdb.DuckDBPyConnection, ctx: v.Context, kind: str) -> None:
    """Temp tables the checks join: the catalogue, providers' licences and known entities."""
    if kind != "events":
        return
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE __prov AS SELECT provider_id, arg_max(categories, registered_at) "
        "AS categories FROM providers GROUP BY provider_id"
    )
    cur.execute(v.provider_type_table_sql(ctx.catalogue, v.event_attributes(ctx)))
    ctx.licences = dict(cur.execute("SELECT provider_id, array_to_string(categories, ', ') FROM __prov").fetchall())
    cur.execute("CREATE OR REPLACE TEMP TABLE __ents AS SELECT DISTINCT entity_id, true AS hit FROM entities")


# ---------------------------------------------------------------------------------------------- inputs
def resolve(path: str | Path) -> list[tuple[str, Callable]]:
    """(label, opener) per batch for a path: a file, a directory of parquet parts, or a glob."""
    text = str(path)
    p = Path(text)
    if any(ch in text for ch in "*?["):
        files = sorted(glob.glob(text, recursive=True))
        if not files:
            raise ValidationError(f"no file matches {text}", fix="check the pattern")
        if all(f.lower().endswith(PARQUET_SUFFIXES) for f in files):
            return [(text, lambda cur, rows: _parquet_source(cur, files, rows))]
        return [item for f in files for item in resolve(f)]
    if p.is_dir():
        files = sorted(str(f) for f in p.rglob("*") if f.name.lower().endswith(PARQUET_SUFFIXES))
        if not files:
            raise ValidationError(
                f"{p} is a directory with no .parquet files", fix="pass a file, or a directory of parquet parts"
            )
        return [(text, lambda cur, rows: _parquet_source(cur, files, rows))]
    if not p.exists():
        raise ValidationError(f"{p} does not exist", fix="check the path")
    name = p.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return [(text, lambda cur, rows: _parquet_source(cur, [text], rows))]
    if name.endswith(CSV_SUFFIXES):
        return [(text, lambda cur, rows: _csv_source(cur, text, rows))]
    if name.endswith(JSON_SUFFIXES):
        return [(text, lambda cur, rows: _jsonl_source(cur, text, rows))]
    raise ValidationError(
        f"{p}: unknown format '{''.join(p.suffixes) or p.name}'",
        fix="use .csv, .jsonl or .ndjson (JSON Lines), .parquet, or a directory of parquet parts",
    )


def _parquet_source(cur: duckdb.DuckDBPyConnection, files: list[str], chunk_rows: int) -> Source:
    """Parquet parts, chunked by whole files (grouped) or row ranges of a big file."""
    listed = "[" + ", ".join(v.lit(f) for f in files) + "]"
    counts = dict(cur.execute(f"SELECT file_name, num_rows FROM parquet_file_metadata({listed})").fetchall())
    columns = _columns(cur, f"read_parquet({listed}, union_by_name = true)")
    chunks: list[Chunk] = []
    group: list[str] = []
    offset = group_start = 0

    def flush() -> None:
        if group:
            chunks.append(_parquet_group(group, counts, group_start))

    for f in files:
        n = counts[f]
        if n > chunk_rows:
            flush()
            group = []
            for lo in range(0, n, chunk_rows):
                hi = min(n, lo + chunk_rows)
                rel = (
                    f"(SELECT * FROM read_parquet({v.lit(f)}, file_row_number = true) "
                    f"WHERE file_row_number >= {lo} AND file_row_number < {hi})"
                )
                chunks.append(Chunk(rel, f"file_row_number + {offset + 1}", hi - lo))
        else:
            if sum(counts[g] for g in group) + n > chunk_rows or len(group) >= 64:
                flush()
                group = []
            if not group:
                group_start = offset
            group.append(f)
        offset += n
    flush()
    return Source(
        files[0] if len(files) == 1 else f"{len(files)} parquet files",
        columns,
        chunks,
        tabular=True,
        whole=f"read_parquet({listed}, union_by_name = true)",
    )


def _parquet_group(group: list[str], counts: dict[str, int], start: int) -> Chunk:
    """One chunk of whole parquet files; the record number counts on from ``start``."""
    rel = f"read_parquet([{', '.join(v.lit(f) for f in group)}], union_by_name = true, file_row_number = true"
    if len(group) == 1:
        return Chunk(rel + ")", f"file_row_number + {start + 1}", counts[group[0]])
    arms, off = [], start
    for f in group:
        arms.append(f"WHEN {v.lit(f)} THEN {off}")
        off += counts[f]
    return Chunk(rel + ", filename = '__file')", f"CASE __file {' '.join(arms)} END + file_row_number + 1", off - start)


def _arrow_source(cur: duckdb.DuckDBPyConnection, label: str, table: pa.Table) -> Source:
    """An Arrow table from the API (typed columns; one chunk: API batches are small)."""
    cur.register("__arrow_in", table.append_column("__rn", pa.array(range(1, table.num_rows + 1), pa.int64())))
    columns = [c for c in _columns(cur, "__arrow_in") if c.label != "__rn"]
    return Source(label, columns, [Chunk("__arrow_in", "__rn", table.num_rows)], tabular=True, whole="__arrow_in")


def _csv_source(cur: duckdb.DuckDBPyConnection, path: str, chunk_rows: int, staged: bool | None = None) -> Source:
    """CSV read as text (a malformed value is caught per record); a line that does not parse is a record too.

    A file up to ``CSV_DIRECT_BYTES`` is checked straight from the file in one chunk; a bigger one, or one
    with malformed lines, is staged first (chunks, and record numbers that count the malformed lines).
    """
    labels, delim = _csv_header(path)
    if not labels:
        raise ValidationError(f"{path} is empty", fix="give it a header line and records")
    spec = "{" + ", ".join(f"{v.lit(c)}: 'VARCHAR'" for c in labels) + "}"
    reader = (
        f"read_csv({v.lit(path)}, columns = {spec}, header = true, auto_detect = false, "
        f"delim = {v.lit(delim)}, quote = '\"', escape = '\"', "
        "store_rejects = true, rejects_table = '__rej', rejects_scan = '__rej_scan')"
    )
    columns = [v.Column(c.lower().strip(), c, v.ident(c), "VARCHAR") for c in labels]
    _no_clashes(columns, path)
    if staged is None:
        staged = Path(path).stat().st_size > CSV_DIRECT_BYTES
    if not staged:

        def recheck(c: duckdb.DuckDBPyConnection) -> Source | None:
            return _csv_source(c, path, chunk_rows, staged=True) if _count(c, "__rej") else None

        chunk = Chunk(f"(SELECT row_number() OVER () AS __rn, * FROM {reader})", "__rn", 0, reader)
        return Source(path, columns, [chunk], tabular=True, recheck=recheck, whole=reader)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE __stage AS SELECT row_number() OVER () AS __rn, * FROM {reader}")
    rejects = _count(cur, "__rej")
    if not rejects:
        return Source(path, columns, _rn_chunks(cur, "__stage", chunk_rows), tabular=True, whole="__stage")
    _merge_rejects(cur, labels)
    return Source(
        path,
        columns,
        _rn_chunks(cur, "__stage2", chunk_rows),
        tabular=True,
        bad="__bad",
        line="__line",
        whole="__stage2",
    )


def _merge_rejects(cur: duckdb.DuckDBPyConnection, labels: list[str]) -> None:
    """``__stage2``: the parsed rows and the rejected lines, each with its record number.

    A rejected line's record number is its line number less the header; a good row's number counts the
    rejected records before it (an as-of join on how many good rows precede each rejected one).
    """
    data = ", ".join(v.ident(c) for c in labels)
    nulls = ", ".join(f"NULL AS {v.ident(c)}" for c in labels)
    cur.execute("""CREATE OR REPLACE TEMP TABLE __rejected AS
        SELECT line - 1 AS rn, row_number() OVER (ORDER BY line) AS i, csv_line, error_message
        FROM (SELECT DISTINCT ON (line) * FROM __rej ORDER BY line)""")
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE __stage2 AS
        SELECT g.__rn + coalesce(r.i, 0) AS __rn, NULL::VARCHAR AS __bad, NULL::VARCHAR AS __line, {data}
        FROM __stage g
        ASOF LEFT JOIN (SELECT rn - i AS before, max(i) AS i FROM __rejected GROUP BY ALL) r ON r.before < g.__rn
        UNION ALL
        SELECT rn, concat('the line could not be read as CSV (', error_message,
                          '); quote values that contain the delimiter and give every line the header''s fields'),
               csv_line, {nulls} FROM __rejected
        ORDER BY __rn""")


def _jsonl_source(cur: duckdb.DuckDBPyConnection, path: str, chunk_rows: int) -> Source:
    """JSON Lines: one record per non-blank line (a line that is not a JSON object is malformed). A line that
    is not valid UTF-8 is quarantined alone (kept with the bad bytes replaced), and the rest is loaded."""
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE __lines AS SELECT line, NULL::VARCHAR AS bad FROM read_csv({v.lit(path)}, "
        "columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, delim = '\\0', quote = '', "
        "escape = '', max_line_size = 67108864, store_rejects = true, rejects_table = '__jrej', "
        "rejects_scan = '__jrej_scan') WHERE NULLIF(trim(line), '') IS NOT NULL"
    )
    cur.execute(
        "INSERT INTO __lines SELECT csv_line, concat('line ', line, ' could not be read (', error_message, "
        "'); save the file as UTF-8 with one JSON object per line') FROM __jrej ORDER BY line"
    )
    return _json_source(cur, path, chunk_rows)


def _json_source(cur: duckdb.DuckDBPyConnection, label: str, chunk_rows: int) -> Source:
    """Stage ``__lines`` (one JSON object per row; ``bad``, when present, says why a line is unreadable) as text
    columns, one per key seen in any record."""
    unread = "bad" in {r[0] for r in cur.execute("DESCRIBE __lines").fetchall()}
    ok = "(json_valid(line) AND json_type(CASE WHEN json_valid(line) THEN line END) = 'OBJECT')"
    if unread:
        ok = f"(bad IS NULL AND {ok})"
    why = "'the record is not a JSON object; write one {...} object per line'"
    why = f"coalesce(bad, {why})" if unread else why
    keys = [
        r[0]
        for r in cur.execute(
            f"SELECT DISTINCT unnest(json_keys(CASE WHEN {ok} THEN line END)) AS k FROM __lines ORDER BY k"
        ).fetchall()
    ]
    columns = [v.Column(k.lower().strip(), k, f"__vals[{i + 1}]", "VARCHAR") for i, k in enumerate(keys)]
    _no_clashes(columns, label)
    paths = "[" + ", ".join(v.lit("$." + json.dumps(k)) for k in keys) + "]::VARCHAR[]"
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE __stage AS
        SELECT row_number() OVER () AS __rn, CASE WHEN NOT {ok} THEN {why} END AS __bad,
               CASE WHEN NOT {ok} THEN left(line, 2000) END AS __line,
               CASE WHEN {ok} THEN json_extract_string(line, {paths}) END AS __vals
        FROM __lines""")
    return Source(
        label,
        columns,
        _rn_chunks(cur, "__stage", chunk_rows),
        tabular=False,
        bad="__bad",
        line="__line",
        whole="__stage",
    )


# ---------------------------------------------------------------------------------------------- helpers
def _rn_chunks(cur: duckdb.DuckDBPyConnection, table: str, chunk_rows: int) -> list[Chunk]:
    """Chunks of a staged table by its record number ``__rn`` (1..n; row ids are not stable in a transaction)."""
    rows = _count(cur, table)
    return [
        Chunk(
            f"(SELECT * FROM {table} WHERE __rn > {lo} AND __rn <= {lo + chunk_rows})",
            "__rn",
            min(chunk_rows, rows - lo),
        )
        for lo in range(0, rows, chunk_rows)
    ]


def _csv_header(path: str) -> tuple[list[str], str]:
    """The header's column names and the delimiter (the most frequent of , ; tab | in the header)."""
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError) as e:
        raise ValidationError(f"cannot read {path}: {e}", fix="save it as UTF-8 CSV") from None
    delim = max([",", ";", "\t", "|"], key=first.count)
    row = next(csv.reader([first], delimiter=delim), [])
    return [c.strip() for c in row], delim


def _columns(cur: duckdb.DuckDBPyConnection, relation: str) -> list[v.Column]:
    cols = [
        v.Column(name.lower().strip(), name, v.ident(name), str(typ))
        for name, typ, *_ in cur.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    ]
    _no_clashes(cols, relation)
    return cols


def _relation_columns(cur: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    return {r[0] for r in cur.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def _table_columns(cur: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {r[0]: str(r[1]) for r in cur.execute(f"DESCRIBE {table}").fetchall()}


def _no_clashes(columns: list[v.Column], label: str) -> None:
    """Every field needs a name, distinct from the others regardless of case and surrounding spaces."""
    seen: dict[str, str] = {}
    for c in columns:
        if not c.name:
            raise ValidationError(f"{label}: a field has an empty name", fix="name every field")
        if c.name in seen:
            raise ValidationError(
                f"{label}: fields '{seen[c.name]}' and '{c.label}' differ only in case or spaces",
                fix="give every field a distinct name",
            )
        seen[c.name] = c.label


def _count(cur: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


__all__ = ["IngestReport", "ingest_files", "ingest_records", "resolve"]
