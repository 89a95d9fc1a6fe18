"""Everything the subject page shows, gathered from the services (the same ones the API uses)."""

from __future__ import annotations

from credence.api.deps import Context
from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.services import access, decisions, disputes, grants, scoring, serving
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


def features_of(card, now: dict) -> list[dict] | None:
    """The served row's feature points (``current_score(feature_points=True)``) as the breakdown
    ``by_dimension`` and ``by_feature`` read: name, dimension, points and maximum of each feature of the card."""
    points = now.get("feature_points")
    if card is None or points is None or len(points) != len(card.features):
        return None
    return [
        {"feature": f.name, "dimension": f.dimension, "description": f.description, "value": None}
        | {"points": p, "max_points": f.max_points}
        for f, p in zip(card.features, points, strict=True)
    ]


def simulator(card, now: dict, features: list[dict] | None, chosen: list[str]) -> dict | None:
    """What-if for the subject's own reasons: each reason's points (the same as its "would add about N"), and
    the score if the chosen ones were done. Scores are linear in points, so the sum is exact up to rounding."""
    if card is None or not features or now.get("score") is None or not now.get("reasons"):
        return None
    breakdown = by_feature(card, features)
    parts = {p["name"]: p for p in breakdown["parts"]}
    total = breakdown["total"]
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
    now = serving.current_score(c.ws, entity_id, feature_points=True)  # served: no online query per view
    card = c.cards.get(entity["kind"])
    if card is not None and card.ref != now["scorecard"]:
        card = None  # the row was scored by another card than the one configured now: no breakdown
    features = features_of(card, now)
    scale = by_dimension(card, features) if features else None
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
        "simulator": simulator(card, now, features, chosen or []),
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
