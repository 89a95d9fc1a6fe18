"""Delivering the outbox: one background thread in ``credence serve``, one attempt at a time per subscription.

For each live subscription the dispatcher takes the first event (in ``seq`` order) that the subscription
takes and has not settled (delivered, failed or withheld), checks the guardrails *now* (a partner receives
events about a subject only while that subject's grant to it is live), signs the payload and POSTs it. Every
attempt is appended to ``webhook_deliveries``; a failed one is retried after an exponential, jittered,
bounded backoff, and after ``max_attempts`` the event is marked failed and the next one goes. The next event
of a subscription waits for the one before it, so each receiver sees its events in order.

Delivery is at least once: a delivery is recorded after the receiver answered, so a crash in between sends
it again after a restart, with the same event id (receivers de-duplicate on it). The backoff is recomputed
from the log, so a restart keeps it. The same loop expires disputes whose answer deadline passed (once a
minute), so their ``dispute.deadline`` events go out without an operator's ``credence dispute expire``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from credence.services.disputes import expire_disputes
from credence.services.grants import moment
from credence.services.metrics import WEBHOOK_DELIVERIES
from credence.services.webhooks import outbox, signature, subscriptions
from credence.services.webhooks.outbox import LIVE_GRANT, channel_sql, iso
from credence.workspace import Workspace

MAX_ATTEMPTS = 8
BACKOFF = 2.0  # seconds before the second attempt; doubled for each next one
BACKOFF_CAP = 600.0  # the longest wait between two attempts
TIMEOUT = 10.0  # seconds a receiver has to answer
USER_AGENT = "credence-webhooks/1"
BATCH = 50  # events one look hands a subscription's worker

# What a partner's channel carries of each event's data: no more than its grant lets it see.
PARTNER_FIELDS = {
    "score.changed": ("entity_id", "score", "band", "previous_score", "previous_band", "as_of"),
    "decision.made": ("decision_id", "subject_id", "policy_id", "purpose", "outcome", "score", "band", "decided_at"),
    "grant.revoked": ("grant_id", "subject_id", "scope", "purpose", "revoked_at"),
    "certificate.revoked": ("certificate_id", "subject_id", "revoked_at"),
}
# The grant scopes that let a partner receive an event about a subject (grant.revoked: its own grant, none).
PARTNER_SCOPES = {
    "score.changed": ("score",),
    "decision.made": ("score", "decisions"),
    "certificate.revoked": ("score", "decisions"),
    "grant.revoked": (),
}
# The first events a subscription takes and has not settled, in order, each with its failed attempts so far.
# A partner's channel takes the events that concern it (its decisions, grants, certificates) and score
# changes of subjects who had granted it by then.
_NEXT = """
WITH tried AS (
    SELECT event_id, count(*) FILTER (WHERE outcome = 'retrying') AS attempts,
           max(next_attempt_at) FILTER (WHERE outcome = 'retrying') AS next_attempt_at,
           bool_or(outcome <> 'retrying') AS settled
    FROM webhook_deliveries WHERE subscription_id = $sid GROUP BY event_id
)
SELECT e.seq, e.event_id, e.type, e.entity_id, e.partner_id, e.created_at, e.data,
       coalesce(t.attempts, 0) AS attempts, t.next_attempt_at
FROM webhook_events e LEFT JOIN tried t ON t.event_id = e.event_id
WHERE e.seq > $start AND list_contains($types, e.type) AND ({channel}) AND NOT coalesce(t.settled, false)
ORDER BY e.seq LIMIT $limit
"""


def backoff(attempt: int, key: str, *, base: float = BACKOFF, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, ...): ``base * 2**(attempt-1)`` bounded by
    ``cap``, times a jitter in [0.5, 1) drawn from ``key`` (the same after a restart)."""
    jitter = int.from_bytes(hashlib.sha256(f"{key}:{attempt}".encode()).digest()[:4], "big") / 2**32
    return min(cap, base * 2 ** (attempt - 1)) * (0.5 + jitter / 2)


def next_events(ws: Workspace, sub: dict, limit: int = 1) -> list[dict]:
    """The subscription's first unsettled events, in order, each with its failed attempts so far and when the
    next attempt is due."""
    return ws.store.query(
        _NEXT.format(channel=channel_sql(sub["channel"])),
        {
            "sid": sub["subscription_id"],
            "start": sub["start_seq"],
            "types": sub["types"],
            "principal": sub["principal"],
            "limit": limit,
        },
    )


def next_event(ws: Workspace, sub: dict) -> dict | None:
    """The subscription's first unsettled event, or None."""
    rows = next_events(ws, sub)
    return rows[0] if rows else None


def withheld_because(ws: Workspace, sub: dict, ev: dict, now: datetime) -> str | None:
    """Why a guardrail keeps ``ev`` from ``sub`` now, or None."""
    if sub["channel"] == "subject":
        return None if ev["entity_id"] == sub["principal"] else "not about this subject"
    scopes = PARTNER_SCOPES.get(ev["type"])
    if scopes is None:
        return f"a partner's channel does not take {ev['type']}"
    if not scopes:
        return None
    live = ws.store.scalar(
        f"SELECT count(*) FROM grants g WHERE g.subject_id = $subject AND g.viewer_id = $partner "
        f"AND list_contains($scopes, g.scope) AND {LIVE_GRANT}",
        {"subject": ev["entity_id"], "partner": sub["principal"], "scopes": list(scopes), "at": now},
    )
    return None if live else f"no live {' or '.join(scopes)} grant from the subject to {sub['principal']}"


def payload(sub: dict, ev: dict) -> bytes:
    """The body sent: the event's id, type, time and data (a partner's channel: only the fields it may see)."""
    data = json.loads(ev["data"])
    if sub["channel"] == "partner":
        data = {k: data.get(k) for k in PARTNER_FIELDS[ev["type"]]}
    body = {
        "id": ev["event_id"],
        "type": ev["type"],
        "created_at": iso(ev["created_at"]),
        "subscription_id": sub["subscription_id"],
        "data": data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class Dispatcher:
    """The delivery loop of a served workspace: ``start()`` it beside the server, ``close()`` it after."""

    ws: Workspace
    max_attempts: int = MAX_ATTEMPTS
    base: float = BACKOFF
    cap: float = BACKOFF_CAP
    timeout: float = TIMEOUT
    interval: float = 0.25  # seconds between two looks at the outbox
    workers: int = 4  # subscriptions delivered to at the same time
    expire_every: float = 60.0  # seconds between two looks for disputes whose answer deadline passed
    clock: Callable[[], datetime] = moment  # now, to the microsecond (as grants are stamped)
    log: Callable[[str], None] = lambda message: None
    counts: dict = field(default_factory=dict)  # outcome -> attempts recorded by this process
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    _busy: set = field(default_factory=set)
    _idle: dict = field(default_factory=dict)  # subscription -> outbox size seen when it had nothing to send
    _due: dict = field(default_factory=dict)  # subscription -> when its next retry is due
    _thread: threading.Thread | None = None
    _pool: ThreadPoolExecutor | None = None
    _http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT})
        return self._http

    def start(self) -> Dispatcher:
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="credence-webhook")
        self._thread = threading.Thread(target=self._run, name="credence-webhooks", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop looking; attempts in flight finish (each bounded by ``timeout``)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._http is not None:
            self._http.close()

    def _run(self) -> None:
        expired_at = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - expired_at >= self.expire_every:
                    expired_at = time.monotonic()
                    expire_disputes(self.ws)  # deadlines pass while the bureau serves (dispute.deadline: passed)
                self.tick()
            except Exception as e:  # noqa: BLE001 - a bad moment of the store must not end the loop
                self.log(f"webhooks: {type(e).__name__}: {e}")
            self._wake.wait(self.interval)
            self._wake.clear()

    def tick(self) -> None:
        """Hand every live subscription with an event due and nothing in flight its next events (in order)."""
        if not outbox.subscribed(self.ws.store):  # nobody to deliver to: no look at the outbox (in memory)
            return
        # what the outbox holds: a count, not the top seq, so that an event committed late with a lower seq
        # (transactions take their seq before they commit) still wakes its subscriptions
        top = self.ws.store.scalar("SELECT count(*) FROM webhook_events")
        now = self.clock()
        for sub in subscriptions.live(self.ws):
            sid = sub["subscription_id"]
            if sid in self._busy or self._idle.get(sid) == top or self._due.get(sid, now) > now:
                continue
            events = next_events(self.ws, sub, BATCH)
            if not events:
                self._idle[sid] = top
                continue
            self._idle.pop(sid, None)
            first = events[0]["next_attempt_at"]
            if first is not None and first > now:
                self._due[sid] = first
                continue
            self._due.pop(sid, None)
            self._busy.add(sid)
            self._pool.submit(self._attempt, sub, events)

    def _attempt(self, sub: dict, events: list[dict]) -> None:
        """Deliver ``events`` one after the other; stop at the first to be retried later (order holds)."""
        sid = sub["subscription_id"]
        try:
            for ev in events:
                due = ev["next_attempt_at"]
                if (
                    self._stop.is_set()
                    or (due is not None and due > self.clock())
                    or not subscriptions.is_live(self.ws, sid)
                ):
                    break
                if self.deliver(sub, ev) == "retrying":
                    break
        except Exception as e:  # noqa: BLE001 - logged; the event stays unsettled and is tried again
            self.log(f"webhooks: {sid}: {type(e).__name__}: {e}")
        finally:
            self._busy.discard(sid)
            self._wake.set()

    def deliver(self, sub: dict, ev: dict) -> str:
        """One attempt (or a withholding), recorded in the delivery log; returns the outcome."""
        now = self.clock()
        reason = withheld_because(self.ws, sub, ev, now)
        if reason is not None:
            return self._record(sub, ev, 0, "withheld", None, reason)
        attempt = int(ev["attempts"]) + 1
        body = payload(sub, ev)
        headers = {
            "Content-Type": "application/json",
            signature.HEADER: signature.sign(sub["secret"], body, int(time.time())),
            "Credence-Event-Id": ev["event_id"],
            "Credence-Event-Type": ev["type"],
            "Credence-Delivery-Attempt": str(attempt),
        }
        status, error = None, None
        try:
            status = self.http.post(sub["url"], content=body, headers=headers).status_code
            if not 200 <= status < 300:
                error = f"the receiver answered HTTP {status}"
        except httpx.HTTPError as e:
            error = f"{type(e).__name__}: {e}"[:300] or type(e).__name__
        if error is None:
            return self._record(sub, ev, attempt, "delivered", status, None)
        if attempt >= self.max_attempts:
            return self._record(sub, ev, attempt, "failed", status, f"{error}; gave up after {attempt} attempts")
        wait = backoff(attempt, f"{sub['subscription_id']}:{ev['event_id']}", base=self.base, cap=self.cap)
        return self._record(sub, ev, attempt, "retrying", status, error, next_at=now + timedelta(seconds=wait))

    def _record(self, sub, ev, attempt, outcome, status, error, *, next_at=None) -> str:
        self.ws.store.append(
            [
                (
                    "INSERT INTO webhook_deliveries (subscription_id, event_id, seq, attempt, outcome, status_code, "
                    "error, attempted_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        sub["subscription_id"],
                        ev["event_id"],
                        ev["seq"],
                        attempt,
                        outcome,
                        status,
                        error,
                        self.clock(),
                        next_at,
                    ],
                )
            ]
        )
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        WEBHOOK_DELIVERIES.labels(ev["type"], outcome).inc()  # /metrics: credence_webhook_deliveries_total
        if outcome == "retrying":
            self._due[sub["subscription_id"]] = next_at
        return outcome
