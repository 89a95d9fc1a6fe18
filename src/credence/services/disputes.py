"""Disputes: the subject contests one of its events; the provider answers; unanswered ones expire.

Every step is an appended ``disputes`` row (guardrail 7); the ``effective_events`` view turns them into
what counts: while a dispute is pending (``opened``) the event does not count; ``confirmed`` makes it count
again; ``corrected`` appends a new event that ``supersedes`` the old one (same provider, new event id);
``retracted`` removes it; a dispute unanswered for 30 days is ``expired`` and the event no longer counts.

An event is disputed at most once: after an answer (or expiry) it is settled. A correction is a new event
and can itself be disputed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from credence.clock import parse_time
from credence.domain.catalogue import Catalogue
from credence.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from credence.services.grants import moment
from credence.services.webhooks import outbox
from credence.store import current, supersessions
from credence.store.schema import EVENT_COLUMNS
from credence.workspace import Workspace

ANSWER_DAYS = 30
ACTIONS = {"confirm": "confirmed", "correct": "corrected", "retract": "retracted"}
CORRECTABLE = ("type", "occurred_at", "amount", "days_late", "purchase_category", "rental_asset")


def open_dispute(
    ws: Workspace,
    subject_id: str,
    provider_id: str,
    event_id: str,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> dict:
    """The subject contests its own event; from now until an answer the event does not count."""
    t = moment(at)
    ev = ws.store.query(
        "SELECT * FROM events WHERE provider_id = ? AND event_id = ? AND entity_id = ?",
        [provider_id, event_id, subject_id],
    )
    if not ev:  # also when the event is another subject's: that is not the caller's to know
        raise NotFoundError(
            f"'{subject_id}' has no event '{event_id}' from provider '{provider_id}'",
            field="event_id",
            fix=f"see its events on the portal page /subjects/{subject_id}#events or GET /v1/entities/{subject_id}/events",
        )
    superseded_by = ws.store.scalar(
        "SELECT max(event_id) FROM events WHERE provider_id = ? AND supersedes = ?", [provider_id, event_id]
    )
    if superseded_by is not None:
        raise ConflictError(
            f"event {provider_id}/{event_id} was corrected by {superseded_by}; it no longer counts",
            fix=f"dispute the correction {provider_id}/{superseded_by} instead",
        )
    previous = ws.store.query(
        "SELECT dispute_id, action, acted_at FROM disputes WHERE provider_id = ? AND event_id = ? "
        "ORDER BY acted_at DESC LIMIT 1",
        [provider_id, event_id],
    )
    if previous:
        p = previous[0]
        raise ConflictError(
            f"event {provider_id}/{event_id} is already disputed ({p['dispute_id']}, {p['action']} "
            f"{p['acted_at']:%Y-%m-%d})",
            fix="a settled dispute is final; contact the provider or the bureau operator",
        )
    dispute_id = f"D-{uuid.uuid4().hex[:12]}"
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO disputes (dispute_id, provider_id, event_id, entity_id, action, actor, note, acted_at) "
            "VALUES (?, ?, ?, ?, 'opened', ?, ?, ?)",
            [dispute_id, provider_id, event_id, subject_id, subject_id, note, t],
        )
        current.mark_ids(con, [subject_id])
        ids = {"dispute_id": dispute_id, "provider_id": provider_id, "event_id": event_id, "entity_id": subject_id}
        _deadline(con, ids, "set", "opened", t, t + timedelta(days=ANSWER_DAYS))
    return get_dispute(ws, dispute_id)


def answer_dispute(
    ws: Workspace,
    dispute_id: str,
    provider_id: str,
    action: str,
    *,
    correction: dict | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> dict:
    """The provider confirms, corrects (``correction``: fields to change, optional ``event_id``) or retracts."""
    if action not in ACTIONS:
        raise ValidationError(f"action '{action}' unknown", field="action", fix="use confirm, correct or retract")
    d = get_dispute(ws, dispute_id)
    if d["provider_id"] != provider_id:
        raise PermissionDenied(
            f"dispute {dispute_id} is about an event of provider '{d['provider_id']}', not '{provider_id}'",
            field="provider_id",
        )
    t = moment(at)
    if d["status"] == "pending" and d["opened_at"] <= t - timedelta(days=ANSWER_DAYS):
        expire_disputes(ws, t)  # the 30 days ran out before this answer: expiry is automatic, not a chore
        d = get_dispute(ws, dispute_id)
    if d["status"] != "pending":
        raise ConflictError(f"dispute {dispute_id} is already {d['status']}", fix="a settled dispute is final")
    if t <= d["last_acted_at"]:
        if at is not None:
            raise ValidationError(f"the answer time {t} is not after the dispute's last action", field="at")
        t = d["last_acted_at"] + timedelta(microseconds=1)
    if action == "correct" and not correction:
        raise ValidationError(
            "a correction needs the corrected fields", field="correction", fix=f"give some of {', '.join(CORRECTABLE)}"
        )
    if action != "correct" and correction:
        raise ValidationError("only 'correct' takes corrected fields", field="correction")
    new_event = None
    with ws.store.transaction() as con:
        if action == "correct":
            new_event = _corrected_event(ws, d, dict(correction or {}), t, ws.catalogue)
            con.execute(
                f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
                [new_event[c] for c in EVENT_COLUMNS],
            )
            supersessions.record(
                con, "e.provider_id = ? AND e.event_id = ?", [new_event["provider_id"], new_event["event_id"]]
            )
        con.execute(
            "INSERT INTO disputes (dispute_id, provider_id, event_id, entity_id, action, actor, note, acted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                dispute_id,
                d["provider_id"],
                d["event_id"],
                d["entity_id"],
                ACTIONS[action],
                provider_id,
                note if action != "correct" else _correction_note(note, new_event),
                t,
            ],
        )
        current.mark_ids(con, [d["entity_id"]])
        _deadline(con, d, "met", ACTIONS[action], t, d["opened_at"] + timedelta(days=ANSWER_DAYS))
    return get_dispute(ws, dispute_id) | ({"correction": new_event} if new_event else {})


def _deadline(con, d: dict, state: str, action: str, t: datetime, deadline: datetime) -> None:
    """The ``dispute.deadline`` webhook event: the provider's answer deadline set, met or passed."""
    data = {k: d[k] for k in ("dispute_id", "provider_id", "event_id", "entity_id")}
    data |= {"state": state, "action": action, "deadline": deadline, "at": t}
    outbox.emit(con, "dispute.deadline", d["entity_id"], data, at=t)


def _correction_note(note: str | None, new_event: dict | None) -> str:
    text = f"corrected by event {new_event['event_id']}" if new_event else "corrected"
    return f"{text}: {note}" if note else text


def _corrected_event(ws: Workspace, d: dict, correction: dict, t: datetime, catalogue: Catalogue) -> dict:
    old = ws.store.query(
        "SELECT * FROM events WHERE provider_id = ? AND event_id = ?", [d["provider_id"], d["event_id"]]
    )[0]
    new_id = str(correction.pop("event_id", None) or f"{d['event_id']}-corrected-{uuid.uuid4().hex[:6]}")
    unknown = set(correction) - set(CORRECTABLE)
    if unknown:
        raise ValidationError(
            f"cannot correct {', '.join(sorted(unknown))}",
            field=sorted(unknown)[0],
            fix=f"a correction may change {', '.join(CORRECTABLE)}",
        )
    if ws.store.scalar(
        "SELECT count(*) FROM events WHERE provider_id = ? AND event_id = ?", [d["provider_id"], new_id]
    ):
        raise ConflictError(f"provider {d['provider_id']} already has an event '{new_id}'", field="event_id")
    ev = {**old, **correction}
    etype = catalogue.type(str(ev["type"]))
    licensed = ws.store.scalar("SELECT categories FROM providers WHERE provider_id = ? LIMIT 1", [d["provider_id"]])
    if licensed is not None and etype.category not in licensed:
        raise ValidationError(
            f"provider {d['provider_id']} is not licensed for '{etype.category}' events", field="type"
        )
    if "occurred_at" in correction:
        ev["occurred_at"] = parse_time(correction["occurred_at"], "occurred_at")
    for key in ("amount",):
        if ev.get(key) is not None:
            try:
                ev[key] = float(ev[key])
            except (TypeError, ValueError):
                raise ValidationError(f"'{ev[key]}' is not a number", field=key) from None
    if ev.get("days_late") is not None:
        try:
            ev["days_late"] = int(ev["days_late"])
        except (TypeError, ValueError):
            raise ValidationError(f"'{ev['days_late']}' is not a whole number of days", field="days_late") from None
    for attr, need in etype.attributes.items():
        if need == "required" and ev.get(attr) is None:
            raise ValidationError(f"a '{etype.name}' event needs '{attr}'", field=attr)
    for attr in ("days_late", "purchase_category", "rental_asset"):
        if attr not in etype.attributes and ev.get(attr) is not None:
            ev[attr] = None  # the new type does not carry it
    if etype.amount == "none":
        ev["amount"] = None
    elif etype.amount == "required" and ev.get("amount") is None:
        raise ValidationError(f"a '{etype.name}' event needs an amount", field="amount")
    ev.update(
        event_id=new_id,
        type=etype.name,
        category=etype.category,
        dimension=etype.dimension,
        adverse=etype.adverse,
        supersedes=d["event_id"],
        ingested_at=t.replace(microsecond=0),
        batch_id=f"dispute:{d['dispute_id']}",
    )
    return {c: ev.get(c) for c in EVENT_COLUMNS}


def expire_disputes(ws: Workspace, now: datetime | None = None) -> list[dict]:
    """Append 'expired' to every dispute still unanswered 30 days after it was opened; those disputes."""
    t = moment(now)
    cutoff = t - timedelta(days=ANSWER_DAYS)
    due = [d for d in list_disputes(ws, status="pending") if d["opened_at"] <= cutoff]
    if not due:
        return []
    with ws.store.transaction() as con:
        for d in due:
            con.execute(
                "INSERT INTO disputes (dispute_id, provider_id, event_id, entity_id, action, actor, note, acted_at) "
                "VALUES (?, ?, ?, ?, 'expired', 'credence', ?, ?)",
                [
                    d["dispute_id"],
                    d["provider_id"],
                    d["event_id"],
                    d["entity_id"],
                    f"no answer from {d['provider_id']} within {ANSWER_DAYS} days; the event no longer counts",
                    max(t, d["last_acted_at"] + timedelta(microseconds=1)),
                ],
            )
            _deadline(con, d, "passed", "expired", t, d["opened_at"] + timedelta(days=ANSWER_DAYS))
        current.mark_ids(con, [d["entity_id"] for d in due])
    return [get_dispute(ws, d["dispute_id"]) for d in due]


STATUS = {
    "opened": "pending",
    "confirmed": "confirmed",
    "corrected": "corrected",
    "retracted": "retracted",
    "expired": "expired",
}


def list_disputes(
    ws: Workspace, subject_id: str | None = None, provider_id: str | None = None, status: str | None = None
) -> list[dict]:
    """Disputes with their status (pending, confirmed, corrected, retracted, expired) and full history."""
    conds, params = ["TRUE"], []
    if subject_id is not None:
        conds.append("entity_id = ?")
        params.append(subject_id)
    if provider_id is not None:
        conds.append("provider_id = ?")
        params.append(provider_id)
    rows = ws.store.query(f"SELECT * FROM disputes WHERE {' AND '.join(conds)} ORDER BY acted_at", params)
    by_id: dict[str, dict] = {}
    for r in rows:
        d = by_id.setdefault(
            r["dispute_id"],
            {
                "dispute_id": r["dispute_id"],
                "provider_id": r["provider_id"],
                "event_id": r["event_id"],
                "entity_id": r["entity_id"],
                "opened_at": r["acted_at"],
                "history": [],
            },
        )
        d["history"].append({k: r[k] for k in ("action", "actor", "note", "acted_at")})
    out = []
    for d in by_id.values():
        last = d["history"][-1]
        d["status"] = STATUS.get(last["action"], last["action"])
        d["last_acted_at"] = last["acted_at"]
        d["answer_due"] = d["opened_at"] + timedelta(days=ANSWER_DAYS) if d["status"] == "pending" else None
        d["counts"] = d["status"] == "confirmed"
        if status is None or d["status"] == status:
            out.append(d)
    return out


def get_dispute(ws: Workspace, dispute_id: str) -> dict:
    rows = ws.store.query("SELECT DISTINCT entity_id FROM disputes WHERE dispute_id = ?", [dispute_id])
    if not rows:
        raise NotFoundError(f"no dispute '{dispute_id}'", field="dispute_id", fix="list them: credence dispute list")
    for d in list_disputes(ws, subject_id=rows[0]["entity_id"]):
        if d["dispute_id"] == dispute_id:
            return d
    raise AssertionError("unreachable")
