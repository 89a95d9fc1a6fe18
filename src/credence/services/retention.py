"""Retention and erasure (guardrail 6): the only deletions Credence makes, each leaving a record.

- ``purge`` deletes adverse events past their retention period (7 years, bankruptcy 10: the catalogue's
  retention classes) and the dispute rows about them, and the webhook outbox events and delivery log rows
  past ``webhook_retention_days`` that no live subscription still owes, and appends a ``purges`` record with
  the counts. Scoring already ignores such events (the compiler's retention filter); purging removes them.
- ``erase`` removes a subject's rows from every table that holds them, revokes its certificates (the
  revocation list keeps only random certificate ids), replaces its id where it appears in someone else's
  record (a vouch counterparty, a viewer in another subject's access log) with a pseudonym, and appends an
  ``erasures`` record holding only a keyed pseudonym of the id and the counts.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from credence.errors import NotFoundError
from credence.services.grants import moment
from credence.services.pseudonyms import pseudonym
from credence.services.webhooks import retention as webhook_retention
from credence.store import current, supersessions
from credence.workspace import Workspace

# (table, column) holding a subject's own rows: deleted on erasure.
SUBJECT_ROWS = (
    ("entities", "entity_id"),
    ("events", "entity_id"),
    ("scores", "entity_id"),
    ("entity_scores", "entity_id"),  # its latest score and its history, kept by entity (store/history.py)
    ("score_history", "entity_id"),
    ("grants", "subject_id"),
    ("decisions", "subject_id"),
    ("access_log", "subject_id"),
    ("disputes", "entity_id"),
    ("certificates", "subject_id"),
    ("outcomes", "entity_id"),
    ("protected_attributes", "entity_id"),
    ("api_keys", "name"),
    ("web_sessions", "name"),  # portal sessions and one-time sign-in codes (the ends and uses hold only hashes)
    ("signin_codes", "name"),
    ("webhook_events", "entity_id"),  # the outbox: events about the subject, delivered or not
    ("webhook_subscriptions", "principal"),  # the subject's own channel
)
# (table, column) where the subject appears in another subject's record: pseudonymised on erasure.
MENTIONS = (
    ("events", "counterparty_id"),
    ("grants", "viewer_id"),
    ("access_log", "viewer_id"),
    ("decisions", "partner_id"),
    ("grant_revocations", "revoked_by"),
)


def subject_hash(ws: Workspace, entity_id: str) -> str:
    """The erased subject's keyed pseudonym: the bureau (which holds the key) can tell that an id was erased;
    no one else can, since hashing candidate ids without the key finds nothing (``services.pseudonyms``)."""
    return pseudonym(ws, entity_id)


def purge(ws: Workspace, *, now: datetime | None = None, dry_run: bool = False) -> dict:
    """Delete adverse events past retention as of ``now``, and the webhook outbox events and delivery log rows
    past ``webhook_retention_days`` that no live subscription still owes (``services/webhooks/retention.py``);
    returns (and records) what was removed."""
    t = moment(now)
    catalogue = ws.catalogue
    limits = {name: catalogue.retention_days(et) for name, et in catalogue.types.items() if et.adverse}
    webhooks_before = webhook_retention.cutoff(ws, t)
    with ws.store.transaction() as con:
        record = _purge_adverse(con, limits, t, dry_run)
        record |= webhook_retention.purge_settled(con, webhooks_before, dry_run=dry_run)
        if not dry_run and any(record[k] for k in ("events", "webhook_events", "webhook_deliveries")):
            con.execute("INSERT INTO purges (purged_at, rows_removed) VALUES (?, ?)", [t, json.dumps(record)])
    return {"purged_at": t, "dry_run": dry_run, **record}


def _purge_adverse(con, limits: dict[str, int], t: datetime, dry_run: bool) -> dict:
    """The adverse events past their type's retention and the dispute rows about them (in ``con``'s
    transaction): counted, and deleted unless ``dry_run``."""
    if not limits:
        return {"events": 0, "disputes": 0, "by_type": {}}
    values = ", ".join("(?, ?)" for _ in limits)
    params = [x for item in limits.items() for x in item]
    due = (
        f"SELECT e.provider_id, e.event_id, e.type FROM events e JOIN (VALUES {values}) r(type, days) USING (type) "
        "WHERE e.adverse AND date_diff('day', e.occurred_at::DATE, ?::DATE) > r.days"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE purge_due AS {due}", params + [t])
    by_type = dict(con.execute("SELECT type, count(*) FROM purge_due GROUP BY type ORDER BY type").fetchall())
    n_events = sum(by_type.values())
    n_disputes = con.execute(
        "SELECT count(*) FROM disputes d WHERE EXISTS (SELECT 1 FROM purge_due p "
        "WHERE p.provider_id = d.provider_id AND p.event_id = d.event_id)"
    ).fetchone()[0]
    if not dry_run and n_events:
        current.mark(con, "SELECT DISTINCT e.entity_id FROM events e JOIN purge_due p USING (provider_id, event_id)")
        con.execute(
            "DELETE FROM disputes d WHERE EXISTS (SELECT 1 FROM purge_due p "
            "WHERE p.provider_id = d.provider_id AND p.event_id = d.event_id)"
        )
        con.execute(
            "DELETE FROM events e WHERE EXISTS (SELECT 1 FROM purge_due p "
            "WHERE p.provider_id = e.provider_id AND p.event_id = e.event_id)"
        )
        supersessions.forget_orphans(con)
    con.execute("DROP TABLE purge_due")
    return {"events": n_events, "disputes": n_disputes, "by_type": by_type}


def erase(ws: Workspace, subject_id: str, *, at: datetime | None = None) -> dict:
    """Remove everything held about ``subject_id``; append and return the erasure record."""
    t = moment(at)
    held = {
        f"{table}.{column}": int(ws.store.scalar(f"SELECT count(*) FROM {table} WHERE {column} = ?", [subject_id]))
        for table, column in SUBJECT_ROWS + MENTIONS
    }
    if not any(held.values()):
        raise NotFoundError(f"nothing is held about '{subject_id}'", field="entity_id", fix="check the id")
    digest = subject_hash(ws, subject_id)
    erased_as = f"erased:{digest}"
    erasure_id = f"E-{uuid.uuid4().hex[:12]}"
    removed: dict[str, int] = {}
    # no group commit runs beside the erasure; one queued about the subject meanwhile is dropped (store/commit.py)
    with ws.store.transaction(pause_appends=True) as con:
        con.execute(
            "INSERT INTO certificate_revocations (certificate_id, revoked_at, reason) "
            "SELECT c.certificate_id, ?, 'subject erased' FROM certificates c "
            "WHERE c.subject_id = ? AND c.certificate_id NOT IN (SELECT certificate_id FROM certificate_revocations)",
            [t, subject_id],
        )
        current.mark_ids(con, [subject_id])  # and its vouch neighbours, before its events go
        grant_ids = [
            r[0] for r in con.execute("SELECT grant_id FROM grants WHERE subject_id = ?", [subject_id]).fetchall()
        ]
        if grant_ids:
            n = con.execute(
                "SELECT count(*) FROM grant_revocations WHERE list_contains(?, grant_id)", [grant_ids]
            ).fetchone()[0]
            con.execute("DELETE FROM grant_revocations WHERE list_contains(?, grant_id)", [grant_ids])
            removed["grant_revocations"] = int(n)
        for table, column in SUBJECT_ROWS:
            n = con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [subject_id]).fetchone()[0]
            if n:
                con.execute(f"DELETE FROM {table} WHERE {column} = ?", [subject_id])
                removed[table] = removed.get(table, 0) + int(n)
        n = con.execute(
            "SELECT count(*) FROM quarantine WHERE try(json_extract_string(record, '$.entity_id')) = ?", [subject_id]
        ).fetchone()[0]
        if n:
            con.execute(
                "DELETE FROM quarantine WHERE try(json_extract_string(record, '$.entity_id')) = ?", [subject_id]
            )
            removed["quarantine"] = int(n)
        for table, column in MENTIONS:
            n = con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [subject_id]).fetchone()[0]
            if n:
                con.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [erased_as, subject_id])
                removed[f"{table}.{column} (pseudonymised)"] = int(n)
        supersessions.forget_orphans(con)
        con.execute(
            "INSERT INTO erasures (erasure_id, subject_hash, requested_at, rows_removed) VALUES (?, ?, ?, ?)",
            [erasure_id, digest, t, json.dumps(removed)],
        )
    from credence.services.certificates import publish_revocations

    publish_revocations(ws)
    return {"erasure_id": erasure_id, "subject_hash": digest, "requested_at": t, "rows_removed": removed}


def erasures(ws: Workspace) -> list[dict]:
    rows = ws.store.query("SELECT * FROM erasures ORDER BY requested_at")
    for r in rows:
        r["rows_removed"] = json.loads(r["rows_removed"])
    return rows


def purges(ws: Workspace) -> list[dict]:
    rows = ws.store.query("SELECT * FROM purges ORDER BY purged_at")
    for r in rows:
        r["rows_removed"] = json.loads(r["rows_removed"])
    return rows
