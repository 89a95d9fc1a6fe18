"""Everything the subject page shows, gathered from the services (the same ones the API uses)."""

from __future__ import annotations

from credence.api.deps import Context
from credence.api.routes.entities import entity_events
from credence.domain.catalogue import DIMENSION_LABELS, DIMENSIONS
from credence.services import scoring
from credence.web import charts


def _optional(module: str):
    try:
        return __import__(f"credence.services.{module}", fromlist=["_"])
    except ModuleNotFoundError:
        return None


def subject_view(c: Context, entity_id: str) -> dict:
    store = c.store
    entity = store.query(
        "SELECT entity_id, kind, display_name, registered_at FROM entities WHERE entity_id = ? "
        "ORDER BY registered_at DESC LIMIT 1",
        [entity_id],
    )
    if not entity:
        from credence.errors import NotFoundError

        raise NotFoundError(f"no entity '{entity_id}'", field="entity_id")
    now = scoring.score_entity(store, c.cards, entity_id, catalogue=c.catalogue, detail=True)
    dims = {d: [0.0, 0.0] for d in DIMENSIONS}
    for f in now.get("features") or []:
        dims[f["dimension"]][0] += float(f["points"] or 0)
        dims[f["dimension"]][1] += float(f["max_points"] or 0)
    dimensions = [(DIMENSION_LABELS[d], v, m) for d, (v, m) in dims.items()]
    history = scoring.history(store, entity_id)
    series = [(h["as_of"], h["score"]) for h in history]
    if not series or series[-1][0] < now["as_of"]:
        series.append((now["as_of"], now["score"]))
    grants = _optional("grants")
    decisions = _optional("decisions")
    access = _optional("access")
    disputes = _optional("disputes")
    ws = c.ws
    return {
        "entity": entity[0],
        "score": now,
        "gauge": charts.gauge(now["score"], now["band"]),
        "dimensions": dimensions,
        "dimension_chart": charts.bars(dimensions) if now["score"] is not None else None,
        "history": history,
        "history_chart": charts.line(series),
        "events": entity_events(c, entity_id, limit=200),
        "disputes": disputes.list_disputes(ws, subject_id=entity_id) if disputes else [],
        "grants": grants.list_grants(ws, subject_id=entity_id) if grants else [],
        "decisions": decisions.list_decisions(ws, subject_id=entity_id)[::-1] if decisions else [],
        "access_log": (access.access_log(ws, entity_id)[::-1][:100]) if access else [],
        "scopes": getattr(grants, "SCOPES", ("score", "decisions")),
        "policies": decisions.workspace_policies(ws).policies if decisions else [],
    }
