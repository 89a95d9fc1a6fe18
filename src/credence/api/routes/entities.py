"""Entities: register them (operator), list them (operator), and a subject's own record and events."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra, subject_access
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import IngestReport, Page, Record, Timestamp
from credence.services import ingest
from credence.store import queries

router = APIRouter(tags=["entities"], responses=ERROR_RESPONSES)


class Entity(BaseModel):
    entity_id: str
    kind: str
    display_name: str | None = None
    registered_at: Timestamp


class EntityPage(Page):
    entities: list[Entity]


class EntityBatch(BaseModel):
    records: list[Record] = Field(max_length=10_000, description="entity_id, kind, display_name, registered_at")


class Event(BaseModel):
    provider_id: str
    event_id: str
    entity_id: str
    occurred_at: Timestamp
    type: str
    category: str
    dimension: str
    adverse: bool
    amount: float | None = None
    days_late: int | None = None
    purchase_category: str | None = None
    rental_asset: str | None = None
    counterparty_id: str | None = None
    supersedes: str | None = None
    counts: bool = Field(description="false while disputed, or once corrected, retracted or past retention")
    dispute: str | None = Field(None, description="latest dispute action on this event, if any")


@router.get("/entities", response_model=EntityPage, openapi_extra=roles_extra("operator"))
def list_entities(
    kind: str | None = Query(None, max_length=40),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
    c: Context = Depends(ctx),
    p: Principal = allow("operator"),
) -> dict:
    total, rows = queries.list_entities(c.store, kind=kind, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "entities": rows}


@router.post("/entities", response_model=IngestReport, openapi_extra=roles_extra("operator"))
def register_entities(body: EntityBatch, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    """Register entities (the same validation and idempotency as file ingest)."""
    return ingest.ingest_records(
        c.store, body.records, kind="entities", source="api", submitted_by=p.name, catalogue=c.catalogue
    ).to_dict()


@router.get("/entities/{entity_id}", response_model=Entity, openapi_extra=roles_extra("operator", "subject"))
def read_entity(entity_id: str, c: Context = Depends(ctx), p: Principal = allow("operator", "subject")) -> dict:
    subject_access(c, p, entity_id, what="profile")
    return queries.entity(c.store, entity_id)


@router.get(
    "/entities/{entity_id}/events", response_model=list[Event], openapi_extra=roles_extra("operator", "subject")
)
def list_entity_events(
    entity_id: str,
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=10**9),
    c: Context = Depends(ctx),
    p: Principal = allow("operator", "subject"),
) -> list:
    """Every event held about the subject, newest first, with whether it counts and its dispute state."""
    subject_access(c, p, entity_id, what="events")
    queries.entity(c.store, entity_id)
    return queries.entity_events(c.store, entity_id, limit=limit, offset=offset)
