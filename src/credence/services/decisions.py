"""Decisions: a partner applies a policy to a subject, with the subject's live grant.

``decide`` needs a live grant of scope ``decisions`` for the policy's purpose (guardrail 4), scores the
subject now, and returns the outcome with the score and band used. A benefit not granted or a restriction
applied carries an adverse-action notice: the top reasons and how to dispute (guardrail 5). Too little
data is never a refusal: the outcome is "no decision: insufficient data". The decision and the access are
appended in one transaction.
"""

from __future__ import annotations

import json
import os
import random
from datetime import datetime

from credence.domain.policy import ADVERSE_OUTCOMES, GRANTED, NO_DECISION, NOT_GRANTED
from credence.errors import PermissionDenied
from credence.services.access import access_row, authorize, erasable, log_access
from credence.services.grants import moment, require_entity
from credence.services.serving import score_at
from credence.services.webhooks import outbox
from credence.workspace import Workspace


def decide(ws: Workspace, subject_id: str, policy_id: str, partner_id: str, *, at: datetime | None = None) -> dict:
    """Apply ``policy_id`` to ``subject_id`` for ``partner_id``; append and return the decision."""
    t = moment(at)
    policy = ws.policies.get(policy_id)
    if not policy.applies_to_partner(partner_id):
        log_access(
            ws,
            subject_id,
            partner_id,
            "decision",
            allowed=False,
            purpose=policy.purpose,
            detail=f"policy {policy.id} belongs to partner {policy.partner}",
            at=t,
        )
        raise PermissionDenied(
            f"policy '{policy.id}' belongs to partner '{policy.partner}', not '{partner_id}'",
            field="partner_id",
            fix="apply one of your own policies (credence policies lists them)",
        )
    g = authorize(ws, subject_id, partner_id, "decisions", policy.purpose, "decision", at=t, viewer_role="partner")
    require_entity(ws, subject_id)
    row = score_at(ws, subject_id, at)  # now: served from current_scores; a past time: computed online
    score = row["score"]
    outcome = policy.outcome(score)
    adverse = outcome in ADVERSE_OUTCOMES
    reasons = row["reasons"] if score is not None else []
    decision = {
        "decision_id": f"DEC-{_IDS.getrandbits(48):012x}",
        "partner_id": partner_id,
        "subject_id": subject_id,
        "policy_id": policy.id,
        "purpose": policy.purpose,
        "outcome": outcome,
        "score": score,
        "band": row["band"],
        "reasons": reasons,
        "notice": adverse_action_notice(policy, row, partner_id, t) if adverse else None,
        "decided_at": t,
    }
    # the decision and its access record (and its webhook event, if anyone could receive it): one unit,
    # committed before we answer (group commit)
    unit = [
        (
            "INSERT INTO decisions (decision_id, partner_id, subject_id, policy_id, purpose, outcome, score, band, reasons, notice, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [decision[k] if k != "reasons" else json.dumps(reasons) for k in decision],
        ),
        access_row(
            subject_id,
            partner_id,
            "decision",
            True,
            purpose=policy.purpose,
            grant_id=g["grant_id"] if g else None,
            detail=f"{decision['decision_id']}: {policy.id}",
            at=t,
        ),
    ]
    if outbox.wanted(ws.store, "decision.made", subject_id, partner_id):
        made = {k: decision[k] for k in decision if k not in ("reasons", "notice")} | {"adverse": adverse}
        unit.append(outbox.event("decision.made", subject_id, made, at=t, partner_id=partner_id))
    ws.store.append(unit, subject=erasable(ws, subject_id))
    return decision | {
        "adverse": adverse,
        "effect": policy.effect,
        "policy": policy.to_dict(),
        "summary": summary(policy, outcome, score, row["band"]),
    }


_IDS = random.Random(os.urandom(32))  # decision ids: unique, not secret (no system call per decision)


def summary(policy, outcome: str, score: int | None, band: str) -> str:
    """One line saying what was decided and why."""
    if outcome == NO_DECISION:
        return (
            f"{policy.effect}: no decision, because there is too little data for a score; "
            "the partner's usual terms apply and nothing is refused for lack of data"
        )
    used = f"score {score} ({band}); the policy needs {policy.condition_text}"
    if outcome == GRANTED:
        return f"{policy.effect}: granted, {used}"
    if outcome == NOT_GRANTED:
        return f"{policy.effect}: not granted, {used}"
    if outcome in ADVERSE_OUTCOMES:
        return f"{policy.effect}: applies, {used}"
    return f"{policy.effect}: does not apply, {used}"


def adverse_action_notice(policy, row: dict, partner_id: str, at: datetime) -> str:
    """The notice a subject receives with an adverse decision: why, and how to contest it."""
    subject = row["entity_id"]
    lines = [
        f"Adverse-action notice for {subject}, {at:%Y-%m-%d %H:%M} UTC",
        f"{partner_id} applied the policy '{policy.id}' ({policy.effect}; {policy.condition_text}) for the "
        f"purpose '{policy.purpose}'.",
        f"The score used was {row['score']} ({row['band']}), computed by {row.get('scorecard', 'the scorecard')} "
        f"as of {row['as_of']:%Y-%m-%d}.",
        "The main reasons your score is not higher:",
    ]
    reasons = row.get("reasons") or []
    lines += [f"  {i}. {r['text']}" for i, r in enumerate(reasons, 1)] or [
        "  (no reasons: every feature is at its best)"
    ]
    lines += [
        "Your rights, each one click away on your page in the Credence portal:",
        f"  - See every event and who reported it: /subjects/{subject}#events",
        f"  - Dispute an event you think is wrong, saying why: /subjects/{subject}#events (press Dispute beside "
        "it). While the dispute is pending the event does not count; the provider must confirm, correct or retract "
        "it within 30 days, or it is removed.",
        f"  - Withdraw this partner's access at any time: /subjects/{subject}#grants (press Revoke).",
        f"  - Everything held about you: /subjects/{subject}/disclosure",
    ]
    return "\n".join(lines)


def list_decisions(ws: Workspace, subject_id: str | None = None, partner_id: str | None = None) -> list[dict]:
    """Recorded decisions, oldest first, with reasons decoded."""
    conds, params = ["TRUE"], []
    if subject_id is not None:
        conds.append("subject_id = ?")
        params.append(subject_id)
    if partner_id is not None:
        conds.append("partner_id = ?")
        params.append(partner_id)
    rows = ws.store.query(f"SELECT * FROM decisions WHERE {' AND '.join(conds)} ORDER BY decided_at", params)
    for r in rows:
        r["reasons"] = json.loads(r["reasons"]) if r["reasons"] else []
        r["adverse"] = r["outcome"] in ADVERSE_OUTCOMES
    return rows
