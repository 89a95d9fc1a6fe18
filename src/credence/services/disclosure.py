"""Disclosure (guardrail 5): everything held about a subject, as JSON and as a readable document.

The report holds the entity, every event with its provider and status (counts, disputed, confirmed,
corrected, retracted, expired, past retention), the current score with reasons and feature breakdown,
the score history with reasons, disputes with their history, grants given and received, decisions with
their notices, certificates, vouches, and the access log: who read the score when, and who was refused.
Producing the report is itself logged.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import jinja2

from credence.errors import CredenceError, NotFoundError, ValidationError
from credence.services.access import access_log, log_access
from credence.services.certificates import list_certificates
from credence.services.decisions import list_decisions
from credence.services.disclosure_templates import HTML, TEXT
from credence.services.disputes import list_disputes
from credence.services.explanation import by_dimension
from credence.services.grants import list_grants, moment
from credence.services.scoring import reasons_of, score_entity
from credence.store import queries
from credence.workspace import Workspace

FORMATS = ("json", "text", "html")


def disclosure(ws: Workspace, subject_id: str, *, requested_by: str | None = None, at: datetime | None = None) -> dict:
    """Everything held about ``subject_id`` as a JSON-ready dict (datetimes as ISO text)."""
    t = moment(at)
    entity = queries.registrations(ws.store, subject_id)
    if not entity:
        raise NotFoundError(f"no entity '{subject_id}'", field="entity_id", fix="check the id")
    catalogue = ws.catalogue
    cards = ws.scorecards
    try:
        current = score_entity(ws, subject_id, as_of=t)
    except CredenceError as e:  # e.g. no scorecard for this kind: still disclose the data
        current = {"score": None, "band": "not scored", "error": str(e), "reasons": []}
    card = cards.get(entity[-1]["kind"])
    disputes = list_disputes(ws, subject_id=subject_id)
    report = {
        "subject_id": subject_id,
        "generated_at": t,
        "entity": entity[-1],
        "registrations": entity,
        "score": _current(current)
        | {"scale": by_dimension(card, current["features"]) if card and current.get("features") else None},
        "events": _events(ws, subject_id, disputes, catalogue, t),
        "score_history": _history(ws, subject_id),
        "disputes": disputes,
        "grants_given": list_grants(ws, subject_id=subject_id, at=t),
        "grants_received": list_grants(ws, viewer_id=subject_id, at=t),
        "decisions": list_decisions(ws, subject_id=subject_id),
        "certificates": list_certificates(ws, subject_id),
        "vouches": _vouches(ws, subject_id, t),
        "access_log": access_log(ws, subject_id),
    }
    log_access(ws, subject_id, requested_by or subject_id, "report", allowed=True, detail="disclosure report", at=t)
    return jsonable(report)


def _current(row: dict) -> dict:
    keep = ("score", "band", "as_of", "scorecard", "reasons", "features", "error", "n_events", "history_days")
    out = {k: row[k] for k in keep if k in row}
    out["dimensions"] = {
        k[len("points_") :]: v for k, v in row.items() if k.startswith("points_") and not k[len("points_") :].isdigit()
    }
    return out


def _events(ws: Workspace, subject_id: str, disputes: list[dict], catalogue, t: datetime) -> list[dict]:
    rows = queries.entity_events(ws.store, subject_id, newest_first=False)
    for r in rows:  # the report's own words: "effective" (the view), its dispute status comes from ``disputes``
        r["effective"] = r.pop("counts")
        r.pop("dispute")
    by_event = {(d["provider_id"], d["event_id"]): d for d in disputes}
    for r in rows:
        d = by_event.get((r["provider_id"], r["event_id"]))
        r["dispute_id"] = d["dispute_id"] if d else None
        r["dispute_status"] = d["status"] if d else None
        r["status"] = _event_status(r, d, catalogue, t)
        r["counts"] = r["status"] in ("counts", "confirmed after dispute")
    return rows


def _event_status(r: dict, d: dict | None, catalogue, t: datetime) -> str:
    if r["occurred_at"] > t:
        return "in the future"
    if r["superseded_by"]:
        return f"corrected by {r['superseded_by']}"
    if d is not None and d["status"] != "confirmed":
        return {
            "pending": "disputed: pending, does not count",
            "retracted": "retracted by the provider",
            "expired": "dispute unanswered in 30 days: removed",
            "corrected": "corrected",
        }.get(d["status"], d["status"])
    if not r["effective"]:
        return "does not count"
    if r["adverse"] and r["type"] in catalogue.types:
        days = catalogue.retention_days(catalogue.types[r["type"]])
        if days is not None and (t.date() - r["occurred_at"].date()).days > days:
            return "past retention: no longer counts"
    return "confirmed after dispute" if d is not None else "counts"


def _history(ws: Workspace, subject_id: str) -> list[dict]:
    rows = queries.score_rows(ws.store, subject_id)
    out = []
    for r in rows:
        out.append(
            {
                "as_of": r["as_of"],
                "score": r["score"],
                "band": r["band"],
                "scorecard": r["scorecard"],
                "snapshot_id": r["snapshot_id"],
                "created_at": r["created_at"],
                "reasons": reasons_of(r),
                "dimensions": {k[len("points_") :]: v for k, v in r.items() if k.startswith("points_")},
            }
        )
    return out


def _vouches(ws: Workspace, subject_id: str, t: datetime) -> list[dict]:
    """The subject's vouch events and those naming it as counterparty (both sides' consent records)."""
    return ws.store.query(
        "SELECT entity_id, counterparty_id, type, occurred_at, provider_id, event_id FROM effective_events "
        "WHERE type IN ('vouch_given', 'vouch_accepted', 'vouch_revoked') AND occurred_at <= ? "
        "AND (entity_id = ? OR counterparty_id = ?) ORDER BY occurred_at",
        [t, subject_id, subject_id],
    )


def jsonable(value):
    """Datetimes to ISO text, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str) + "\n"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["day"] = lambda v: (v or "")[:10]
    env.filters["when"] = lambda v: (v or "").replace("T", " ")[:19]
    env.filters["words"] = lambda v: str(v or "").replace("_", " ")
    return env


def render_text(report: dict) -> str:
    """The report as plain text, for reading in a terminal or printing."""
    return _env().from_string(TEXT).render(r=report)


def render_html(report: dict) -> str:
    """The report as a self-contained HTML document."""
    env = _env()
    env.autoescape = True
    return env.from_string(HTML).render(r=report)


def render(report: dict, fmt: str = "json") -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "text":
        return render_text(report)
    if fmt == "html":
        return render_html(report)
    raise ValidationError(f"format '{fmt}' unknown", field="format", fix=f"use {', '.join(FORMATS)}")
