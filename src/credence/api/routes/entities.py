"""Entities: register them (operator), list them (operator), and a subject's own record and events."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra, subject_access
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import Entity, EntityBatch, EntityPage, Event, IngestReport
from credence.services import ingest
from credence.store import queries

router = APIRouter(tags=["entities"], responses=ERROR_RESPONSES)


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
