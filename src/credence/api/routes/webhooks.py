"""Webhook subscriptions and their delivery log (operator only; see docs/webhooks.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import (
    NewWebhookSubscription,
    WebhookDelivery,
    WebhookOutcome,
    WebhookSubscription,
    WebhookSubscriptionIn,
)
from credence.services.webhooks import subscriptions

router = APIRouter(tags=["webhooks"], responses=ERROR_RESPONSES)


@router.post("/webhooks", response_model=NewWebhookSubscription, status_code=201, openapi_extra=roles_extra("operator"))
def add_subscription(body: WebhookSubscriptionIn, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    """Subscribe a URL to a partner's or a subject's events; the signing secret is in this response only."""
    return subscriptions.add(
        c.ws, body.channel, body.principal, body.url, body.types, secret=body.secret, by=f"operator:{p.name}"
    )


@router.get("/webhooks", response_model=list[WebhookSubscription], openapi_extra=roles_extra("operator"))
def list_subscriptions(
    include_ended: bool = Query(False, description="ended subscriptions too"),
    c: Context = Depends(ctx),
    p: Principal = allow("operator"),
) -> list:
    """Webhook subscriptions (never secrets) with their delivery counts."""
    return subscriptions.list_subscriptions(c.ws, include_ended=include_ended)


@router.delete("/webhooks/{subscription_id}", response_model=WebhookSubscription, openapi_extra=roles_extra("operator"))
def remove_subscription(subscription_id: str, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    """End a subscription: nothing more is sent to it."""
    return subscriptions.remove(c.ws, subscription_id, by=f"operator:{p.name}")


@router.get("/webhooks/deliveries", response_model=list[WebhookDelivery], openapi_extra=roles_extra("operator"))
def deliveries(
    subscription_id: str | None = Query(None, max_length=200),
    event_id: str | None = Query(None, max_length=200),
    outcome: WebhookOutcome | None = None,
    limit: int = Query(100, ge=1, le=10_000),
    c: Context = Depends(ctx),
    p: Principal = allow("operator"),
) -> list:
    """The delivery log, newest first: one row per attempt (and per event a guardrail withheld)."""
    return subscriptions.deliveries(c.ws, subscription_id, event_id=event_id, outcome=outcome, limit=limit)
