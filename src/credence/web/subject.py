"""Everything the subject page shows, gathered from the services (the same ones the API uses)."""

from __future__ import annotations

from credence.api.deps import Context
from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.services import access, decisions, disputes, grants, scoring
from credence.services.explanation import by_dimension, by_feature
from credence.store import queries
from credence.web import charts

# Why a subject disputes an event: a short list (plus free text). Kept with the dispute as its note.
DISPUTE_REASONS = (
    ("not-mine", "This is not mine"),
    ("did-not-happen", "It did not happen"),
    ("wrong-details", "The date, amount or days late are wrong"),
    ("paid-on-time", "I paid on time"),
    ("settled", "It was settled or corrected already"),
    ("other", "Another reason (say below)"),
)
ADVERSE_ONLY = {"paid-on-time", "settled"}


def event_name(event_type: str) -> str:
    """``rent_overdue`` → "Rent overdue": how people read an event type."""
    text = event_type.replace("_", " ")
    return text[:1].upper() + text[1:]


def simulator(card, now: dict, chosen: list[str]) -> dict | None:
    """What-if for the subject's own reasons: each reason's points (the same as its "would add about N"), and
    the score if the chosen ones were done. Scores are linear in points, so the sum is exact up to rounding."""
    if card is None or now.get("score") is None or not now.get("reasons"):
        return None
    parts = {p["name"]: p for p in by_feature(card, now["features"])["parts"]}
    total = by_feature(card, now["features"])["total"]
    options = []
    for r in now["reasons"]:
        part = parts.get(r["code"])
        if part is None or part["lost"] <= 0:
            continue
        what = r["text"].split(" would add about")[0]  # "<what the record shows>; <what would help>"
        options.append({"code": r["code"], "what": what, "gain": part["lost"]})
    picked = [o for o in options if o["code"] in chosen]
    gain = sum(o["gain"] for o in picked)
    return {
        "options": options,
        "chosen": [o["code"] for o in picked],
        "gain": gain,
        "score": int(min(MAX_SCORE, max(MIN_SCORE, total + gain))) if picked else None,
    }


def subject_view(c: Context, entity_id: str, chosen: list[str] | None = None) -> dict:
    store = c.store
    entity = queries.entity(store, entity_id)
    now = scoring.score_entity(c.ws, entity_id, detail=True)
    card = c.cards.get(entity["kind"])
    scale = by_dimension(card, now["features"]) if card is not None and now.get("features") else None
    history = scoring.history(store, entity_id)
    series = [(h["as_of"], h["score"]) for h in history]
    if not series or series[-1][0] < now["as_of"]:
        series.append((now["as_of"], now["score"]))
    ws = c.ws
    events = queries.entity_events(store, entity_id, limit=200)
    names = {(e["provider_id"], e["event_id"]): e for e in events}
    dispute_rows = disputes.list_disputes(ws, subject_id=entity_id)[::-1]
    for d in dispute_rows:
        ev = names.get((d["provider_id"], d["event_id"]))
        d["event_name"] = event_name(ev["type"]) if ev else d["event_id"]
        d["event_date"] = ev["occurred_at"] if ev else None
    log = access.access_log(ws, entity_id)[::-1]
    return {
        "entity": entity,
        "score": now,
        "scale": scale,
        "gauge": charts.gauge(now["score"], now["band"]),
        "dimension_chart": charts.bars([(p["name"], p["points"], p["max"]) for p in scale["parts"]])
        if scale and now["score"] is not None
        else None,
        "simulator": simulator(card, now, chosen or []),
        "history": history,
        "history_chart": charts.line(series),
        "events": events,
        "event_name": event_name,
        "dispute_reasons": DISPUTE_REASONS,
        "adverse_only": ADVERSE_ONLY,
        "disputes": dispute_rows,
        "grants": grants.list_grants(ws, subject_id=entity_id)[::-1],
        "decisions": decisions.list_decisions(ws, subject_id=entity_id)[::-1],
        "access_log": [a for a in log if a["viewer_id"] != entity_id][:100],
        "scopes": grants.SCOPES,
        "policies": ws.policies.policies,
    }
