"""Disputes: the subject contests one of its events; the provider that reported it answers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import AnswerIn, Dispute, DisputeIn
from credence.errors import NotFoundError, PermissionDenied
from credence.services import disputes

router = APIRouter(tags=["disputes"], responses=ERROR_RESPONSES)


@router.post("/disputes", response_model=Dispute, status_code=201, openapi_extra=roles_extra("subject", "operator"))
def open_dispute(body: DisputeIn, c: Context = Depends(ctx), p: Principal = allow("subject", "operator")) -> dict:
    """Contest an event; while the dispute is pending the event does not count."""
    owner = c.store.scalar(
        "SELECT max(entity_id) FROM events WHERE provider_id = ? AND event_id = ?", [body.provider_id, body.event_id]
    )
    if owner is None:
        raise NotFoundError(f"no event {body.provider_id}/{body.event_id}", field="event_id")
    if p.role == "subject" and owner != p.name:  # the same answer as for no event: not the caller's to know
        raise PermissionDenied(
            f"'{p.name}' has no event {body.provider_id}/{body.event_id} to dispute", field="event_id"
        )
    return disputes.open_dispute(c.ws, owner, body.provider_id, body.event_id, note=body.note)


@router.get("/disputes", response_model=list[Dispute], openapi_extra=roles_extra("subject", "provider", "operator"))
def list_disputes(
    entity_id: str | None = Query(None, max_length=200),
    c: Context = Depends(ctx),
    p: Principal = allow("subject", "provider", "operator"),
) -> list:
    """A subject sees its disputes; a provider those about its events; the operator all."""
    if p.role == "subject":
        if entity_id not in (None, p.name):
            raise PermissionDenied("a subject sees only its own disputes", field="entity_id")
        return disputes.list_disputes(c.ws, subject_id=p.name)
    if p.role == "provider":
        return disputes.list_disputes(c.ws, subject_id=entity_id, provider_id=p.name)
    return disputes.list_disputes(c.ws, subject_id=entity_id)


@router.post("/disputes/{dispute_id}/answer", response_model=Dispute, openapi_extra=roles_extra("provider", "operator"))
def answer(
    dispute_id: str, body: AnswerIn, c: Context = Depends(ctx), p: Principal = allow("provider", "operator")
) -> dict:
    """The reporting provider confirms the event (it counts again), corrects it, or retracts it."""
    provider = c.store.scalar("SELECT max(provider_id) FROM disputes WHERE dispute_id = ?", [dispute_id])
    if provider is None:
        raise NotFoundError(f"no dispute '{dispute_id}'", field="dispute_id")
    if p.role == "provider" and provider != p.name:
        raise PermissionDenied("a provider answers only disputes about its own events", field="dispute_id")
    return disputes.answer_dispute(c.ws, dispute_id, provider, body.action, correction=body.correction, note=body.note)
