"""The operator console: distribution, bands, drift between snapshots, quarantine, and the policy what-if."""

from __future__ import annotations

import json

from markupsafe import Markup

from credence.api.deps import Context
from credence.domain.bands import BAND_ORDER, BANDS, INSUFFICIENT
from credence.errors import CredenceError
from credence.learning.fairness import latest_scores_fairness
from credence.services import whatif as wi
from credence.store import queries
from credence.web import charts


def drift_view(c: Context) -> dict:
    """Band counts of the last two snapshots side by side (each headed by its own as-of time) and the PSI report."""
    snaps = queries.snapshots(c.store, newest_first=True, limit=2)
    out: dict = {"snapshots": snaps[::-1], "bands": [], "report": None, "error": None}
    if len(snaps) == 2:
        old, new = snaps[1]["snapshot_id"], snaps[0]["snapshot_id"]
        rows = c.store.query(
            "SELECT band, count(*) FILTER (snapshot_id = ?) AS before, count(*) FILTER (snapshot_id = ?) AS after "
            "FROM scores WHERE snapshot_id IN (?, ?) GROUP BY band",
            [old, new, old, new],
        )
        got = {r["band"]: r for r in rows}
        out["bands"] = [
            {"band": b, "before": got.get(b, {}).get("before", 0), "after": got.get(b, {}).get("after", 0)}
            for b in (*BAND_ORDER, INSUFFICIENT)
        ]
    if len(snaps) < 2:
        return out
    try:
        from credence.learning.drift import drift_report
    except ImportError:
        return out
    try:
        out["report"] = drift_report(c.store, cards=c.cards, catalogue=c.catalogue, features=False)
    except CredenceError as e:  # e.g. nothing comparable yet: say so rather than fail the console
        out["error"] = str(e)
    return out


def _fairness(c: Context) -> dict | None:
    try:
        return latest_scores_fairness(c.store)
    except ImportError:
        return None


def search(c: Context, *, q: str = "", band: str = "", low: int | None = None, high: int | None = None) -> dict:
    """Entities by id prefix, band or score range (latest score), at most 50, for the operator."""
    conds, params = ["TRUE"], []
    if q.strip():
        conds.append("starts_with(upper(entity_id), ?)")
        params.append(q.strip().upper()[:100])
    if band in (*BAND_ORDER, INSUFFICIENT):
        conds.append("band = ?")
        params.append(band)
    if low is not None:
        conds.append("score >= ?")
        params.append(int(low))
    if high is not None:
        conds.append("score <= ?")
        params.append(int(high))
    where = " AND ".join(conds)
    total = c.store.scalar(f"SELECT count(*) FROM latest_scores WHERE {where}", params)
    rows = c.store.query(
        f"SELECT entity_id, kind, score, band, as_of FROM latest_scores WHERE {where} ORDER BY entity_id LIMIT 50",
        params,
    )
    return {"q": q, "band": band, "low": low, "high": high, "total": total, "rows": rows}


def console_view(c: Context, *, policy_id: str | None, threshold: int | None, operator: bool) -> dict:
    policies = list(c.ws.policies.policies)
    policy = next((p for p in policies if p.id == policy_id), policies[0] if policies else None)
    baseline = policy.threshold if policy else 600
    direction = "at_least" if (policy is None or policy.kind == "benefit") else "below"
    threshold = baseline if threshold is None else max(350, min(951, int(threshold)))
    dist = wi.distribution(c.store, bucket=25)
    data = {
        "counts": wi.score_counts(c.store),
        "bands": [[low, name] for low, name in BANDS],
        "policies": {
            p.id: {
                "threshold": p.threshold,
                "direction": "at_least" if p.kind == "benefit" else "below",
                "effect": p.effect,
            }
            for p in policies
        },
    }
    return {
        "distribution": dist,
        "histogram": charts.histogram(dist["histogram"]),
        "drift": drift_view(c),
        "fairness": _fairness(c),
        "quarantine": c.store.query("SELECT * FROM quarantine ORDER BY quarantined_at DESC LIMIT 50")
        if operator
        else None,
        "quarantine_total": c.store.scalar("SELECT count(*) FROM quarantine") if operator else None,
        "policies": policies,
        "policy": policy,
        "whatif": wi.whatif(c.store, baseline=baseline, threshold=threshold, direction=direction),
        "whatif_json": Markup(json.dumps(data).replace("</", "<\\/")),
    }
