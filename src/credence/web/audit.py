"""The auditor's page: the access log pseudonymised, validation and fairness per scorecard, drift with dated
snapshots, and a quarantine summary (counts by reason, never the records)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from credence.services import access
from credence.store import queries
from credence.web import session

router = APIRouter(include_in_schema=False)


def access_rows(ws, limit: int = 200) -> list[dict]:
    """The latest access-log rows as an auditor sees them: subjects, and viewers who are not the bureau's staff
    or a partner, under the workspace's keyed pseudonyms (the same ones ``GET /v1/access-log`` shows)."""
    rows = ws.store.query(
        "SELECT accessed_at, subject_id, viewer_id, action, purpose, allowed FROM access_log "
        "ORDER BY accessed_at DESC LIMIT ?",
        [limit],
    )
    return [{**r, "subject": r["subject_id"], "viewer": r["viewer_id"]} for r in access.auditor_view(ws, rows)]


def card_reports(ctx) -> list[dict]:
    """Per scorecard: its validation figures (learned metadata or a saved validation report) and fairness."""
    out = []
    kinds: dict[str, list[str]] = {}
    for kind, card in ctx.cards.items():
        kinds.setdefault(card.ref, []).append(kind)
    seen = set()
    for _kind, card in sorted(ctx.cards.items()):
        if card.ref in seen:
            continue
        seen.add(card.ref)
        validation = None
        path = ctx.ws.root / "reports" / f"validation-{card.id}-v{card.version}" / "validation.json"
        if path.exists():
            report = json.loads(path.read_text())
            validation = report.get("holdout") or report.get("evaluation")
        learned = (card.metadata or {}).get("learned") or {}
        if validation is None and learned.get("holdout"):
            validation = learned["holdout"]
        out.append(
            {
                "kind": ", ".join(sorted(kinds[card.ref])),
                "card": card,
                "validation": validation,
                "report_path": path if path.exists() else None,
                "fairness": _fairness(ctx.store, card.ref),
            }
        )
    return out


def _fairness(store, scorecard: str) -> dict | None:
    import pandas as pd

    from credence.learning.fairness import fairness_report, group_columns
    from credence.learning.features import protected_frame

    scores = pd.DataFrame(
        store.query("SELECT entity_id, score FROM latest_scores WHERE scorecard = ? ORDER BY entity_id", [scorecard])
    )
    if scores.empty:
        return None
    frame = scores.merge(protected_frame(store), on="entity_id", how="left")
    groups = group_columns(frame.drop(columns=["entity_id", "score"]))
    values = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    report = fairness_report(values, groups, basis=f"latest scores by {scorecard}")
    report["attributes"] = [a for a in report["attributes"] if a["groups"]]  # none held for this card's entities
    return report


def quarantine_summary(store) -> dict:
    return {
        "total": store.scalar("SELECT count(*) FROM quarantine"),
        "by_reason": store.query(
            "SELECT coalesce(field, '(record)') AS field, "
            r"regexp_replace(reason, '(field ''[^'']*''): ''[^'']*''', '\1: …', 'g') AS reason, "
            "count(*) AS n, max(quarantined_at) AS last FROM quarantine GROUP BY 1, 2 ORDER BY n DESC LIMIT 20"
        ),
        "by_source": store.query(
            "SELECT coalesce(source, '(api)') AS source, count(*) AS n FROM quarantine GROUP BY 1 ORDER BY n DESC LIMIT 10"
        ),
    }


def audit_view(ctx) -> dict:
    from credence.web.console import drift_view

    return {
        "access": access_rows(ctx.ws),
        "access_total": ctx.store.scalar("SELECT count(*) FROM access_log"),
        "cards": card_reports(ctx),
        "snapshots": queries.snapshots(ctx.store, newest_first=True, limit=12),
        "drift": drift_view(ctx),
        "quarantine": quarantine_summary(ctx.store),
    }


@router.get("/audit")
def audit_page(request: Request) -> Response:
    from credence.web.pages import render

    p = session.require(request, "auditor", "operator")
    return render(request, "audit.html", principal=p, **audit_view(request.app.state.ctx))
