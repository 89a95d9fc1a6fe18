"""Webhook subscriptions and their delivery log (operator only; see docs/webhooks.md)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import Timestamp
from credence.services.webhooks import subscriptions
from credence.services.webhooks.outbox import EVENT_TYPES

router = APIRouter(tags=["webhooks"], responses=ERROR_RESPONSES)
EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]


class SubscriptionIn(BaseModel):
    channel: Literal["partner", "subject"] = Field(
        description="partner: events about subjects who granted it; subject: events about that subject"
    )
    principal: str = Field(min_length=1, max_length=200, description="the partner id, or the subject's entity id")
    url: str = Field(min_length=1, max_length=2000, description="the receiver's http(s) URL")
    types: list[EventType] | None = Field(None, description="event types; default: every type the channel takes")
    secret: str | None = Field(None, min_length=16, max_length=200, description="default: a new random secret")


class Subscription(BaseModel):
    subscription_id: str
    channel: str
    principal: str
    url: str
    types: list[str]
    created_at: Timestamp
    created_by: str
    ended_at: Timestamp | None = None
    status: str = Field(description="live | ended")
    delivered: int
    retrying: int
    failed: int
    withheld: int


class NewSubscription(Subscription):
    secret: str = Field(description="the signing secret: shown once; store it now")


class Delivery(BaseModel):
    subscription_id: str
    event_id: str
    type: str | None
    seq: int
    attempt: int
    outcome: str = Field(description="delivered | retrying | failed | withheld")
    status_code: int | None
    error: str | None
    attempted_at: Timestamp
    next_attempt_at: Timestamp | None


@router.post("/webhooks", response_model=NewSubscription, status_code=201, openapi_extra=roles_extra("operator"))
def add_subscription(body: SubscriptionIn, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    """Subscribe a URL to a partner's or a subject's events; the signing secret is in this response only."""
    return subscriptions.add(
        c.ws, body.channel, body.principal, body.url, body.types, secret=body.secret, by=f"operator:{p.name}"
    )


@router.get("/webhooks", response_model=list[Subscription], openapi_extra=roles_extra("operator"))
def list_subscriptions(
    all: bool = Query(False, description="ended subscriptions too"),  # noqa: A002 - the query parameter's name
    c: Context = Depends(ctx),
    p: Principal = allow("operator"),
) -> list:
    """Webhook subscriptions (never secrets) with their delivery counts."""
    return subscriptions.list_subscriptions(c.ws, include_ended=all)


@router.delete("/webhooks/{subscription_id}", response_model=Subscription, openapi_extra=roles_extra("operator"))
def remove_subscription(subscription_id: str, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    """End a subscription: nothing more is sent to it."""
    return subscriptions.remove(c.ws, subscription_id, by=f"operator:{p.name}")


@router.get("/webhooks/deliveries", response_model=list[Delivery], openapi_extra=roles_extra("operator"))
def deliveries(
    subscription_id: str | None = Query(None, max_length=200),
    event_id: str | None = Query(None, max_length=200),
    outcome: Literal["delivered", "retrying", "failed", "withheld"] | None = None,
    limit: int = Query(100, ge=1, le=10_000),
    c: Context = Depends(ctx),
    p: Principal = allow("operator"),
) -> list:
    """The delivery log, newest first: one row per attempt (and per event a guardrail withheld)."""
    return subscriptions.deliveries(c.ws, subscription_id, event_id=event_id, outcome=outcome, limit=limit)
