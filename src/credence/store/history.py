"""Score history kept by entity: one entity's latest snapshot row and its history in one row, found by index.

``scores`` holds one row per entity per snapshot, appended snapshot after snapshot, so one entity's rows are
spread over every snapshot's row groups and a read of them grows with the number of snapshots. The derived
table ``entity_scores`` holds **one row per entity**: ``latest`` (its row in its most recent snapshot, a
struct of the ``scores`` columns) and ``history`` (its score, band, scorecard, snapshot and times in every
snapshot, in snapshot order: the history's columns, not the whole rows, so a snapshot's rewrite stays cheap). A read is one lookup in the index on ``entity_id`` of a table whose row count is the number
of entities, whatever the number of snapshots, and one row fetched (a scan filtered by zone maps would
decompress a whole vector of every struct field instead: ~5x slower, measured).

The table is rewritten in the transaction that appends a snapshot (:func:`add_snapshot`: the old rows joined
with the new snapshot's, then indexed again), so history and snapshot become visible together. It is a cache of
``scores``: :func:`rebuild` makes it again from the facts (the schema migration does). Erasure deletes the
subject's row as it deletes its scores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from credence.store.store import Store

TABLE = "entity_scores"
INDEX = f"CREATE INDEX {TABLE}_entity ON {TABLE} (entity_id)"

# One snapshot's score of the entity, as the history lists it. Fields ordered so that comparing two elements
# orders them as snapshots are ordered (created_at, then as_of; the snapshot id breaks a tie).
_ELEMENT = (
    "struct_pack(created_at := n.created_at, as_of := s.as_of, snapshot_id := s.snapshot_id, score := s.score, "
    "band := s.band, scorecard := s.scorecard)"
)

# Migration V7 runs these statements: a change of layout is a new migration, not an edit here.
REBUILD_SQL = f"""
CREATE OR REPLACE TABLE {TABLE} AS
WITH h AS (
    SELECT s.entity_id, {_ELEMENT} AS e, s AS rec FROM scores s JOIN snapshots n USING (snapshot_id)
)
SELECT entity_id, arg_max(rec, e) AS latest, list(e ORDER BY e) AS history
FROM h GROUP BY entity_id
"""

_ADD_SQL = f"""
CREATE OR REPLACE TABLE {TABLE} AS
WITH new AS (
    SELECT s.entity_id, {_ELEMENT} AS e, s AS rec FROM scores s JOIN snapshots n USING (snapshot_id)
    WHERE s.snapshot_id = $snapshot_id
)
SELECT coalesce(o.entity_id, new.entity_id) AS entity_id,
       CASE WHEN new.e IS NULL OR (o.history IS NOT NULL AND o.history[-1] > new.e) THEN o.latest
            ELSE new.rec END AS latest,
       CASE WHEN new.e IS NULL THEN o.history
            WHEN o.history IS NULL THEN [new.e]
            WHEN o.history[-1] < new.e THEN list_append(o.history, new.e)
            ELSE list_sort(list_append(o.history, new.e)) END AS history
FROM {TABLE} o FULL JOIN new ON o.entity_id = new.entity_id
"""


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``entity_scores`` again from ``scores`` and ``snapshots`` (in ``con``'s transaction)."""
    con.execute(REBUILD_SQL)
    con.execute(INDEX)


def add_snapshot(con: duckdb.DuckDBPyConnection, snapshot_id: str) -> None:
    """Add the rows of snapshot ``snapshot_id`` (already in ``scores`` and ``snapshots``) to every entity's
    history, in the snapshot's own transaction: the table is rewritten, and its index made again."""
    con.execute(_ADD_SQL, {"snapshot_id": snapshot_id})
    con.execute(INDEX)


def _lookup(what: str) -> str:
    return f"SELECT {what} FROM {TABLE} WHERE entity_id = $id"


LATEST_SQL = _lookup("latest.*")
HISTORY_SQL = (
    "SELECT e.as_of, e.score, e.band, e.scorecard, e.snapshot_id, e.created_at "
    f"FROM ({_lookup('unnest(history) AS e')})"
)


def latest(store: Store, entity_id: str) -> dict | None:
    """The entity's row in its most recent snapshot (the ``scores`` columns), or None."""
    rows = store.query(LATEST_SQL, {"id": entity_id})
    return rows[0] if rows else None


def history(store: Store, entity_id: str) -> list[dict]:
    """Every stored score of the entity in snapshot order: as_of, score, band, scorecard, snapshot_id,
    created_at."""
    return store.query(HISTORY_SQL, {"id": entity_id})
