"""Disclosure: everything held about a subject, and who read its score. Auditors see the log pseudonymised."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra, subject_access
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import Access, Disclosure
from credence.services import access
from credence.services.disclosure import disclosure as disclosure_of

router = APIRouter(tags=["reports"], responses=ERROR_RESPONSES)


@router.get(
    "/entities/{entity_id}/disclosure", response_model=Disclosure, openapi_extra=roles_extra("subject", "operator")
)
def disclosure(entity_id: str, c: Context = Depends(ctx), p: Principal = allow("subject", "operator")) -> dict:
    """Everything held about the subject: events and providers, score history with reasons, disputes, grants,
    decisions, certificates, and who read its score when."""
    subject_access(c, p, entity_id, what="disclosure")
    requested_by = entity_id if p.role == "subject" else f"operator:{p.name}"
    return disclosure_of(c.ws, entity_id, requested_by=requested_by)


@router.get(
    "/entities/{entity_id}/access-log", response_model=list[Access], openapi_extra=roles_extra("subject", "operator")
)
def subject_access_log(
    entity_id: str,
    limit: int = Query(500, ge=1, le=5000),
    c: Context = Depends(ctx),
    p: Principal = allow("subject", "operator"),
) -> list:
    """Who read the subject's score, asked a decision or was refused, newest first."""
    subject_access(c, p, entity_id, what="access log")
    return c.store.query(
        "SELECT * FROM access_log WHERE subject_id = ? ORDER BY accessed_at DESC LIMIT ?", [entity_id, limit]
    )


@router.get("/access-log", response_model=list[Access], openapi_extra=roles_extra("auditor", "operator"))
def access_log(
    limit: int = Query(500, ge=1, le=5000), c: Context = Depends(ctx), p: Principal = allow("auditor", "operator")
) -> list:
    """The whole access log. An auditor sees subjects and individual viewers as keyed pseudonyms (``ps1:...``,
    an HMAC with a key only the bureau holds), never their ids; partners and the bureau's staff by name."""
    rows = c.store.query("SELECT * FROM access_log ORDER BY accessed_at DESC LIMIT ?", [limit])
    return access.auditor_view(c.ws, rows) if p.role == "auditor" else rows
