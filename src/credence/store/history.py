"""Score history kept by entity: an entity's latest snapshot row and its history, each one index lookup away.

``scores`` holds one row per entity per snapshot, appended snapshot after snapshot, so one entity's rows are
spread over every snapshot's row groups and a scan for them grows with the number of snapshots. Two derived
tables (caches of ``scores`` and ``snapshots``, made again from them by :func:`rebuild`) answer by entity:

- ``entity_scores``: **one row per entity**, ``latest`` (its row in its most recent snapshot, a struct of the
  ``scores`` columns) and ``key`` (that snapshot's created_at, the row's as_of and the snapshot id: the order
  of snapshots). Its size is the number of entities, whatever the number of snapshots.
- ``score_history``: **one row per entity per snapshot** (score, band, card, snapshot, times), append-only.

A population run (:func:`add_snapshot`, in the snapshot's own transaction, so history and snapshot become
visible together) appends its rows to ``score_history`` and makes ``entity_scores`` again from its old rows and
the new snapshot's (the newer of the two per entity): O(population) per run, never a rewrite of old history.
(Schema V7 kept every snapshot's entry in a list in the entity's row: each run rewrote every list, a write
that grew with the history: 59.6 s per run at 24 snapshots on 200,000 entities.) A read is one lookup in the
index on ``entity_id`` of either table; a history read fetches the entity's own rows, one per snapshot it is in.
Erasure deletes the subject's rows from both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from credence.store.literal import inline

if TYPE_CHECKING:
    import duckdb

    from credence.store.store import Store

TABLE = "entity_scores"
LOG = "score_history"
INDEX = f"CREATE INDEX {TABLE}_entity ON {TABLE} (entity_id)"
LOG_INDEX = f"CREATE INDEX {LOG}_entity ON {LOG} (entity_id)"
LOG_COLUMNS = "entity_id, created_at, as_of, snapshot_id, score, band, scorecard"

# A snapshot row's place in the order of snapshots (created_at, then as_of; the snapshot id breaks a tie).
_KEY = "struct_pack(created_at := n.created_at, as_of := s.as_of, snapshot_id := s.snapshot_id)"
_ROWS = "FROM scores s JOIN snapshots n USING (snapshot_id)"
_LOG_ROWS = f"SELECT s.entity_id, n.created_at, s.as_of, s.snapshot_id, s.score, s.band, s.scorecard {_ROWS}"

_ADD_LATEST = f"""
CREATE OR REPLACE TABLE {TABLE} AS
WITH new AS (SELECT s.entity_id, {_KEY} AS key, s AS latest {_ROWS} WHERE s.snapshot_id = $snapshot_id)
SELECT coalesce(o.entity_id, new.entity_id) AS entity_id,
       CASE WHEN new.key IS NULL OR o.key > new.key THEN o.key ELSE new.key END AS key,
       CASE WHEN new.key IS NULL OR o.key > new.key THEN o.latest ELSE new.latest END AS latest
FROM {TABLE} o FULL JOIN new ON o.entity_id = new.entity_id
"""
_REBUILD_LATEST = f"""
CREATE OR REPLACE TABLE {TABLE} AS
SELECT s.entity_id, max({_KEY}) AS key, arg_max(s, {_KEY}) AS latest {_ROWS} GROUP BY s.entity_id
"""


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Make both tables again from ``scores`` and ``snapshots`` (in ``con``'s transaction)."""
    con.execute(_REBUILD_LATEST)
    con.execute(INDEX)
    con.execute(f"DELETE FROM {LOG}")  # the table and its index stay (DuckDB 1.5.6: see store/indexes.py)
    con.execute(f"INSERT INTO {LOG} ({LOG_COLUMNS}) {_LOG_ROWS}")


def add_snapshot(con: duckdb.DuckDBPyConnection, snapshot_id: str) -> None:
    """Add the rows of snapshot ``snapshot_id`` (already in ``scores`` and ``snapshots``), in the snapshot's own
    transaction: its rows appended to the history, the latest row of each entity it holds replaced."""
    con.execute(
        f"INSERT INTO {LOG} ({LOG_COLUMNS}) {_LOG_ROWS} WHERE s.snapshot_id = $snapshot_id",
        {"snapshot_id": snapshot_id},
    )
    con.execute(_ADD_LATEST, {"snapshot_id": snapshot_id})
    con.execute(INDEX)


LATEST_SQL = f"SELECT latest.* FROM {TABLE} WHERE entity_id = $id"
HISTORY_SQL = (
    f"SELECT as_of, score, band, scorecard, snapshot_id, created_at FROM {LOG} WHERE entity_id = $id "
    "ORDER BY created_at, as_of, snapshot_id"
)


def latest(store: Store, entity_id: str) -> dict | None:
    """The entity's row in its most recent snapshot (the ``scores`` columns), or None."""
    rows = store.query(inline(LATEST_SQL, {"id": entity_id}))  # the id as a literal: store/literal.py
    return rows[0] if rows else None


def history(store: Store, entity_id: str) -> list[dict]:
    """Every stored score of the entity in snapshot order: as_of, score, band, scorecard, snapshot_id,
    created_at."""
    return store.query(inline(HISTORY_SQL, {"id": entity_id}))
