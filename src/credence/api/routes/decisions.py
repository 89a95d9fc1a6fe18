"""Decisions: a partner applies a policy to a subject who granted it; the policy pack is public."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from credence.api.auth import ROLES, Principal
from credence.api.deps import Context, allow, ctx, principal, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import Decision, DecisionIn, Policy
from credence.errors import PermissionDenied
from credence.services import decisions

router = APIRouter(tags=["decisions"], responses=ERROR_RESPONSES)


@router.get("/policies", response_model=list[Policy], openapi_extra=roles_extra(*ROLES))
def list_policies(c: Context = Depends(ctx), p: Principal = Depends(principal)) -> list:
    """The bureau's policy pack: each benefit or restriction with its purpose, context and condition."""
    return [pol.to_dict() for pol in c.ws.policies.policies]


@router.post("/decisions", response_model=Decision, status_code=201, openapi_extra=roles_extra("partner"))
def decide(body: DecisionIn, c: Context = Depends(ctx), p: Principal = allow("partner")) -> dict:
    """Apply a policy to a subject. Needs the subject's live grant for the policy's purpose; a refusal carries
    an adverse-action notice with the top reasons and how to dispute."""
    out = decisions.decide(c.ws, body.subject_id, body.policy_id, p.name)
    if not out.get("adverse"):
        out["reasons"] = []  # a partner learns the reasons only when it must explain an adverse outcome
    return out


@router.get("/decisions", response_model=list[Decision], openapi_extra=roles_extra("subject", "partner", "operator"))
def list_decisions(
    subject_id: str | None = Query(None, max_length=200),
    limit: int = Query(200, ge=1, le=5000),
    c: Context = Depends(ctx),
    p: Principal = allow("subject", "partner", "operator"),
) -> list:
    """A subject sees decisions about itself; a partner those it made; the operator all."""
    if p.role == "subject":
        if subject_id not in (None, p.name):
            raise PermissionDenied("a subject sees only decisions about itself", field="subject_id")
        rows = decisions.list_decisions(c.ws, subject_id=p.name)
    elif p.role == "partner":
        rows = decisions.list_decisions(c.ws, subject_id=subject_id, partner_id=p.name)
    else:
        rows = decisions.list_decisions(c.ws, subject_id=subject_id)
    return rows[::-1][:limit]
