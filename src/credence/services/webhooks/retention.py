"""Webhook retention: the outbox events and delivery log rows no one needs any more, removed by the retention
purge (``services/retention.py::purge``, ``credence purge``) and counted in its ``purges`` record.

An outbox event goes when it is older than ``webhook_retention_days`` (credence.yaml, default 90) and no live
subscription still owes it: every live subscription that takes it (its type, appended after the
subscription's start, on its channel: ``outbox.channel_sql``) has settled it (delivered, failed or
withheld). Its delivery log rows go with it, and so do log rows older than the period whose event is no
longer in the outbox (an erased subject's). An event a live subscription still owes stays however old:
delivery is at least once, and a receiver that was down gets it when the dispatcher runs again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from credence.errors import ConfigError
from credence.services.webhooks.outbox import LIVE, channel_sql
from credence.workspace import Workspace

DEFAULT_DAYS = 90
SETTING = "webhook_retention_days"

_OWED = f"""
SELECT 1 FROM {LIVE} s
WHERE e.seq > s.start_seq AND list_contains(s.types, e.type)
  AND CASE s.channel WHEN 'subject' THEN ({channel_sql("subject", "s.principal")})
                     ELSE ({channel_sql("partner", "s.principal")}) END
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                  WHERE d.subscription_id = s.subscription_id AND d.event_id = e.event_id AND d.outcome <> 'retrying')
"""
_DUE = f"SELECT e.event_id FROM webhook_events e WHERE e.created_at < $cutoff AND NOT EXISTS ({_OWED})"
_LOG_DUE = (
    "FROM webhook_deliveries d WHERE d.event_id IN (SELECT event_id FROM webhook_purge_due) "
    "OR (d.attempted_at < $cutoff AND d.event_id NOT IN (SELECT event_id FROM webhook_events))"
)


def retention_days(ws: Workspace) -> int:
    """``webhook_retention_days`` of credence.yaml: a whole number of days, at least 1."""
    value = ws.config.get(SETTING, DEFAULT_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{SETTING} is {value!r} in credence.yaml",
            field=SETTING,
            fix=f"set it to a whole number of days, at least 1 (default {DEFAULT_DAYS})",
        )
    return value


def purge_settled(con: duckdb.DuckDBPyConnection, cutoff: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Remove (or with ``dry_run`` only count), in ``con``'s transaction, the outbox events created before
    ``cutoff`` that no live subscription owes, their delivery log rows, and log rows before ``cutoff`` whose
    event is gone. Returns the counts."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE webhook_purge_due AS {_DUE}", {"cutoff": cutoff})
    events = con.execute("SELECT count(*) FROM webhook_purge_due").fetchone()[0]
    deliveries = con.execute(f"SELECT count(*) {_LOG_DUE}", {"cutoff": cutoff}).fetchone()[0]
    if not dry_run:
        con.execute(f"DELETE {_LOG_DUE}", {"cutoff": cutoff})
        con.execute("DELETE FROM webhook_events WHERE event_id IN (SELECT event_id FROM webhook_purge_due)")
    con.execute("DROP TABLE webhook_purge_due")
    return {"webhook_events": int(events), "webhook_deliveries": int(deliveries)}


def cutoff(ws: Workspace, now: datetime) -> datetime:
    """The time before which settled webhook events and their log go."""
    return now - timedelta(days=retention_days(ws))
