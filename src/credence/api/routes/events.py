"""Batch event submission: the same validation, quarantine and idempotency as file ingest."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import EventBatch, IngestReport
from credence.services import ingest

router = APIRouter(tags=["events"], responses=ERROR_RESPONSES)


@router.post("/events", response_model=IngestReport, openapi_extra=roles_extra("provider", "operator"))
def submit_events(body: EventBatch, c: Context = Depends(ctx), p: Principal = allow("provider", "operator")) -> dict:
    """Submit a batch of events. A provider submits only as itself and only in its licensed categories;
    every record is stored or quarantined with its reason, and the counts add up."""
    records = body.records
    if p.role == "provider":  # its key says who it is: a record without provider_id is its own
        records = [r if r.get("provider_id") is not None else {**r, "provider_id": p.name} for r in records]
    report = ingest.ingest_records(
        c.store,
        records,
        kind="events",
        source="api",
        catalogue=c.catalogue,
        submitted_by=f"{p.role}:{p.name}",
        allowed_provider=p.name if p.role == "provider" else None,
    )
    return report.to_dict()
