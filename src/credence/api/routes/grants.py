"""Grants: a subject's consent for a viewer to see its score or ask for decisions, for a purpose, until a time."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import Grant, GrantIn
from credence.errors import PermissionDenied
from credence.services import grants

router = APIRouter(tags=["grants"], responses=ERROR_RESPONSES)


@router.post("/grants", response_model=Grant, status_code=201, openapi_extra=roles_extra("subject"))
def give_grant(body: GrantIn, c: Context = Depends(ctx), p: Principal = allow("subject")) -> dict:
    """Consent, as the subject, to a viewer seeing your score (or asking decisions) for a purpose."""
    return grants.grant(c.ws, p.name, body.viewer_id, body.scope, body.purpose, body.until)


@router.get("/grants", response_model=list[Grant], openapi_extra=roles_extra("subject", "partner", "operator"))
def list_grants(
    subject_id: str | None = Query(None, max_length=200),
    live_only: bool = False,
    c: Context = Depends(ctx),
    p: Principal = allow("subject", "partner", "operator"),
) -> list:
    """A subject sees the grants it gave; a partner the grants given to it; the operator any subject's."""
    if p.role == "subject":
        if subject_id not in (None, p.name):
            raise PermissionDenied("a subject sees only the grants it gave", field="subject_id")
        return grants.list_grants(c.ws, subject_id=p.name, live_only=live_only)
    if p.role == "partner":
        return grants.list_grants(
            c.ws, subject_id=subject_id, viewer_id=p.name, live_only=live_only, viewer_role="partner"
        )
    return grants.list_grants(c.ws, subject_id=subject_id, live_only=live_only)


REVOKERS = ("subject", "partner", "operator")


@router.post("/grants/{grant_id}/revoke", response_model=Grant, openapi_extra=roles_extra(*REVOKERS))
def revoke_grant(grant_id: str, c: Context = Depends(ctx), p: Principal = allow(*REVOKERS)) -> dict:
    """Withdraw consent (the subject), renounce it (the viewer), or end it (the operator); at once."""
    return grants.revoke(c.ws, grant_id, revoked_by=p.name, by_role=p.role)
