"""Scores: a subject's current score and explanation, its history, and population scoring."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra, subject_access
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import Explanation, HistoryPoint, RunBody, Score, SnapshotOut, score_body
from credence.services import access, scoring, serving
from credence.store import queries

router = APIRouter(tags=["scores"], responses=ERROR_RESPONSES)
READERS = ("operator", "subject", "partner")
Purpose = Query(None, max_length=200, description="why a partner reads the score (must match its grant)")


@router.get("/scores/{entity_id}", response_model=Score, openapi_extra=roles_extra(*READERS))
def read_score(
    entity_id: str, purpose: str | None = Purpose, c: Context = Depends(ctx), p: Principal = allow(*READERS)
) -> dict:
    """The subject's score now, with band and points per dimension. The subject also gets the top reasons;
    a partner (or a friend, with a subject key) needs the subject's live grant of scope ``score`` for the
    ``purpose`` it states, and sees no reasons. Every read, allowed or refused, is in the access log."""
    if p.role == "operator":
        row = serving.current_score(c.ws, entity_id)
        access.log_access(
            c.ws,
            entity_id,
            f"operator:{p.name}",
            "read_score",
            allowed=True,
            purpose=purpose,
            detail="score read",
        )
        return score_body(row)
    row = access.read_score(c.ws, entity_id, p.name, purpose, viewer_role=p.role)
    body = score_body(row)
    if "grant_id" in row:
        body |= {"reasons": [], "grant_id": row.get("grant_id"), "purpose": row.get("purpose")}
    return body


@router.get(
    "/scores/{entity_id}/explanation", response_model=Explanation, openapi_extra=roles_extra("operator", "subject")
)
def explain(
    entity_id: str,
    as_of: datetime | None = None,
    c: Context = Depends(ctx),
    p: Principal = allow("operator", "subject"),
) -> dict:
    """Every feature of the scorecard: its value, the points it earned, and the points it lost."""
    subject_access(c, p, entity_id, what="explanation")
    row = scoring.score_entity(c.ws, entity_id, as_of=as_of, detail=True)
    log_operator_read(c, p, entity_id, "read_explanation", "explanation read")
    return {**score_body(row), "features": row["features"]}


def log_operator_read(c: Context, p: Principal, entity_id: str, action: str, detail: str | None = None) -> None:
    """The bureau's own reads of a subject's score are logged too, so the subject sees them (guardrail 5)."""
    if p.role == "operator":
        access.log_access(c.ws, entity_id, f"operator:{p.name}", action, allowed=True, detail=detail)


@router.get(
    "/scores/{entity_id}/history", response_model=list[HistoryPoint], openapi_extra=roles_extra("operator", "subject")
)
def score_history(entity_id: str, c: Context = Depends(ctx), p: Principal = allow("operator", "subject")) -> list:
    """The subject's score in every population snapshot, oldest first."""
    subject_access(c, p, entity_id, what="history")
    queries.entity(c.store, entity_id)
    log_operator_read(c, p, entity_id, "read_history")
    return scoring.history(c.store, entity_id)


@router.post("/scores/run", response_model=SnapshotOut, openapi_extra=roles_extra("operator"))
def run_scoring(body: RunBody | None = None, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    """Score the whole population as of a time (default now) and append a snapshot."""
    snap = scoring.score_population(c.ws, as_of=body.as_of if body else None)
    return snap.to_dict()
