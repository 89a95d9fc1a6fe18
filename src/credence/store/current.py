"""The current-scores cache in the store: which entities a change touched, and the served row.

``current_scores`` is derived, not a fact (facts stay append-only): the services keep it exact
(``services/serving.py``). Every writer of facts that can move a score calls :func:`mark` in its own
transaction, naming the entities it touched; ``mark`` adds their connection neighbours (entities that an
event of theirs names as counterparty, or whose event names them: a vouch on either side), whose
connection features read the touched entities' events. Marks are rows in ``current_pending``, so a change
is never lost even when no serving hook re-scores it in that transaction: the next read does.
"""

from __future__ import annotations

import duckdb

from credence.store.schema import CURRENT_NEXT

SCORE_TABLE = "current_scores"
PENDING_TABLE = "current_pending"
NEXT_TABLE = "current_next"  # tomorrow's rows, prepared before midnight (services/serving.py)


def mark(con: duckdb.DuckDBPyConnection, entities_sql: str, params: list | None = None) -> None:
    """Mark the entities ``entities_sql`` selects (one column, entity_id) and their vouch neighbours.

    Call it in the writer's transaction: after inserting (so new links count), before deleting (so the
    links of deleted events still do).
    """
    con.execute(
        f"INSERT INTO {PENDING_TABLE} "
        f"WITH touched AS ({entities_sql}) "
        "SELECT entity_id FROM touched WHERE entity_id IS NOT NULL "
        "UNION SELECT e.counterparty_id FROM events e "
        "WHERE e.counterparty_id IS NOT NULL AND e.entity_id IN (SELECT entity_id FROM touched) "
        "UNION SELECT e.entity_id FROM events e WHERE e.counterparty_id IN (SELECT entity_id FROM touched)",
        params or [],
    )


def mark_ids(con: duckdb.DuckDBPyConnection, entity_ids: list[str]) -> None:
    """:func:`mark` for a list of ids."""
    if entity_ids:
        mark(con, "SELECT unnest(?::VARCHAR[]) AS entity_id", [list(entity_ids)])


def clear_next(con: duckdb.DuckDBPyConnection) -> None:
    """No rows prepared for tomorrow: ``current_next_state`` emptied, ``current_next`` dropped and made again.
    Deleting its rows made the COMMIT of a day's bring-in 0.5 s longer at 200,000 entities (DuckDB writes every
    deleted row's mark); a dropped table costs nothing."""
    con.execute("DELETE FROM current_next_state")
    con.execute(f"DROP TABLE {NEXT_TABLE}")
    con.execute(CURRENT_NEXT)


def invalidate(con: duckdb.DuckDBPyConnection) -> None:
    """Every current score is stale (a bulk writer): the next read rebuilds them all, and tomorrow's prepared
    rows are dropped."""
    con.execute("DELETE FROM current_state")
    clear_next(con)


STATE_SQL = (
    f"SELECT day, as_of, horizon, fingerprint, (SELECT count(*) FROM {PENDING_TABLE}) AS pending, "
    "(SELECT max(as_of) FROM current_next_state) AS prepared FROM current_state"
)
INDEX = f"{SCORE_TABLE}_entity"
ROW_SQL = f"SELECT as_of, served FROM {SCORE_TABLE} WHERE entity_id = ?"
# The same row read without the index: DuckDB answers an equality filter on an indexed column (and a join's
# filter pushed down as one) from the index; an IN list holding a NULL is a plain filtered scan. For a served
# read whose index lookup came back empty (``services/serving.py``): ~5 ms on 200,000 rows, against ~0.4 ms.
ROW_SCAN_SQL = f"SELECT as_of, served FROM {SCORE_TABLE} WHERE entity_id IN (?, NULL)"
