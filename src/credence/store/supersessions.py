"""The ``superseded_events`` table: which stored events a correction supersedes.

Every writer of events that may carry ``supersedes`` calls :func:`record` in the same transaction (ingest,
dispute corrections, the synthetic generator); every deleter of events calls :func:`forget_orphans`
(retention purge, erasure), so a supersession lives exactly as long as its correction. The
``effective_events`` view anti-joins this small table instead of scanning every event's ``supersedes``.
"""

from __future__ import annotations

import duckdb


def record(con: duckdb.DuckDBPyConnection, where: str = "true", params: list | None = None) -> None:
    """Add the supersessions of the stored events matching ``where`` (SQL over ``events``); idempotent."""
    con.execute(
        "INSERT INTO superseded_events (provider_id, event_id, superseded_by) "
        "SELECT e.provider_id, e.supersedes, e.event_id FROM events e "
        f"WHERE e.supersedes IS NOT NULL AND ({where}) AND NOT EXISTS (SELECT 1 FROM superseded_events s "
        "WHERE s.provider_id = e.provider_id AND s.superseded_by = e.event_id)",
        params or [],
    )


def forget_orphans(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the supersessions whose correction is no longer stored (after events were deleted)."""
    con.execute(
        "DELETE FROM superseded_events s WHERE NOT EXISTS (SELECT 1 FROM events e "
        "WHERE e.provider_id = s.provider_id AND e.event_id = s.superseded_by)"
    )
