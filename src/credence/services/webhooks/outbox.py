"""The outbox: webhook events appended in the transaction of the change that causes them.

An event is a row of ``webhook_events`` written by the same transaction (or group-commit unit) as the fact
it reports, so a crash never loses one and never reports a change that did not commit. Its ``seq`` orders
deliveries to each subscription; its ``event_id`` stays the same across retries and restarts, so receivers
de-duplicate on it. An event is appended only when a live subscription could receive it (none wanted: no
row); whether it may be delivered is checked again at delivery time (``dispatcher.py``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import duckdb

from credence.store.cache import WEBHOOKS, GenerationCache

SCORE_CHANGED = "score.changed"
EVENT_TYPES = {
    SCORE_CHANGED: "the subject's score or band changed (re-scored after a new fact, a dispute, a new day)",
    "grant.revoked": "a grant of the subject was revoked",
    "certificate.revoked": "a score certificate of the subject was revoked",
    "decision.made": "a partner applied a policy to the subject",
    "dispute.deadline": "a dispute's answer deadline was set (opened), met (answered) or passed (expired)",
}
SUBJECT_ONLY = ("dispute.deadline",)  # a subject's disputes are between it and the provider

LIVE = (
    "(SELECT * FROM webhook_subscriptions "
    " WHERE subscription_id NOT IN (SELECT subscription_id FROM webhook_subscription_ends))"
)
LIVE_GRANT = (
    "g.granted_at <= $at AND $at < g.expires_at "
    "AND g.grant_id NOT IN (SELECT grant_id FROM grant_revocations WHERE revoked_at <= $at)"
)


def channel_sql(channel: str, principal: str = "$principal") -> str:
    """SQL over an outbox event ``e``: whether a ``channel`` subscription of ``principal`` (SQL) takes it. A
    partner's channel takes the events that concern it (its decisions, grants, certificates) and score changes
    of subjects who had granted it by then."""
    if channel == "subject":
        return f"e.entity_id = {principal}"
    return (
        f"e.partner_id = {principal} OR (e.partner_id IS NULL AND EXISTS (SELECT 1 FROM grants g "
        f"WHERE g.subject_id = e.entity_id AND g.viewer_id = {principal} AND g.granted_at <= e.created_at))"
    )


# Entities whose score changes some live subscription may receive: subjects with their own channel, and
# subjects with a live 'score' grant to a partner whose channel takes score changes.
_INTERESTED = (
    f"SELECT s.principal AS entity_id FROM {LIVE} s "
    f"WHERE s.channel = 'subject' AND list_contains(s.types, '{SCORE_CHANGED}') "
    f"UNION SELECT g.subject_id FROM grants g JOIN {LIVE} s ON s.channel = 'partner' AND s.principal = g.viewer_id "
    f"WHERE list_contains(s.types, '{SCORE_CHANGED}') AND g.scope = 'score' AND {LIVE_GRANT}"
)
_NEW_EVENT = (
    "INSERT INTO webhook_events (seq, event_id, type, entity_id, partner_id, created_at, data) "
    "SELECT nextval('webhook_event_seq'), 'evt_' || replace(uuid()::VARCHAR, '-', ''), "
)


def iso(t: datetime) -> str:
    """A stored (naive UTC) time as ISO 8601 with a Z."""
    return t.isoformat(timespec="seconds") + "Z"


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=lambda v: iso(v) if isinstance(v, datetime) else str(v))


def event(type_: str, entity_id: str, data: dict, *, at: datetime, partner_id: str | None = None) -> tuple[str, list]:
    """The INSERT (with its parameters) that appends one event if a live subscription could receive it: the
    subject's own channel, or the channel of ``partner_id`` (the partner the event concerns).

    Run it in the writer's transaction (``con.execute(*event(...))``) or add it to a group-commit unit."""
    assert type_ in EVENT_TYPES, type_
    return (
        _NEW_EVENT + f"?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM {LIVE} s WHERE list_contains(s.types, ?) AND "
        "((s.channel = 'subject' AND s.principal = ?) OR (s.channel = 'partner' AND s.principal = ?)))",
        [type_, entity_id, partner_id, at, _json(data), type_, entity_id, partner_id],
    )


def wanted(store, type_: str, entity_id: str, partner_id: str | None = None) -> bool:
    """Whether a live subscription could receive this event (as ``event``'s own condition reads it), from the
    subscriptions kept in memory until the next committed write: a caller that appends many events (every
    decision) leaves the statement out when nobody subscribed."""
    for channel, principal, types in _SUBSCRIPTIONS.get(store, "live", lambda: _live(store)):
        if type_ in types and principal == (entity_id if channel == "subject" else partner_id):
            return True
    return False


def subscribed(store) -> bool:
    """Whether any subscription is live (kept in memory until the next write that may change them)."""
    return bool(_SUBSCRIPTIONS.get(store, "live", lambda: _live(store)))


_SUBSCRIPTIONS = GenerationCache(maxsize=16, topic=WEBHOOKS)


def _live(store) -> tuple:
    rows = store.query(f"SELECT channel, principal, types FROM {LIVE} s")
    return tuple((r["channel"], r["principal"], frozenset(r["types"])) for r in rows)


def emit(con: duckdb.DuckDBPyConnection, type_: str, entity_id: str, data: dict, **kw) -> None:
    """Append one event in ``con``'s transaction (see :func:`event`)."""
    con.execute(*event(type_, entity_id, data, **kw))


@contextlib.contextmanager
def score_changes(con: duckdb.DuckDBPyConnection, at: datetime, scope: str | None = None) -> Iterator[None]:
    """Around a re-score of ``current_scores`` in ``con``'s transaction: append a ``score.changed`` event for
    every entity (of those ``scope`` selects, or all) whose score or band moved and that a subscription may
    receive. Set-based: one statement keeps the old values, one compares them with the new rows."""
    watched = con.execute(f"SELECT count(*) FROM {LIVE} s WHERE list_contains(s.types, ?)", [SCORE_CHANGED]).fetchone()[
        0
    ]
    if not watched:
        yield
        return
    created = datetime.now(UTC).replace(tzinfo=None)  # to the microsecond, as grants are (``at`` may be whole seconds)
    within = f"WHERE i.entity_id IN ({scope})" if scope else ""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE webhook_before AS "
        "SELECT i.entity_id, c.entity_id IS NOT NULL AS had, c.score, c.band "
        f"FROM ({_INTERESTED}) i LEFT JOIN current_scores c ON c.entity_id = i.entity_id {within}",
        {"at": created},
    )
    yield
    con.execute(
        _NEW_EVENT + f"'{SCORE_CHANGED}', n.entity_id, NULL, $created, "
        "json_object('entity_id', n.entity_id, 'scorecard', n.scorecard, 'score', n.score, 'band', n.band, "
        "'previous_score', b.score, 'previous_band', b.band, 'as_of', strftime($at, '%Y-%m-%dT%H:%M:%SZ'))::VARCHAR "
        "FROM webhook_before b JOIN current_scores n ON n.entity_id = b.entity_id "
        "WHERE NOT b.had OR n.score IS DISTINCT FROM b.score OR n.band IS DISTINCT FROM b.band",
        {"at": at, "created": created},
    )
    con.execute("DROP TABLE webhook_before")
