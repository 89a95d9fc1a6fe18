"""Loading outcomes and protected attributes from CSV or Parquet, with ingest's discipline.

Every record of a file is stored or quarantined with its reason (``received == accepted + duplicates +
quarantined``), the whole file in one transaction, with a ``batches`` row like an ingest batch.

- ``outcomes``: ``entity_id, observed_from, months, defaulted`` (the ``outcomes`` table: training only);
- ``protected``: ``entity_id, attribute, value`` (the ``protected_attributes`` table, read only by fairness
  audits: the scoring compiler never names it).

A record repeating one already stored (same key and value) is a duplicate, a no-op; one that contradicts a
stored record (same key, another value) is quarantined: facts are appended, never overwritten.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from credence.errors import ValidationError
from credence.services.ingest import IngestReport
from credence.store import Store

TRUE = ("true", "1", "yes", "t", "y")
FALSE = ("false", "0", "no", "f", "n")
SPECS = {
    # kind: (table, required columns, key columns, value column)
    "outcomes": ("outcomes", ("entity_id", "observed_from", "months", "defaulted"), ("entity_id", "observed_from", "months"), "defaulted"),
    "protected": ("protected_attributes", ("entity_id", "attribute", "value"), ("entity_id", "attribute"), "value"),
}  # fmt: skip


def _reader(path: Path) -> str:
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    if suffix in (".parquet", ".pq") or path.is_dir():
        return "read_parquet(?)"
    if suffix in (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt"):
        return "read_csv(?, all_varchar = true, header = true)"
    raise ValidationError(f"{path}: unknown file type", field="file", fix="use a .csv or .parquet file")


def _checks(kind: str) -> list[tuple[str, str, str]]:
    """(field, failing condition over the staged row ``r``, reason SQL) in the order they are tried."""
    text = "coalesce(trim(r.{0}), '')"
    common = [
        ("entity_id", f"{text.format('entity_id')} = ''", "'entity_id is empty'"),
        (
            "entity_id",
            "NOT EXISTS (SELECT 1 FROM entities e WHERE e.entity_id = trim(r.entity_id))",
            "'entity ' || trim(r.entity_id) || ' is not registered; ingest its entity record first'",
        ),
    ]
    if kind == "outcomes":
        bools = ", ".join(f"'{v}'" for v in (*TRUE, *FALSE))
        return common + [
            (
                "observed_from",
                "TRY_CAST(trim(r.observed_from) AS TIMESTAMP) IS NULL",
                "'observed_from ' || coalesce('''' || r.observed_from || '''', 'missing') || ' is not a date (use 2025-06-01)'",
            ),
            (
                "months",
                "TRY_CAST(trim(r.months) AS INTEGER) IS NULL OR TRY_CAST(trim(r.months) AS INTEGER) NOT BETWEEN 1 AND 120",
                "'months ' || coalesce('''' || r.months || '''', 'missing') || ' is not a whole number from 1 to 120'",
            ),
            (
                "defaulted",
                f"lower(coalesce(trim(r.defaulted), '')) NOT IN ({bools})",
                "'defaulted ' || coalesce('''' || r.defaulted || '''', 'missing') || ' is not true/false (or 1/0, yes/no)'",
            ),
        ]  # fmt: skip
    return common + [
        ("attribute", f"{text.format('attribute')} = ''", "'attribute is empty'"),
        ("value", f"{text.format('value')} = ''", "'value is empty'"),
    ]


def _typed(kind: str) -> str:
    """The staged row's values as the table stores them."""
    if kind == "outcomes":
        t = ", ".join(f"'{v}'" for v in TRUE)
        return (
            "trim(r.entity_id) AS entity_id, CAST(trim(r.observed_from) AS TIMESTAMP) AS observed_from, "
            f"CAST(trim(r.months) AS INTEGER) AS months, lower(trim(r.defaulted)) IN ({t}) AS defaulted"
        )
    return "trim(r.entity_id) AS entity_id, trim(r.attribute) AS attribute, trim(r.value) AS value"


def load_labels(store: Store, path: str | Path, kind: str, *, submitted_by: str | None = None) -> IngestReport:
    """Load one file of ``kind`` (``outcomes`` | ``protected``): see the module docstring."""
    if kind not in SPECS:
        raise ValidationError(f"unknown kind '{kind}'", field="kind", fix=f"use {' or '.join(SPECS)}")
    p = Path(path)
    if not p.exists():
        raise ValidationError(f"{p} does not exist", field="file")
    table, required, key, value = SPECS[kind]
    now = datetime.now(UTC).replace(tzinfo=None)
    report = IngestReport(f"{kind}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", str(p), kind)
    source = f"file:{p.name}"
    with store.transaction() as cur:
        try:
            cur.execute(
                f"CREATE TEMP TABLE staged AS SELECT row_number() OVER () AS record_no, * FROM {_reader(p)}", [str(p)]
            )
        except Exception as e:  # duckdb read errors
            raise ValidationError(f"cannot read {p}: {str(e).splitlines()[0]}", field="file") from None
        cols = {r[0] for r in cur.execute("DESCRIBE staged").fetchall()}
        lacking = [c for c in required if c not in cols]
        if lacking:
            raise ValidationError(
                f"{p} lacks the column(s) {', '.join(lacking)}",
                field=lacking[0],
                fix=f"a {kind} file has the columns {', '.join(required)}",
            )
        cur.execute(
            "CREATE TEMP TABLE staged_text AS SELECT record_no, "
            + ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in required)
            + ", to_json(s) AS record FROM staged s"
        )
        checks = _checks(kind)
        field = "CASE " + " ".join(f"WHEN {cond} THEN '{f}'" for f, cond, _ in checks) + " END"
        reason = "CASE " + " ".join(f"WHEN {cond} THEN {why}" for _, cond, why in checks) + " END"
        cur.execute(
            f"CREATE TEMP TABLE judged AS SELECT r.*, {field} AS bad_field, {reason} AS reason FROM staged_text r"
        )
        keys = ", ".join(key)
        on = " AND ".join(f"t.{k} = x.{k}" for k in key)
        cur.execute(
            f"CREATE TEMP TABLE typed AS SELECT record_no, record, {_typed(kind)} FROM judged r WHERE reason IS NULL"
        )
        # first of each key in the file, against what is stored: new, duplicate or a contradiction
        cur.execute(
            f"CREATE TEMP TABLE ranked AS SELECT x.*, row_number() OVER (PARTITION BY {keys} ORDER BY record_no) AS nth, "
            f"first_value({value}) OVER (PARTITION BY {keys} ORDER BY record_no) AS first_value, "
            f"first_value(record_no) OVER (PARTITION BY {keys} ORDER BY record_no) AS first_no, "
            f"(SELECT any_value(t.{value}) FROM {table} t WHERE {on}) AS stored FROM typed x"
        )
        cur.execute(
            "CREATE TEMP TABLE verdict AS SELECT *, CASE "
            f"WHEN stored IS NOT NULL AND stored = {value} THEN 'duplicate' "
            f"WHEN stored IS NOT NULL THEN 'contradicts the stored {value} ' || CAST(stored AS VARCHAR) "
            "WHEN nth > 1 AND first_value = " + value + " THEN 'duplicate' "
            "WHEN nth > 1 THEN 'contradicts record ' || CAST(first_no AS VARCHAR) || ' of this file' "
            "ELSE 'new' END AS outcome FROM ranked"
        )
        insert_cols = ", ".join(c for c in required)
        cur.execute(
            f"INSERT INTO {table} SELECT {insert_cols}, ? FROM verdict WHERE outcome = 'new' ORDER BY record_no",
            [source],
        )
        cur.execute(
            "INSERT INTO quarantine SELECT ?, ?, record_no, entity_id, bad_field, reason, record, ? "
            "FROM judged WHERE reason IS NOT NULL",
            [report.batch_id, str(p), now],
        )
        cur.execute(
            "INSERT INTO quarantine SELECT ?, ?, record_no, entity_id, ?, outcome, record, ? "
            "FROM verdict WHERE outcome NOT IN ('new', 'duplicate')",
            [report.batch_id, str(p), value, now],
        )
        report.received = cur.execute("SELECT count(*) FROM staged").fetchone()[0]
        report.accepted = cur.execute("SELECT count(*) FROM verdict WHERE outcome = 'new'").fetchone()[0]
        report.duplicates = cur.execute("SELECT count(*) FROM verdict WHERE outcome = 'duplicate'").fetchone()[0]
        report.quarantined = report.received - report.accepted - report.duplicates
        report.sample_reasons = [
            f"record {n} ({e}): {f}: {r}"
            for n, e, f, r in cur.execute(
                "SELECT record_no, record_key, field, reason FROM quarantine WHERE batch_id = ? "
                "ORDER BY record_no LIMIT 5",
                [report.batch_id],
            ).fetchall()
        ]
        cur.execute(
            "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [report.batch_id, kind, str(p), submitted_by, now, report.received, report.accepted,
             report.duplicates, report.quarantined],
        )  # fmt: skip
    return report
