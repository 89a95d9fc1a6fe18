"""Webhook subscriptions (operator-managed) and the delivery log.

A subscription is a channel (a partner's, or one subject's own) with a URL, a secret and the event types
it takes. It is appended, and ended by an appended ``webhook_subscription_ends`` row; it receives the events
appended after it was made. The secret is shown once, when it is made.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from credence.errors import ConflictError, NotFoundError, ValidationError
from credence.services.grants import moment
from credence.services.principals import partner_names
from credence.services.webhooks.outbox import EVENT_TYPES, LIVE, SUBJECT_ONLY
from credence.store import queries
from credence.workspace import Workspace

CHANNELS = ("partner", "subject")
OUTCOMES = ("delivered", "retrying", "failed", "withheld")
_COLUMNS = "subscription_id, channel, principal, url, types, start_seq, created_at, created_by"


def channel_types(channel: str) -> tuple[str, ...]:
    """The event types a channel may take (a partner's never takes a subject's disputes)."""
    return tuple(t for t in EVENT_TYPES if channel == "subject" or t not in SUBJECT_ONLY)


def add(
    ws: Workspace,
    channel: str,
    principal: str,
    url: str,
    types: list[str] | None = None,
    *,
    secret: str | None = None,
    by: str = "operator",
    at: datetime | None = None,
) -> dict:
    """Subscribe ``url`` to the events of a partner's or a subject's channel; returns it with its secret."""
    if channel not in CHANNELS:
        raise ValidationError(f"channel '{channel}' unknown", field="channel", fix="use 'partner' or 'subject'")
    principal = str(principal or "").strip()
    if channel == "partner" and principal not in partner_names(ws):
        raise NotFoundError(
            f"no registered partner '{principal}'",
            field="partner",
            fix="subscribe a partner with a partner key (credence keys create --role partner) or a policy",
        )
    if channel == "subject" and not queries.entity_exists(ws.store, principal):
        raise NotFoundError(f"no entity '{principal}'", field="subject", fix="check the id")
    url = check_url(url)
    allowed = channel_types(channel)
    chosen = list(dict.fromkeys(types)) if types else list(allowed)
    for t in chosen:
        if t not in allowed:
            raise ValidationError(
                f"event type '{t}' is not available to a {channel} channel",
                field="types",
                fix=f"choose among {', '.join(allowed)}",
            )
    secret = secret or f"whsec_{secrets.token_urlsafe(32)}"
    if len(secret) < 16:
        raise ValidationError("a webhook secret needs at least 16 characters", field="secret", fix="omit it to get one")
    now = moment(at)
    row = {
        "subscription_id": f"WH-{uuid.uuid4().hex[:12]}",
        "channel": channel,
        "principal": principal,
        "url": url,
        "secret": secret,
        "types": chosen,
        "created_at": now,
        "created_by": by,
    }
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO webhook_subscriptions (subscription_id, channel, principal, url, secret, types, start_seq, "
            "created_at, created_by) SELECT $subscription_id, $channel, $principal, $url, $secret, $types, "
            "(SELECT coalesce(max(seq), 0) FROM webhook_events), $created_at, $created_by",
            row,
        )
    return get(ws, row["subscription_id"]) | {"secret": secret}


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host."""
    url = str(url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"'{url}' is not an http(s) URL",
            field="url",
            fix="give the receiver's address, e.g. https://example.org/hook",
        )
    return url


def list_subscriptions(ws: Workspace, *, include_ended: bool = False, principal: str | None = None) -> list[dict]:
    """Subscriptions (never their secrets) with their status and delivery counts."""
    conds, params = ["TRUE"], []
    if not include_ended:
        conds.append("e.ended_at IS NULL")
    if principal is not None:
        conds.append("s.principal = ?")
        params.append(principal)
    rows = ws.store.query(
        f"SELECT {', '.join('s.' + c for c in _COLUMNS.split(', '))}, e.ended_at, e.ended_by, "
        + ", ".join(f"coalesce(d.{o}, 0) AS {o}" for o in OUTCOMES)
        + " FROM webhook_subscriptions s "
        "LEFT JOIN webhook_subscription_ends e USING (subscription_id) "
        "LEFT JOIN (SELECT subscription_id, "
        + ", ".join(f"count(*) FILTER (WHERE outcome = '{o}') AS {o}" for o in OUTCOMES)
        + " FROM webhook_deliveries GROUP BY subscription_id) d USING (subscription_id) "
        f"WHERE {' AND '.join(conds)} ORDER BY s.created_at, s.subscription_id",
        params,
    )
    for r in rows:
        r["status"] = "ended" if r["ended_at"] else "live"
    return rows


def get(ws: Workspace, subscription_id: str) -> dict:
    for r in list_subscriptions(ws, include_ended=True):
        if r["subscription_id"] == subscription_id:
            return r
    raise NotFoundError(
        f"no webhook subscription '{subscription_id}'", field="subscription_id", fix="list them: credence webhooks list"
    )


def remove(ws: Workspace, subscription_id: str, *, by: str = "operator", at: datetime | None = None) -> dict:
    """End a subscription: nothing more is sent to it (an attempt in flight finishes)."""
    s = get(ws, subscription_id)
    if s["ended_at"] is not None:
        raise ConflictError(f"webhook subscription {subscription_id} already ended at {s['ended_at']:%Y-%m-%d %H:%M}")
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO webhook_subscription_ends (subscription_id, ended_at, ended_by) VALUES (?, ?, ?)",
            [subscription_id, moment(at), by],
        )
    return get(ws, subscription_id)


def is_live(ws: Workspace, subscription_id: str) -> bool:
    return not ws.store.scalar(
        "SELECT count(*) FROM webhook_subscription_ends WHERE subscription_id = ?", [subscription_id]
    )


def live(ws: Workspace) -> list[dict]:
    """The live subscriptions with their secrets (for the dispatcher only)."""
    return ws.store.query(f"SELECT * FROM {LIVE} s ORDER BY created_at, subscription_id")


def deliveries(
    ws: Workspace,
    subscription_id: str | None = None,
    *,
    event_id: str | None = None,
    outcome: str | None = None,
    limit: int = 100,
) -> list[dict]:
    """The delivery log, newest first: one row per attempt (and per event withheld by a guardrail)."""
    conds, params = ["TRUE"], []
    for column, value in (("d.subscription_id", subscription_id), ("d.event_id", event_id), ("d.outcome", outcome)):
        if value is not None:
            conds.append(f"{column} = ?")
            params.append(value)
    if outcome is not None and outcome not in OUTCOMES:
        raise ValidationError(f"outcome '{outcome}' unknown", field="outcome", fix=f"use one of {', '.join(OUTCOMES)}")
    if subscription_id is not None:
        get(ws, subscription_id)
    return ws.store.query(
        "SELECT d.subscription_id, d.event_id, e.type, d.seq, d.attempt, d.outcome, d.status_code, d.error, "
        "d.attempted_at, d.next_attempt_at FROM webhook_deliveries d LEFT JOIN webhook_events e USING (event_id) "
        f"WHERE {' AND '.join(conds)} ORDER BY d.attempted_at DESC, d.seq DESC, d.attempt DESC LIMIT ?",
        [*params, max(1, min(int(limit), 10_000))],
    )
